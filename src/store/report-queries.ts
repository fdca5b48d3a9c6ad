// Reads for the scheduled jobs. They run over every task of a tenant (100,000 in the benchmark),
// so they select flat columns and aggregate in SQL rather than loading task contexts.
import { sql } from 'drizzle-orm';
import type { BulletinFigures, BulletinQuery, FigureCounts } from '../app/store-port.js';
import type { ClosureKind, TaskState } from '../domain/model.js';
import type { TaskFacts } from '../domain/task-facts.js';
import type { AppDatabase } from './database.js';

const DESCRIPTION_CHARS = 80;
export const NO_DEPARTMENT = '未指定科室';

interface FactRow {
  taskId: string;
  tenantId: string;
  campaignId: string;
  findingNumber: number;
  departmentName: string | null;
  area: string;
  category: string;
  description: string;
  leaderUserId: string;
  inspectorUserId: string;
  state: TaskState;
  deadline: string;
  returnsCount: number;
  hasPendingExtension: number;
  closureKind: ClosureKind | null;
  version: number;
}

function factsQuery(tenantId: string, where: ReturnType<typeof sql>) {
  return sql`
    select t.id as taskId, t.tenant_id as tenantId, f.campaign_id as campaignId, f.number as findingNumber,
           d.name as departmentName, f.area as area, f.category as category,
           substr(f.description, 1, ${DESCRIPTION_CHARS}) as description,
           t.leader_user_id as leaderUserId, f.inspector_user_id as inspectorUserId, t.state as state,
           t.deadline as deadline, t.returns_count as returnsCount, t.closure_kind as closureKind, t.version as version,
           exists(select 1 from extension_requests e where e.tenant_id = t.tenant_id and e.task_id = t.id and e.status = 'pending') as hasPendingExtension
    from tasks t
    join findings f on f.id = t.finding_id
    left join departments d on d.id = f.department_id
    where t.tenant_id = ${tenantId} and ${where}`;
}

const toFacts = (rows: FactRow[]): TaskFacts[] => rows.map((r) => ({ ...r, hasPendingExtension: r.hasPendingExtension === 1 }));

export async function listOpenTaskFacts(db: AppDatabase, tenantId: string): Promise<TaskFacts[]> {
  return toFacts(await db.all<FactRow>(factsQuery(tenantId, sql`t.state in ('pending', 'declined', 'in_progress', 'submitted')`)));
}

export async function listLongTermFacts(db: AppDatabase, tenantId: string): Promise<TaskFacts[]> {
  return toFacts(await db.all<FactRow>(factsQuery(tenantId, sql`t.state = 'closed' and t.closure_kind = 'long_term'`)));
}

type GroupRow = Record<string, number> & { department: string; category: string };

const counts = (r: GroupRow, prefix = ''): FigureCounts => ({
  new: r[`${prefix}new`] ?? 0,
  closed: r[`${prefix}closed`] ?? 0,
  open: r[`${prefix}open`] ?? 0,
  overdue: r[`${prefix}overdue`] ?? 0,
  totalEver: r[`${prefix}totalEver`] ?? 0,
  closedEver: r[`${prefix}closedEver`] ?? 0,
});

export async function bulletinFigures(db: AppDatabase, tenantId: string, campaignId: string, q: BulletinQuery): Promise<BulletinFigures> {
  const open = sql`t.state in ('pending', 'declined', 'in_progress', 'submitted')`;
  // "open at the previous period's end" is reconstructed from dates; a deadline moved by an
  // extension since then is read as it stands now — close enough for a trend line.
  const openAtPreviousEnd = sql`f.found_on <= ${q.previousEnd} and (t.closed_on is null or t.closed_on > ${q.previousEnd})`;
  const scope = sql`t.tenant_id = ${tenantId} and f.campaign_id = ${campaignId} and t.state != 'cancelled'`;
  const groups = await db.all<GroupRow>(sql`
    select coalesce(d.name, ${NO_DEPARTMENT}) as department, f.category as category,
      sum(f.found_on between ${q.start} and ${q.end}) as new,
      sum(coalesce(t.closed_on between ${q.start} and ${q.end}, 0)) as closed,
      sum(${open}) as open,
      sum(t.state in ('pending', 'in_progress') and t.deadline < ${q.today}) as overdue,
      sum(f.found_on <= ${q.end}) as totalEver,
      sum(coalesce(t.closed_on <= ${q.end}, 0)) as closedEver,
      sum(f.found_on between ${q.previousStart} and ${q.previousEnd}) as prev_new,
      sum(coalesce(t.closed_on between ${q.previousStart} and ${q.previousEnd}, 0)) as prev_closed,
      sum(${openAtPreviousEnd}) as prev_open,
      sum(${openAtPreviousEnd} and t.deadline < ${q.previousEnd}) as prev_overdue,
      sum(f.found_on <= ${q.previousEnd}) as prev_totalEver,
      sum(coalesce(t.closed_on <= ${q.previousEnd}, 0)) as prev_closedEver
    from tasks t join findings f on f.id = t.finding_id left join departments d on d.id = f.department_id
    where ${scope}
    group by f.department_id, f.category`);
  const overdue = await db.all<BulletinFigures['overdue'][number]>(sql`
    select f.number as findingNumber, d.name as departmentName, substr(f.description, 1, ${DESCRIPTION_CHARS}) as description,
           t.leader_user_id as leaderUserId, t.deadline as deadline
    from tasks t join findings f on f.id = t.finding_id left join departments d on d.id = f.department_id
    where ${scope} and t.state in ('pending', 'in_progress') and t.deadline < ${q.today}
    order by t.deadline, f.number limit ${q.overdueLimit}`);
  const repeats = await db.all<BulletinFigures['repeats'][number]>(sql`
    select coalesce(d.name, ${NO_DEPARTMENT}) as departmentName, f.category as category, count(*) as count
    from findings f left join departments d on d.id = f.department_id
    where f.tenant_id = ${tenantId} and f.campaign_id = ${campaignId} and f.found_on >= ${q.repeatSince} and f.found_on <= ${q.today}
    group by f.department_id, f.category having count(*) >= ${q.repeatMinCount}
    order by count(*) desc`);
  const foundByDate = await db.all<{ date: string; n: number }>(sql`
    select f.found_on as date, count(*) as n from findings f
    where f.tenant_id = ${tenantId} and f.campaign_id = ${campaignId} and f.found_on >= ${q.trendSince} group by f.found_on`);
  const closedByDate = await db.all<{ date: string; n: number }>(sql`
    select t.closed_on as date, count(*) as n from tasks t join findings f on f.id = t.finding_id
    where t.tenant_id = ${tenantId} and f.campaign_id = ${campaignId} and t.closed_on >= ${q.trendSince} group by t.closed_on`);
  return {
    groups: groups.map((r) => ({ department: r.department, category: r.category, ...counts(r), previous: counts(r, 'prev_') })),
    overdue,
    repeats,
    foundByDate,
    closedByDate,
  };
}
