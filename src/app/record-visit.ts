// 「督查 门诊部 未发现问题」: the inspection is recorded (督查记录) so that it counts in 督查情况 and
// the bulletins, and nothing is sent to anyone. The caller has already checked who may file.
import { formatShortZh } from '../domain/deadline.js';
import type { Campaign, Department, InspectionVisit, Tenant } from '../domain/model.js';
import type { NothingFound } from '../domain/intake-text.js';
import { MAX_VISIT_NOTE } from '../domain/intake-text.js';
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
  const answer = `已记录督查${scope}：${formatShortZh(day)} ${department.name}，未发现问题${note ? `（${note}）` : ''}。计入「督查情况」和督查通报；发现问题请发送「督查」登记。`;
  return { ops: [{ op: 'insertVisit', visit }, ...textOps(deps, tenant, replyTarget(msg), answer)], reply: null };
}
