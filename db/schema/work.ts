// What: findings, their rectification tasks, the append-only task events, extension requests
// and attached photos.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const findings = sqliteTable(
  'findings',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    number: integer('number').notNull(),
    departmentId: text('department_id'),
    area: text('area').notNull(),
    category: text('category').notNull(),
    description: text('description').notNull(),
    inspectorUserId: text('inspector_user_id').notNull(),
    foundOn: text('found_on').notNull(),
    source: text('source').notNull(),
    chatId: text('chat_id'),
    /** the intake card it was filed from: UNIQUE, so a double submit files once */
    intakeCardId: text('intake_card_id'),
    /** 方面 and 大项 of a 巡察 feedback list (seed 003); null for ordinary findings */
    aspect: text('aspect'),
    majorItem: text('major_item'),
    /** the import and the item's ordinal in it: UNIQUE, so a double confirm imports once */
    importId: text('import_id'),
    importRow: integer('import_row'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('findings_tenant_number').on(t.tenantId, t.number),
    uniqueIndex('findings_intake_card').on(t.tenantId, t.intakeCardId),
    uniqueIndex('findings_import_row').on(t.tenantId, t.importId, t.importRow),
    index('findings_tenant_campaign').on(t.tenantId, t.campaignId),
    /** covers 督查情况 and the bulletins' 督查开展: who inspected which department on which day, read from the index alone */
    index('findings_inspections').on(t.tenantId, t.foundOn, t.campaignId, t.departmentId, t.inspectorUserId, t.importId),
  ],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    findingId: text('finding_id').notNull(),
    // Copied from the finding, which never changes after filing: the sweeps over every task
    // (reminders, escalation, bulletins) then read this table alone, through one covering index.
    campaignId: text('campaign_id').notNull(),
    findingNumber: integer('finding_number').notNull(),
    departmentId: text('department_id'),
    category: text('category').notNull(),
    foundOn: text('found_on').notNull(),
    inspectorUserId: text('inspector_user_id').notNull(),
    state: text('state', {
      enum: ['pending', 'declined', 'in_progress', 'submitted', 'closed', 'cancelled'],
    }).notNull(),
    leaderUserId: text('leader_user_id').notNull(),
    measures: text('measures'),
    /** 责任人: who carries the measures out, named by the leader on 签收 (free text: often not on the platform) */
    responsiblePerson: text('responsible_person'),
    /** 验收标准: what the inspector will verify against, set at filing */
    acceptanceCriteria: text('acceptance_criteria'),
    deadline: text('deadline').notNull(),
    completionNote: text('completion_note'),
    closureKind: text('closure_kind', { enum: ['done', 'done_on_the_spot', 'long_term'] }),
    returnsCount: integer('returns_count').notNull().default(0),
    version: integer('version').notNull(),
    closedAt: integer('closed_at'),
    /** the business-time-zone date of closedAt: bulletins count by date without converting */
    closedOn: text('closed_on'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('tasks_finding').on(t.findingId),
    index('tasks_leader_state').on(t.tenantId, t.leaderUserId, t.state),
    index('tasks_inspector_state').on(t.tenantId, t.inspectorUserId, t.state),
    /** covers the sweeps: everything they read about open tasks is in the index itself */
    index('tasks_sweep').on(
      t.tenantId, t.state, t.campaignId, t.deadline, t.departmentId, t.category, t.foundOn,
      t.leaderUserId, t.inspectorUserId, t.returnsCount, t.version, t.findingNumber, t.id,
    ),
    /** the bulletin's open-task counts per department and category stream in this order, no sort */
    index('tasks_by_group').on(t.tenantId, t.campaignId, t.departmentId, t.category, t.state, t.deadline, t.foundOn),
    index('tasks_found_on').on(t.tenantId, t.campaignId, t.foundOn, t.state, t.departmentId, t.category),
    index('tasks_closed_on').on(t.tenantId, t.campaignId, t.closedOn, t.departmentId, t.category, t.foundOn, t.deadline),
  ],
);

export const taskEvents = sqliteTable(
  'task_events',
  {
    tenantId: text('tenant_id').notNull(),
    taskId: text('task_id').notNull(),
    /** = the task version this event produced; UNIQUE (task_id, seq) rejects stale writes */
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    actorUserId: text('actor_user_id').notNull(),
    at: integer('at').notNull(),
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.seq] }), index('task_events_tenant_at').on(t.tenantId, t.at)],
);

export const extensionRequests = sqliteTable(
  'extension_requests',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    taskId: text('task_id').notNull(),
    requestedDeadline: text('requested_deadline').notNull(),
    previousDeadline: text('previous_deadline').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'refused', 'withdrawn'] }).notNull(),
    requestedBy: text('requested_by').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('extension_requests_task').on(t.tenantId, t.taskId, t.status)],
);

export const attachments = sqliteTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    findingId: text('finding_id'),
    taskId: text('task_id'),
    purpose: text('purpose', { enum: ['finding_photo', 'evidence'] }).notNull(),
    blobKey: text('blob_key').notNull(),
    platformImageKey: text('platform_image_key'),
    uploaderUserId: text('uploader_user_id').notNull(),
    chatId: text('chat_id').notNull(),
    replyToMessageId: text('reply_to_message_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('attachments_finding').on(t.tenantId, t.findingId),
    index('attachments_task').on(t.tenantId, t.taskId),
    index('attachments_loose').on(t.tenantId, t.chatId, t.uploaderUserId, t.createdAt),
  ],
);

/**
 * 督查记录: an inspection of a department that found nothing to rectify. A finding is itself the
 * record of the inspection that found it; these rows make the inspections that found nothing count
 * too, so the supervisory group can see that every department is inspected (每周至少开展1次日常督查).
 */
export const inspectionVisits = sqliteTable(
  'inspection_visits',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    departmentId: text('department_id').notNull(),
    inspectorUserId: text('inspector_user_id').notNull(),
    visitedOn: text('visited_on').notNull(),
    note: text('note'),
    chatId: text('chat_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    /** one inspector inspects one department once a day, as the reports count it: a second message records nothing new */
    uniqueIndex('inspection_visits_once_a_day').on(t.tenantId, t.campaignId, t.departmentId, t.inspectorUserId, t.visitedOn),
    index('inspection_visits_on').on(t.tenantId, t.visitedOn),
  ],
);
