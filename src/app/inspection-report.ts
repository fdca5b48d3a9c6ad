// 督查情况 [上月 | 10月]: a month of inspection work for the supervisory group. The supervision group
// sees its own campaign's; in a direct chat inspectors, supervisors and admins see every campaign's.
import { inspectionReportCard } from '../../cards/inspection-report.js';
import { buildCoverage, inspectionMonth, inspectionsSpan, type InspectionMonthAsk } from '../domain/inspection-coverage.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { actorFor, campaignOfChat, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';

export async function inspectionReport(deps: Deps, tenant: Tenant, everyday: Campaign, msg: InboundMessage, ask: InspectionMonthAsk): Promise<Outcome> {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  const inGroup = msg.chatType === 'group';
  if (inGroup && !(await deps.store.getChatBinding(tenant.id, msg.chatId))) return say('请在督查群中，或在与「督办」的私聊中查看督查情况。');
  if (!inGroup) {
    const actor = await actorFor(deps, tenant.id, msg.senderUserId);
    if (!actor.roles.some((r) => r === 'inspector' || r === 'supervisor' || r === 'admin')) return say('督查情况供督查组、监督小组和管理员查看。');
  }
  const day = today(deps);
  const asked = inspectionMonth(ask, day);
  if (!asked.ok) return say(asked.reason);
  const { month } = asked;
  const campaign = inGroup ? await campaignOfChat(deps, tenant, everyday, msg.chatId) : null;
  const campaignId = campaign?.id ?? null;
  const span = inspectionsSpan(month, day);
  const [inspections, departments, lastBefore, teams, memberships] = await Promise.all([
    deps.store.inspectionActivity(tenant.id, campaignId, span.from, span.to),
    deps.store.listDepartments(tenant.id),
    deps.store.lastInspectedBefore(tenant.id, campaignId, month.start),
    deps.store.listTeams(tenant.id),
    deps.store.teamMemberships(tenant.id, span.from, span.to),
  ]);
  const report = buildCoverage({ month, today: day, inspections, departments, lastBefore, ...(teams.length ? { teams: { teams, memberships } } : {}) });
  const card = inspectionReportCard({ report, campaignName: campaign && !campaign.isDefault ? campaign.name : null });
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}
