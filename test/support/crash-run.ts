// The crash drill: our real server as a child process (real SQLite file, real HTTP, real Lark SDK)
// against the stub Feishu Open API. It drives signed, encrypted card callbacks that file findings
// and move tasks through accept → submit → verify, SIGKILLs the server at random moments (often
// in the middle of a request), restarts it on the same database, re-delivers what was never
// acknowledged (as Feishu retries), and then checks that nothing was lost or done twice.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkTasks, driveWithKills, freePort, prng, promiseChecker, ServerProcess, until, type ActionPromise } from './crash-kit.js';
import { startFeishuStub, type FeishuStub } from './feishu-stub.js';
import { buildFeishuWebhookRequest, cardActionEvent, messageEvent } from './feishu-webhook.js';

export const ENCRYPT_KEY = 'crash-encrypt-key-0123456789';
export const TOKEN = 'crash-verification-token';
export const TENANT = 'tenant_crash';
export const GROUP = 'oc_crash_group';
export const INSPECTOR = 'ou_crash_inspector';
const LEADERS = ['ou_crash_leader_a', 'ou_crash_leader_b', 'ou_crash_leader_c'];

export interface CrashOptions {
  actions: number;
  kills: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  actions: number;
  acknowledged: number;
  redelivered: number;
  kills: number;
  findings: number;
  events: number;
  outboxSent: number;
  stubMessages: number;
  violations: string[];
}

export interface Delivery {
  eventId: string;
  body: Record<string, unknown>;
  /** what a 200 promises: a finding filed, or a task event with this action and seq */
  promise: ActionPromise;
  reply?: { toast?: { type: string; content: string } };
}

/** Signs, encrypts and posts a delivery as Feishu does; null when it got no 200 (the server died under it). */
export async function post(server: { url: string }, delivery: Pick<Delivery, 'body'>): Promise<Delivery['reply'] | null> {
  const request = buildFeishuWebhookRequest({ body: delivery.body, encryptKey: ENCRYPT_KEY, nowMs: Date.now() });
  try {
    const res = await fetch(`${server.url}/webhooks/feishu`, { method: 'POST', headers: request.headers, body: request.rawBody });
    if (res.status !== 200) return null;
    return (await res.json()) as Delivery['reply'];
  } catch {
    return null; // the server died under the request: not acknowledged
  }
}

export async function runCrashScenario(options: CrashOptions): Promise<CrashReport> {
  const say = options.log ?? (() => undefined);
  const random = prng(options.seed);
  const stub: FeishuStub = await startFeishuStub();
  const dir = mkdtempSync(join(tmpdir(), 'duban-crash-'));
  const databasePath = join(dir, 'duban.sqlite');
  const port = await freePort();
  const server = new ServerProcess(port, {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_PATH: databasePath,
    FEISHU_APP_ID: stub.appId,
    FEISHU_APP_SECRET: stub.appSecret,
    FEISHU_BASE_URL: stub.baseUrl,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: TOKEN,
  });
  const report: CrashReport = { actions: options.actions, acknowledged: 0, redelivered: 0, kills: 0, findings: 0, events: 0, outboxSent: 0, stubMessages: 0, violations: [] };
  let db: Database.Database | null = null;
  try {
    await server.start();
    db = new Database(databasePath, { readonly: true, fileMustExist: true });
    const bind = messageEvent({ tenantKey: TENANT, chatId: GROUP, senderOpenId: INSPECTOR, text: '设为督查群', token: TOKEN });
    await post(server, { body: bind });
    await until(() => (db!.prepare('select count(*) n from chat_bindings').get() as { n: number }).n === 1, 'the group binding');

    const acknowledged: Delivery[] = [];
    // Feishu re-delivers what was not acknowledged, with the same event id
    Object.assign(
      report,
      await driveWithKills({
        actions: options.actions,
        kills: options.kills,
        random,
        server,
        next: (step) => nextAction(openTasks(db!), random, step),
        send: (delivery) => post(server, delivery),
        answered: (delivery, reply) => acknowledged.push({ ...delivery, reply }),
        nameOf: (delivery) => delivery.eventId,
        say,
      }),
    );
    report.acknowledged = acknowledged.length;

    // Feishu allows an app 1,000 messages a minute, and the outbox keeps to it: give it that long
    const queued = (db.prepare('select count(*) n from outbox').get() as { n: number }).n;
    await until(() => (db!.prepare("select count(*) n from outbox where status = 'pending'").get() as { n: number }).n === 0, 'the outbox to drain', 60_000 + queued * 65);
    checkAcknowledged(db, acknowledged, report);
    checkOutbox(db, stub, report);
    checkTasks(db, report.violations);
    return report;
  } finally {
    db?.close();
    await server.kill();
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TaskRow {
  id: string;
  state: string;
  version: number;
  leader_user_id: string;
}

/** The tasks a next action may move on. */
export const OPEN_TASKS_SQL = "select id, state, version, leader_user_id from tasks where state in ('pending', 'in_progress', 'submitted')";

const openTasks = (db: Database.Database): TaskRow[] => db.prepare(OPEN_TASKS_SQL).all() as TaskRow[];

/** File a finding, or move a random one of the `open` tasks one step on, as its leader or inspector would. */
export function nextAction(open: TaskRow[], random: () => number, step: number): Delivery {
  const eventId = `crash_${step}_${randomUUID().slice(0, 8)}`;
  const click = (operator: string, value: Record<string, unknown>, formValue?: Record<string, unknown>) =>
    cardActionEvent({ tenantKey: TENANT, eventId, operatorOpenId: operator, messageId: `om_crash_${step}`, chatId: GROUP, value, ...(formValue ? { formValue } : {}), token: TOKEN });
  if (open.length < 3 || random() < 0.35) {
    const leader = LEADERS[Math.floor(random() * LEADERS.length)]!;
    const form = { area: `病区${step % 7}`, category: '服务态度', description: `第${step}步发现的问题`, leader, deadline_text: '5个工作日' };
    return { eventId, body: click(INSPECTOR, { a: 'file_finding' }, form), promise: { kind: 'file' } };
  }
  const task = open[Math.floor(random() * open.length)]!;
  const value = (a: string) => ({ a, t: task.id, v: task.version });
  const promise = (action: string) => ({ kind: 'task' as const, taskId: task.id, action, seq: task.version + 1 });
  switch (task.state) {
    case 'pending':
      return { eventId, body: click(task.leader_user_id, value('accept'), { measures: `第${step}步的整改措施` }), promise: promise('accept') };
    case 'in_progress':
      return { eventId, body: click(task.leader_user_id, value('submit'), { note: `第${step}步整改完成`, closure_kind: 'done' }), promise: promise('submit') };
    default:
      return { eventId, body: click(INSPECTOR, value('verify_pass'), { closure_kind: 'done' }), promise: promise('verify_pass') };
  }
}

/** Every action answered with success is in the database, with its task event. */
export function checkAcknowledged(db: Database.Database, acknowledged: Delivery[], report: CrashReport): void {
  const broken = promiseChecker(db);
  for (const d of acknowledged) {
    const toast = d.reply?.toast;
    if (toast?.type !== 'success') continue;
    const missing = broken(d.promise, toast.content);
    if (missing) report.violations.push(`${d.eventId}: ${missing}`);
  }
  report.findings = (db.prepare('select count(*) n from findings').get() as { n: number }).n;
  report.events = (db.prepare('select count(*) n from task_events').get() as { n: number }).n;
}

/** Every message the outbox holds reached the stub exactly once, and the stub got nothing else. */
export function checkOutbox(db: Database.Database, stub: FeishuStub, report: CrashReport): void {
  const rows = db.prepare("select idempotency_key k, status from outbox where kind = 'send'").all() as { k: string; status: string }[];
  report.outboxSent = rows.length;
  report.stubMessages = stub.sent.length;
  const notSent = rows.filter((r) => r.status !== 'sent');
  if (notSent.length > 0) report.violations.push(`${notSent.length} outbox messages never sent (${notSent[0]!.status})`);
  const keys = new Set(rows.map((r) => r.k));
  const uuids = stub.sent.map((m) => m.uuid ?? '(none)');
  if (new Set(uuids).size !== uuids.length) report.violations.push('the stub received two messages with one uuid');
  const strangers = uuids.filter((u) => !keys.has(u));
  if (strangers.length > 0) report.violations.push(`${strangers.length} messages reached the stub that the outbox does not hold`);
  const missing = [...keys].filter((k) => !uuids.includes(k));
  if (missing.length > 0) report.violations.push(`${missing.length} outbox messages never reached the stub`);
}
