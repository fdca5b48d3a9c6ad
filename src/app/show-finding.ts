// 第12号问题: a finding's task card, on demand, for whoever asks about it in a meeting or a chat.
// In the supervision group everyone there sees the group's copy (查看 / 办理 opens their own); in a
// direct chat the person gets their own copy, with their buttons, if the task is theirs to see.
import type { Tenant } from '../domain/model.js';
import { actorFor, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { replyTarget, sendCopyOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { drawTaskCard } from './task-views.js';

export async function showFinding(deps: Deps, tenant: Tenant, msg: InboundMessage, number: number): Promise<Outcome> {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  const inGroup = msg.chatType === 'group';
  if (inGroup && !(await deps.store.getChatBinding(tenant.id, msg.chatId))) {
    return say('请在督查群中，或在与「督办」的私聊中查看问题。');
  }
  const taskId = await deps.store.taskIdOfFinding(tenant.id, number);
  const ctx = taskId ? await deps.store.getTaskContext(tenant.id, taskId) : null;
  if (!ctx) return say(`没有找到第${number}号问题。`);
  const day = today(deps);
  if (inGroup) {
    const card = drawTaskCard(ctx, null, day, deps.settings);
    return { ops: sendCopyOps(deps, tenant, { taskId: ctx.task.id, purpose: 'group_notice', viewerUserId: null, target: replyTarget(msg), chatId: msg.chatId, card }).ops, reply: null };
  }
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  const concerned = ctx.task.leaderUserId === actor.userId || ctx.finding.inspectorUserId === actor.userId;
  const overseer = actor.roles.some((r) => r === 'inspector' || r === 'supervisor' || r === 'admin');
  if (!concerned && !overseer) return say(`您无权查看第${number}号问题：责任领导只能查看自己负责的问题，可发送「我的任务」查看。`);
  const card = drawTaskCard(ctx, actor, day, deps.settings);
  return { ops: sendCopyOps(deps, tenant, { taskId: ctx.task.id, purpose: 'task', viewerUserId: actor.userId, target: replyTarget(msg), chatId: null, card }).ops, reply: null };
}
