// 逾期: the open tasks past their deadline, as the bulletins count them (待签收, 整改中), most overdue
// first. The supervision group sees its campaign's; in a direct chat those who oversee see every
// campaign's and anyone else only what they lead or inspected. Other groups get no task details.
import { MY_TASKS_LIMIT, type MyTaskLine } from '../../cards/my-tasks.js';
import { mention } from '../../cards/model.js';
import { overdueListCard } from '../../cards/overdue-list.js';
import type { Actor, Campaign, TaskContext, Tenant } from '../domain/model.js';
import { actorFor, campaignOfChat, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { colourFor, colourOf, deadlineNote } from './task-views.js';

export async function overdueList(deps: Deps, tenant: Tenant, everyday: Campaign, msg: InboundMessage): Promise<Outcome> {
  const inGroup = msg.chatType === 'group';
  if (inGroup && !(await deps.store.getChatBinding(tenant.id, msg.chatId))) {
    return { ops: textOps(deps, tenant, replyTarget(msg), '请在督查群中，或在与「督办」的私聊中查看逾期任务。'), reply: null };
  }
  const campaign = inGroup ? await campaignOfChat(deps, tenant, everyday, msg.chatId) : null;
  const actor: Actor = await actorFor(deps, tenant.id, msg.senderUserId);
  const ownOnly = !inGroup && !actor.roles.some((r) => r === 'inspector' || r === 'supervisor' || r === 'admin');
  const day = today(deps);
  const overdue = (await deps.store.listOpenTaskFacts(tenant.id))
    .filter((f) => (f.state === 'pending' || f.state === 'in_progress') && f.deadline < day)
    .filter((f) => !campaign || f.campaignId === campaign.id)
    .filter((f) => !ownOnly || f.leaderUserId === actor.userId || f.inspectorUserId === actor.userId)
    .sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.findingNumber - b.findingNumber));
  const shown = (await Promise.all(overdue.slice(0, MY_TASKS_LIMIT).map((f) => deps.store.getTaskContext(tenant.id, f.taskId)))).filter((c): c is TaskContext => c !== null);
  const lines: MyTaskLine[] = shown.map((ctx) => ({
    ctx,
    colour: colourOf(ctx, day, deps.settings),
    todo: deadlineNote(ctx, day) ?? '',
    remark: `责任领导 ${mention(ctx.task.leaderUserId)}`,
  }));
  const red = overdue.filter((f) => colourFor(f, day, deps.settings) === 'red').length;
  const card = overdueListCard({ campaignName: campaign && !campaign.isDefault ? campaign.name : null, lines, total: overdue.length, red, ownOnly });
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}
