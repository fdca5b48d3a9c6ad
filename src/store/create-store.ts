// The Store port over drizzle. Works unchanged on better-sqlite3 and on D1.
import { and, asc, count, desc, eq, getTableColumns, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import {
  apps,
  campaigns,
  cardCopies,
  chatBindings,
  departments,
  escalations,
  inboundDeliveries,
  jobRuns,
  memberRoles,
  members,
  outbox,
  tenants,
} from '../../db/schema/index.js';
import { DELIVERY_TRIES, type OutboxItem, type Store } from '../app/store-port.js';
import type { Role } from '../domain/model.js';
import { newestPrunable } from '../domain/retention.js';
import { atomic, type AppDatabase, type Committer } from './database.js';
import { read, readAll, statement, write, type Slots } from './statements.js';
import { toCampaign, toCardCopy, toChatApp, toDelivery, toDepartment, toOutboxItem, toTenant } from './rows.js';
import * as inspections from './inspection-queries.js';
import * as teams from './team-queries.js';
import * as ledger from './ledger-queries.js';
import * as reports from './report-queries.js';
import * as taskQueries from './task-queries.js';
import { toWrites } from './write-ops.js';

export interface StoreOptions {
  /** the embedded driver's group commit (runtime/group-commit.ts); D1 has none */
  committer?: Committer;
}

export function createStore(db: AppDatabase, { committer }: StoreOptions = {}): Store {
  /**
   * A write outside `commit`, run on its own: on the embedded database it joins the group commit
   * like every other write, so its caller hears of it only once it is durable.
   */
  const alone = async <T>(execute: () => T | Promise<T>): Promise<Awaited<T>> => {
    if (!committer) return await execute();
    return await committer.run(execute as () => Awaited<T>);
  };

  const countOutbox = async (status: 'pending' | 'sent' | 'dead'): Promise<number> => {
    const [row] = await db.select({ n: count() }).from(outbox).where(eq(outbox.status, status));
    return row?.n ?? 0;
  };

  // The statements every card click and every courier pass run, prepared once (statements.ts).
  const cardCopiesOfTask = statement('cardCopiesOfTask', (p: Slots<{ tenantId: string; taskId: string }>) =>
    db
      .select()
      .from(cardCopies)
      .where(and(eq(cardCopies.tenantId, p.tenantId), eq(cardCopies.taskId, p.taskId)))
      .orderBy(cardCopies.createdAt),
  );
  const cardCopyOfMessage = statement('cardCopyOfMessage', (p: Slots<{ tenantId: string; messageId: string }>) =>
    db
      .select()
      .from(cardCopies)
      .where(and(eq(cardCopies.tenantId, p.tenantId), eq(cardCopies.messageId, p.messageId))),
  );
  const member = statement('member', (p: Slots<{ tenantId: string; userId: string }>) =>
    db.select().from(members).where(and(eq(members.tenantId, p.tenantId), eq(members.userId, p.userId))),
  );
  const rolesOfMember = statement('rolesOfMember', (p: Slots<{ tenantId: string; userId: string }>) =>
    db.select({ role: memberRoles.role }).from(memberRoles).where(and(eq(memberRoles.tenantId, p.tenantId), eq(memberRoles.userId, p.userId))),
  );
  // one statement, two bound values, however many people: the ids travel as one JSON array
  const namesOfMembers = statement('namesOfMembers', (p: Slots<{ tenantId: string; userIds: string }>) =>
    db
      .select({ userId: members.userId, name: members.name })
      .from(members)
      .where(and(eq(members.tenantId, p.tenantId), isNotNull(members.name), sql`${members.userId} in (select value from json_each(${p.userIds}))`)),
  );
  const dueOutbox = statement('dueOutbox', (p: Slots<{ now: number; limit: number }>) =>
    db
      .select({
        ...getTableColumns(outbox),
        // an update needs its copy's message id: read with the row, not one more round trip each
        copyMessageId: sql<string | null>`(select message_id from card_copies where card_copies.id = ${outbox.cardCopyId})`,
      })
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'pending'),
          lte(outbox.nextAttemptAt, p.now),
          or(isNull(outbox.claimedUntil), lte(outbox.claimedUntil, p.now)),
          // one target's messages leave in order: none overtakes an earlier one still backing off
          // or being sent by another courier (for card updates that is what keeps a stale version
          // from landing last). Two checks, not one with an OR, so that each is a range on its own
          // index (outbox_due, outbox_claimed) over the few such rows, not a scan of all pending ones.
          sql`not exists (select 1 from outbox earlier where earlier.status = 'pending'
                and earlier.next_attempt_at > ${p.now} and earlier.rowid < ${outbox}.rowid
                and (earlier.target = ${outbox.target} or earlier.card_copy_id = ${outbox.cardCopyId}))`,
          sql`not exists (select 1 from outbox earlier where earlier.status = 'pending'
                and earlier.claimed_until > ${p.now} and earlier.rowid < ${outbox}.rowid
                and (earlier.target = ${outbox.target} or earlier.card_copy_id = ${outbox.cardCopyId}))`,
        ),
      )
      // rowid is insertion order: messages leave in the order their commits wrote them
      .orderBy(sql`${outbox}.rowid`)
      .limit(p.limit),
  );
  const claim = statement('claimOutbox', (p: Slots<{ id: string; now: number; until: number }>) =>
    db
      .update(outbox)
      .set({ claimedUntil: sql`${p.until}` })
      .where(and(eq(outbox.id, p.id), eq(outbox.status, 'pending'), or(isNull(outbox.claimedUntil), lte(outbox.claimedUntil, p.now))))
      .returning({ id: outbox.id }),
  );

  return {
    async commit(ops) {
      await atomic(db, ops.map((op) => toWrites(db, op)), committer);
    },

    async recordDelivery(d) {
      const inserted = await alone(() =>
        db
          .insert(inboundDeliveries)
          .values({ ...d, tenantId: d.tenantId ?? '', status: 'received', attempts: 0 })
          .onConflictDoNothing()
          .returning({ id: inboundDeliveries.deliveryId })
          .all(),
      );
      return inserted.length === 1;
    },
    async getDelivery(platform, deliveryId) {
      const [row] = await db
        .select()
        .from(inboundDeliveries)
        .where(and(eq(inboundDeliveries.platform, platform), eq(inboundDeliveries.deliveryId, deliveryId)));
      return row ? toDelivery(row) : null;
    },
    async listUnfinishedDeliveries(receivedBefore, limit) {
      const rows = await db
        .select()
        .from(inboundDeliveries)
        // written out, not bound, so that SQLite can always tell the query is within the partial index
        // inbound_unfinished (a bound value it has to re-plan for)
        .where(and(sql`${inboundDeliveries.status} = 'received'`, lte(inboundDeliveries.receivedAt, receivedBefore)))
        .orderBy(asc(inboundDeliveries.receivedAt))
        .limit(limit);
      return rows.map(toDelivery);
    },
    async markDeliveryFailed(platform, deliveryId, error) {
      await alone(() =>
        db
          .update(inboundDeliveries)
          .set({
            attempts: sql`${inboundDeliveries.attempts} + 1`,
            error,
            status: sql`case when ${inboundDeliveries.attempts} + 1 >= ${DELIVERY_TRIES} then 'failed' else 'received' end`,
          })
          // a processing that failed does not reopen one that another processing finished
          .where(and(eq(inboundDeliveries.platform, platform), eq(inboundDeliveries.deliveryId, deliveryId), ne(inboundDeliveries.status, 'done')))
          .run(),
      );
    },

    async findTenant(platform, externalKey) {
      const [row] = await db.select().from(tenants).where(and(eq(tenants.platform, platform), eq(tenants.externalKey, externalKey)));
      return row ? toTenant(row) : null;
    },
    async getChatApp(appId) {
      const [row] = await db.select().from(apps).where(eq(apps.id, appId));
      return row ? toChatApp(row) : null;
    },
    listChatApps: async () => (await db.select().from(apps).orderBy(apps.id)).map(toChatApp),
    async getTenant(tenantId) {
      const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
      return row ? toTenant(row) : null;
    },
    async getDefaultCampaign(tenantId) {
      const [row] = await db
        .select()
        .from(campaigns)
        .where(and(eq(campaigns.tenantId, tenantId), eq(campaigns.isDefault, true)));
      return row ? toCampaign(row) : null;
    },

    async getMember(tenantId, userId) {
      const [[row], roles] = await readAll(db, [member, rolesOfMember] as const, { tenantId, userId });
      if (!row && roles.length === 0) return null;
      return { tenantId, userId, name: row?.name ?? null, roles: roles.map((r) => r.role as Role) };
    },
    async memberNames(tenantId, userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await read(db, namesOfMembers, { tenantId, userIds: JSON.stringify(userIds) });
      return new Map(rows.filter((r) => r.name).map((r) => [r.userId, r.name!]));
    },
    async listMembersWithRole(tenantId, role) {
      const rows = await db
        .select({ userId: memberRoles.userId, name: members.name })
        .from(memberRoles)
        .leftJoin(members, and(eq(members.tenantId, memberRoles.tenantId), eq(members.userId, memberRoles.userId)))
        .where(and(eq(memberRoles.tenantId, tenantId), eq(memberRoles.role, role)));
      return rows.map((r) => ({ tenantId, userId: r.userId, name: r.name ?? null, roles: [role] }));
    },

    async getChatBinding(tenantId, chatId) {
      const [row] = await db
        .select({ campaignId: chatBindings.campaignId })
        .from(chatBindings)
        .where(and(eq(chatBindings.tenantId, tenantId), eq(chatBindings.chatId, chatId)));
      return row ?? null;
    },
    async getSupervisionChat(tenantId, campaignId) {
      const [row] = await db
        .select({ chatId: chatBindings.chatId })
        .from(chatBindings)
        .where(and(eq(chatBindings.tenantId, tenantId), eq(chatBindings.campaignId, campaignId)))
        .orderBy(sql`${chatBindings.boundAt} desc`)
        .limit(1);
      return row?.chatId ?? null;
    },

    async listDepartments(tenantId) {
      const rows = await db.select().from(departments).where(eq(departments.tenantId, tenantId)).orderBy(departments.name);
      return rows.map(toDepartment);
    },
    async findDepartmentByName(tenantId, name) {
      const [row] = await db.select().from(departments).where(and(eq(departments.tenantId, tenantId), eq(departments.name, name)));
      return row ? toDepartment(row) : null;
    },
    async countOpenTasksOfDepartment(tenantId, departmentId) {
      const [row] = await db.all<{ n: number }>(sql`
        select count(*) as n from tasks
        where tenant_id = ${tenantId} and department_id = ${departmentId} and state in ('pending', 'declined', 'in_progress', 'submitted')`);
      return row?.n ?? 0;
    },

    listTeams: (tenantId) => teams.listTeams(db, tenantId),
    teamMemberships: (tenantId, from, to) => teams.teamMemberships(db, tenantId, from, to),
    inspectionActivity: (tenantId, campaignId, from, to) => inspections.inspectionActivity(db, tenantId, campaignId, from, to),
    inspectionSums: (tenantId, campaignId, from, to, perInspectorDay) => inspections.inspectionSums(db, tenantId, campaignId, from, to, perInspectorDay),
    latestVisit: (tenantId, campaignId, departmentId, inspectorUserId) => inspections.latestVisit(db, tenantId, campaignId, departmentId, inspectorUserId),
    lastInspectedBefore: (tenantId, campaignId, before) => inspections.lastInspectedBefore(db, tenantId, campaignId, before),

    nextFindingNumber: (tenantId) => taskQueries.nextFindingNumber(db, tenantId),
    findFindingByIntakeCard: (tenantId, cardId) => taskQueries.findFindingByIntakeCard(db, tenantId, cardId),
    taskIdOfFinding: (tenantId, number) => taskQueries.taskIdOfFinding(db, tenantId, number),
    getTaskContext: (tenantId, taskId) => taskQueries.getTaskContext(db, tenantId, taskId),
    listTasksForUser: (tenantId, userId, states) => taskQueries.listTasksForUser(db, tenantId, userId, states),
    searchTasks: (tenantId, words, concerning, limit) => taskQueries.searchTasks(db, tenantId, words, concerning, limit),
    latestTaskOfLeader: (tenantId, userId, states) => taskQueries.latestTaskOfLeader(db, tenantId, userId, states),
    listTaskEvents: (tenantId, taskId) => taskQueries.listTaskEvents(db, tenantId, taskId),
    listLooseAttachments: (tenantId, chatId, uploader) => taskQueries.listLooseAttachments(db, tenantId, chatId, uploader),

    async listCardCopies(tenantId, taskId) {
      const rows = await read(db, cardCopiesOfTask, { tenantId, taskId });
      return rows.map(toCardCopy);
    },
    async findCardCopyByMessage(tenantId, messageId) {
      const [row] = await read(db, cardCopyOfMessage, { tenantId, messageId });
      return row ? toCardCopy(row) : null;
    },
    async findCardCopyOfSend(tenantId, outboxId) {
      const [row] = await db
        .select(getTableColumns(cardCopies))
        .from(outbox)
        .innerJoin(cardCopies, and(eq(cardCopies.tenantId, outbox.tenantId), eq(cardCopies.id, outbox.cardCopyId)))
        .where(and(eq(outbox.id, outboxId), eq(outbox.tenantId, tenantId), eq(outbox.kind, 'send')));
      return row ? toCardCopy(row) : null;
    },
    async getCardCopy(tenantId, copyId) {
      const [row] = await db.select().from(cardCopies).where(and(eq(cardCopies.tenantId, tenantId), eq(cardCopies.id, copyId)));
      return row ? toCardCopy(row) : null;
    },

    async listDueOutbox(at, limit) {
      // only what is committed may leave: a message whose transaction could still fail must not
      await committer?.settled();
      const rows = await read(db, dueOutbox, { now: at, limit });
      return rows.map(({ copyMessageId, ...row }) => ({ ...toOutboxItem(row), copyMessageId }));
    },
    async claimOutbox(id, at, until) {
      const claimed = await read(db, claim, { id, now: at, until });
      return claimed.length === 1;
    },
    async releaseOutboxClaims() {
      await alone(() => db.update(outbox).set({ claimedUntil: null }).where(and(eq(outbox.status, 'pending'), isNotNull(outbox.claimedUntil))).run());
    },
    async markOutboxSent(item: OutboxItem, messageId, at) {
      const writes = [
        write('outboxSent', { id: item.id, messageId, at, attempts: item.attempts + 1 }, (p) =>
          db.update(outbox).set({ status: 'sent', messageId: p.messageId, sentAt: p.at, attempts: p.attempts, claimedUntil: null }).where(eq(outbox.id, p.id)),
        ),
      ];
      if (item.kind === 'send' && item.cardCopyId && messageId) {
        writes.push(
          write('copySent', { tenantId: item.tenantId, copyId: item.cardCopyId, messageId }, (p) =>
            db.update(cardCopies).set({ messageId: p.messageId }).where(and(eq(cardCopies.tenantId, p.tenantId), eq(cardCopies.id, p.copyId))),
          ),
        );
      }
      await atomic(db, writes, committer);
    },
    async markOutboxRetry(id, attempts, nextAttemptAt, error) {
      await alone(() => db.update(outbox).set({ attempts, nextAttemptAt, lastError: error.slice(0, 500), claimedUntil: null }).where(eq(outbox.id, id)).run());
    },
    async markOutboxDead(id, attempts, error) {
      await alone(() => db.update(outbox).set({ status: 'dead', attempts, lastError: error.slice(0, 500), claimedUntil: null }).where(eq(outbox.id, id)).run());
    },
    countOutbox,
    async deliveryFacts({ stuckBefore, deadSince }) {
      // each read walks one index range (outbox_due, outbox_claimed, inbound_unfinished): a health
      // check polled every few seconds must not scan tables, least of all on D1, which bills rows read
      const [waiting] = await db
        .select({ pending: count(), retrying: sql<number | null>`sum(${outbox.attempts} > 0)`, oldestDueAt: sql<number | null>`min(${outbox.nextAttemptAt})` })
        .from(outbox)
        .where(eq(outbox.status, 'pending'));
      const [failing] = await db
        .select({ lastError: outbox.lastError })
        .from(outbox)
        .where(and(eq(outbox.status, 'pending'), sql`${outbox.attempts} > 0`))
        .orderBy(asc(outbox.nextAttemptAt))
        .limit(1);
      // a message given up keeps the due time of its last try: when it was given up, near enough
      const givenUpSince = and(eq(outbox.status, 'dead'), sql`${outbox.nextAttemptAt} > ${deadSince}`);
      const [recentlyDead] = await db.select({ n: count() }).from(outbox).where(givenUpSince);
      const [lastGivenUp] = await db.select({ lastError: outbox.lastError }).from(outbox).where(givenUpSince).orderBy(desc(outbox.nextAttemptAt)).limit(1);
      const [stuck] = await db
        .select({ n: count() })
        .from(inboundDeliveries)
        // the literal, as in the partial index's own condition, so the planner can use the index
        .where(and(sql`${inboundDeliveries.status} = 'received'`, sql`${inboundDeliveries.receivedAt} < ${stuckBefore}`));
      return {
        pending: waiting?.pending ?? 0,
        retrying: Number(waiting?.retrying ?? 0),
        oldestDueAt: waiting?.oldestDueAt ?? null,
        lastError: failing?.lastError ?? lastGivenUp?.lastError ?? null,
        dead: await countOutbox('dead'),
        recentlyDead: recentlyDead?.n ?? 0,
        stuckDeliveries: stuck?.n ?? 0,
      };
    },

    async pruneHistory(table, cutoffs, after, chunk) {
      // rowid order is the order rows were written, so the walk meets the oldest first and can stop
      // at the first stretch that reaches past the cutoffs, having read nothing newer
      const history = table === 'deliveries' ? inboundDeliveries : outbox;
      const writtenAt = table === 'deliveries' ? inboundDeliveries.receivedAt : outbox.createdAt;
      const rows = await db.select({ rowid: sql<number>`rowid`, at: writtenAt }).from(history).where(sql`rowid > ${after}`).orderBy(sql`rowid`).limit(chunk);
      const last = rows.at(-1);
      if (!last) return { pruned: 0, next: null, files: [] };
      const prunable =
        table === 'deliveries'
          ? sql`(${inboundDeliveries.status} = 'done' and ${inboundDeliveries.receivedAt} < ${cutoffs.finishedDeliveries}) or (${inboundDeliveries.status} = 'failed' and ${inboundDeliveries.receivedAt} < ${cutoffs.failedDeliveries})`
          : sql`(${outbox.status} = 'sent' and ${outbox.createdAt} < ${cutoffs.sentMessages}) or (${outbox.status} = 'dead' and ${outbox.createdAt} < ${cutoffs.deadMessages})`;
      const gone = await alone(() =>
        db
          .delete(history)
          .where(and(sql`rowid > ${after}`, sql`rowid <= ${last.rowid}`, prunable))
          // a file message's body names its blob; nothing else's does
          .returning({ file: table === 'messages' ? sql<string | null>`json_extract(${outbox.body}, '$.blobKey')` : sql<null>`null` })
          .all(),
      );
      const done = rows.length < chunk || last.at >= newestPrunable(cutoffs, table);
      return { pruned: gone.length, next: done ? null : last.rowid, files: gone.flatMap((row) => (row.file ? [row.file] : [])) };
    },

    listTenants: async () => (await db.select().from(tenants)).map(toTenant),
    listOpenTaskFacts: (tenantId) => reports.listOpenTaskFacts(db, tenantId),
    listLongTermFacts: (tenantId) => reports.listLongTermFacts(db, tenantId),
    describeTasks: (tenantId, facts) => reports.describeTasks(db, tenantId, facts),
    async listEscalationKeys(tenantId) {
      const rows = await db.select({ taskId: escalations.taskId, threshold: escalations.threshold }).from(escalations).where(eq(escalations.tenantId, tenantId));
      return new Set(rows.map((r) => `${r.taskId}:${r.threshold}`));
    },
    async hasJobRun(tenantId, job, periodKey) {
      const [row] = await db
        .select({ job: jobRuns.job })
        .from(jobRuns)
        .where(and(eq(jobRuns.tenantId, tenantId), eq(jobRuns.job, job), eq(jobRuns.periodKey, periodKey)));
      return row !== undefined;
    },
    bulletinFigures: (tenantId, campaignId, query) => reports.bulletinFigures(db, tenantId, campaignId, query),
    ledgerEntries: (tenantId, campaignId) => ledger.ledgerEntries(db, tenantId, campaignId),
    ledgerVisits: (tenantId, campaignId) => ledger.ledgerVisits(db, tenantId, campaignId),
    assessedTasks: (tenantId, campaignId, start, end) => ledger.assessedTasks(db, tenantId, campaignId, start, end),
    listCampaigns: (tenantId) => ledger.listCampaigns(db, tenantId),
    campaignTallies: (tenantId) => ledger.campaignTallies(db, tenantId),
    listMembers: (tenantId) => ledger.listMembers(db, tenantId),
    getImport: (tenantId, importId) => ledger.getImport(db, tenantId, importId),

    async ping() {
      await db.select({ one: sql<number>`1` }).from(sql`(select 1)`);
    },
  };
}
