// 移交: when a responsible leader moves on (retires, transfers, goes on long leave), a supervisor
// passes all of their open tasks, and the departments they lead by default, to a successor in one
// step: `移交 @原责任领导 @新责任领导` shows what would move, and 确认移交 moves it. Each task is
// reassigned by the same rules as 重新指派 (its event, its cards redrawn everywhere); the successor
// gets one list of what they took over.
import { handOverCancelledCard, handOverDoneCard, handOverPreviewCard, tasksReceivedCard, type HandOverParties } from '../../cards/hand-over.js';
import { mention, type ActionPayload } from '../../cards/model.js';
import type { Department, TaskContext, Tenant } from '../domain/model.js';
import { OPEN_TASK_STATES } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { decide } from '../domain/task-machine.js';
import { actorCache, recordDecision } from './act-on-task.js';
import { actorFor, today } from './context.js';
import { BAD_CARD_DATA } from './error-text.js';
import type { InboundCardAction, InboundMention, InboundMessage } from './inbound.js';
import { todo } from './my-tasks.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import { nothing, toast, type Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';
import { colourOf } from './task-views.js';

/**
 * Tasks moved by one confirmation: each is its own version-checked write with its cards redrawn,
 * and all of them commit with the click, inside the platform's wait for the answer.
 */
export const HAND_OVER_LIMIT = 100;

const NOT_ALLOWED = '只有管理员和监督小组成员可以移交任务。';
export const HAND_OVER_USAGE = '用法：移交 @原责任领导 @新责任领导（把前者名下未办结的整改任务和默认负责的科室一并移交给后者）';

async function whatMoves(deps: Deps, tenant: Tenant, from: string): Promise<{ tasks: TaskContext[]; departments: Department[] }> {
  const mine = await deps.store.listTasksForUser(tenant.id, from, [...OPEN_TASK_STATES]);
  const departments = (await deps.store.listDepartments(tenant.id)).filter((d) => d.leaderUserId === from);
  return { tasks: mine.filter((ctx) => ctx.task.leaderUserId === from), departments };
}

/** `移交 @A @B`: what would move, with 确认移交 / 取消. Changes nothing. */
export async function previewHandOver(deps: Deps, tenant: Tenant, msg: InboundMessage, people: InboundMention[]): Promise<Outcome> {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'hand_over_tasks')) return say(NOT_ALLOWED);
  const [from, to] = people;
  if (!from || !to || people.length !== 2) return say(HAND_OVER_USAGE);
  if (from.userId === to.userId) return say('原责任领导和新责任领导不能是同一人。');
  const { tasks, departments } = await whatMoves(deps, tenant, from.userId);
  if (tasks.length === 0 && departments.length === 0) {
    return say(`${mention(from.userId)} 名下没有未办结的整改任务，也不是任何科室的默认责任领导，无需移交。`);
  }
  const card = handOverPreviewCard({ from: from.userId, to: to.userId, tasks, departments });
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}

function partiesOf(payload: ActionPayload): HandOverParties | null {
  const from = payload.x?.['from'];
  const to = payload.x?.['to'];
  return from && to && from !== to ? { from, to } : null;
}

/** 确认移交 / 取消 on the preview. A second click after the move finds nothing left to move. */
export async function onHandOverClick(deps: Deps, tenant: Tenant, event: InboundCardAction, payload: ActionPayload): Promise<Outcome> {
  const parties = partiesOf(payload);
  if (!parties) return nothing(toast('error', BAD_CARD_DATA));
  const actor = await actorFor(deps, tenant.id, event.operatorUserId);
  if (!mayActInTenant(actor.roles, 'hand_over_tasks')) return nothing(toast('error', NOT_ALLOWED));
  if (payload.a === 'hand_over_cancel') return nothing(toast('info', '已取消移交', handOverCancelledCard({ ...parties, by: actor.userId })));

  const { from, to } = parties;
  const day = today(deps);
  const { tasks, departments } = await whatMoves(deps, tenant, from);
  if (tasks.length === 0 && departments.length === 0) return nothing(toast('info', '没有需要移交的任务：可能已经移交过了。'));

  const viewer = actorCache(deps, tenant.id, actor);
  const now = deps.clock.now();
  const ops: WriteOp[] = [];
  const moved: TaskContext[] = [];
  for (const ctx of tasks.slice(0, HAND_OVER_LIMIT)) {
    const decided = decide(ctx, actor, { action: 'reassign', leaderUserId: to, deadline: null }, null, day);
    if (!decided.ok) throw new Error(`移交 refused for task ${ctx.task.id}: ${decided.error.code}`);
    const recorded = await recordDecision(deps, tenant, ctx, actor, 'reassign', decided.value, { viewer, clickedCopyId: null, day });
    ops.push(...recorded.ops);
    moved.push(recorded.next);
  }
  for (const department of departments) {
    ops.push({ op: 'upsertDepartment', department: { ...department, leaderUserId: to }, at: now });
  }
  ops.push({ op: 'grantRole', tenantId: tenant.id, userId: to, role: 'leader', at: now });

  const successor = await viewer(to);
  const lines = moved.map((ctx) => ({ ctx, todo: todo(ctx, successor!), colour: colourOf(ctx, day, deps.settings) }));
  ops.push(...sendOps(deps, tenant, { kind: 'user', userId: to }, { kind: 'card', card: tasksReceivedCard({ from, by: actor.userId, lines, departments }) }));

  const remaining = tasks.length - moved.length;
  const card = handOverDoneCard({ from, to, by: actor.userId, moved: moved.length, departments, remaining });
  return { ops, reply: toast('success', `已移交${moved.length}项任务${remaining ? `，还有${remaining}项` : ''}`, card) };
}
