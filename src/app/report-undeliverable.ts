// When a task card cannot reach a person (most often: they are outside the Feishu app's
// availability range), the people who filed the finding must hear of it, in the chat where it
// was filed — otherwise the task waits forever for someone who never saw it.
import { mention } from '../../cards/model.js';
import { textOps } from './outgoing.js';
import type { Deps } from './ports.js';
import type { OutboxItem } from './store-port.js';

export async function reportUndeliverable(deps: Deps, item: OutboxItem, error: string): Promise<void> {
  if (item.kind !== 'send' || item.target?.kind !== 'user' || !item.cardCopyId) return;
  const copy = await deps.store.getCardCopy(item.tenantId, item.cardCopyId);
  const ctx = copy?.taskId ? await deps.store.getTaskContext(item.tenantId, copy.taskId) : null;
  const tenant = await deps.store.getTenant(item.tenantId);
  const chatId = ctx?.finding.chatId;
  if (!ctx || !tenant || !chatId) return;
  const who = item.target.userId;
  const text =
    `⚠️ 第${ctx.finding.number}号问题的任务卡片无法私信发送给 ${mention(who)}（${error.slice(0, 80)}）。` +
    `常见原因：对方不在应用的可用范围内，请管理员在飞书开放平台「可用范围」中添加；` +
    `${mention(ctx.finding.inspectorUserId)} 也可在群里的任务卡片上点「查看 / 办理」重新指派。`;
  await deps.store.commit(textOps(deps, tenant, { kind: 'chat', chatId }, text));
  deps.kickOutbox();
}
