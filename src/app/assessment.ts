// 科室考核: each department's inspection results for the annual assessment, as a workbook (summary
// and the problems behind it) with a one-line summary beside it. The same people who may have the
// campaign's ledger may have this, through the same doors (the chat, the command line).
import { assessmentHeadline, assessmentSpan, buildAssessment, type Assessment, type AssessedTask } from '../domain/assessment.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { isoDateIn, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { ledgerCampaignFor } from './ledger.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { keepWorkbook } from './workbook-blobs.js';

/**
 * The assessment of a campaign for a year (null: this year so far, or the whole of a 专项), or the
 * reason it cannot be drawn.
 */
export async function assessmentOf(deps: Deps, tenant: Tenant, campaign: Campaign, year: number | null): Promise<Assessment | string> {
  const day = today(deps);
  const span = assessmentSpan(year, !campaign.isDefault, day);
  if (typeof span === 'string') return span;
  const rows = await deps.store.assessedTasks(tenant.id, campaign.id, span.start, span.end);
  // written out rather than spread: at 100,000 rows a rest-and-spread copy costs a fifth of a second
  const tasks: AssessedTask[] = rows.map((r) => ({
    findingNumber: r.findingNumber,
    departmentName: r.departmentName,
    category: r.category,
    description: r.description,
    leaderName: r.leaderName,
    foundOn: r.foundOn,
    deadline: r.deadline,
    state: r.state,
    submittedOn: r.submittedAt === null ? null : isoDateIn(deps.settings.timezone, r.submittedAt),
    closedOn: r.closedOn,
    returnsCount: r.returnsCount,
  }));
  return buildAssessment(
    { organisation: tenant.name, campaignName: campaign.name, span, generatedOn: day, repeatMinCount: deps.settings.repeatMinCount },
    tasks,
  );
}

/** "科室考核-日常督查-2026年-2026-11-24.xlsx", without the characters file systems refuse. */
export function assessmentFileName(a: Assessment): string {
  const span = a.span.start ? `${a.span.start.slice(0, 4)}年` : '全程';
  return `科室考核-${a.campaignName}-${span}-${a.generatedOn}.xlsx`.replace(/[\\/:*?"<>|\s]+/g, '_');
}

export async function assessmentWorkbook(deps: Deps, tenant: Tenant, campaign: Campaign, year: number | null): Promise<{ assessment: Assessment; fileName: string; bytes: Uint8Array } | string> {
  const assessment = await assessmentOf(deps, tenant, campaign, year);
  if (typeof assessment === 'string') return assessment;
  return { assessment, fileName: assessmentFileName(assessment), bytes: await deps.workbooks.writeAssessment(assessment) };
}

/** 考核 [2025年] [专项名称]: the workbook as a file message, the summary line before it. */
export async function sendAssessment(deps: Deps, tenant: Tenant, everyday: Campaign, msg: InboundMessage, year: number | null, named: string | null): Promise<Outcome> {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  const campaign = await ledgerCampaignFor(deps, tenant, everyday, msg, named, '科室考核请在督查群中获取，或由督查组、监督小组成员私聊获取。');
  if (typeof campaign === 'string') return say(campaign);
  const drawn = await assessmentWorkbook(deps, tenant, campaign, year);
  if (typeof drawn === 'string') return say(drawn);
  const blobKey = await keepWorkbook(deps, tenant, drawn.bytes);
  const summary = `${campaign.name}科室考核：${assessmentHeadline(drawn.assessment)}\n文件《${drawn.fileName}》含科室考核汇总表和问题明细，可直接打印。`;
  return {
    ops: [...textOps(deps, tenant, replyTarget(msg), summary), ...sendOps(deps, tenant, replyTarget(msg), { kind: 'file', fileName: drawn.fileName, blobKey })],
    reply: null,
  };
}
