// Messages in and out: deliveries received (dedup + inbox), the outbox, and the card copies the
// bot keeps in step with their task.
import { sql } from 'drizzle-orm/sql';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const inboundDeliveries = sqliteTable(
  'inbound_deliveries',
  {
    platform: text('platform', { enum: ['feishu', 'dingtalk'] }).notNull(),
    deliveryId: text('delivery_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    kind: text('kind').notNull(),
    /** the parsed event, kept so a crash between acknowledge and processing loses nothing */
    payload: text('payload').notNull(),
    status: text('status', { enum: ['received', 'done', 'failed'] }).notNull(),
    /** what we answered, returned again to a duplicate delivery */
    response: text('response'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    receivedAt: integer('received_at').notNull(),
    doneAt: integer('done_at'),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.deliveryId] }),
    // only the unfinished ones, which the inbox sweep looks for: a click is recorded already done,
    // so it adds nothing here, and a finished message leaves it (one page less in each commit)
    index('inbound_unfinished').on(t.status, t.receivedAt).where(sql`status = 'received'`),
  ],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    platform: text('platform', { enum: ['feishu', 'dingtalk'] }).notNull(),
    kind: text('kind', { enum: ['send', 'update'] }).notNull(),
    target: text('target'),
    body: text('body').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    cardCopyId: text('card_copy_id'),
    status: text('status', { enum: ['pending', 'sent', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** a courier is sending it until then; a crashed courier's claim lapses (see deliver-outbox.ts) */
    claimedUntil: integer('claimed_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    index('outbox_due').on(t.status, t.nextAttemptAt),
    /** "is an earlier message to this target being sent by another courier?" (few rows at a time) */
    index('outbox_claimed').on(t.status, t.claimedUntil),
    index('outbox_copy').on(t.cardCopyId),
    /** "is an earlier message to this target still waiting?" without scanning the outbox */
    index('outbox_target').on(t.target, t.status),
  ],
);

export const cardCopies = sqliteTable(
  'card_copies',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    taskId: text('task_id'),
    purpose: text('purpose').notNull(),
    viewerUserId: text('viewer_user_id'),
    messageId: text('message_id'),
    chatId: text('chat_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('card_copies_task').on(t.tenantId, t.taskId), index('card_copies_message').on(t.tenantId, t.messageId)],
);
