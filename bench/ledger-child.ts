// Run by bench/run.ts in a process of its own, so its peak RSS is the ledger's alone: exports the
// ledger of the database it is given, then imports that export into an empty tenant.
import { assessmentWorkbook } from '../src/app/assessment.js';
import { confirmImport, previewImport } from '../src/app/import-findings.js';
import { ensureTenant } from '../src/app/context.js';
import { ledgerWorkbook } from '../src/app/ledger.js';
import { parseConfig } from '../src/config.js';
import { memoryLogger } from '../src/runtime/logger.js';
import { openNodeDatabase } from '../src/runtime/node-database.js';
import { nodeDeps } from '../src/runtime/node-deps.js';

const [databasePath, tenantId, today] = process.argv.slice(2) as [string, string, string];
const ROUNDS = 5;

const config = parseConfig({ DATABASE_PATH: databasePath });
const database = openNodeDatabase(config.DATABASE_PATH);
const deps = nodeDeps(config, database, { clock: { now: () => Date.parse(`${today}T09:00:00+08:00`) }, log: memoryLogger() });
const tenant = (await deps.store.getTenant(tenantId))!;
const campaign = (await deps.store.getDefaultCampaign(tenantId))!;

const startRssMb = process.resourceUsage().maxRSS / 1024;
// the first export in a fresh process is what a command line run or a single request costs
const exportMs: number[] = [];
let bytes: Uint8Array = new Uint8Array();
let rows = 0;
let records = 0;
let firstExportPeakRssMb = 0;
for (let i = 0; i < ROUNDS; i++) {
  const start = performance.now();
  const result = await ledgerWorkbook(deps, tenant, campaign);
  exportMs.push(performance.now() - start);
  if (i === 0) firstExportPeakRssMb = process.resourceUsage().maxRSS / 1024;
  bytes = result.bytes;
  rows = result.ledger.list.length;
  records = result.ledger.records.length;
}
// repeated exports let the heap grow until V8 decides to collect; reported beside the goal
const repeatedExportPeakRssMb = process.resourceUsage().maxRSS / 1024;

// 科室考核 of the same problems: the summary and one detail row per problem
const assessmentMs: number[] = [];
let assessmentBytes = 0;
for (let i = 0; i < ROUNDS; i++) {
  const start = performance.now();
  const drawn = await assessmentWorkbook(deps, tenant, campaign, null);
  assessmentMs.push(performance.now() - start);
  if (typeof drawn === 'string') throw new Error(drawn);
  assessmentBytes = drawn.bytes.length;
}

// the export, imported into an empty tenant whose people have the same names
const target = (await ensureTenant(deps, 'feishu', 'bench-import')).tenant;
const people = database.sqlite.prepare('select user_id, name from members where tenant_id = ?').all(tenantId) as { user_id: string; name: string }[];
const insert = database.sqlite.prepare('insert into members (tenant_id, user_id, name, created_at, updated_at) values (?, ?, ?, 0, 0)');
for (const p of people) insert.run(target.id, p.user_id, p.name);
database.sqlite.prepare("insert into member_roles (tenant_id, user_id, role, granted_at) values (?, 'ou_leader_0', 'admin', 0)").run(target.id);
const targetCampaign = (await deps.store.getDefaultCampaign(target.id))!;
let start = performance.now();
const preview = await previewImport(deps, target, targetCampaign, { fileName: 'bench.xlsx', bytes, requestedBy: 'ou_leader_0', chatId: null });
if (!preview.ok) throw new Error(preview.reason);
await deps.store.commit(preview.ops);
const previewMs = performance.now() - start;
start = performance.now();
const decision = await confirmImport(deps, target, preview.record.id, 'ou_leader_0');
if (!decision.ok) throw new Error(decision.reason);
await deps.store.commit(decision.ops);
const confirmMs = performance.now() - start;
const imported = (database.sqlite.prepare('select count(*) n from tasks where tenant_id = ?').get(target.id) as { n: number }).n;
database.close();

process.stdout.write(
  JSON.stringify({ startRssMb, exportMs, firstExportPeakRssMb, repeatedExportPeakRssMb, bytes: bytes.length, rows, records, assessmentMs, assessmentBytes, previewMs, confirmMs, imported, errors: preview.plan.errors.length, peakRssMb: process.resourceUsage().maxRSS / 1024}),
);
