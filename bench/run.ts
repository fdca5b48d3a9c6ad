// npm run bench — speed targets live here, not in timed unit tests. Prints a table; the figures
// with machine and date are recorded in docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBulletin, drawBulletin } from '../src/app/run-bulletin.js';
import { inspectionReport } from '../src/app/inspection-report.js';
import { runReminders } from '../src/app/run-reminders.js';
import { assessmentOf } from '../src/app/assessment.js';
import type { InboundMessage } from '../src/app/inbound.js';
import { overdueList } from '../src/app/overdue-list.js';
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
  // 查找: a word every finding holds stops after the newest 21; one none holds reads them all
  const searchCommon = await timed(ROUNDS, () => undefined, () => deps.store.searchTasks(tenantId, ['态度生硬'], null, 21));
  const searchNone = await timed(ROUNDS, () => undefined, () => deps.store.searchTasks(tenantId, ['呼叫铃', '二楼'], null, 21));
  // 逾期 in the supervision group: the open tasks' light facts filtered, contexts for the 20 shown
  const asked: InboundMessage = {
    kind: 'message', platform: 'feishu', appId: null, tenantKey: 'bench', deliveryId: 'd', messageId: 'm', chatId: 'oc_bench', chatType: 'group',
    senderUserId: 'ou_admin', text: '逾期', mentions: [], botUserId: null, imageKeys: [], files: [], parentMessageId: null, sentAt: 0,
  };
  const overdue = await timed(ROUNDS, () => undefined, () => overdueList(deps, tenant, campaign, asked));
  // 督查情况 in the supervision group: this month's inspections (findings and 督查记录) and each department's last before it
  const inspections = await timed(ROUNDS, () => undefined, () => inspectionReport(deps, tenant, campaign, { ...asked, text: '督查情况' }, { month: 'this' }));
  // 科室考核's figures over the year: every task of it read, judged and counted (the file: measureLedger)
  const assessment = await timed(ROUNDS, () => undefined, () => assessmentOf(deps, tenant, campaign, null));
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
      ['查找, a word every finding holds: newest 21 with their contexts (searchTasks)', searchCommon, 100],
      ['查找, words no finding holds: every finding read (searchTasks)', searchNone, 300],
      ['逾期 in the supervision group: open tasks filtered, 20 shown with their contexts (overdueList)', overdue, 300],
      ['督查情况 in the supervision group: a month of inspections, each department’s last before it (inspectionReport)', inspections, 300],
      ['科室考核 figures: the year’s tasks with their last 提交, judged and counted (assessmentOf)', assessment, 2000],
    ],
  };
}

/** Seeds this many tasks so that, cancelled ones left out, the ledger lists at least 10,000 problems. */
const LEDGER_TASKS = 10_400;

interface LedgerFigures {
  startRssMb: number;
  exportMs: number[];
  firstExportPeakRssMb: number;
  repeatedExportPeakRssMb: number;
  bytes: number;
  rows: number;
  records: number;
  assessmentMs: number[];
  assessmentBytes: number;
  previewMs: number;
  confirmMs: number;
  imported: number;
  errors: number;
}

/** The ledger export (and the import of that export) in a process of its own, for its peak RSS. */
function measureLedger(): LedgerFigures {
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-ledger-'));
  try {
    const path = join(dir, 'ledger.sqlite');
    const database = openNodeDatabase(path);
    const tenantId = 'feishu:bench';
    seed(database.sqlite, { profile: 'realistic', tenantId, campaignId: `${tenantId}:default`, departments: DEPARTMENTS, tasks: LEDGER_TASKS, today: TODAY, leaders: 400, inspectors: 30 });
    database.close();
    const child = new URL('./ledger-child.ts', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, path, tenantId, TODAY], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out) as LedgerFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  const l = measureLedger();
  const firstMs = l.exportMs[0]!;
  const warmMs = median(l.exportMs.slice(1));
  console.log('');
  console.log(`ledger: ${l.rows.toLocaleString('en')} problems (${l.records.toLocaleString('en')} 附件1 record forms), ${(l.bytes / 1e6).toFixed(2)} MB .xlsx; in a process of its own (${l.startRssMb.toFixed(0)} MB resident before the export)`);
  console.log('| measure | result | goal | within goal |');
  console.log('|---|---:|---:|:---:|');
  console.log(`| ledger export, first in a fresh process: query + rows + .xlsx | ${firstMs.toFixed(0)} ms | 3000 ms | ${firstMs <= 3000 ? 'yes' : 'no'} |`);
  console.log(`| ledger export, first in a fresh process: peak RSS of the process | ${l.firstExportPeakRssMb.toFixed(0)} MB | 300 MB | ${l.firstExportPeakRssMb <= 300 ? 'yes' : 'no'} |`);
  console.log(`| ledger export, warm (median of ${l.exportMs.length - 1} more) | ${warmMs.toFixed(0)} ms | — | — |`);
  console.log(`| peak RSS after ${l.exportMs.length} exports in one process | ${l.repeatedExportPeakRssMb.toFixed(0)} MB | — | — |`);
  console.log(`| 科室考核 export of the same problems: query + figures + .xlsx (median of ${l.assessmentMs.length}; ${(l.assessmentBytes / 1e6).toFixed(2)} MB) | ${median(l.assessmentMs).toFixed(0)} ms | — | — |`);
  console.log(`| import of that export into an empty tenant: read + check (preview) | ${l.previewMs.toFixed(0)} ms | — | — |`);
  console.log(`| import: read again + ${l.imported.toLocaleString('en')} findings, tasks and events in one write (confirm) | ${l.confirmMs.toFixed(0)} ms | — | — |`);
  failed ||= firstMs > 3000 || l.firstExportPeakRssMb > 300 || l.errors > 0 || l.imported !== l.rows;
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
