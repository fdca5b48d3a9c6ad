// What the scheduled jobs have done: each job runs once per period per tenant (job_runs), and a
// task is escalated to the supervision group once per threshold (escalations).
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const jobRuns = sqliteTable(
  'job_runs',
  {
    tenantId: text('tenant_id').notNull(),
    job: text('job').notNull(),
    /** e.g. reminders:2026-11-24, weekly:2026-11-16, monthly:2026-10 */
    periodKey: text('period_key').notNull(),
    ranAt: integer('ran_at').notNull(),
    summary: text('summary').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.job, t.periodKey] })],
);

export const escalations = sqliteTable(
  'escalations',
  {
    tenantId: text('tenant_id').notNull(),
    taskId: text('task_id').notNull(),
    /** overdue: beyond the red threshold; returned: sent back twice */
    threshold: text('threshold', { enum: ['overdue', 'returned'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.taskId, t.threshold] })],
);
