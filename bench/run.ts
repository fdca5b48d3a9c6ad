// npm run bench — speed targets live here, not in timed unit tests. Prints a table; the figures
// with machine and date are recorded in docs/BENCHMARKS.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBulletin, drawBulletin } from '../src/app/run-bulletin.js';
import { runReminders } from '../src/app/run-reminders.js';
import { parseConfig } from '../src/config.js';
import { periodFor } from '../src/domain/schedule.js';
import { memoryLogger } from '../src/runtime/logger.js';
import { openNodeDatabase } from '../src/runtime/node-database.js';
import { nodeDeps } from '../src/runtime/node-deps.js';
import { seed, type SeedProfile } from './seed.js';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 100_000);
const DEPARTMENTS = 500;
const TODAY = '2026-11-23'; // a Monday and a working day
const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(rounds: number, before: () => void, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds + 1; i++) {
    before();
    const start = performance.now();
    await run();
    if (i > 0) times.push(performance.now() - start); // the first round warms caches and the JIT
  }
  return times;
}

interface ProfileResult {
  profile: SeedProfile;
  openTasks: number;
  seedMs: number;
  summary: Record<string, unknown>;
  rows: [string, number[], number][];
}

async function measure(profile: SeedProfile): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-'));
  const config = parseConfig({ DATABASE_PATH: join(dir, 'bench.sqlite') });
  const database = openNodeDatabase(config.DATABASE_PATH);
  const tenantId = 'feishu:bench';
  const campaignId = `${tenantId}:default`;
  const seedStart = performance.now();
  seed(database.sqlite, { profile, tenantId, campaignId, departments: DEPARTMENTS, tasks: TASKS, today: TODAY, leaders: 400, inspectors: 30 });
  database.sqlite.prepare("insert into chat_bindings (tenant_id, chat_id, campaign_id, bound_by, bound_at) values (?, 'oc_bench', ?, 'ou_admin', 0)").run(tenantId, campaignId);
  database.sqlite.exec('analyze');
  const seedMs = performance.now() - seedStart;
  const deps = nodeDeps(config, database, { clock: { now: () => Date.parse(`${TODAY}T09:00:00+08:00`) }, log: memoryLogger() });
  const tenant = (await deps.store.getTenant(tenantId))!;
  const campaign = (await deps.store.getDefaultCampaign(tenantId))!;
  const openTasks = (database.sqlite.prepare("select count(*) n from tasks where state in ('pending','declined','in_progress','submitted')").get() as { n: number }).n;

  const reset = () => database.sqlite.exec('delete from job_runs; delete from escalations; delete from outbox; delete from card_copies;');
  const weeklyPeriod = periodFor('weekly', TODAY);
  const drawWeekly = await timed(ROUNDS, () => undefined, () => drawBulletin(deps, tenant, campaign, 'weekly', weeklyPeriod, TODAY));
  const weeklyJob = await timed(ROUNDS, reset, () => runBulletin(deps, tenant, weeklyPeriod, TODAY));
  const remindersPeriod = periodFor('reminders', TODAY);
  let summary: Record<string, unknown> = {};
  const sweep = await timed(ROUNDS, reset, async () => {
    summary = await runReminders(deps, tenant, remindersPeriod);
  });
  database.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    profile,
    openTasks,
    seedMs,
    summary,
    rows: [
      ['weekly bulletin: figures + card (drawBulletin)', drawWeekly, 100],
      ['weekly job: bulletin + outbox write (runBulletin)', weeklyJob, 100],
      ['reminder sweep: digests + escalations + outbox write (runReminders)', sweep, 500],
    ],
  };
}

async function main(): Promise<void> {
  console.log(`Duban benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  let failed = false;
  for (const profile of ['realistic', 'stress'] as const) {
    const r = await measure(profile);
    console.log('');
    console.log(`profile ${profile}: ${TASKS.toLocaleString('en')} tasks (${r.openTasks.toLocaleString('en')} open) over ${DEPARTMENTS} departments, seeded in ${r.seedMs.toFixed(0)} ms`);
    console.log(`sweep result: ${JSON.stringify(r.summary)}`);
    console.log('| measure | median ms | min ms | max ms | goal ms | within goal |');
    console.log('|---|---:|---:|---:|---:|:---:|');
    for (const [name, times, goal] of r.rows) {
      const m = median(times);
      // the goals are set for the realistic ledger; the stress profile is reported, not judged
      if (profile === 'realistic') failed ||= m > goal;
      console.log(`| ${name} | ${m.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${goal} | ${m <= goal ? 'yes' : 'no'} |`);
    }
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
