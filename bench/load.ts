// npm run bench:load — autocannon on 127.0.0.1 against the Node server (in a process of its own):
// signed, encrypted Feishu card callbacks that each accept a different task, measured in the same
// run as reference routes on the same server — a bare hono route, one better-sqlite3 transaction
// of two inserts (the storage ceiling), and a click's own writes with nothing else around them.
// Throughput as ratios to them; latency at a fixed 200 requests a second, sent evenly and measured
// from when each request was due (bench/paced.ts), then autocannon's rate mode for comparison.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { pacedLoad } from './paced.js';
import { openNodeDatabase } from '../src/runtime/node-database.js';
import { buildFeishuWebhookRequest, cardActionEvent } from '../test/support/feishu-webhook.js';

const ENCRYPT_KEY = 'bench-encrypt-key-0123456789';
const TOKEN = 'bench-verification-token';
const TENANT = 'bench_tenant';
const DURATION_S = Number(process.env['LOAD_SECONDS'] ?? 10);
const CONNECTIONS = 10;
const PACED_RATE = 200;
/** enough tasks that no callback ever meets a task another one already accepted */
const TASKS = Number(process.env['LOAD_TASKS'] ?? 40_000);
/** tasks past TASKS that the same-writes reference route changes back and forth */
const REFERENCE_TASKS = 10_000;

interface Run {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function seedPendingTasks(path: string): void {
  const database = openNodeDatabase(path);
  const db = database.sqlite;
  const tenantId = `feishu:${TENANT}`;
  const now = Date.now();
  db.prepare('insert into tenants (id, platform, external_key, name, created_at) values (?, ?, ?, ?, ?)').run(tenantId, 'feishu', TENANT, '压测医院', now);
  db.prepare("insert into campaigns (id, tenant_id, name, categories, is_default, created_at) values (?, ?, '日常督查', '[\"服务态度\"]', 1, ?)").run(`${tenantId}:default`, tenantId, now);
  const finding = db.prepare("insert into findings (id, tenant_id, campaign_id, number, department_id, area, category, description, inspector_user_id, found_on, source, created_at) values (?, ?, ?, ?, null, '门诊', '服务态度', '导诊台无人', 'ou_inspector', '2026-11-23', '日常督查', ?)");
  const task = db.prepare("insert into tasks (id, tenant_id, finding_id, campaign_id, finding_number, department_id, category, found_on, inspector_user_id, state, leader_user_id, deadline, returns_count, version, created_at, updated_at) values (?, ?, ?, ?, ?, null, '服务态度', '2026-11-23', 'ou_inspector', 'pending', ?, '2099-12-31', 0, 1, ?, ?)");
  const event = db.prepare("insert into task_events (tenant_id, task_id, seq, action, actor_user_id, at, data) values (?, ?, 1, 'create', 'ou_inspector', ?, '{}')");
  db.transaction(() => {
    for (let i = 0; i < TASKS + REFERENCE_TASKS; i++) {
      finding.run(`f-${i}`, tenantId, `${tenantId}:default`, i + 1, now);
      task.run(`t-${i}`, tenantId, `f-${i}`, `${tenantId}:default`, i + 1, `ou_leader_${i % 200}`, now, now);
      event.run(tenantId, `t-${i}`, now);
    }
  })();
  database.close();
}

/** Each callback accepts its own task, signed and encrypted as Feishu sends it. */
function* callbacks(): Generator<{ headers: Record<string, string>; body: string }> {
  for (let i = 0; ; i++) {
    const body = cardActionEvent({
      tenantKey: TENANT,
      eventId: `load_${i}`,
      operatorOpenId: `ou_leader_${i % 200}`,
      messageId: `om_load_${i}`,
      value: { a: 'accept', t: `t-${i}`, v: 1 },
      formValue: { measures: '增加导诊人员，优化排班' },
      token: TOKEN,
    });
    const request = buildFeishuWebhookRequest({ body, encryptKey: ENCRYPT_KEY, nowMs: Date.now() });
    yield { headers: { ...request.headers, 'content-type': 'application/json' }, body: request.rawBody };
  }
}

async function cannon(options: autocannon.Options): Promise<Run> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-load-'));
  const path = join(dir, 'load.sqlite');
  seedPendingTasks(path);
  const child = spawn(process.execPath, [...(process.env['LOAD_PROFILE'] ? ['--cpu-prof', '--cpu-prof-dir=' + process.env['LOAD_PROFILE']] : []), '--import', 'tsx', ...(process.env['LOAD_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), new URL('./load-server.ts', import.meta.url).pathname, path, ENCRYPT_KEY, TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const { url } = JSON.parse(first) as { url: string };
    const bodies = callbacks();
    const next = () => bodies.next().value!;
    const callbackRequest = [{ method: 'POST' as const, path: '/webhooks/feishu', setupRequest: (req: autocannon.Request) => ({ ...req, ...next() }) }];

    // LOAD_ONLY=callbacks skips the reference routes (for profiling the callbacks alone)
    const references = process.env['LOAD_ONLY'] !== 'callbacks';
    if (references) await cannon({ url: `${url}/bench/bare`, duration: 2 }); // warm-up
    const bare = references ? await cannon({ url: `${url}/bench/bare` }) : null;
    const storage = references ? await cannon({ url: `${url}/bench/storage`, method: 'POST', body: '{"v":"x"}' }) : null;
    let write = 0;
    const sameWrites = references
      ? await cannon({
          url,
          requests: [
            {
              method: 'POST' as const,
              path: '/bench/task-writes',
              setupRequest: (req: autocannon.Request) => {
                write++;
                return { ...req, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId: `feishu:${TENANT}`, taskId: `t-${TASKS + (write % REFERENCE_TASKS)}`, deliveryId: `ref_${write}` }) };
              },
            },
          ],
        })
      : null;
    const full = await cannon({ url, requests: callbackRequest });
    // right after the bursts, while the checkpoints catch up: the hard case
    const paced = await pacedLoad({ url, rate: PACED_RATE, seconds: DURATION_S, next: () => ({ path: '/webhooks/feishu', ...next() }) });
    const bursts = await cannon({ url, requests: callbackRequest, overallRate: PACED_RATE });

    const accepted = (() => {
      const database = openNodeDatabase(path);
      // the reference route's tasks (t-TASKS and up) are not the callbacks'
      const n = (database.sqlite.prepare("select count(*) n from tasks where state = 'in_progress' and cast(substr(id, 3) as integer) < ?").get(TASKS) as { n: number }).n;
      database.close();
      return n;
    })();
    const ratioStorage = storage ? full.rps / storage.rps : 0;
    const pacedRow: Run = { requests: paced.requests, rps: PACED_RATE, p50: paced.p50, p99: paced.p99, errors: paced.failed, non2xx: 0 };
    console.log(`Duban load — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${CONNECTIONS} connections, ${DURATION_S} s a run`);
    console.log('| route | requests | req/s | p50 ms | p99 ms | errors | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, r] of [
      ['GET /bench/bare (hono, nothing else)', bare],
      ['POST /bench/storage (one transaction, two inserts)', storage],
      ["POST /bench/task-writes (a click's writes alone, group-committed)", sameWrites],
      ['POST /webhooks/feishu: accept callbacks, full speed', full],
      [`POST /webhooks/feishu: accept callbacks, one every ${1000 / PACED_RATE} ms (${PACED_RATE} req/s)`, pacedRow],
      [`  the same by autocannon's rate mode (bursts each second; its own weighting)`, bursts],
    ] as const) {
      if (!r) continue;
      console.log(`| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`);
    }
    console.log('');
    if (bare && storage) console.log(`callbacks / bare route: ${(full.rps / bare.rps * 100).toFixed(0)} %; callbacks / storage ceiling: ${(ratioStorage * 100).toFixed(0)} % (goal ≥ 60 %); storage / bare: ${(storage.rps / bare.rps * 100).toFixed(0)} %`);
    if (sameWrites) console.log(`callbacks / a click's writes alone: ${(full.rps / sameWrites.rps * 100).toFixed(0)} %; those writes / storage ceiling: ${(storage ? (sameWrites.rps / storage.rps) * 100 : 0).toFixed(0)} %`);
    console.log(`at ${PACED_RATE} req/s: p50 ${paced.p50} ms, p99 ${paced.p99} ms (goal p99 ≤ 50 ms), slowest ${paced.max} ms; the generator ran at most ${paced.worstSendDelay} ms late`);
    // autocannon counts the answers it saw, and a few of its last requests are still in flight when it stops
    const answered = full.requests + paced.requests - paced.failed + bursts.requests;
    console.log(`tasks accepted: ${accepted}, callbacks answered: ${answered}`);
    const ok = ratioStorage >= 0.6 && paced.p99 <= 50 && full.errors + full.non2xx + paced.failed + bursts.errors + bursts.non2xx === 0 && accepted >= answered;
    if (!ok) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
