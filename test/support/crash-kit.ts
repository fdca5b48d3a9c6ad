// What the crash drills share, whichever platform they play: our real server as a child process
// that can be SIGKILLed and started again on the same database, a seeded random source, and the
// checks that read the database the server left behind (an answered action is in it; no task is
// in an impossible state).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** A small LCG: the drill's choices follow from its seed (the kills' timing does not). */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** What the drill kills and starts again: the Node server, or workerd running the Worker. */
export interface Restartable {
  start(): Promise<void>;
  /** SIGKILL: no shutdown, nothing flushed */
  kill(): Promise<void>;
}

/** `node --import tsx src/runtime/node.ts` with this environment: the server as `npm start` runs it. */
export class ServerProcess implements Restartable {
  child: ChildProcess | null = null;
  constructor(readonly port: number, private readonly env: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/runtime/node.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the server did not come up within 30 s');
  }

  kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The drill's loop: `actions` requests, one at a time. At `kills` random steps the server is
 * SIGKILLed 0–25 ms into the request, so the kill lands before, during or after its transaction,
 * and started again on the same database; every request that got no answer is then sent again,
 * the same request, as the platform retries it. A healthy server must answer every request.
 * `redelivers` says which unanswered requests the platform sends again (default: all); DingTalk's
 * Stream gateway does not re-push a robot message, so such a request is handed to `notRedelivered`
 * and the drill must not count on it.
 */
export async function driveWithKills<Request, Answer>(options: {
  actions: number;
  kills: number;
  random: () => number;
  server: Restartable;
  /** the request for this step; `killing`: the server will be killed under it */
  next: (step: number, killing: boolean) => Request | Promise<Request>;
  /** null: the server died under the request */
  send: (request: Request) => Promise<Answer | null>;
  answered: (request: Request, answer: Answer) => void;
  nameOf: (request: Request) => string;
  say: (line: string) => void;
  redelivers?: (request: Request) => boolean;
  notRedelivered?: (request: Request) => void;
  /** when to kill once `request` is sent; undefined: `delayMs` (a random 0–25 ms) later */
  killWhen?: (request: Request, answer: Promise<Answer | null>, delayMs: number) => Promise<unknown> | undefined;
}): Promise<{ kills: number; redelivered: number }> {
  const { random, server } = options;
  const killAt = new Set<number>();
  while (killAt.size < options.kills) killAt.add(1 + Math.floor(random() * (options.actions - 1)));
  let kills = 0;
  let redelivered = 0;
  let unanswered: Request[] = [];
  for (let step = 0; step < options.actions; step++) {
    const request = await options.next(step, killAt.has(step));
    if (!killAt.has(step)) {
      const answer = await options.send(request);
      if (!answer) throw new Error(`step ${step}: no answer from a healthy server`);
      options.answered(request, answer);
      continue;
    }
    const pending = options.send(request);
    const delayMs = Math.floor(random() * 25);
    await (options.killWhen?.(request, pending, delayMs) ?? new Promise((r) => setTimeout(r, delayMs)));
    await server.kill();
    kills++;
    const answer = await pending;
    if (answer) options.answered(request, answer);
    else unanswered.push(request);
    await server.start();
    for (const again of unanswered) {
      if (options.redelivers && !options.redelivers(again)) {
        options.notRedelivered?.(again);
        continue;
      }
      const answer = await options.send(again);
      if (!answer) throw new Error(`re-delivery of ${options.nameOf(again)} failed on a healthy server`);
      redelivered++;
      options.answered(again, answer);
    }
    unanswered = [];
    options.say(`step ${step}: killed and restarted (${kills}/${options.kills})`);
  }
  return { kills, redelivered };
}

/** What an answer of success promises: a finding filed, or a task event with this action and seq. */
export type ActionPromise = { kind: 'file' } | { kind: 'task'; taskId: string; action: string; seq: number };

/**
 * Reads whether a promise was kept. `answer` is the success text the platform showed (it names the
 * finding: 已登记第N号问题). Returns what is missing, or null when the database holds it.
 */
export function promiseChecker(db: Database.Database): (promise: ActionPromise, answer: string) => string | null {
  const event = db.prepare('select action from task_events where task_id = ? and seq = ?');
  const finding = db.prepare("select f.id from findings f join task_events e on e.task_id = (select id from tasks where finding_id = f.id) and e.seq = 1 and e.action = 'create' where f.number = ?");
  return (promise, answer) => {
    if (promise.kind === 'file') {
      const number = Number(/第(\d+)号问题/.exec(answer)?.[1]);
      return finding.get(number) ? null : `answered "${answer}" but finding ${number} or its create event is missing`;
    }
    const row = event.get(promise.taskId, promise.seq) as { action: string } | undefined;
    return row?.action === promise.action ? null : `answered success for ${promise.action} but task ${promise.taskId} has ${row?.action ?? 'no event'} at seq ${promise.seq}`;
  };
}

export const countOf = (db: Database.Database, sql: string, ...params: unknown[]): number => (db.prepare(sql).get(...params) as { n: number }).n;

const STATES_NEED: Record<string, (t: Record<string, unknown>) => boolean> = {
  pending: (t) => t['closed_at'] === null,
  in_progress: (t) => t['measures'] !== null && t['closed_at'] === null,
  submitted: (t) => t['completion_note'] !== null && t['closed_at'] === null,
  closed: (t) => t['closed_at'] !== null && t['closure_kind'] !== null,
};

/** No task in an impossible state: its version is its event count, its fields fit its state. */
export function checkTasks(db: Database.Database, violations: string[]): void {
  const tasks = db.prepare('select t.*, (select count(*) from task_events e where e.task_id = t.id) events, (select max(seq) from task_events e where e.task_id = t.id) last from tasks t').all() as Record<string, unknown>[];
  for (const t of tasks) {
    const fits = STATES_NEED[String(t['state'])];
    if (!fits) violations.push(`task ${t['id']} is in state ${t['state']}, which the drill never leads to`);
    else if (!fits(t)) violations.push(`task ${t['id']} is ${t['state']} without the fields that state needs`);
    if (t['events'] !== t['version'] || t['last'] !== t['version']) violations.push(`task ${t['id']}: version ${t['version']} but ${t['events']} events up to seq ${t['last']}`);
  }
}
