// Translates the port's write operations into drizzle queries, built but not run: `atomic` runs
// them together.
import { and, eq, sql } from 'drizzle-orm';
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
  memberRoles,
  members,
  escalations,
  jobRuns,
  outbox,
  taskEvents,
  tasks,
  tenants,
} from '../../db/schema/index.js';
import type { WriteOp } from '../app/store-port.js';
import type { AppDatabase } from './database.js';

type Query = BatchItem<'sqlite'>;

export function toQueries(db: AppDatabase, w: WriteOp): Query[] {
  if (w.op !== 'insertEscalations') return [toQuery(db, w)];
  // one statement, four bound values, however many rows: the ids travel as one JSON array
  return [
    db.insert(escalations).select(sql`select ${w.tenantId}, value, ${w.threshold}, ${w.at} from json_each(${JSON.stringify(w.taskIds)})`),
  ];
}

function toQuery(db: AppDatabase, w: Exclude<WriteOp, { op: 'insertEscalations' }>): Query {
  switch (w.op) {
    case 'upsertChatApp': {
      const { sealedSecrets, updatedAt: _ignored, ...app } = w.app;
      const values = { ...app, sealedSecrets, updatedAt: w.at };
      return db
        .insert(apps)
        .values({ ...values, createdAt: w.at })
        .onConflictDoUpdate({ target: apps.id, set: values });
    }
    case 'insertTenant':
      return db
        .insert(tenants)
        .values({ ...w.tenant, createdAt: w.createdAt })
        .onConflictDoNothing();
    case 'insertCampaign':
      return db
        .insert(campaigns)
        .values({ ...w.campaign, categories: JSON.stringify(w.campaign.categories), createdAt: w.createdAt })
        .onConflictDoNothing();
    case 'upsertMember':
      return db
        .insert(members)
        .values({ ...w.member, createdAt: w.at, updatedAt: w.at })
        .onConflictDoUpdate({
          target: [members.tenantId, members.userId],
          // a later event without a name must not erase the name we learnt earlier
          set: { name: sql`coalesce(excluded.name, ${members.name})`, updatedAt: w.at },
        });
    case 'grantRole':
      return db
        .insert(memberRoles)
        .values({ tenantId: w.tenantId, userId: w.userId, role: w.role, grantedAt: w.at })
        .onConflictDoNothing();
    case 'revokeRole':
      return db
        .delete(memberRoles)
        .where(and(eq(memberRoles.tenantId, w.tenantId), eq(memberRoles.userId, w.userId), eq(memberRoles.role, w.role)));
    case 'upsertDepartment':
      return db
        .insert(departments)
        .values({ ...w.department, updatedAt: w.at })
        .onConflictDoUpdate({
          target: [departments.tenantId, departments.name],
          set: { leaderUserId: w.department.leaderUserId, updatedAt: w.at },
        });
    case 'bindChat':
      return db
        .insert(chatBindings)
        .values({ tenantId: w.tenantId, chatId: w.chatId, campaignId: w.campaignId, boundBy: w.boundBy, boundAt: w.at })
        .onConflictDoUpdate({
          target: [chatBindings.tenantId, chatBindings.chatId],
          set: { campaignId: w.campaignId, boundBy: w.boundBy, boundAt: w.at },
        });
    case 'insertFinding':
      return db.insert(findings).values(w.finding);
    case 'insertTask':
      return db.insert(tasks).values({
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
      return db
        .update(tasks)
        .set({ ...patch, version: w.expectedVersion + 1, updatedAt: w.at })
        .where(and(eq(tasks.tenantId, w.tenantId), eq(tasks.id, w.taskId), eq(tasks.version, w.expectedVersion)));
    }
    case 'appendEvent':
      return db.insert(taskEvents).values({ ...w.event, data: JSON.stringify(w.event.data) });
    case 'insertExtension':
      return db.insert(extensionRequests).values(w.extension);
    case 'decideExtension':
      return db
        .update(extensionRequests)
        .set({ status: w.status, decidedBy: w.decidedBy, decidedAt: w.at })
        .where(
          and(
            eq(extensionRequests.tenantId, w.tenantId),
            eq(extensionRequests.id, w.extensionId),
            eq(extensionRequests.status, 'pending'),
          ),
        );
    case 'insertCardCopy':
      return db.insert(cardCopies).values(w.copy);
    case 'enqueue':
      return db.insert(outbox).values({
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
      return db.insert(attachments).values(w.attachment);
    case 'linkAttachment':
      return db
        .update(attachments)
        .set({ findingId: w.findingId, taskId: w.taskId })
        .where(and(eq(attachments.tenantId, w.tenantId), eq(attachments.id, w.attachmentId)));
    case 'insertEscalation':
      return db.insert(escalations).values({ tenantId: w.tenantId, taskId: w.taskId, threshold: w.threshold, at: w.at });
    case 'insertImport':
      return db.insert(imports).values({ ...w.record, summary: JSON.stringify(w.record.summary) });
    case 'decideImport':
      return db
        .update(imports)
        .set({ status: w.status, decidedAt: w.at })
        .where(and(eq(imports.tenantId, w.tenantId), eq(imports.id, w.importId), eq(imports.status, 'previewed')));
    case 'recordJobRun':
      return db.insert(jobRuns).values({ tenantId: w.tenantId, job: w.job, periodKey: w.periodKey, ranAt: w.at, summary: JSON.stringify(w.summary) });
    case 'insertDoneDelivery':
      // no ON CONFLICT: a second copy of the delivery committing its own work must fail whole
      return db.insert(inboundDeliveries).values({
        ...w.delivery,
        tenantId: w.delivery.tenantId ?? '',
        status: 'done',
        response: w.response,
        attempts: 1,
        doneAt: w.at,
      });
    case 'completeDelivery':
      return db
        .update(inboundDeliveries)
        .set({ status: 'done', response: w.response, doneAt: w.at })
        .where(and(eq(inboundDeliveries.platform, w.platform), eq(inboundDeliveries.deliveryId, w.deliveryId)));
  }
}
