// The same Feishu world as FeishuHarness, with the bot running as the Cloudflare Worker: the
// bundle `wrangler deploy --dry-run` builds, inside the real workerd (Miniflare), over a real
// local D1 database migrated by `wrangler d1 migrations apply` and a local R2 bucket. People talk
// to it through the shared conversation API (feishu-conversation.ts).
//
// Two things differ from Node, by the nature of Workers:
// - The Worker answers first and finishes in `ctx.waitUntil`, out of our sight, so `settle()`
//   watches the database until nothing is left to do (no delivery still 'received', no message due
//   in the outbox), steadily over a few polls.
// - The Worker reads the real clock (fetch) or the trigger's scheduled time (cron); we cannot move
//   it, so there is no `advance()`: deliveries are signed with the real time, and anything that needs
//   a later day is run as a cron with that day as its `scheduledTime`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { FeishuConversation, stubFeishuEnv, TENANT_KEY } from './feishu-conversation.js';
import { startFeishuStub, type FeishuStub } from './feishu-stub.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
/** wrangler.toml's D1 database id: the local database file is named after it. */
const D1_DATABASE_ID = '00000000-0000-0000-0000-000000000000';
const run = promisify(execFile);

type D1 = Awaited<ReturnType<Miniflare['getD1Database']>>;
type R2 = Awaited<ReturnType<Miniflare['getR2Bucket']>>;

export interface WorkerLogEntry {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface SettleOptions {
  /** outbox messages due by this time must be sent (default: now); a cron run in the future needs its own time */
  asOf?: number;
  timeoutMs?: number;
}

/** Everything one Worker instance is made of; shared by the harnesses of every tenant on it. */
interface WorkerWorld {
  stub: FeishuStub;
  mf: Miniflare;
  url: string;
  db: D1;
  blobs: R2;
  dir: string;
  logs: WorkerLogEntry[];
}

async function wrangler(args: string[]): Promise<void> {
  try {
    // CI=1: no interactive confirmation; no metrics: tests talk to 127.0.0.1 only
    await run(WRANGLER, args, { cwd: ROOT, env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' }, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`wrangler ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? String(error)}`);
  }
}

let bundled: Promise<string> | null = null;

/** The deployable bundle, built once per test file (module state) into a directory of its own. */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'duban-worker-bundle-'));
    await wrangler(['deploy', '--dry-run', '--outdir', outdir]);
    return outdir;
  })();
  return bundled;
}

/** workerd loaded the script at start, so the bundle can go; a later start builds it again. */
export async function dropBundle(): Promise<void> {
  const dir = bundled ? await bundled.catch(() => null) : null;
  bundled = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Applies db/migrations to a fresh local D1 under `persistDir`, exactly as for a deployment. */
async function migrate(persistDir: string): Promise<void> {
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
}

/** The Worker's console lines are our JSON log lines; anything else is kept as plain text. */
function parseLogLine(line: { level: string; message: string }): WorkerLogEntry {
  try {
    const { level, message, time: _time, ...fields } = JSON.parse(line.message) as Record<string, unknown>;
    return { level: String(level ?? line.level), message: String(message ?? ''), fields };
  } catch {
    return { level: line.level, message: line.message, fields: {} };
  }
}

/**
 * The Worker in workerd over the local D1 and R2 under `persistDir`. Disposing it SIGKILLs workerd
 * (Miniflare's own way to stop it); another instance on the same `persistDir` finds what it left.
 */
export function startWorkerRuntime(options: { bundleDir: string; persistDir: string; bindings: Record<string, string>; logs: WorkerLogEntry[]; port?: number }): Miniflare {
  return new Miniflare({
    host: '127.0.0.1',
    port: options.port ?? 0,
    modules: true,
    modulesRoot: options.bundleDir,
    scriptPath: join(options.bundleDir, 'worker.js'),
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    d1Databases: { DB: D1_DATABASE_ID },
    d1Persist: join(options.persistDir, 'v3', 'd1'),
    r2Buckets: ['BLOBS'],
    r2Persist: join(options.persistDir, 'v3', 'r2'),
    bindings: options.bindings,
    structuredWorkerdLogs: true,
    handleStructuredLogs: (line: { level: string; message: string }) => void options.logs.push(parseLogLine(line)),
    telemetry: { enabled: false },
  });
}

/** A fresh, migrated local D1 and R2 under `persistDir`, and the bundle to run on them. */
export async function prepareWorker(persistDir: string): Promise<string> {
  // building and migrating are independent wrangler runs: let them overlap
  const [bundleDir] = await Promise.all([bundle(), migrate(persistDir)]);
  return bundleDir;
}

async function startWorld(): Promise<WorkerWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-worker-'));
  const persistDir = join(dir, 'state');
  const [bundleDir, stub] = await Promise.all([prepareWorker(persistDir), startFeishuStub()]);
  const logs: WorkerLogEntry[] = [];
  const mf = startWorkerRuntime({ bundleDir, persistDir, bindings: stubFeishuEnv(stub), logs });
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { stub, mf, url, db: await mf.getD1Database('DB'), blobs: await mf.getR2Bucket('BLOBS'), dir, logs };
}

/** Raw SQL on a Worker's D1 database (through Miniflare's binding), for the tests' own reads. */
export async function queryD1<T = Record<string, unknown>>(db: D1, sql: string, ...params: unknown[]): Promise<T[]> {
  return (await db.prepare(sql).bind(...params).all<T>()).results;
}

/**
 * Waits until the Worker has really finished: no delivery left 'received' and no outbox message
 * due (and unsent) by `asOf`, seen on three polls in a row, because one quiet poll can fall in the
 * gap between two writes of the same piece of work. A message parked for a later retry is not
 * waited for: on Workers the next request or the every-minute cron sends it.
 */
export async function settleWorker(db: D1, logs: WorkerLogEntry[], options: SettleOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const giveUpAt = Date.now() + timeoutMs;
  let quietPolls = 0;
  for (;;) {
    const pending = await unfinished(db, options.asOf ?? Date.now());
    quietPolls = pending.length === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 3) return;
    if (Date.now() > giveUpAt) {
      const errors = logs.filter((l) => l.level === 'error').slice(-3).map((l) => `${l.message} ${JSON.stringify(l.fields)}`);
      throw new Error(`the Worker had not finished after ${timeoutMs} ms; still pending:\n${pending.join('\n')}${errors.length ? `\nlast errors logged:\n${errors.join('\n')}` : ''}`);
    }
    await sleep(25);
  }
}

/** What is still to be done, one line each, named so that a timeout says what hung. */
async function unfinished(db: D1, asOf: number): Promise<string[]> {
  const query = <T>(sql: string, ...params: unknown[]) => queryD1<T>(db, sql, ...params);
  const deliveries = await query<{ delivery_id: string; kind: string; attempts: number; error: string | null }>(
    "select delivery_id, kind, attempts, error from inbound_deliveries where status = 'received'",
  );
  const outbox = await query<{ id: string; kind: string; target: string | null; attempts: number; last_error: string | null; next_attempt_at: number }>(
    "select id, kind, target, attempts, last_error, next_attempt_at from outbox where status = 'pending' and next_attempt_at <= ?",
    asOf,
  );
  return [
    ...deliveries.map((d) => `inbound delivery ${d.delivery_id} (${d.kind}) still received, attempts ${d.attempts}${d.error ? `, error: ${d.error}` : ''}`),
    ...outbox.map((o) => `outbox ${o.id} (${o.kind} to ${o.target ?? 'a card copy'}) pending, attempts ${o.attempts}, due ${new Date(o.next_attempt_at).toISOString()}${o.last_error ? `, last error: ${o.last_error}` : ''}`),
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WorkerHarness extends FeishuConversation {
  private constructor(
    private readonly world: WorkerWorld,
    tenantKey: string,
  ) {
    super(world.stub, tenantKey);
  }

  static async start(options: { tenantKey?: string } = {}): Promise<WorkerHarness> {
    return new WorkerHarness(await startWorld(), options.tenantKey ?? TENANT_KEY);
  }

  /** Another organisation talking to the same Worker, stub and database: tests stay independent. */
  forTenant(tenantKey: string): WorkerHarness {
    return new WorkerHarness(this.world, tenantKey);
  }

  /** The tenant id the bot derives from our tenant key. */
  get tenantId(): string {
    return `feishu:${this.tenantKey}`;
  }

  /** The Worker's origin, e.g. for /healthz and /admin routes. */
  get url(): string {
    return this.world.url;
  }

  /** The D1 binding itself, as the Worker sees it. */
  get db(): D1 {
    return this.world.db;
  }

  /** What the Worker logged (its JSON lines, parsed), oldest first. */
  logEntries(): WorkerLogEntry[] {
    return this.world.logs;
  }

  /** Raw SQL on the Worker's D1 database, for assertions. */
  async query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
    return queryD1<T>(this.world.db, sql, ...params);
  }

  /** An object's bytes in the Worker's R2 bucket, or null. */
  async blob(key: string): Promise<Uint8Array | null> {
    const object = await this.world.blobs.get(key);
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  }

  /**
   * Fires a Cron Trigger as Cloudflare would, with `scheduledTime` as the moment it was due (the
   * Worker's "now" for the run), and waits until what it set going is done as of that time.
   */
  async scheduled(cron: string, scheduledTime: number): Promise<void> {
    const worker = await this.world.mf.getWorker();
    const result = await worker.scheduled({ cron, scheduledTime: new Date(scheduledTime) });
    if (result.outcome !== 'ok') throw new Error(`cron ${cron} ended with outcome ${result.outcome}`);
    await this.settle({ asOf: scheduledTime + 60_000 });
  }

  protected override clockMs(): number {
    return Date.now();
  }

  protected override webhookUrl(): string {
    return `${this.world.url}/webhooks/feishu`;
  }

  override async settle(options: SettleOptions = {}): Promise<void> {
    await settleWorker(this.world.db, this.world.logs, options);
  }

  /** Stops the Worker and the stub and removes the database; closes the world every tenant shares. */
  async close(): Promise<void> {
    await this.world.mf.dispose();
    await this.world.stub.close();
    rmSync(this.world.dir, { recursive: true, force: true });
    await dropBundle();
  }
}
