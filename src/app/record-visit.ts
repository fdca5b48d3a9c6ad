// 「督查 门诊部 未发现问题」: the inspection is recorded (督查记录) so that it counts in 督查情况 and
// the bulletins, and nothing is sent to anyone. The caller has already checked who may file.
// 「撤销督查记录 门诊部」 takes the inspector's own latest record of it back, within a week.
import { formatShortZh } from '../domain/deadline.js';
import type { Campaign, Department, InspectionVisit, Tenant } from '../domain/model.js';
import { findDepartment, MAX_VISIT_NOTE, type NothingFound } from '../domain/intake-text.js';
import { calendarDaysBetween } from '../domain/working-days.js';
import { clip } from '../domain/text.js';
import { today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { replyTarget, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';

/** How many names the answer lists when it cannot tell which department was inspected. */
const NAMES_SHOWN = 12;

export function recordVisit(
  deps: Deps,
  tenant: Tenant,
  campaign: Campaign,
  msg: InboundMessage,
  department: Department | null,
  nothingFound: NothingFound,
  departmentsInUse: readonly Department[],
): Outcome {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  if (!department) {
    const names = departmentsInUse.slice(0, NAMES_SHOWN).map((d) => d.name);
    const more = departmentsInUse.length > NAMES_SHOWN ? `等${departmentsInUse.length}个` : '';
    const known = names.length ? `已登记的科室：${names.join('、')}${more}。` : '还没有登记科室：请管理员发送「科室 新增 科室名称」。';
    return say(`没有认出督查的科室，未记录。请写明科室全称，例如「督查 门诊部 未发现问题」。${known}`);
  }
  const day = today(deps);
  const note = nothingFound.note ? clip(nothingFound.note, MAX_VISIT_NOTE) : null;
  const visit: InspectionVisit = {
    id: deps.newId(),
    tenantId: tenant.id,
    campaignId: campaign.id,
    departmentId: department.id,
    inspectorUserId: msg.senderUserId,
    visitedOn: day,
    note,
    chatId: msg.chatId,
    createdAt: deps.clock.now(),
  };
  const scope = campaign.isDefault ? '' : `（${campaign.name}）`;
  const answer = `已记录督查${scope}：${formatShortZh(day)} ${department.name}，未发现问题${note ? `（${note}）` : ''}。计入「督查情况」和督查通报；发现问题请发送「督查」登记，记错了请发送「撤销督查记录 ${department.name}」。`;
  return { ops: [{ op: 'insertVisit', visit }, ...textOps(deps, tenant, replyTarget(msg), answer)], reply: null };
}

/** A record older than this has been in a bulletin: it stands. */
export const VISIT_UNDO_DAYS = 7;

export async function undoVisit(deps: Deps, tenant: Tenant, campaign: Campaign, msg: InboundMessage, text: string): Promise<Outcome> {
  const say = (answer: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), answer), reply: null });
  // a department retired since is still named here: its record may be the one made in error
  const department = findDepartment(text, await deps.store.listDepartments(tenant.id));
  if (!department) return say('请写明撤销哪个科室的督查记录，例如「撤销督查记录 门诊部」。');
  const visit = await deps.store.latestVisit(tenant.id, campaign.id, department.id, msg.senderUserId);
  if (!visit) return say(`没有您对${department.name}的督查记录，无需撤销。`);
  if (calendarDaysBetween(visit.visitedOn, today(deps)) > VISIT_UNDO_DAYS) {
    return say(`您对${department.name}最近的督查记录是${formatShortZh(visit.visitedOn)}的，已超过${VISIT_UNDO_DAYS}天并计入通报，不能撤销。`);
  }
  return {
    ops: [{ op: 'deleteVisit', tenantId: tenant.id, visitId: visit.id }, ...textOps(deps, tenant, replyTarget(msg), `已撤销您${formatShortZh(visit.visitedOn)}对${department.name}的督查记录（未发现问题）。`)],
    reply: null,
  };
}
