// Translates the port's write operations into statements with their values, not yet run:
// `atomic` runs them together (prepared on better-sqlite3, as one batch on D1; see statements.ts).
// Each build only places its parameters; anything that depends on a value is in the key.
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { BatchItem } from 'drizzle-orm/batch';
import {
  apps,
  attachments,
  campaigns,
  cardCopies,
  chatBindings,
  departments,
  extensionRequests,
  findings,
  imports,
  inboundDeliveries,
  inspectionTeams,
  inspectionVisits,
  memberRoles,
  members,
  escalations,
  jobRuns,
  outbox,
  taskEvents,
  tasks,
  teamMemberships,
  tenants,
} from '../../db/schema/index.js';
import type { WriteOp } from '../app/store-port.js';
import type { AppDatabase } from './database.js';
import { write, type Params, type Slots, type Write } from './statements.js';

type Row = object;
type Insert = ReturnType<AppDatabase['insert']>;
type InsertValues = ReturnType<Insert['values']>;

const columnKeys = new WeakMap<SQLiteTable, string[]>();

/** The row's values for the table's columns, undefined left out (the column's default applies). */
function columnValues(table: SQLiteTable, row: Row): Params {
  const fields = row as Record<string, unknown>;
  let keys = columnKeys.get(table);
  if (!keys) columnKeys.set(table, (keys = Object.keys(getTableColumns(table))));
  const values: Params = {};
  for (const key of keys) if (fields[key] !== undefined) values[key] = fields[key] as Params[string];
  return values;
}

/** Inserts one row; `finish` adds the ON CONFLICT clause, the same for every run of this op. */
function insertRow(db: AppDatabase, op: string, table: SQLiteTable, row: Row, finish?: (insert: InsertValues, p: Slots<Params>, columns: string[]) => BatchItem<'sqlite'>): Write {
  const values = columnValues(table, row);
  const keys = Object.keys(values);
  return write(`${op}(${keys.join(',')})`, values, (p) => {
    const insert = db.insert(table).values(Object.fromEntries(keys.map((k) => [k, p[k]])));
    return finish ? finish(insert, p, keys) : insert;
  });
}

export function toWrites(db: AppDatabase, w: WriteOp): Write {
  switch (w.op) {
    case 'upsertChatApp': {
      const { updatedAt: _ignored, ...app } = w.app;
      // a second `app add` of the same id replaces everything but when it was first added
      return insertRow(db, w.op, apps, { ...app, createdAt: w.at, updatedAt: w.at }, (insert, p, columns) =>
        insert.onConflictDoUpdate({ target: apps.id, set: Object.fromEntries(columns.filter((c) => c !== 'id' && c !== 'createdAt').map((c) => [c, p[c]])) }),
      );
    }
    case 'insertTenant':
      return insertRow(db, w.op, tenants, { ...w.tenant, createdAt: w.createdAt }, (insert) => insert.onConflictDoNothing());
    case 'insertCampaign':
      return insertRow(db, w.op, campaigns, { ...w.campaign, categories: JSON.stringify(w.campaign.categories), createdAt: w.createdAt }, (insert) =>
        insert.onConflictDoNothing(),
      );
    case 'upsertMember':
      return insertRow(db, w.op, members, { ...w.member, createdAt: w.at, updatedAt: w.at }, (insert, p) =>
        insert.onConflictDoUpdate({
          target: [members.tenantId, members.userId],
          // a later event without a name must not erase the name we learnt earlier
          set: { name: sql`coalesce(excluded.name, ${members.name})`, updatedAt: p['updatedAt'] },
        }),
      );
    case 'grantRole':
      return insertRow(db, w.op, memberRoles, { tenantId: w.tenantId, userId: w.userId, role: w.role, grantedAt: w.at }, (insert) => insert.onConflictDoNothing());
    case 'revokeRole':
      return write(w.op, { tenantId: w.tenantId, userId: w.userId, role: w.role }, (p) =>
        db.delete(memberRoles).where(and(eq(memberRoles.tenantId, p.tenantId), eq(memberRoles.userId, p.userId), eq(memberRoles.role, p.role))),
      );
    case 'upsertDepartment':
      return insertRow(db, w.op, departments, { ...w.department, updatedAt: w.at }, (insert, p) =>
        insert.onConflictDoUpdate({ target: [departments.tenantId, departments.name], set: { leaderUserId: p['leaderUserId'], retiredOn: p['retiredOn'], updatedAt: p['updatedAt'] } }),
      );
    case 'setCampaignEnded':
      return write(w.op, { tenantId: w.tenantId, campaignId: w.campaignId, endedOn: w.endedOn }, (p) =>
        db.update(campaigns).set({ endedOn: p.endedOn }).where(and(eq(campaigns.tenantId, p.tenantId), eq(campaigns.id, p.campaignId))),
      );
    case 'setDepartmentRetired':
      return write(w.op, { tenantId: w.tenantId, departmentId: w.departmentId, retiredOn: w.retiredOn, at: w.at }, (p) =>
        db.update(departments).set({ retiredOn: p.retiredOn, updatedAt: p.at }).where(and(eq(departments.tenantId, p.tenantId), eq(departments.id, p.departmentId))),
      );
    case 'renameDepartment':
      return write(w.op, { tenantId: w.tenantId, departmentId: w.departmentId, name: w.name, at: w.at }, (p) =>
        db.update(departments).set({ name: p.name, updatedAt: p.at }).where(and(eq(departments.tenantId, p.tenantId), eq(departments.id, p.departmentId))),
      );
    case 'bindChat':
      return insertRow(db, w.op, chatBindings, { tenantId: w.tenantId, chatId: w.chatId, campaignId: w.campaignId, boundBy: w.boundBy, boundAt: w.at }, (insert, p) =>
        insert.onConflictDoUpdate({
          target: [chatBindings.tenantId, chatBindings.chatId],
          set: { campaignId: p['campaignId'], boundBy: p['boundBy'], boundAt: p['boundAt'] },
        }),
      );
    case 'upsertTeam':
      return insertRow(db, w.op, inspectionTeams, { ...w.team, updatedAt: w.at }, (insert, p) =>
        insert.onConflictDoUpdate({ target: inspectionTeams.id, set: { leadUserId: p['leadUserId'], retiredOn: null, updatedAt: p['updatedAt'] } }),
      );
    case 'closeTeamMemberships':
      // the people kept travel as one JSON array, so any number of them is one statement
      return write(w.op, { tenantId: w.tenantId, teamId: w.teamId, keep: JSON.stringify(w.keepUserIds), day: w.day }, (p) => {
        const kept = sql`(select value from json_each(${p.keep}))`;
        return db
          .update(teamMemberships)
          .set({ untilOn: p.day })
          .where(
            sql`${teamMemberships.tenantId} = ${p.tenantId} and ${teamMemberships.untilOn} is null and (
              (${teamMemberships.teamId} = ${p.teamId} and ${teamMemberships.userId} not in ${kept}) or
              (${teamMemberships.teamId} != ${p.teamId} and ${teamMemberships.userId} in ${kept}))`,
          );
      });
    case 'openTeamMemberships':
      return write(w.op, { tenantId: w.tenantId, teamId: w.teamId, userIds: JSON.stringify(w.userIds), day: w.day, at: w.at }, (p) =>
        db.insert(teamMemberships).select(sql`
          select ${p.tenantId}, ${p.teamId}, value, ${p.day}, null, ${p.at} from json_each(${p.userIds})
          where value not in (select user_id from team_memberships where tenant_id = ${p.tenantId} and team_id = ${p.teamId} and until_on is null)`),
      );
    case 'retireTeam':
      return write(w.op, { tenantId: w.tenantId, teamId: w.teamId, day: w.day, at: w.at }, (p) =>
        db.update(inspectionTeams).set({ retiredOn: p.day, updatedAt: p.at }).where(and(eq(inspectionTeams.tenantId, p.tenantId), eq(inspectionTeams.id, p.teamId))),
      );
    case 'insertFinding':
      return insertRow(db, w.op, findings, w.finding);
    case 'insertVisit':
      return insertRow(db, w.op, inspectionVisits, w.visit, (insert) => insert.onConflictDoNothing());
    case 'deleteVisit':
      return write(w.op, { tenantId: w.tenantId, visitId: w.visitId }, (p) =>
        db.delete(inspectionVisits).where(and(eq(inspectionVisits.tenantId, p.tenantId), eq(inspectionVisits.id, p.visitId))),
      );
    case 'insertTask':
      return insertRow(db, w.op, tasks, {
        ...w.task,
        campaignId: w.finding.campaignId,
        findingNumber: w.finding.number,
        departmentId: w.finding.departmentId,
        category: w.finding.category,
        foundOn: w.finding.foundOn,
        inspectorUserId: w.finding.inspectorUserId,
      });
    case 'updateTask': {
      const { id: _id, tenantId: _tenant, version: _version, ...patch } = w.patch;
      const set = columnValues(tasks, { ...patch, ...w.findingCopies, version: w.expectedVersion + 1, updatedAt: w.at });
      const columns = Object.keys(set);
      // the set's columns are the shape; the where clause's values travel under names no column has
      type Where = Slots<{ whereTenantId: string; whereTaskId: string; whereVersion: number }>;
      return write(`${w.op}(${columns.join(',')})`, { ...set, whereTenantId: w.tenantId, whereTaskId: w.taskId, whereVersion: w.expectedVersion }, (p: Slots<Params>) => {
        const where = p as Where;
        return db
          .update(tasks)
          .set(Object.fromEntries(columns.map((c) => [c, p[c]])))
          .where(and(eq(tasks.tenantId, where.whereTenantId), eq(tasks.id, where.whereTaskId), eq(tasks.version, where.whereVersion)));
      });
    }
    case 'correctFinding': {
      const set = columnValues(findings, w.correction);
      const columns = Object.keys(set);
      type Where = Slots<{ whereTenantId: string; whereFindingId: string }>;
      return write(`${w.op}(${columns.join(',')})`, { ...set, whereTenantId: w.tenantId, whereFindingId: w.findingId }, (p: Slots<Params>) => {
        const where = p as Where;
        return db
          .update(findings)
          .set(Object.fromEntries(columns.map((c) => [c, p[c]])))
          .where(and(eq(findings.tenantId, where.whereTenantId), eq(findings.id, where.whereFindingId)));
      });
    }
    case 'appendEvent':
      return insertRow(db, w.op, taskEvents, { ...w.event, data: JSON.stringify(w.event.data) });
    case 'insertExtension':
      return insertRow(db, w.op, extensionRequests, w.extension);
    case 'decideExtension':
      return write(w.op, { tenantId: w.tenantId, extensionId: w.extensionId, status: w.status, decidedBy: w.decidedBy, at: w.at }, (p) =>
        db
          .update(extensionRequests)
          .set({ status: p.status, decidedBy: p.decidedBy, decidedAt: p.at })
          .where(and(eq(extensionRequests.tenantId, p.tenantId), eq(extensionRequests.id, p.extensionId), eq(extensionRequests.status, 'pending'))),
      );
    case 'insertCardCopy':
      return insertRow(db, w.op, cardCopies, w.copy);
    case 'enqueue':
      return insertRow(db, w.op, outbox, {
        id: w.item.id,
        tenantId: w.item.tenantId,
        platform: w.item.platform,
        kind: w.item.kind,
        target: w.item.target ? JSON.stringify(w.item.target) : null,
        body: JSON.stringify(w.item.body),
        idempotencyKey: w.item.idempotencyKey,
        cardCopyId: w.item.cardCopyId,
        status: 'pending',
        attempts: w.item.attempts,
        nextAttemptAt: w.item.nextAttemptAt,
        createdAt: w.item.createdAt,
      });
    case 'insertAttachment':
      return insertRow(db, w.op, attachments, w.attachment);
    case 'linkAttachment':
      return write(w.op, { tenantId: w.tenantId, attachmentId: w.attachmentId, findingId: w.findingId, taskId: w.taskId }, (p) =>
        db
          .update(attachments)
          .set({ findingId: p.findingId, taskId: p.taskId })
          .where(and(eq(attachments.tenantId, p.tenantId), eq(attachments.id, p.attachmentId))),
      );
    case 'insertEscalation':
      return insertRow(db, w.op, escalations, { tenantId: w.tenantId, taskId: w.taskId, threshold: w.threshold, at: w.at });
    case 'clearEscalation':
      return write(w.op, { tenantId: w.tenantId, taskId: w.taskId, threshold: w.threshold }, (p) =>
        db
          .delete(escalations)
          .where(and(eq(escalations.tenantId, p.tenantId), eq(escalations.taskId, p.taskId), eq(escalations.threshold, p.threshold))),
      );
    case 'insertEscalations':
      // one statement, four bound values, however many rows: the ids travel as one JSON array
      return write(w.op, { tenantId: w.tenantId, threshold: w.threshold, at: w.at, taskIds: JSON.stringify(w.taskIds) }, (p) =>
        db.insert(escalations).select(sql`select ${p.tenantId}, value, ${p.threshold}, ${p.at} from json_each(${p.taskIds})`),
      );
    case 'insertImport':
      return insertRow(db, w.op, imports, { ...w.record, summary: JSON.stringify(w.record.summary) });
    case 'decideImport':
      return write(w.op, { tenantId: w.tenantId, importId: w.importId, status: w.status, at: w.at }, (p) =>
        db
          .update(imports)
          .set({ status: p.status, decidedAt: p.at })
          .where(and(eq(imports.tenantId, p.tenantId), eq(imports.id, p.importId), eq(imports.status, 'previewed'))),
      );
    case 'recordJobRun':
      return insertRow(db, w.op, jobRuns, { tenantId: w.tenantId, job: w.job, periodKey: w.periodKey, ranAt: w.at, summary: JSON.stringify(w.summary) });
    case 'insertDoneDelivery':
      // no ON CONFLICT: a second copy of the delivery committing its own work must fail whole
      return insertRow(db, w.op, inboundDeliveries, {
        ...w.delivery,
        tenantId: w.delivery.tenantId ?? '',
        status: 'done',
        response: w.response,
        attempts: 1,
        doneAt: w.at,
      });
    case 'completeDelivery':
      // A delivery is finished once. Two processings of one message can overlap (the inbox sweep
      // takes up a message whose first processing is slow), and only the first to commit may take
      // effect: for the second, the status is set to NULL, which its NOT NULL constraint refuses,
      // and the whole write fails as stale. (SQLite has no RAISE outside triggers, and a D1 batch
      // cannot look at one statement's row count before running the next.)
      return write(w.op, { platform: w.platform, deliveryId: w.deliveryId, response: w.response, at: w.at }, (p) =>
        db
          .update(inboundDeliveries)
          .set({ status: sql`case when ${inboundDeliveries.status} = 'done' then null else 'done' end`, response: p.response, doneAt: p.at })
          .where(and(eq(inboundDeliveries.platform, p.platform), eq(inboundDeliveries.deliveryId, p.deliveryId))),
      );
  }
}
