// Reads for the ledger export and the spreadsheet import.
import { and, asc, eq, sql } from 'drizzle-orm';
import { campaigns, imports, members } from '../../db/schema/index.js';
import type { AssessedTaskRow, CampaignTally, ImportRecord } from '../app/store-port.js';
import type { LedgerEntry, LedgerVisit } from '../domain/ledger.js';
import type { Campaign, IsoDate } from '../domain/model.js';
import type { AppDatabase } from './database.js';
import { toCampaign } from './rows.js';

/** Every task of a campaign with its finding and the names the forms print, in 序号 order. */
export async function ledgerEntries(db: AppDatabase, tenantId: string, campaignId: string): Promise<LedgerEntry[]> {
  return db.all<LedgerEntry>(sql`
    select t.finding_number as findingNumber, t.found_on as foundOn, f.area as area, t.category as category,
           f.description as description, f.aspect as aspect, f.major_item as majorItem,
           d.name as departmentName,
           coalesce(mi.name, t.inspector_user_id) as inspectorName,
           coalesce(ml.name, t.leader_user_id) as leaderName,
           t.measures as measures, t.responsible_person as responsiblePerson, t.completion_note as completionNote, t.deadline as deadline,
           t.state as state, t.closure_kind as closureKind, t.closed_on as closedOn
    from tasks t
    join findings f on f.id = t.finding_id
    left join departments d on d.id = t.department_id
    left join members ml on ml.tenant_id = t.tenant_id and ml.user_id = t.leader_user_id
    left join members mi on mi.tenant_id = t.tenant_id and mi.user_id = t.inspector_user_id
    where t.tenant_id = ${tenantId} and t.campaign_id = ${campaignId}
    order by t.finding_number`);
}

/** The campaign's 督查记录 (inspections that found nothing), in date order, with the names 附件1 prints. */
export async function ledgerVisits(db: AppDatabase, tenantId: string, campaignId: string): Promise<LedgerVisit[]> {
  return db.all<LedgerVisit>(sql`
    select v.visited_on as visitedOn, coalesce(d.name, v.department_id) as departmentName,
           coalesce(m.name, v.inspector_user_id) as inspectorName, v.note as note
    from inspection_visits v
    left join departments d on d.id = v.department_id
    left join members m on m.tenant_id = v.tenant_id and m.user_id = v.inspector_user_id
    where v.tenant_id = ${tenantId} and v.campaign_id = ${campaignId}
    order by v.visited_on, v.created_at, v.id`);
}

/**
 * The campaign's tasks found in the span (never cancelled ones), with the time of each one's last
 * 提交整改完成: what 科室考核 judges timeliness by. The span reads `tasks_found_on`; the last submission
 * is looked up per task by its events' key. Department and leader names come from two small reads
 * rather than two joins per task (a year of a hospital group is 100,000 rows), and the order is
 * the caller's.
 */
export async function assessedTasks(db: AppDatabase, tenantId: string, campaignId: string, start: IsoDate | null, end: IsoDate): Promise<AssessedTaskRow[]> {
  const rows = await db.all<Omit<AssessedTaskRow, 'departmentName' | 'leaderName'> & { departmentId: string | null; leaderUserId: string }>(sql`
    select t.finding_number as findingNumber, t.department_id as departmentId, t.category as category,
           f.description as description, t.leader_user_id as leaderUserId,
           t.found_on as foundOn, t.deadline as deadline, t.state as state, t.closed_on as closedOn,
           t.returns_count as returnsCount,
           (select max(e.at) from task_events e where e.task_id = t.id and e.action = 'submit') as submittedAt
    from tasks t
    join findings f on f.id = t.finding_id
    where t.tenant_id = ${tenantId} and t.campaign_id = ${campaignId}
      and t.found_on >= ${start ?? '0000-01-01'} and t.found_on <= ${end} and t.state != 'cancelled'`);
  const departments = new Map((await db.all<{ id: string; name: string }>(sql`select id, name from departments where tenant_id = ${tenantId}`)).map((d) => [d.id, d.name]));
  const names = new Map((await listMembers(db, tenantId)).map((m) => [m.userId, m.name]));
  return rows.map((r) => ({
    findingNumber: r.findingNumber,
    departmentName: (r.departmentId && departments.get(r.departmentId)) ?? null,
    category: r.category,
    description: r.description,
    leaderName: names.get(r.leaderUserId) ?? r.leaderUserId,
    foundOn: r.foundOn,
    deadline: r.deadline,
    state: r.state,
    closedOn: r.closedOn,
    returnsCount: r.returnsCount,
    submittedAt: r.submittedAt,
  }));
}

export async function listMembers(db: AppDatabase, tenantId: string): Promise<{ userId: string; name: string | null }[]> {
  return db.select({ userId: members.userId, name: members.name }).from(members).where(eq(members.tenantId, tenantId));
}

export async function listCampaigns(db: AppDatabase, tenantId: string): Promise<Campaign[]> {
  const rows = await db.select().from(campaigns).where(eq(campaigns.tenantId, tenantId)).orderBy(asc(campaigns.createdAt));
  return rows.map(toCampaign);
}

/** Each campaign's tasks and open tasks (one pass over `tasks_by_group`) and its bound groups. */
export async function campaignTallies(db: AppDatabase, tenantId: string): Promise<CampaignTally[]> {
  return db.all<CampaignTally>(sql`
    select c.id as campaignId,
           (select count(*) from tasks t where t.tenant_id = c.tenant_id and t.campaign_id = c.id) as tasks,
           (select count(*) from tasks t where t.tenant_id = c.tenant_id and t.campaign_id = c.id
              and t.state in ('pending', 'declined', 'in_progress', 'submitted')) as open,
           (select count(*) from chat_bindings b where b.tenant_id = c.tenant_id and b.campaign_id = c.id) as groups
    from campaigns c
    where c.tenant_id = ${tenantId}
    order by c.created_at`);
}

export async function getImport(db: AppDatabase, tenantId: string, importId: string): Promise<ImportRecord | null> {
  const [row] = await db.select().from(imports).where(and(eq(imports.tenantId, tenantId), eq(imports.id, importId)));
  return row ? { ...row, summary: JSON.parse(row.summary) as ImportRecord['summary'] } : null;
}
