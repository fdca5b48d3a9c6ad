// Reads about findings and tasks, assembled into the TaskContext every rule works on.
import { and, desc, eq, inArray, isNull, max, or, sql } from 'drizzle-orm';
import {
  attachments,
  departments,
  extensionRequests,
  findings,
  taskEvents,
  tasks,
} from '../../db/schema/index.js';
import type { Task, TaskContext, TaskEvent, TaskState } from '../domain/model.js';
import type { AppDatabase } from './database.js';
import { readAll, statement, type Slots } from './statements.js';
import { toAttachment, toDepartment, toExtension, toFinding, toTask, toTaskEvent } from './rows.js';

export async function nextFindingNumber(db: AppDatabase, tenantId: string): Promise<number> {
  const [row] = await db.select({ n: max(findings.number) }).from(findings).where(eq(findings.tenantId, tenantId));
  return (row?.n ?? 0) + 1;
}

async function contextsFor(db: AppDatabase, tenantId: string, taskRows: (typeof tasks.$inferSelect)[]): Promise<TaskContext[]> {
  if (taskRows.length === 0) return [];
  const findingIds = [...new Set(taskRows.map((t) => t.findingId))];
  const taskIds = taskRows.map((t) => t.id);
  const [findingRows, extensionRows, attachmentRows] = await Promise.all([
    db.select().from(findings).where(and(eq(findings.tenantId, tenantId), inArray(findings.id, findingIds))),
    db
      .select()
      .from(extensionRequests)
      .where(
        and(eq(extensionRequests.tenantId, tenantId), inArray(extensionRequests.taskId, taskIds), eq(extensionRequests.status, 'pending')),
      ),
    db
      .select()
      .from(attachments)
      .where(
        and(
          eq(attachments.tenantId, tenantId),
          or(inArray(attachments.findingId, findingIds), inArray(attachments.taskId, taskIds)),
        ),
      )
      .orderBy(attachments.createdAt),
  ]);
  const departmentIds = [...new Set(findingRows.map((f) => f.departmentId).filter((d): d is string => d !== null))];
  const departmentRows = departmentIds.length
    ? await db.select().from(departments).where(and(eq(departments.tenantId, tenantId), inArray(departments.id, departmentIds)))
    : [];
  const findingById = new Map(findingRows.map((f) => [f.id, toFinding(f)]));
  const departmentById = new Map(departmentRows.map((d) => [d.id, toDepartment(d)]));
  const result: TaskContext[] = [];
  for (const row of taskRows) {
    const finding = findingById.get(row.findingId);
    if (!finding) continue;
    const extension = extensionRows.find((e) => e.taskId === row.id);
    result.push({
      task: toTask(row),
      finding,
      department: finding.departmentId ? (departmentById.get(finding.departmentId) ?? null) : null,
      pendingExtension: extension ? toExtension(extension) : null,
      attachments: attachmentRows
        .filter((a) => a.findingId === finding.id || a.taskId === row.id)
        .map(toAttachment),
    });
  }
  return result;
}

/**
 * Every card click reads one task's context, so it is read in one go, as one D1 round trip: the
 * task, its finding and department (found by subqueries), its pending extension, and the photos of
 * the finding or the task. Single-table reads on purpose: drizzle's D1 batch maps a join's rows by
 * column name, and the tables share names (id, tenant_id, created_at). The subqueries are scalar
 * (`id = (select …)`): with `id in (select …)` SQLite scanned every finding of the tenant.
 */
type TaskKey = Slots<{ tenantId: string; taskId: string }>;
const findingOfTask = (db: AppDatabase, p: TaskKey) =>
  db.select({ id: tasks.findingId }).from(tasks).where(and(eq(tasks.tenantId, p.tenantId), eq(tasks.id, p.taskId)));

/** The reads of a task's context (see getTaskContext), as statements prepared once. */
export function taskContextReads(db: AppDatabase) {
  return [
    statement('context.task', (p: TaskKey) => db.select().from(tasks).where(and(eq(tasks.tenantId, p.tenantId), eq(tasks.id, p.taskId)))),
    statement('context.finding', (p: TaskKey) =>
      db
        .select()
        .from(findings)
        .where(and(eq(findings.tenantId, p.tenantId), sql`${findings.id} = (${findingOfTask(db, p)})`)),
    ),
    statement('context.department', (p: TaskKey) =>
      db
        .select()
        .from(departments)
        .where(
          and(
            eq(departments.tenantId, p.tenantId),
            sql`${departments.id} = (${db.select({ id: findings.departmentId }).from(findings).where(and(eq(findings.tenantId, p.tenantId), sql`${findings.id} = (${findingOfTask(db, p)})`))})`,
          ),
        ),
    ),
    statement('context.extension', (p: TaskKey) =>
      db
        .select()
        .from(extensionRequests)
        .where(and(eq(extensionRequests.tenantId, p.tenantId), eq(extensionRequests.taskId, p.taskId), eq(extensionRequests.status, 'pending'))),
    ),
    // the photos of the task and those of its finding, as two reads, each on its own index: as one
    // read with an OR, SQLite (without ANALYZE statistics) went through every photo of the tenant
    statement('context.taskAttachments', (p: TaskKey) =>
      db
        .select()
        .from(attachments)
        .where(and(eq(attachments.tenantId, p.tenantId), eq(attachments.taskId, p.taskId))),
    ),
    statement('context.findingAttachments', (p: TaskKey) =>
      db
        .select()
        .from(attachments)
        .where(and(eq(attachments.tenantId, p.tenantId), sql`${attachments.findingId} = (${findingOfTask(db, p)})`)),
    ),
  ] as const;
}

const contextReadsByDatabase = new WeakMap<AppDatabase, ReturnType<typeof taskContextReads>>();

/**
 * Every card click reads one task's context, so it is read in one go, as one D1 round trip: the
 * task, its finding and department (found by subqueries), its pending extension, and the photos of
 * the finding or the task. Single-table reads on purpose: drizzle's D1 batch maps a join's rows by
 * column name, and the tables share names (id, tenant_id, created_at). The subqueries are scalar
 * (`id = (select …)`): with `id in (select …)` SQLite scanned every finding of the tenant.
 */
export async function getTaskContext(db: AppDatabase, tenantId: string, taskId: string): Promise<TaskContext | null> {
  let reads = contextReadsByDatabase.get(db);
  if (!reads) contextReadsByDatabase.set(db, (reads = taskContextReads(db)));
  const [taskRows, findingRows, departmentRows, extensionRows, taskPhotos, findingPhotos] = await readAll(db, reads, { tenantId, taskId });
  const [taskRow] = taskRows;
  const [findingRow] = findingRows;
  if (!taskRow || !findingRow) return null;
  const extension = extensionRows[0];
  return {
    task: toTask(taskRow),
    finding: toFinding(findingRow),
    department: departmentRows[0] ? toDepartment(departmentRows[0]) : null,
    pendingExtension: extension ? toExtension(extension) : null,
    attachments: photosInOrder(taskPhotos, findingPhotos).map(toAttachment),
  };
}

/** Both lists of photos as one, each photo once (one may belong to both), oldest first. */
function photosInOrder<R extends { id: string; createdAt: number }>(...lists: R[][]): R[] {
  const byId = new Map<string, R>();
  for (const list of lists) for (const row of list) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function listTasksForUser(
  db: AppDatabase,
  tenantId: string,
  userId: string,
  states: TaskState[],
): Promise<TaskContext[]> {
  const asLeader = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.leaderUserId, userId), inArray(tasks.state, states)));
  const asInspector = await db
    .select({ task: tasks })
    .from(tasks)
    .innerJoin(findings, eq(findings.id, tasks.findingId))
    .where(and(eq(tasks.tenantId, tenantId), eq(findings.inspectorUserId, userId), inArray(tasks.state, states)));
  const seen = new Set<string>();
  const rows = [...asLeader, ...asInspector.map((r) => r.task)].filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
  rows.sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.createdAt - b.createdAt));
  return contextsFor(db, tenantId, rows);
}

/** `%word%` for LIKE, the word's own %, _ and backslash taken literally (ESCAPE with a backslash). */
const containing = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Tasks whose finding mentions every word — in its description, area, category or department's
 * name — newest finding first; only those led or inspected by `concerning` when given.
 */
export async function searchTasks(
  db: AppDatabase,
  tenantId: string,
  words: readonly string[],
  concerning: string | null,
  limit: number,
): Promise<TaskContext[]> {
  if (words.length === 0) return [];
  const matches = words.map((word) => {
    const pattern = containing(word);
    return sql`(${findings.description} like ${pattern} escape '\\' or ${findings.area} like ${pattern} escape '\\' or ${findings.category} like ${pattern} escape '\\' or coalesce(${departments.name}, '') like ${pattern} escape '\\')`;
  });
  const rows = await db
    .select({ task: tasks })
    .from(tasks)
    .innerJoin(findings, eq(findings.id, tasks.findingId))
    .leftJoin(departments, eq(departments.id, findings.departmentId))
    .where(
      and(
        eq(tasks.tenantId, tenantId),
        eq(findings.tenantId, tenantId),
        ...matches,
        ...(concerning ? [or(eq(tasks.leaderUserId, concerning), eq(findings.inspectorUserId, concerning))] : []),
      ),
    )
    .orderBy(desc(findings.number))
    .limit(limit);
  return contextsFor(db, tenantId, rows.map((r) => r.task));
}

export async function latestTaskOfLeader(
  db: AppDatabase,
  tenantId: string,
  userId: string,
  states: TaskState[],
): Promise<Task | null> {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.leaderUserId, userId), inArray(tasks.state, states)))
    .orderBy(desc(tasks.updatedAt))
    .limit(1);
  return row ? toTask(row) : null;
}

export async function listTaskEvents(db: AppDatabase, tenantId: string, taskId: string): Promise<TaskEvent[]> {
  const rows = await db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.tenantId, tenantId), eq(taskEvents.taskId, taskId)))
    .orderBy(taskEvents.seq);
  return rows.map(toTaskEvent);
}

export async function listLooseAttachments(db: AppDatabase, tenantId: string, chatId: string, uploaderUserId: string) {
  const rows = await db
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.tenantId, tenantId),
        eq(attachments.chatId, chatId),
        eq(attachments.uploaderUserId, uploaderUserId),
        isNull(attachments.findingId),
        isNull(attachments.taskId),
      ),
    )
    .orderBy(attachments.createdAt);
  return rows.map(toAttachment);
}

export async function findFindingByIntakeCard(db: AppDatabase, tenantId: string, intakeCardId: string) {
  const [row] = await db
    .select()
    .from(findings)
    .where(and(eq(findings.tenantId, tenantId), eq(findings.intakeCardId, intakeCardId)));
  return row ? toFinding(row) : null;
}

/** The task of the finding with this number (序号), for 「第12号问题」. */
export async function taskIdOfFinding(db: AppDatabase, tenantId: string, number: number): Promise<string | null> {
  const [row] = await db
    .select({ id: tasks.id })
    .from(findings)
    .innerJoin(tasks, eq(tasks.findingId, findings.id))
    .where(and(eq(findings.tenantId, tenantId), eq(findings.number, number)));
  return row?.id ?? null;
}
