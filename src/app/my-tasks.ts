// 我的任务: what the sender has to do, as leader or as inspector, most urgent first.
import { myTasksCard, type MyTaskLine } from '../../cards/my-tasks.js';
import { OPEN_TASK_STATES, type Actor, type TaskContext, type Tenant } from '../domain/model.js';
import { replyTarget } from './outgoing.js';
import { actorFor, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { sendOps } from './outgoing.js';
import { colourOf } from './task-views.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';

/** What the person is expected to do on the task, as the list shows it. */
export function todo(ctx: TaskContext, actor: Actor): string {
  const { task, finding, pendingExtension } = ctx;
  if (task.leaderUserId === actor.userId) {
    if (task.state === 'pending') return '待您签收';
    if (task.state === 'in_progress') return task.returnsCount ? '被退回，待您继续整改' : '待您整改';
    if (task.state === 'submitted') return '已提交，等待验收';
  }
  if (finding.inspectorUserId === actor.userId) {
    if (task.state === 'submitted') return '待您验收';
    if (task.state === 'declined') return '待您重新指派';
    if (pendingExtension) return '待您审批延期';
  }
  return '跟踪中';
}

export async function myTasks(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  const day = today(deps);
  const contexts = await deps.store.listTasksForUser(tenant.id, actor.userId, [...OPEN_TASK_STATES]);
  const lines: MyTaskLine[] = contexts.map((ctx) => ({
    ctx,
    todo: todo(ctx, actor),
    colour: colourOf(ctx, day, deps.settings),
  }));
  // what waits on the person comes before what they only follow
  lines.sort((a, b) => Number(a.todo === '跟踪中' || a.todo.startsWith('已提交')) - Number(b.todo === '跟踪中' || b.todo.startsWith('已提交')));
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: myTasksCard(lines) }), reply: null };
}
