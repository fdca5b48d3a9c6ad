// Spreadsheet imports: the file is kept, previewed, then confirmed (or cancelled) by a person.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const imports = sqliteTable(
  'imports',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    fileName: text('file_name').notNull(),
    /** the uploaded file in the blob store: confirm reads it again rather than trusting a card */
    blobKey: text('blob_key').notNull(),
    status: text('status', { enum: ['previewed', 'confirmed', 'cancelled'] }).notNull(),
    requestedBy: text('requested_by').notNull(),
    /** where the preview was shown, for the confirmation's answer */
    chatId: text('chat_id'),
    /** JSON: the preview's counts, so the card can be drawn again without the file */
    summary: text('summary').notNull(),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
  },
  (t) => [index('imports_tenant').on(t.tenantId, t.createdAt)],
);
