// Photos sent in chat. The bot downloads each one, keeps the bytes in the blob store, and
// re-uploads it so cards can show it. A leader's photo replying to a task card (or sent in the
// direct chat while a task of theirs is open) is evidence for that task; an inspector's photo in
// a group waits to be attached to the next finding they file there.
import type { Attachment, Task, Tenant } from '../domain/model.js';
import { actorFor, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { findClickedCopy, refreshCopiesOps, replyTarget, textOps } from './outgoing.js';
import { nothing, type Outcome } from './outcome.js';
import type { ChatPlatform, Deps } from './ports.js';
import type { WriteOp } from './store-port.js';
import { drawTaskCard } from './task-views.js';


async function keep(deps: Deps, platform: ChatPlatform, tenant: Tenant, msg: InboundMessage, imageKey: string) {
  const bytes = await platform.downloadImage(msg.messageId, imageKey);
  const id = deps.newId();
  const blobKey = `${tenant.id.replace(/[^A-Za-z0-9_-]/g, '_')}/${today(deps).slice(0, 7)}/${id}`;
  await deps.blobs.put(blobKey, bytes, 'application/octet-stream');
  const platformImageKey = await platform.uploadImage(bytes, `${id}.jpg`);
  return { id, blobKey, platformImageKey };
}

async function evidenceTask(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Task | null> {
  if (msg.parentMessageId) {
    const copy = await findClickedCopy(deps, tenant.id, msg.parentMessageId);
    if (copy?.purpose === 'task' && copy.taskId) {
      const ctx = await deps.store.getTaskContext(tenant.id, copy.taskId);
      if (ctx && ctx.task.leaderUserId === msg.senderUserId && ctx.task.state !== 'closed' && ctx.task.state !== 'cancelled') return ctx.task;
    }
    return null;
  }
  if (msg.chatType !== 'p2p') return null;
  return deps.store.latestTaskOfLeader(tenant.id, msg.senderUserId, ['in_progress', 'pending', 'submitted']);
}

export async function attachImages(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Outcome> {
  const platform = await deps.platforms.clientFor(tenant);
  if (!platform) throw new Error(`no ${tenant.platform} client configured`);
  const task = await evidenceTask(deps, tenant, msg);
  if (!task && msg.chatType === 'p2p') {
    return { ops: textOps(deps, tenant, replyTarget(msg), '您当前没有进行中的整改任务，照片未保存。登记问题请在督查群中发送照片后使用「督查」。'), reply: null };
  }
  const now = deps.clock.now();
  const ops: WriteOp[] = [];
  const added: Attachment[] = [];
  for (const imageKey of msg.imageKeys) {
    const kept = await keep(deps, platform, tenant, msg, imageKey);
    const attachment: Attachment = {
      id: kept.id,
      tenantId: tenant.id,
      findingId: null,
      taskId: task?.id ?? null,
      purpose: task ? 'evidence' : 'finding_photo',
      blobKey: kept.blobKey,
      platformImageKey: kept.platformImageKey,
      uploaderUserId: msg.senderUserId,
      chatId: msg.chatId,
      replyToMessageId: msg.parentMessageId,
      createdAt: now,
    };
    added.push(attachment);
    ops.push({ op: 'insertAttachment', attachment });
  }
  if (!task) return { ops, reply: null };

  const ctx = await deps.store.getTaskContext(tenant.id, task.id);
  if (!ctx) return nothing();
  const next = { ...ctx, attachments: [...ctx.attachments, ...added] };
  const day = today(deps);
  const viewers = new Map<string, Awaited<ReturnType<typeof actorFor>>>();
  const copies = await deps.store.listCardCopies(tenant.id, task.id);
  for (const copy of copies) {
    if (copy.viewerUserId && !viewers.has(copy.viewerUserId)) viewers.set(copy.viewerUserId, await actorFor(deps, tenant.id, copy.viewerUserId));
  }
  ops.push(...refreshCopiesOps(deps, tenant, copies, (copy) => drawTaskCard(next, copy.viewerUserId ? (viewers.get(copy.viewerUserId) ?? null) : null, day, deps.settings), null));
  ops.push(...textOps(deps, tenant, replyTarget(msg), `已收到 ${added.length} 张整改佐证照片，附在第${ctx.finding.number}号问题上。`));
  return { ops, reply: null };
}
