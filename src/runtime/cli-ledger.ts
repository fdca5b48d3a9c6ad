// The ledger's command-line doors: export ledger, export assessment, import findings, report progress.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { assessmentWorkbook } from '../app/assessment.js';
import { confirmImport, previewImport } from '../app/import-findings.js';
import { campaignNamed, ledgerOf, ledgerWorkbook, tenantNamed } from '../app/ledger.js';
import type { Deps } from '../app/ports.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { assessmentHeadline } from '../domain/assessment.js';
import { progressReportText } from '../domain/progress-text.js';

type Write = (line: string) => void;

export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function scope(deps: Deps, args: string[], write: Write): Promise<{ tenant: Tenant; campaign: Campaign } | null> {
  const tenant = await tenantNamed(deps, option(args, '--tenant') ?? null);
  if (typeof tenant === 'string') {
    write(`${tenant}（--tenant ID）`);
    return null;
  }
  const wanted = option(args, '--campaign') ?? null;
  const campaign = await campaignNamed(deps, tenant, wanted);
  if (!campaign) {
    write(`没有这个专项：${wanted}`);
    return null;
  }
  return { tenant, campaign };
}

export async function exportLedger(deps: Deps, args: string[], write: Write): Promise<number> {
  const out = option(args, '--out');
  if (!out) {
    write('请用 --out 指定输出文件，例如 --out 整改台账.xlsx');
    return 2;
  }
  const found = await scope(deps, args, write);
  if (!found) return 2;
  const { ledger, bytes } = await ledgerWorkbook(deps, found.tenant, found.campaign);
  writeFileSync(out, bytes);
  write(`已导出 ${resolve(out)}：${ledger.list.length}条问题，${bytes.length}字节`);
  return 0;
}

export async function exportAssessment(deps: Deps, args: string[], write: Write): Promise<number> {
  const out = option(args, '--out');
  if (!out) {
    write('请用 --out 指定输出文件，例如 --out 科室考核.xlsx');
    return 2;
  }
  const yearText = option(args, '--year');
  const year = yearText === undefined ? null : Number(yearText.replace(/年$/, ''));
  if (year !== null && !Number.isInteger(year)) {
    write(`--year 不是年份：${yearText}（例如 --year 2025）`);
    return 2;
  }
  const found = await scope(deps, args, write);
  if (!found) return 2;
  const drawn = await assessmentWorkbook(deps, found.tenant, found.campaign, year);
  if (typeof drawn === 'string') {
    write(drawn);
    return 2;
  }
  writeFileSync(out, drawn.bytes);
  write(`已导出 ${resolve(out)}：${assessmentHeadline(drawn.assessment)}`);
  return 0;
}

export async function reportProgress(deps: Deps, args: string[], write: Write): Promise<number> {
  const found = await scope(deps, args, write);
  if (!found) return 2;
  write(progressReportText(await ledgerOf(deps, found.tenant, found.campaign)));
  return 0;
}

/** Preview, and with --yes confirm: the same use cases as a file sent in chat. */
export async function importFindings(deps: Deps, args: string[], write: Write): Promise<number> {
  const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!file) {
    write('请指定要导入的文件：import findings 问题清单.xlsx [--yes]');
    return 2;
  }
  const found = await scope(deps, args, write);
  if (!found) return 2;
  const { tenant, campaign } = found;
  const importer = option(args, '--as') ?? (await deps.store.listMembersWithRole(tenant.id, 'admin'))[0]?.userId;
  if (!importer) {
    write('请用 --as 指定导入人（管理员或监督小组成员的用户 ID）');
    return 2;
  }
  const preview = await previewImport(deps, tenant, campaign, { fileName: basename(file), bytes: new Uint8Array(readFileSync(file)), requestedBy: importer, chatId: null });
  if (!preview.ok) {
    write(preview.reason);
    return 1;
  }
  await deps.store.commit(preview.ops);
  const s = preview.record.summary;
  write(`读到${s.rows}条问题：可以导入${s.ready}条（按历史销号${s.closed}条，其中长期坚持${s.longTerm}条；继续整改${s.open}条），有误${s.errors}行。`);
  for (const e of preview.plan.errors) write(`  「${e.sheet}」第${e.rowNumber}行：${e.reason}`);
  for (const note of preview.plan.notes) write(`  ${note}`);
  if (s.errors > 0) return 1;
  if (!args.includes('--yes')) {
    write('确认无误后加 --yes 重新运行即导入（一次性全部导入）。');
    return 0;
  }
  const decision = await confirmImport(deps, tenant, preview.record.id, importer);
  if (!decision.ok) {
    write(decision.reason);
    return 1;
  }
  await deps.store.commit(decision.ops);
  write(`已导入${decision.opened + decision.closed}条：继续整改${decision.opened}条，按历史销号${decision.closed}条。给责任领导的通知将在服务运行时发出（或运行 job outbox）。`);
  return 0;
}
