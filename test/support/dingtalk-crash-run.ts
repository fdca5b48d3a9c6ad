// The crash drill on DingTalk in HTTP mode: our real server as a child process (real SQLite file,
// real HTTP, the real DingTalk client) against the stub DingTalk Open API. People work as they do
// on DingTalk: an inspector asks for the intake card with 「督查」 in a supervision group and
// submits it there, the leader accepts and submits on the task card in the robot chat (sending a
// photo as evidence now and then), the inspector verifies on the card that asks for it. Every
// request is signed as DingTalk signs it; the server is SIGKILLed at random moments, started again
// on the same database, and what got no answer is delivered again, byte for byte, as DingTalk
// retries. Then it checks what DingTalk can promise differently from Feishu: cards exactly once
// (keyed by the outbox row), texts at least once (robot sends take no key), card updates at least
// once and in order; and, as on Feishu, that nothing acknowledged was lost.
//
// `mode: 'stream'` plays the same people over DingTalk's Stream mode instead: the server dials the
// local gateway stand-in (dingtalk-stream-stub.ts), which pushes each robot message and card
// callback and takes the server's ACK frame as the answer. Only the transport differs. A push is
// acknowledged when its ACK reached the gateway; after a kill the server connects again with a
// new ticket and the gateway re-pushes an un-ACKed card callback with the same messageId, as
// DingTalk does, but not a robot message (DingTalk sends those once), so a robot message killed
// before its ACK is not counted on: it was either never recorded, or recorded and then processed
// once by the next server as it started, and the checks hold it to exactly that.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import type { Card } from '../../cards/model.js';
import { renderDingTalkCard } from '../../src/platforms/dingtalk/render-card.js';
import { checkTasks, countOf, driveWithKills, freePort, prng, promiseChecker, ServerProcess, until, type ActionPromise } from './crash-kit.js';
import { startDingTalkStreamStub, StreamPushUnanswered, type StreamAck } from './dingtalk-stream-stub.js';
import { DINGTALK_CARD_CREATE_PATH, startDingTalkStub, stubDingTalkEnv, type DingTalkStub } from './dingtalk-stub.js';
import { cardCallbackPayload, robotPictureMessage, robotTextMessage, signedCardCallback, signedRobotDelivery, type RobotMessagePayload } from './dingtalk-webhook.js';

// Several groups, inspectors and leaders, as a hospital has: DingTalk allows 20 messages a minute to
// one group or person, and with one of each the drill would measure that limit, not the crashes.
const GROUPS = ['cidCrashGroupA', 'cidCrashGroupB', 'cidCrashGroupC', 'cidCrashGroupD'];
const INSPECTORS = ['staff_crash_insp_1', 'staff_crash_insp_2', 'staff_crash_insp_3', 'staff_crash_insp_4', 'staff_crash_insp_5', 'staff_crash_insp_6'];
const DEPARTMENTS = ['内科', '外科', '妇产科', '儿科', '急诊科', '药剂科', '检验科', '放射科', '护理部', '院感科', '后勤处', '信息科'];
const LEADERS = DEPARTMENTS.map((_, i) => `staff_crash_leader_${i + 1}`);
const NICK: Record<string, string> = {
  ...Object.fromEntries(INSPECTORS.map((id, i) => [id, `督查${'一二三四五六'[i]}`])),
  ...Object.fromEntries(LEADERS.map((id, i) => [id, `${DEPARTMENTS[i]}主任`])),
};
const ADMIN = INSPECTORS[0]!;
/** the one-to-one chat of a person with the robot */
const robotChat = (userId: string) => `cidRobotChat_${userId}`;
const MESSAGE_PATH = '/webhooks/dingtalk';
const CARD_PATH = '/webhooks/dingtalk/card';

export interface DingTalkCrashOptions {
  actions: number;
  kills: number;
  seed: number;
  /** how DingTalk reaches the server: signed HTTP requests (the default), or pushes over Stream */
  mode?: 'http' | 'stream';
  log?: (line: string) => void;
}

export interface DingTalkCrashReport {
  actions: number;
  acknowledged: number;
  redelivered: number;
  kills: number;
  /** the actions by kind: 「督查」 asked in a group, evidence photos sent, card clicks */
  asks: number;
  photos: number;
  clicks: number;
  findings: number;
  events: number;
  /** interactive cards: outbox rows = cards DingTalk made; `retriesRefused`: sends DingTalk refused as outTrackIdDuplicated */
  cards: { outbox: number; stub: number; retriesRefused: number };
  /** robot text and file messages, which take no idempotency key: `stub` = `outbox` + `duplicates` */
  texts: { outbox: number; stub: number; duplicates: number };
  /** PUT card/instances, one per update row: `stub` = `outbox` + `repeated` */
  updates: { outbox: number; stub: number; repeated: number };
  /** evidence photos attached to a task, and answered "no task in progress" (the task closed first) */
  evidence: { attached: number; noOpenTask: number };
  /**
   * Stream mode only. `connections`: those the server opened (one a start); `repushed`: card
   * callbacks ACKed only after the gateway pushed them again; `unacknowledged`: robot messages the
   * server died under before its ACK (DingTalk does not push them again), of which `processed` had
   * been recorded and were then processed by the next server as it started.
   */
  stream?: { connections: number; repushed: number; unacknowledged: number; processed: number };
  violations: string[];
}

type Act =
  | { kind: 'ask'; inspector: string; group: string }
  | { kind: 'photo'; leader: string; bytes: string }
  | { kind: 'click'; outTrackId: string; userId: string; promise: ActionPromise; intakeKey: string | null };

/** One request as DingTalk makes it; delivered again exactly as it was (same body, same signature). */
interface Request {
  /** the robot message's msgId, or click_<step>; over Stream, also the frame's messageId */
  id: string;
  path: typeof MESSAGE_PATH | typeof CARD_PATH;
  /** what DingTalk sends: the HTTP body, and the data of a Stream frame */
  payload: object;
  rawBody: string;
  headers: Record<string, string>;
  act: Act;
}

interface ClickAnswer {
  cardData?: { cardParamMap: Record<string, string> };
  userPrivateData?: { cardParamMap: Record<string, string> };
}

interface Answered {
  request: Request;
  answer: ClickAnswer;
}

interface Drill {
  db: Database.Database;
  stub: DingTalkStub;
  random: () => number;
  /** msgId of each 「督查」 asked → who asked */
  asks: Map<string, string>;
  /** intake cards (outTrackIds) the drill has submitted */
  usedIntake: Set<string>;
  /** the bytes of each photo sent (hex) → its msgId */
  photos: Map<string, string>;
  /** robot messages (msgIds) never acknowledged and not delivered again */
  unacknowledged: Set<string>;
  send: (request: Request) => Promise<ClickAnswer | null>;
}

/** How DingTalk reaches the server, and what counts as the server's answer. */
interface Transport {
  env: Record<string, string>;
  /** the answer (a click's card answer; `{}` for a robot message), or null: not acknowledged */
  send(server: ServerProcess, request: Request): Promise<ClickAnswer | null>;
  /** whether DingTalk delivers a request again when it got no answer */
  redelivers(request: Request): boolean;
  /** after each start: resolves once DingTalk can reach the server */
  reachable(): Promise<void>;
  /** what only this transport can see: protocol errors, Stream figures */
  finish(report: DingTalkCrashReport): void;
  close(): Promise<void>;
}

async function post(server: ServerProcess, request: Request): Promise<ClickAnswer | null> {
  try {
    const res = await fetch(`${server.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.rawBody });
    if (res.status !== 200) return null;
    return (await res.json()) as ClickAnswer;
  } catch {
    return null; // the server died under the request: not acknowledged
  }
}

function httpTransport(stub: DingTalkStub): Transport {
  return {
    env: { ...stubDingTalkEnv(stub), DINGTALK_MODE: 'http' },
    send: post,
    // DingTalk retries an HTTP request that got no answer
    redelivers: () => true,
    // /healthz answering is enough
    reachable: async () => undefined,
    finish: () => undefined,
    close: async () => undefined,
  };
}

/**
 * The gateway re-pushes an un-ACKed card callback after this long (DingTalk: "within 60 s"): long
 * enough that a healthy server has answered by then, short enough for the drill.
 */
const REPUSH_AFTER_MS = 2_000;

/** Resolves when the process exits; `off` forgets it (a send must not leave a listener behind). */
function exitOf(child: ChildProcess): { exited: Promise<'exited'>; off: () => void } {
  let on: () => void = () => undefined;
  const exited = new Promise<'exited'>((resolve) => {
    on = () => resolve('exited');
    child.once('exit', on);
  });
  return { exited, off: () => child.off('exit', on) };
}

async function streamTransport(stub: DingTalkStub): Promise<Transport> {
  const gateway = await startDingTalkStreamStub({
    clientId: stub.appKey,
    clientSecret: stub.appSecret,
    // the Open API calls the server makes through DINGTALK_BASE_URL go on to the REST stand-in
    proxyTo: stub.baseUrl,
    redeliverAfterMs: REPUSH_AFTER_MS,
    // a card callback is re-pushed until a server takes it; the gateway's deadline ends the wait
    maxDeliveries: 1_000,
  });
  // one push per request: a redelivery after a kill waits for the gateway's re-push of the same frame
  const pushes = new Map<string, Promise<StreamAck | null>>();
  let starts = 0;
  const { PUBLIC_URL: _noPublicUrl, ...env } = stubDingTalkEnv(stub);
  return {
    // no public URL: Stream is for a server the internet cannot reach
    env: { ...env, DINGTALK_BASE_URL: gateway.baseUrl, DINGTALK_MODE: 'stream' },
    async send(server, request) {
      const child = server.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return null;
      const exit = exitOf(child);
      try {
        let push = pushes.get(request.id);
        if (!push) {
          const card = request.path === CARD_PATH;
          // a robot message is pushed once (its connection closing ends the wait); a card callback
          // waits through a restart for its re-push
          const opts = { messageId: request.id, timeoutMs: card ? 180_000 : 60_000 };
          const pushed = card ? gateway.pushCardCallback(request.payload, opts) : gateway.pushRobotMessage(request.payload, opts);
          push = pushed.catch((error: unknown) => {
            if (error instanceof StreamPushUnanswered) return null;
            throw error;
          });
          pushes.set(request.id, push);
        }
        let ack = await Promise.race([push, exit.exited]);
        if (ack === 'exited') {
          // An ACK the server wrote before it died still counts if it reached the gateway: it
          // arrives on the socket before the close does.
          await until(() => gateway.openConnectionCount() === 0, 'the gateway to see the connection close', 10_000);
          ack = gateway.acks.find((a) => a.messageId === request.id) ?? null;
        }
        if (!ack || ack.code !== 200) return null;
        return (ack.data as { response?: ClickAnswer } | null)?.response ?? {};
      } finally {
        exit.off();
      }
    },
    redelivers: (request) => request.path === CARD_PATH,
    async reachable() {
      // A started server answers /healthz before its Stream connection is open. Without this wait a
      // kill could land before the request was even pushed, which says nothing about the server.
      starts++;
      await gateway.waitUntil(() => gateway.connectionCount() >= starts && gateway.openConnectionCount() === 1, `start ${starts} to connect over Stream`, 30_000);
    },
    finish(report) {
      const repushed = new Set(gateway.acks.filter((a) => a.deliveries > 1).map((a) => a.messageId));
      report.stream = { connections: gateway.connectionCount(), repushed: repushed.size, unacknowledged: 0, processed: 0 };
      for (const error of gateway.protocolErrors) report.violations.push(`Stream protocol: ${error}`);
    },
    close: () => gateway.close(),
  };
}

/** The server as `npm start` runs it, started only when DingTalk can reach it. */
class DingTalkServerProcess extends ServerProcess {
  constructor(
    port: number,
    env: Record<string, string>,
    private readonly transport: Transport,
  ) {
    super(port, env);
  }

  override async start(): Promise<void> {
    await super.start();
    await this.transport.reachable();
  }
}

export async function runDingTalkCrashScenario(options: DingTalkCrashOptions): Promise<DingTalkCrashReport> {
  const say = options.log ?? (() => undefined);
  const random = prng(options.seed);
  const stub = await startDingTalkStub();
  const transport = options.mode === 'stream' ? await streamTransport(stub) : httpTransport(stub);
  const dir = mkdtempSync(join(tmpdir(), 'duban-dingtalk-crash-'));
  const databasePath = join(dir, 'duban.sqlite');
  const port = await freePort();
  const server = new DingTalkServerProcess(
    port,
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: databasePath,
      ...transport.env,
    },
    transport,
  );
  const report: DingTalkCrashReport = {
    actions: options.actions,
    acknowledged: 0,
    redelivered: 0,
    kills: 0,
    asks: 0,
    photos: 0,
    clicks: 0,
    findings: 0,
    events: 0,
    cards: { outbox: 0, stub: 0, retriesRefused: 0 },
    texts: { outbox: 0, stub: 0, duplicates: 0 },
    updates: { outbox: 0, stub: 0, repeated: 0 },
    evidence: { attached: 0, noOpenTask: 0 },
    violations: [],
  };
  let db: Database.Database | null = null;
  try {
    await server.start();
    db = new Database(databasePath, { readonly: true, fileMustExist: true });
    const drill: Drill = { db, stub, random, asks: new Map(), usedIntake: new Set(), photos: new Map(), unacknowledged: new Set(), send: (request) => transport.send(server, request) };
    await setUp(drill);

    const answered: Answered[] = [];
    const unacknowledged: Request[] = [];
    // DingTalk delivers again what was not acknowledged (over Stream, only card callbacks): the same request
    Object.assign(
      report,
      await driveWithKills({
        actions: options.actions,
        kills: options.kills,
        random,
        server,
        next: async (step) => {
          const request = await nextAction(drill, step);
          report[request.act.kind === 'ask' ? 'asks' : request.act.kind === 'photo' ? 'photos' : 'clicks']++;
          return request;
        },
        send: drill.send,
        redelivers: (request) => transport.redelivers(request),
        notRedelivered: (request) => {
          unacknowledged.push(request);
          drill.unacknowledged.add(request.id);
        },
        answered: (request, answer) => {
          answered.push({ request, answer });
          // DingTalk shows the answer on the clicked card, as the product expects it to
          if (request.act.kind === 'click') stub.applyCardCallbackResponse(request.act.outTrackId, request.act.userId, answer);
        },
        nameOf: (request) => request.id,
        say,
      }),
    );
    report.acknowledged = answered.length;

    // The outbox keeps to about 1,000 calls a minute per app and 20 a minute per group or person;
    // a message acknowledged but not processed before a kill is taken up by the next server as it
    // starts. Whatever is still undone at the deadline, or parked as failed,
    // is reported by the checks below rather than waited for.
    const queued = countOf(db, 'select count(*) n from outbox');
    const settled = () =>
      countOf(db!, "select count(*) n from outbox where status = 'pending'") === 0 && countOf(db!, "select count(*) n from inbound_deliveries where status = 'received'") === 0;
    await until(settled, 'the outbox to drain and every message to be processed', 130_000 + queued * 65).catch((error: Error) => report.violations.push(error.message));

    const names = new Map((db.prepare('select user_id, name from members where name is not null').all() as { user_id: string; name: string }[]).map((m) => [m.user_id, m.name]));
    checkClicks(db, answered, report);
    checkMessages(db, drill, dir, answered, unacknowledged, report);
    checkCards(db, stub, report);
    checkTexts(db, stub, names, report);
    checkUpdates(db, stub, names, report);
    checkTasks(db, report.violations);
    transport.finish(report);
    if (report.stream) {
      report.stream.unacknowledged = unacknowledged.length;
      report.stream.processed = unacknowledged.filter((r) => isProcessed(db!, r.id)).length;
    }
    return report;
  } finally {
    db?.close();
    await server.kill();
    await transport.close();
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function robotRequest(stub: DingTalkStub, message: RobotMessagePayload, act: Act): Request {
  const signed = signedRobotDelivery(message, { appSecret: stub.appSecret });
  return { id: message.msgId, path: MESSAGE_PATH, payload: message, rawBody: signed.rawBody, headers: signed.headers, act };
}

/** `who` says `text` in `group`, or to the robot one-to-one when `group` is null */
function textMessage(who: string, text: string, group: string | null, msgId: string): RobotMessagePayload {
  const where = group ? { conversationId: group } : { group: false, conversationId: robotChat(who) };
  return robotTextMessage(text, { senderStaffId: who, senderNick: NICK[who]!, msgId, ...where });
}

/**
 * The admin binds every group; everyone else says one thing to the robot first, so the bot knows
 * each name before any card mentions them (the names drawn into cards then never change, which
 * the check of card updates relies on).
 */
async function setUp(d: Drill): Promise<void> {
  const ok = async (message: RobotMessagePayload) => {
    const answer = await d.send(robotRequest(d.stub, message, { kind: 'ask', inspector: message.senderStaffId, group: message.conversationId }));
    if (!answer) throw new Error(`setting up: "${message.text?.content}" got no answer`);
  };
  for (const [i, group] of GROUPS.entries()) {
    await ok(textMessage(ADMIN, '设为督查群', group, `msgcrash_bind_${i}`));
    await until(() => countOf(d.db, 'select count(*) n from chat_bindings') === i + 1, `group ${group} to be bound`);
  }
  for (const person of [...INSPECTORS.slice(1), ...LEADERS]) await ok(textMessage(person, '我的任务', null, `msgcrash_hello_${person}`));
  const people = INSPECTORS.length + LEADERS.length;
  await until(() => countOf(d.db, 'select count(*) n from members where name is not null') === people, 'everyone to be known by name');
}

interface IntakeCard {
  outTrackId: string;
  group: string;
  inspector: string;
}

/** Intake cards DingTalk shows in a group (delivered) that the drill has not submitted yet. */
function readyIntakeCards(d: Drill): IntakeCard[] {
  const rows = d.db
    .prepare("select o.idempotency_key k, o.target from outbox o join card_copies c on c.id = o.card_copy_id where o.kind = 'send' and c.purpose = 'intake'")
    .all() as { k: string; target: string }[];
  return rows.flatMap((row) => {
    const target = JSON.parse(row.target) as { messageId?: string; chatId?: string };
    const inspector = target.messageId ? d.asks.get(target.messageId) : undefined;
    if (!inspector || !target.chatId || d.usedIntake.has(row.k) || !d.stub.cards.has(row.k)) return [];
    return [{ outTrackId: row.k, group: target.chatId, inspector }];
  });
}

interface ClickableTask {
  id: string;
  state: string;
  version: number;
  leader: string;
  inspector: string;
  /** the card its next step is clicked on: the leader's task card, or the inspector's when submitted */
  card: string;
}

/** Open tasks whose next step's card DingTalk shows its person (a card not yet delivered cannot be clicked). */
function clickableTasks(d: Drill): ClickableTask[] {
  const rows = d.db
    .prepare(
      `select t.id, t.state, t.version, t.leader_user_id leader, f.inspector_user_id inspector,
        (select o.idempotency_key from card_copies c join outbox o on o.card_copy_id = c.id and o.kind = 'send'
          where c.task_id = t.id and c.purpose = 'task'
            and c.viewer_user_id = case t.state when 'submitted' then f.inspector_user_id else t.leader_user_id end
          order by o.rowid desc limit 1) card
       from tasks t join findings f on f.id = t.finding_id
       where t.state in ('pending', 'in_progress', 'submitted')`,
    )
    .all() as (Omit<ClickableTask, 'card'> & { card: string | null })[];
  return rows.filter((t): t is ClickableTask => t.card !== null && d.stub.cards.has(t.card));
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/**
 * The next thing someone does: ask for an intake card, submit one, move a task one step on, or
 * send a photo as evidence. Waits while every card it could click is still on its way.
 */
async function nextAction(d: Drill, step: number): Promise<Request> {
  const id = `crash_${step}_${randomUUID().slice(0, 8)}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const intake = readyIntakeCards(d);
    const tasks = clickableTasks(d);
    // a 「督查」 never acknowledged may never be answered: it is not waited for
    const asked = d.asks.size - d.usedIntake.size - [...d.unacknowledged].filter((m) => d.asks.has(m)).length;
    const r = d.random();
    if (asked < 5 && (intake.length === 0 || r < 0.25)) {
      const inspector = pick(d.random, INSPECTORS);
      const group = pick(d.random, GROUPS);
      const msgId = `msg${id}`;
      d.asks.set(msgId, inspector);
      return robotRequest(d.stub, textMessage(inspector, '督查', group, msgId), { kind: 'ask', inspector, group });
    }
    if (intake.length > 0 && (tasks.length < 3 || r < 0.45)) return fileFinding(d, step, id, pick(d.random, intake));
    if (tasks.length > 0) {
      const task = pick(d.random, tasks);
      return d.random() < 0.1 ? evidencePhoto(d, step, id, task.leader) : moveTask(d, step, id, task);
    }
    if (Date.now() > deadline) throw new Error(`step ${step}: no card to click for 3 minutes (${asked} intake cards asked for and not delivered)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function click(d: Drill, id: string, card: { outTrackId: string; userId: string; group: string | null }, params: Record<string, unknown>, promise: ActionPromise, intakeKey: string | null = null): Request {
  const space = card.group ? ({ type: 'IM_GROUP', openConversationId: card.group } as const) : ({ type: 'IM_ROBOT' } as const);
  const payload = cardCallbackPayload({ outTrackId: card.outTrackId, userId: card.userId, params, space });
  const signed = signedCardCallback(payload, { apiSecret: d.stub.appSecret });
  return { id: `click_${id}`, path: CARD_PATH, payload, rawBody: signed.rawBody, headers: signed.headers, act: { kind: 'click', outTrackId: card.outTrackId, userId: card.userId, promise, intakeKey } };
}

/** The inspector fills in the intake card and presses its own submit button. */
function fileFinding(d: Drill, step: number, id: string, intake: IntakeCard): Request {
  d.usedIntake.add(intake.outTrackId);
  const form = JSON.parse(d.stub.cardParams(intake.outTrackId)['form'] || 'null') as { submit: { payload: string } } | null;
  if (!form) throw new Error(`intake card ${intake.outTrackId} has no form`);
  const inputs = { area: `病区${step % 7}`, category: '服务态度', description: `第${step}步发现的问题`, leader: pick(d.random, LEADERS), deadline_text: '5个工作日' };
  return click(d, id, { outTrackId: intake.outTrackId, userId: intake.inspector, group: intake.group }, { payload: form.submit.payload, ...inputs }, { kind: 'file' }, intake.outTrackId);
}

/** The form's submit for the task's next step, as its card sends it: the action, the task, the version. */
function moveTask(d: Drill, step: number, id: string, task: ClickableTask): Request {
  const submit = (a: string, userId: string, inputs: Record<string, string>) =>
    click(d, id, { outTrackId: task.card, userId, group: null }, { payload: JSON.stringify({ a, t: task.id, v: task.version }), ...inputs }, { kind: 'task', taskId: task.id, action: a, seq: task.version + 1 });
  switch (task.state) {
    case 'pending':
      return submit('accept', task.leader, { measures: `第${step}步的整改措施` });
    case 'in_progress':
      return submit('submit', task.leader, { note: `第${step}步整改完成`, closure_kind: 'done' });
    default:
      return submit('verify_pass', task.inspector, { closure_kind: 'done' });
  }
}

/** A photo of the work sent to the robot one-to-one: evidence for the leader's latest open task. */
function evidencePhoto(d: Drill, step: number, id: string, leader: string): Request {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`evidence ${id}`)]);
  const msgId = `msg${id}`;
  const downloadCode = `dl_${id}`;
  d.stub.addUserFile(downloadCode, bytes, { contentType: 'image/jpeg' });
  d.photos.set(bytes.toString('hex'), msgId);
  const message = robotPictureMessage(downloadCode, { group: false, conversationId: robotChat(leader), senderStaffId: leader, senderNick: NICK[leader]!, msgId });
  return robotRequest(d.stub, message, { kind: 'photo', leader, bytes: bytes.toString('hex') });
}

// ---- the checks ------------------------------------------------------------------------------

const noticeOf = (answer: ClickAnswer) => ({ type: answer.userPrivateData?.cardParamMap['noticeType'], text: answer.userPrivateData?.cardParamMap['notice'] ?? '' });

/**
 * Every click was permitted and on the current version, so each answer is a success, and what it
 * promised is in the database; a finding was filed from the very intake card that was submitted.
 * No two clicks were promised the same step of a task: a click answered success but never done
 * leaves the task where it was, the drill moves it again, and that later event would otherwise
 * stand in for the lost one.
 */
function checkClicks(db: Database.Database, answered: Answered[], report: DingTalkCrashReport): void {
  const broken = promiseChecker(db);
  const filedFrom = db.prepare("select f.number from findings f join outbox o on o.card_copy_id = f.intake_card_id and o.kind = 'send' where o.idempotency_key = ?");
  const stepsPromised = new Map<string, string>();
  for (const { request, answer } of answered) {
    if (request.act.kind !== 'click') continue;
    const notice = noticeOf(answer);
    if (notice.type !== 'success') {
      report.violations.push(`${request.id}: answered ${notice.type ?? 'nothing'} "${notice.text}" to a click that was permitted and current`);
      continue;
    }
    const { promise } = request.act;
    if (promise.kind === 'task') {
      const step = `${promise.taskId} seq ${promise.seq}`;
      const earlier = stepsPromised.get(step);
      if (earlier) report.violations.push(`${request.id}: answered success for ${step}, as ${earlier} was: one of them was never done`);
      stepsPromised.set(step, request.id);
    }
    const missing = broken(promise, notice.text);
    if (missing) report.violations.push(`${request.id}: ${missing}`);
    else if (request.act.intakeKey) {
      const numbers = (filedFrom.all(request.act.intakeKey) as { number: number }[]).map((f) => f.number);
      const promised = Number(/第(\d+)号问题/.exec(notice.text)?.[1]);
      if (numbers.length !== 1 || numbers[0] !== promised) report.violations.push(`${request.id}: intake card ${request.act.intakeKey} filed findings [${numbers.join(', ')}], answered ${promised}`);
    }
  }
  report.findings = countOf(db, 'select count(*) n from findings');
  report.events = countOf(db, 'select count(*) n from task_events');
}

const deliveryStatus = (db: Database.Database, id: string) =>
  (db.prepare("select status from inbound_deliveries where platform = 'dingtalk' and delivery_id = ?").get(id) as { status: string } | undefined)?.status;

/** A robot message the server recorded and then finished (acknowledged or not). */
const isProcessed = (db: Database.Database, id: string) => deliveryStatus(db, id) === 'done';

/**
 * A robot message is acknowledged once recorded, and processed after: each one acknowledged was
 * processed, once. 「督查」 got one intake card; each photo got one answer to its sender and, when
 * the leader had a task open, one evidence attachment holding its bytes. One never acknowledged
 * (Stream: not pushed again) was either never recorded and left no trace, or recorded and then
 * processed once like the others, but never recorded and left unfinished.
 */
function checkMessages(db: Database.Database, d: Drill, dir: string, answered: Answered[], unacknowledged: Request[], report: DingTalkCrashReport): void {
  const intakeCards = db.prepare("select count(*) n from outbox where kind = 'send' and json_extract(target, '$.kind') = 'reply' and json_extract(target, '$.messageId') = ?");
  const photosBy = new Map<string, number>();
  const neverRecorded = new Set<string>();
  const processedOnce = (request: Request) => {
    const { act } = request;
    if (act.kind === 'ask') {
      const n = (intakeCards.get(request.id) as { n: number }).n;
      if (n !== 1) report.violations.push(`${request.id}: 「督查」 answered with ${n} intake cards`);
    } else if (act.kind === 'photo') photosBy.set(act.leader, (photosBy.get(act.leader) ?? 0) + 1);
  };
  for (const { request } of answered) {
    if (request.act.kind === 'click') continue;
    const status = deliveryStatus(db, request.id);
    if (status !== 'done') report.violations.push(`${request.id}: acknowledged, but its delivery is ${status ?? 'not recorded'}`);
    processedOnce(request);
  }
  for (const request of unacknowledged) {
    if (request.act.kind === 'click') continue;
    const status = deliveryStatus(db, request.id);
    if (status === 'done') processedOnce(request);
    else if (status) report.violations.push(`${request.id}: not acknowledged, recorded, and left ${status}`);
    else {
      neverRecorded.add(request.id);
      const n = (intakeCards.get(request.id) as { n: number }).n;
      if (n !== 0) report.violations.push(`${request.id}: never recorded, yet answered with ${n} intake cards`);
    }
  }

  const texts = db.prepare("select body from outbox where kind = 'send' and json_extract(target, '$.kind') = 'user' and json_extract(target, '$.userId') = ? and json_extract(body, '$.kind') = 'text'");
  const attachments = db.prepare("select platform_image_key k, uploader_user_id who, blob_key blob, task_id from attachments where purpose = 'evidence'").all() as { k: string; who: string; blob: string; task_id: string | null }[];
  const seen = new Set<string>();
  for (const a of attachments) {
    const upload = d.stub.uploads.find((u) => u.mediaId === a.k);
    const bytes = upload ? Buffer.from(upload.bytes).toString('hex') : '';
    const photo = d.photos.get(bytes);
    if (!photo) report.violations.push(`evidence ${a.k} holds no photo anyone sent`);
    else if (neverRecorded.has(photo)) report.violations.push(`evidence ${a.k} holds photo ${photo}, which the server never recorded`);
    else if (seen.has(photo)) report.violations.push(`${photo}: attached twice`);
    else seen.add(photo);
    if (readFileSync(join(dir, 'blobs', a.blob)).toString('hex') !== bytes) report.violations.push(`evidence ${a.k}: the kept file is not the photo`);
  }
  for (const leader of LEADERS) {
    const answers = (texts.all(leader) as { body: string }[]).map((r) => (JSON.parse(r.body) as { text: string }).text);
    const attached = answers.filter((t) => t.includes('整改佐证照片')).length;
    report.evidence.attached += attached;
    report.evidence.noOpenTask += answers.length - attached;
    if (answers.length !== (photosBy.get(leader) ?? 0)) report.violations.push(`${leader} sent ${photosBy.get(leader) ?? 0} photos and was answered ${answers.length} times`);
    const kept = attachments.filter((a) => a.who === leader).length;
    if (kept !== attached) report.violations.push(`${leader}: ${attached} photos answered as attached, ${kept} attachments`);
  }
}

interface OutboxRow {
  kind: string;
  target: string | null;
  body: string;
  k: string;
  status: string;
  copy: string | null;
}

const outboxRows = (db: Database.Database) => db.prepare('select kind, target, body, idempotency_key k, status, card_copy_id copy from outbox order by rowid').all() as OutboxRow[];
const bodyOf = (row: OutboxRow) => JSON.parse(row.body) as { kind: 'card'; card: Card } | { kind: 'text'; text: string } | { kind: 'file'; fileName: string };

/** Every card the outbox holds DingTalk made once, where it was sent; DingTalk holds no other. */
function checkCards(db: Database.Database, stub: DingTalkStub, report: DingTalkCrashReport): void {
  const rows = outboxRows(db).filter((r) => r.kind === 'send' && bodyOf(r).kind === 'card');
  report.cards.outbox = rows.length;
  report.cards.stub = stub.cards.size;
  report.cards.retriesRefused = stub.requests.filter((r) => r.path === DINGTALK_CARD_CREATE_PATH).length - stub.cards.size;
  const notSent = rows.filter((r) => r.status !== 'sent');
  if (notSent.length > 0) report.violations.push(`${notSent.length} outbox cards never sent (${notSent[0]!.status})`);
  const keys = new Set(rows.map((r) => r.k));
  const strangers = [...stub.cards.keys()].filter((k) => !keys.has(k));
  if (strangers.length > 0) report.violations.push(`${strangers.length} cards reached DingTalk that the outbox does not hold`);
  let missing = 0;
  for (const row of rows) {
    const card = stub.cards.get(row.k);
    if (!card) {
      missing++;
      continue;
    }
    const target = JSON.parse(row.target!) as { kind: string; chatId?: string; userId?: string };
    const want = target.kind === 'user' ? { spaceType: 'IM_ROBOT', spaceId: target.userId } : { spaceType: 'IM_GROUP', spaceId: target.chatId };
    if (card.spaces.length !== 1 || card.spaces[0]!.spaceType !== want.spaceType || card.spaces[0]!.spaceId !== want.spaceId) {
      report.violations.push(`card ${row.k} went to ${JSON.stringify(card.spaces)}, not ${JSON.stringify(want)}`);
    }
  }
  if (missing > 0) report.violations.push(`${missing} outbox cards never reached DingTalk`);
}

/** `<@id>` as DingTalk text shows it: the name the bot knew when it sent it (known from the start here). */
const withNames = (text: string, names: ReadonlyMap<string, string>) => text.replace(/<@([^>\s]+)>/g, (_, id: string) => `@${names.get(id) ?? id}`);

/**
 * Robot texts and files take no idempotency key, so one sent just before a kill is sent again:
 * each the outbox holds reached DingTalk at least once, where it was sent, and nothing else did.
 */
function checkTexts(db: Database.Database, stub: DingTalkStub, names: ReadonlyMap<string, string>, report: DingTalkCrashReport): void {
  const rows = outboxRows(db).filter((r) => r.kind === 'send' && bodyOf(r).kind !== 'card');
  const keyOf = (kind: string, to: string, what: string) => JSON.stringify([kind, to, what]);
  const expected = new Map<string, number>();
  for (const row of rows) {
    if (row.status !== 'sent') report.violations.push(`outbox message ${row.k} never sent (${row.status})`);
    const body = bodyOf(row);
    const target = JSON.parse(row.target!) as { kind: string; chatId?: string; userId?: string };
    const what = body.kind === 'text' ? `text:${withNames(body.text, names)}` : body.kind === 'file' ? `file:${body.fileName}` : '';
    const key = target.kind === 'user' ? keyOf('oto', target.userId!, what) : keyOf('group', target.chatId!, what);
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const received = new Map<string, number>();
  for (const m of stub.sent) {
    const what = m.msgKey === 'sampleText' ? `text:${String(m.param['content'])}` : m.msgKey === 'sampleFile' ? `file:${String(m.param['fileName'])}` : m.msgKey;
    const key = m.kind === 'oto' ? keyOf('oto', m.userId!, what) : keyOf('group', m.chatId!, what);
    received.set(key, (received.get(key) ?? 0) + 1);
  }
  report.texts.outbox = rows.length;
  report.texts.stub = stub.sent.length;
  for (const [key, n] of expected) {
    const got = received.get(key) ?? 0;
    if (got < n) report.violations.push(`${n - got} of ${n} messages ${key} never reached DingTalk`);
    else report.texts.duplicates += got - n;
  }
  const strangers = [...received.keys()].filter((k) => !expected.has(k));
  if (strangers.length > 0) report.violations.push(`${strangers.length} messages reached DingTalk that the outbox does not hold, e.g. ${strangers[0]}`);
}

const canonical = (params: Record<string, string>) => JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * A card update (PUT card/instances) takes no key either: one made just before a kill is made
 * again. Each card's updates reached DingTalk at least once each, in the order the outbox wrote
 * them, so the card ends showing the newest; nothing else was put on it.
 */
function checkUpdates(db: Database.Database, stub: DingTalkStub, names: ReadonlyMap<string, string>, report: DingTalkCrashReport): void {
  const cardOfCopy = new Map(outboxRows(db).filter((r) => r.kind === 'send' && r.copy).map((r) => [r.copy!, r.k]));
  const rows = outboxRows(db).filter((r) => r.kind === 'update');
  report.updates.outbox = rows.length;
  const expected = new Map<string, string[]>();
  for (const row of rows) {
    if (row.status !== 'sent') report.violations.push(`card update ${row.k} never sent (${row.status})`);
    const body = bodyOf(row);
    const card = row.copy ? cardOfCopy.get(row.copy) : undefined;
    if (!card || body.kind !== 'card') {
      report.violations.push(`card update ${row.k} is for no card the bot sent`);
      continue;
    }
    expected.set(card, [...(expected.get(card) ?? []), canonical(renderDingTalkCard(body.card, names).cardParamMap)]);
  }
  for (const card of stub.cards.values()) {
    // the product's own updates name the card; the answers to clicks, applied above, do not
    const puts = card.updates.filter((u) => u['outTrackId'] === card.outTrackId).map((u) => canonical((u['cardData'] as { cardParamMap: Record<string, string> }).cardParamMap));
    report.updates.stub += puts.length;
    const wanted = expected.get(card.outTrackId) ?? [];
    const fault = stutters(wanted, puts);
    if (fault) report.violations.push(`card ${card.outTrackId}: ${fault} (${wanted.length} updates in the outbox, ${puts.length} made)`);
    else report.updates.repeated += puts.length - wanted.length;
  }
}

/**
 * Whether `made` is `wanted` with some of its items repeated in place (what a resend after a kill
 * does), and nothing else: each wanted update made, in order, none out of turn.
 */
function stutters(wanted: string[], made: string[]): string | null {
  let j = 0;
  for (let i = 0; i < wanted.length; i++) {
    if (made[j] !== wanted[i]) return j < made.length ? `update ${j + 1} made is not update ${i + 1} of the outbox` : `update ${i + 1} of the outbox never made`;
    j++;
    // a repeat belongs to this update unless the next one is the same card again
    while (j < made.length && made[j] === wanted[i] && wanted[i + 1] !== wanted[i]) j++;
  }
  return j < made.length ? `${made.length - j} updates made that the outbox does not hold, or out of order` : null;
}
