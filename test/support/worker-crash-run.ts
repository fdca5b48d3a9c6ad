// The crash drill on the scale-out runtime: the Worker bundle that `wrangler deploy` ships, in the
// real workerd (Miniflare) over a local D1 and R2 on disk, against the stub Feishu Open API. The
// same actions as the Node drill (crash-run.ts), plus 「帮助」 messages, three people at a time, which
// the Worker acknowledges at once and answers in `ctx.waitUntil`. A kill is workerd SIGKILLed
// (Miniflare's dispose), so it can land during a request's D1 batch or during the work the Worker
// carries on after answering; a new workerd then starts on the same files. Cloudflare runs the
// every-minute Cron Trigger whatever happens, so the drill fires it after each restart and at the
// end, as the clock would.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Miniflare } from 'miniflare';
import { checkTasks, driveWithKills, freePort, prng, until, type Restartable } from './crash-kit.js';
import {
  checkAcknowledged,
  checkOutbox,
  ENCRYPT_KEY,
  GROUP,
  INSPECTOR,
  nextAction,
  OPEN_TASKS_SQL,
  post,
  TENANT,
  TOKEN,
  type CrashOptions,
  type CrashReport,
  type Delivery,
  type TaskRow,
} from './crash-run.js';
import { stubFeishuEnv } from './feishu-conversation.js';
import { startFeishuStub, type FeishuStub } from './feishu-stub.js';
import { messageEvent } from './feishu-webhook.js';
import { dropBundle, prepareWorker, queryD1, startWorkerRuntime, type WorkerLogEntry } from './worker-harness.js';

/** The Worker's every-minute trigger: the outbox and the deliveries left unfinished (wrangler.toml). */
const EVERY_MINUTE = '* * * * *';
/** The inbox sweep leaves a delivery alone this long, in case its own isolate is still at it (receive.ts). */
const SWEEP_AFTER_MS = 30_000;

export interface WorkerCrashReport extends CrashReport {
  /** 「帮助」 messages acknowledged (each must be answered exactly once) */
  messages: number;
  /** deliveries a kill left acknowledged but unprocessed, for the every-minute trigger's sweep */
  leftUnprocessed: number;
}

/** What is left to do: deliveries not finished, and messages due by `?` and not sent. */
const LEFT_SQL =
  "select (select count(*) from inbound_deliveries where status != 'done') deliveries, (select count(*) from outbox where status = 'pending' and next_attempt_at <= ?) messages";

type D1 = Awaited<ReturnType<Miniflare['getD1Database']>>;

/** workerd running the Worker on one port and one set of files, killed and started again. */
class WorkerProcess implements Restartable {
  private mf: Miniflare | null = null;
  private db: D1 | null = null;
  readonly logs: WorkerLogEntry[] = [];
  /** deliveries earlier instances left unfinished, seen as each new one starts */
  readonly leftUnprocessed = new Set<string>();

  constructor(
    readonly port: number,
    private readonly bundleDir: string,
    readonly persistDir: string,
    private readonly bindings: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const mf = startWorkerRuntime({ bundleDir: this.bundleDir, persistDir: this.persistDir, bindings: this.bindings, logs: this.logs, port: this.port });
    await mf.ready;
    this.mf = mf;
    this.db = await mf.getD1Database('DB');
    for (const { delivery_id } of await this.query<{ delivery_id: string }>("select delivery_id from inbound_deliveries where status != 'done'")) this.leftUnprocessed.add(delivery_id);
    await this.everyMinute(Date.now());
  }

  /** Miniflare's dispose SIGKILLs workerd: no shutdown, no `waitUntil` finished. */
  async kill(): Promise<void> {
    const mf = this.mf;
    this.mf = null;
    this.db = null;
    await mf?.dispose();
  }

  async query<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    if (!this.db) throw new Error('the Worker is not running');
    return queryD1<T>(this.db, sql, ...params);
  }

  /** The every-minute Cron Trigger, as due at `scheduledTime` (its work goes on in `waitUntil`). */
  async everyMinute(scheduledTime: number): Promise<void> {
    const worker = await this.mf!.getWorker();
    const result = await worker.scheduled({ cron: EVERY_MINUTE, scheduledTime: new Date(scheduledTime) });
    if (result.outcome !== 'ok') throw new Error(`the every-minute trigger ended with outcome ${result.outcome}`);
  }
}

interface Message {
  eventId: string;
  messageId: string;
  body: Record<string, unknown>;
}

/**
 * A card click (as in the Node drill), or three 「帮助」 sent at once, each to be answered once. One
 * chat's messages are processed one after another, so when the first is acknowledged the others
 * are still to do: a kill then leaves work that only the every-minute trigger's sweep can finish.
 */
type Action = { kind: 'click'; delivery: Delivery } | { kind: 'messages'; messages: Message[]; firstAcknowledged?: Promise<unknown> };

const PEOPLE_AT_ONCE = 3;

function helpMessages(step: number): Message[] {
  return Array.from({ length: PEOPLE_AT_ONCE }, (_, i) => {
    const eventId = `crash_${step}_${i}_${randomUUID().slice(0, 8)}`;
    const messageId = `om_crash_help_${step}_${i}`;
    return { eventId, messageId, body: messageEvent({ tenantKey: TENANT, eventId, messageId, chatId: GROUP, senderOpenId: `${INSPECTOR}_${i}`, text: '帮助', token: TOKEN }) };
  });
}

/**
 * Sends the action's deliveries at once; null unless every one was acknowledged. Then all are sent
 * again: Feishu's retry of the unacknowledged ones, and a duplicate of the rest, which must change nothing.
 */
async function send(worker: WorkerProcess, action: Action): Promise<Delivery['reply'] | null> {
  if (action.kind === 'click') return post(worker, action.delivery);
  const answers = action.messages.map((message) => post(worker, message));
  action.firstAcknowledged = Promise.race(answers);
  return (await Promise.all(answers)).every(Boolean) ? {} : null;
}

const nameOf = (action: Action) => (action.kind === 'click' ? action.delivery.eventId : action.messages.map((m) => m.eventId).join(', '));

export async function runWorkerCrashScenario(options: CrashOptions): Promise<WorkerCrashReport> {
  const say = options.log ?? (() => undefined);
  const random = prng(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'duban-worker-crash-'));
  const persistDir = join(dir, 'state');
  const [bundleDir, stub, port] = await Promise.all([prepareWorker(persistDir), startFeishuStub(), freePort()]);
  const worker = new WorkerProcess(port, bundleDir, persistDir, { ...stubFeishuEnv(stub), FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: TOKEN });
  const report: WorkerCrashReport = { actions: options.actions, acknowledged: 0, redelivered: 0, kills: 0, findings: 0, events: 0, outboxSent: 0, stubMessages: 0, messages: 0, leftUnprocessed: 0, violations: [] };
  try {
    await worker.start();
    await post(worker, { body: messageEvent({ tenantKey: TENANT, chatId: GROUP, senderOpenId: INSPECTOR, text: '设为督查群', token: TOKEN }) });
    await until(async () => (await worker.query('select 1 from chat_bindings')).length === 1, 'the group binding');

    const clicks: Delivery[] = [];
    const messages: Message[] = [];
    Object.assign(
      report,
      await driveWithKills<Action, Delivery['reply']>({
        actions: options.actions,
        kills: options.kills,
        random,
        server: worker,
        next: async (step, killing) => {
          // half the kills land on messages, which are fewer
          if (random() < (killing ? 0.5 : 0.15)) return { kind: 'messages', messages: helpMessages(step) };
          return { kind: 'click', delivery: nextAction(await worker.query<TaskRow>(OPEN_TASKS_SQL), random, step) };
        },
        // Feishu re-delivers what was not acknowledged, with the same event id
        send: (action) => send(worker, action),
        answered: (action, reply) => {
          report.acknowledged++;
          if (action.kind === 'click') clicks.push({ ...action.delivery, reply });
          else messages.push(...action.messages);
        },
        nameOf,
        say,
        // A kill on messages lands the moment the first is acknowledged, while the Worker is at them
        // in `waitUntil`; a random moment seldom falls in that window.
        killWhen: (action) => (action.kind === 'messages' ? action.firstAcknowledged : undefined),
      }),
    );
    report.messages = messages.length;

    const undone = await drain(worker);
    if (undone) report.violations.push(undone);
    report.leftUnprocessed = worker.leftUnprocessed.size;
    // what workerd wrote is read from its files once it is gone
    await worker.kill();
    const db = new Database(d1File(persistDir), { readonly: true, fileMustExist: true });
    try {
      checkAcknowledged(db, clicks, report);
      checkOutbox(db, stub, report);
      checkMessages(db, stub, messages, report.violations);
      checkTasks(db, report.violations);
    } finally {
      db.close();
    }
    return report;
  } finally {
    await worker.kill();
    await stub.close();
    await dropBundle();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Lets the every-minute trigger finish what the kills left: a message acknowledged but never
 * processed (its isolate died in `waitUntil`) and messages never sent. The trigger is fired as if
 * a little over the sweep's wait had passed, since nothing else is running by now. Returns what
 * is still undone when the outbox has had time enough, or null.
 */
async function drain(worker: WorkerProcess): Promise<string | null> {
  const left = async (asOf: number) => (await worker.query<{ deliveries: number; messages: number }>(LEFT_SQL, asOf))[0]!;
  // the outbox keeps to Feishu's 5 messages a second to one chat, and nearly all go to the group
  const deadline = Date.now() + 60_000 + (await left(Number.MAX_SAFE_INTEGER)).messages * 250;
  for (;;) {
    await worker.everyMinute(Date.now() + SWEEP_AFTER_MS + 1_000);
    // one trigger's work is done before the next fires, as a minute apart would make it
    for (let poll = 0; poll < 10; poll++) {
      await new Promise((r) => setTimeout(r, 200));
      const { deliveries, messages } = await left(Number.MAX_SAFE_INTEGER);
      if (deliveries === 0 && messages === 0) return null;
      if (Date.now() > deadline) {
        const stuck = await worker.query<Record<string, unknown>>("select kind, target, attempts, last_error, next_attempt_at from outbox where status = 'pending' limit 3");
        return `the every-minute trigger left ${deliveries} deliveries unfinished and ${messages} messages unsent${stuck.length ? `, e.g. ${stuck.map((r) => JSON.stringify(r)).join('; ')}` : ''}`;
      }
    }
  }
}

/** The D1 database's file under Miniflare's persistence (its name is a hash of the database id). */
function d1File(persistDir: string): string {
  const objects = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = readdirSync(objects).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (files.length !== 1) throw new Error(`expected one D1 database file in ${objects}, found ${files.join(', ') || 'none'}`);
  return join(objects, files[0]!);
}

/** Every acknowledged 「帮助」 was answered once: one reply to it reached Feishu, not none, not two. */
function checkMessages(db: Database.Database, stub: FeishuStub, messages: Message[], violations: string[]): void {
  for (const message of messages) {
    const replies = stub.sent.filter((m) => m.replyTo === message.messageId).length;
    if (replies !== 1) violations.push(`${message.eventId}: acknowledged, answered ${replies} times`);
  }
  const unfinished = (db.prepare("select count(*) n from inbound_deliveries where status != 'done'").get() as { n: number }).n;
  if (unfinished > 0) violations.push(`${unfinished} deliveries never finished`);
}
