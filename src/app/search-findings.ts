// 查找 呼叫铃: findings by what people remember of them. The supervision group and those who oversee
// (督查组, 监督小组, 管理员) search everything; anyone else, in a direct chat, only what they lead or
// inspected. Other groups get no finding details, as with 第12号问题.
import { MY_TASKS_LIMIT } from '../../cards/my-tasks.js';
import { searchResultsCard } from '../../cards/search-results.js';
import type { Actor, TaskContext, Tenant } from '../domain/model.js';
import { actorFor, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { todo } from './my-tasks.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { colourOf } from './task-views.js';

const finished = (ctx: TaskContext) => ctx.task.state === 'closed' || ctx.task.state === 'cancelled';

export async function searchFindings(deps: Deps, tenant: Tenant, msg: InboundMessage, words: string[]): Promise<Outcome> {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  if (words.length === 0) return say('用法：查找 关键词（如：查找 呼叫铃，可写多个词）');
  const inGroup = msg.chatType === 'group';
  if (inGroup && !(await deps.store.getChatBinding(tenant.id, msg.chatId))) {
    return say('请在督查群中，或在与「督办」的私聊中查找问题。');
  }
  const actor: Actor = await actorFor(deps, tenant.id, msg.senderUserId);
  const overseer = actor.roles.some((r) => r === 'inspector' || r === 'supervisor' || r === 'admin');
  const ownOnly = !inGroup && !overseer;
  // one more than the card lists tells whether there are more
  const found = await deps.store.searchTasks(tenant.id, words, ownOnly ? actor.userId : null, MY_TASKS_LIMIT + 1);
  const day = today(deps);
  const lines = found.slice(0, MY_TASKS_LIMIT).map((ctx) => ({ ctx, colour: colourOf(ctx, day, deps.settings), todo: finished(ctx) ? '' : todo(ctx, actor) }));
  const card = searchResultsCard({ words, lines, more: found.length > MY_TASKS_LIMIT, ownOnly });
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}
