// Every message leaves through the outbox: these build the write operations that put it there,
// to be committed together with the state change that caused it.
import type { Card } from '../../cards/model.js';
import type { Tenant } from '../domain/model.js';
import type { InboundMessage } from './inbound.js';
import type { Deps, MessageBody, MessageTarget } from './ports.js';
import type { CardCopy, CardCopyPurpose, WriteOp } from './store-port.js';

/** Feishu lets a card be updated for 14 days after it was sent; older copies are left alone. */
export const CARD_UPDATE_WINDOW_MS = 14 * 24 * 3600 * 1000 - 3600 * 1000;

/** An outbox row's idempotency key: Feishu's uuid, and on DingTalk the card's own id (outTrackId). */
const KEY_PREFIX = 'dbn-';
const keyOf = (outboxId: string) => `${KEY_PREFIX}${outboxId}`;

/**
 * The card copy a message id names (a clicked card, or the card a reply answers). Where the platform takes our key as the card's id
 * (DingTalk), the card can be clicked before the courier has recorded it as sent — a kill between
 * the platform making it and the row being marked leaves the copy without its message id until the
 * card is sent again — so a key that is not yet any copy's message id is looked up through its send.
 * Without that, a submitted intake card forgot it was submitted, and could file its finding twice.
 */
export async function findClickedCopy(deps: Deps, tenantId: string, messageId: string): Promise<CardCopy | null> {
  const copy = await deps.store.findCardCopyByMessage(tenantId, messageId);
  if (copy || !messageId.startsWith(KEY_PREFIX)) return copy;
  return deps.store.findCardCopyOfSend(tenantId, messageId.slice(KEY_PREFIX.length));
}

export function sendOps(deps: Deps, tenant: Tenant, target: MessageTarget, body: MessageBody, cardCopyId: string | null = null): WriteOp[] {
  const id = deps.newId();
  const now = deps.clock.now();
  return [
    {
      op: 'enqueue',
      item: {
        id,
        tenantId: tenant.id,
        platform: tenant.platform,
        kind: 'send',
        target,
        body,
        idempotencyKey: keyOf(id),
        cardCopyId,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      },
    },
  ];
}

export function textOps(deps: Deps, tenant: Tenant, target: MessageTarget, text: string): WriteOp[] {
  return sendOps(deps, tenant, target, { kind: 'text', text });
}

/** A card the bot will keep in step: a card-copy row plus the send. */
export function sendCopyOps(
  deps: Deps,
  tenant: Tenant,
  args: { taskId: string | null; purpose: CardCopyPurpose; viewerUserId: string | null; target: MessageTarget; chatId: string | null; card: Card },
): { copyId: string; ops: WriteOp[] } {
  const copy: CardCopy = {
    id: deps.newId(),
    tenantId: tenant.id,
    taskId: args.taskId,
    purpose: args.purpose,
    viewerUserId: args.viewerUserId,
    messageId: null,
    chatId: args.chatId,
    createdAt: deps.clock.now(),
  };
  return {
    copyId: copy.id,
    ops: [{ op: 'insertCardCopy', copy }, ...sendOps(deps, tenant, args.target, { kind: 'card', card: args.card }, copy.id)],
  };
}

/** Update every still-updatable copy of a task (`copies`, all of its copies; but the one the click already updates). */
export function refreshCopiesOps(deps: Deps, tenant: Tenant, copies: CardCopy[], draw: (copy: CardCopy) => Card, exceptCopyId: string | null): WriteOp[] {
  const now = deps.clock.now();
  const ops: WriteOp[] = [];
  for (const copy of copies) {
    if (copy.id === exceptCopyId || now - copy.createdAt > CARD_UPDATE_WINDOW_MS) continue;
    if (copy.purpose !== 'task' && copy.purpose !== 'group_notice') continue;
    const id = deps.newId();
    ops.push({
      op: 'enqueue',
      item: {
        id,
        tenantId: tenant.id,
        platform: tenant.platform,
        kind: 'update',
        target: null,
        body: { kind: 'card', card: draw(copy) },
        idempotencyKey: keyOf(id),
        cardCopyId: copy.id,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      },
    });
  }
  return ops;
}

/**
 * Where an answer to `msg` goes: a reply in a group; in a one-to-one chat, to the person, which
 * every platform can address (DingTalk cannot send to a one-to-one conversation by its id).
 */
export const replyTarget = (msg: InboundMessage): MessageTarget =>
  msg.chatType === 'group' ? { kind: 'reply', messageId: msg.messageId, chatId: msg.chatId } : { kind: 'user', userId: msg.senderUserId };
