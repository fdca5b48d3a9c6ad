// Reads for 督查情况 and the bulletins' 督查开展: who inspected which department on which day. A
// finding filed on the form is the record of the inspection that found it; a 督查记录 row is one
// that found nothing. Findings imported from a spreadsheet are left out (their inspector is whoever
// sent the file), and so are findings cancelled as filed in error.
//
// The findings are counted from `findings_inspections` alone, never touching a row; the few
// cancelled ones are then taken off through `tasks_found_on`. Joining every finding to its task to
// ask whether it was cancelled cost a bulletin 18 ms a week over 100,000 tasks (docs/BENCHMARKS.md).
import { sql } from 'drizzle-orm';
import type { DepartmentInspections, Inspection } from '../domain/inspection-coverage.js';
import type { InspectionSums } from '../app/store-port.js';
import type { InspectionVisit, IsoDate } from '../domain/model.js';
import type { AppDatabase } from './database.js';

const campaignFilter = (column: ReturnType<typeof sql.raw>, campaignId: string | null) => (campaignId === null ? sql`` : sql` and ${column} = ${campaignId}`);

/** One row per inspector, department and day in [from, to], a finding and a record the same day adding up. */
export function inspectionActivitySql(tenantId: string, campaignId: string | null, from: IsoDate, to: IsoDate) {
  return sql`
    select departmentId, inspectorUserId, day, sum(problems) as problems from (
      select department_id as departmentId, inspector_user_id as inspectorUserId, found_on as day, count(*) as problems, 0 as visited
      from findings
      where tenant_id = ${tenantId} and found_on between ${from} and ${to} and import_id is null${campaignFilter(sql.raw('campaign_id'), campaignId)}
      group by found_on, department_id, inspector_user_id
      union all
      select t.department_id, t.inspector_user_id, t.found_on, -count(*), 0
      from tasks t join findings f on f.id = t.finding_id
      where t.tenant_id = ${tenantId} and t.found_on between ${from} and ${to} and t.state = 'cancelled' and f.import_id is null${campaignFilter(sql.raw('t.campaign_id'), campaignId)}
      group by t.found_on, t.department_id, t.inspector_user_id
      union all
      select department_id, inspector_user_id, visited_on, 0, 1
      from inspection_visits
      where tenant_id = ${tenantId} and visited_on between ${from} and ${to}${campaignFilter(sql.raw('campaign_id'), campaignId)}
    )
    group by departmentId, inspectorUserId, day
    having sum(problems) > 0 or max(visited) = 1`;
}

/** Every inspection in [from, to]: what 督查情况 lays out by inspector and week. */
export async function inspectionActivity(db: AppDatabase, tenantId: string, campaignId: string | null, from: IsoDate, to: IsoDate): Promise<Inspection[]> {
  return db.all<Inspection>(inspectionActivitySql(tenantId, campaignId, from, to));
}

/**
 * The inspections in [from, to] counted per department, for a bulletin's 督查开展 (a year holds
 * 85,000 inspections at a hospital group's scale, and the bulletin needs only these few hundred
 * sums), and, where 督查组 are set up, per inspector and day (at most people × days rows), which
 * the groups are counted from. Both sums come from one pass over the inspections: reading them
 * twice cost a yearly bulletin 210 ms.
 */
export async function inspectionSums(db: AppDatabase, tenantId: string, campaignId: string | null, from: IsoDate, to: IsoDate, perInspectorDay: boolean): Promise<InspectionSums> {
  const perDepartment = sql`
    select departmentId, count(*) as inspections, sum(problems = 0) as clean, sum(problems) as problems
    from inspections group by departmentId`;
  if (!perInspectorDay) {
    return { perDepartment: await db.all<DepartmentInspections>(sql`with inspections as (${inspectionActivitySql(tenantId, campaignId, from, to)}) ${perDepartment}`), perInspectorDay: [] };
  }
  type Row = DepartmentInspections & { kind: 'department' | 'person'; inspectorUserId: string; day: IsoDate };
  const rows = await db.all<Row>(sql`
    with inspections as materialized (${inspectionActivitySql(tenantId, campaignId, from, to)})
    select 'department' as kind, departmentId, null as inspectorUserId, null as day, count(*) as inspections, sum(problems = 0) as clean, sum(problems) as problems
    from inspections group by departmentId
    union all
    select 'person', null, inspectorUserId, day, count(*), null, null
    from inspections group by inspectorUserId, day`);
  return {
    perDepartment: rows.filter((r) => r.kind === 'department').map(({ departmentId, inspections, clean, problems }) => ({ departmentId, inspections, clean, problems })),
    perInspectorDay: rows.filter((r) => r.kind === 'person').map(({ inspectorUserId, day, inspections }) => ({ inspectorUserId, day, inspections })),
  };
}

/**
 * Each department's latest inspection before `before` (for 「上次督查」); departments never inspected
 * are absent. Read from the tasks' copies through `tasks_found_on` alone (a department's whole
 * history: joining each finding to its task took 270 ms over 100,000). So imported findings count
 * here: a paper ledger's or a 巡察's date is a real inspection of the department, and only who
 * inspected is unknown, which this does not say.
 */
export async function lastInspectedBefore(db: AppDatabase, tenantId: string, campaignId: string | null, before: IsoDate): Promise<Map<string, IsoDate>> {
  const rows = await db.all<{ departmentId: string; day: IsoDate }>(sql`
    select departmentId, max(day) as day from (
      select department_id as departmentId, max(found_on) as day
      from tasks
      where tenant_id = ${tenantId}${campaignFilter(sql.raw('campaign_id'), campaignId)} and found_on < ${before} and state != 'cancelled' and department_id is not null
      group by department_id
      union all
      select department_id, max(visited_on)
      from inspection_visits
      where tenant_id = ${tenantId} and visited_on < ${before}${campaignFilter(sql.raw('campaign_id'), campaignId)}
      group by department_id
    )
    group by departmentId`);
  return new Map(rows.map((r) => [r.departmentId, r.day]));
}

/** The inspector's latest 督查记录 of a department in a campaign (the newest day, then the newest made). */
export async function latestVisit(db: AppDatabase, tenantId: string, campaignId: string, departmentId: string, inspectorUserId: string): Promise<InspectionVisit | null> {
  const [row] = await db.all<InspectionVisit>(sql`
    select id, tenant_id as tenantId, campaign_id as campaignId, department_id as departmentId, inspector_user_id as inspectorUserId,
           visited_on as visitedOn, note, chat_id as chatId, created_at as createdAt
    from inspection_visits
    where tenant_id = ${tenantId} and campaign_id = ${campaignId} and department_id = ${departmentId} and inspector_user_id = ${inspectorUserId}
    order by visited_on desc, created_at desc limit 1`);
  return row ?? null;
}
