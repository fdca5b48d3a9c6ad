// 第12号问题: a finding's task card, on demand, for whoever asks about it in a meeting or a chat.
// In the supervision group everyone there sees the group's copy (查看 / 办理 opens their own); in a
// direct chat the person gets their own copy, with their buttons, if the task is theirs to see.
// 「12号记录」 answers the same people with the finding's 处理记录 instead.
import { taskHistoryCard } from '../../cards/task-history.js';
import type { Actor, TaskContext, Tenant } from '../domain/model.js';
import { actorFor, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { replyTarget, sendCopyOps, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { drawTaskCard } from './task-views.js';

/** The finding asked about and who asks (null: the supervision group), or the answer that refuses. */
type Asked = { ok: true; ctx: TaskContext; viewer: Actor | null } | { ok: false; answer: Outcome };

async function askedFinding(deps: Deps, tenant: Tenant, msg: InboundMessage, number: number): Promise<Asked> {
  const say = (text: string): Asked => ({ ok: false, answer: { ops: textOps(deps, tenant, replyTarget(msg), text), reply: null } });
  const inGroup = msg.chatType === 'group';
  if (inGroup && !(await deps.store.getChatBinding(tenant.id, msg.chatId))) {
    return say('请在督查群中，或在与「督办」的私聊中查看问题。');
  }
  const taskId = await deps.store.taskIdOfFinding(tenant.id, number);
  const ctx = taskId ? await deps.store.getTaskContext(tenant.id, taskId) : null;
  if (!ctx) return say(`没有找到第${number}号问题。`);
  if (inGroup) return { ok: true, ctx, viewer: null };
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  const concerned = ctx.task.leaderUserId === actor.userId || ctx.finding.inspectorUserId === actor.userId;
  const overseer = actor.roles.some((r) => r === 'inspector' || r === 'supervisor' || r === 'admin');
  if (!concerned && !overseer) return say(`您无权查看第${number}号问题：责任领导只能查看自己负责的问题，可发送「我的任务」查看。`);
  return { ok: true, ctx, viewer: actor };
}

export async function showFinding(deps: Deps, tenant: Tenant, msg: InboundMessage, number: number): Promise<Outcome> {
  const asked = await askedFinding(deps, tenant, msg, number);
  if (!asked.ok) return asked.answer;
  const { ctx, viewer } = asked;
  const card = drawTaskCard(ctx, viewer, today(deps), deps.settings);
  const copy = viewer
    ? { purpose: 'task' as const, viewerUserId: viewer.userId, chatId: null }
    : { purpose: 'group_notice' as const, viewerUserId: null, chatId: msg.chatId };
  return { ops: sendCopyOps(deps, tenant, { taskId: ctx.task.id, target: replyTarget(msg), card, ...copy }).ops, reply: null };
}

/** 处理记录: every event of the finding's task, oldest first, as one card that is not kept in step. */
export async function showFindingHistory(deps: Deps, tenant: Tenant, msg: InboundMessage, number: number): Promise<Outcome> {
  const asked = await askedFinding(deps, tenant, msg, number);
  if (!asked.ok) return asked.answer;
  const { ctx } = asked;
  const events = await deps.store.listTaskEvents(tenant.id, ctx.task.id);
  const moved = events.some((e) => e.action === 'edit_finding');
  const departmentNames = new Map(moved ? (await deps.store.listDepartments(tenant.id)).map((d) => [d.id, d.name]) : []);
  const card = taskHistoryCard({ ctx, events, departmentNames, timezone: deps.settings.timezone });
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}
