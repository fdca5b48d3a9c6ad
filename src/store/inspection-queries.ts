// Reads for 督查情况: who inspected which department on which day. A finding filed on the form is
// the record of the inspection that found it; a 督查记录 row is one that found nothing. Findings
// imported from a spreadsheet are left out (their inspector is whoever sent the file), and so are
// findings cancelled as filed in error.
import { sql } from 'drizzle-orm';
import type { Inspection } from '../domain/inspection-coverage.js';
import type { IsoDate } from '../domain/model.js';
import type { AppDatabase } from './database.js';

const campaignFilter = (column: ReturnType<typeof sql.raw>, campaignId: string | null) => (campaignId === null ? sql`` : sql` and ${column} = ${campaignId}`);

/** Every inspection in [from, to], one row per inspector, department and day (a finding and a record the same day add up). */
export async function inspectionActivity(db: AppDatabase, tenantId: string, campaignId: string | null, from: IsoDate, to: IsoDate): Promise<Inspection[]> {
  return db.all<Inspection>(sql`
    select departmentId, inspectorUserId, day, sum(problems) as problems from (
      select f.department_id as departmentId, f.inspector_user_id as inspectorUserId, f.found_on as day, count(*) as problems
      from findings f join tasks t on t.finding_id = f.id
      where f.tenant_id = ${tenantId} and f.found_on between ${from} and ${to} and f.import_id is null and t.state != 'cancelled'${campaignFilter(sql.raw('f.campaign_id'), campaignId)}
      group by f.department_id, f.inspector_user_id, f.found_on
      union all
      select department_id, inspector_user_id, visited_on, 0
      from inspection_visits
      where tenant_id = ${tenantId} and visited_on between ${from} and ${to}${campaignFilter(sql.raw('campaign_id'), campaignId)}
    )
    group by departmentId, inspectorUserId, day`);
}

/** Each department's latest inspection before `before` (for 「上次督查」); departments never inspected are absent. */
export async function lastInspectedBefore(db: AppDatabase, tenantId: string, campaignId: string | null, before: IsoDate): Promise<Map<string, IsoDate>> {
  const rows = await db.all<{ departmentId: string; day: IsoDate }>(sql`
    select departmentId, max(day) as day from (
      select f.department_id as departmentId, max(f.found_on) as day
      from findings f join tasks t on t.finding_id = f.id
      where f.tenant_id = ${tenantId} and f.found_on < ${before} and f.department_id is not null and f.import_id is null and t.state != 'cancelled'${campaignFilter(sql.raw('f.campaign_id'), campaignId)}
      group by f.department_id
      union all
      select department_id, max(visited_on)
      from inspection_visits
      where tenant_id = ${tenantId} and visited_on < ${before}${campaignFilter(sql.raw('campaign_id'), campaignId)}
      group by department_id
    )
    group by departmentId`);
  return new Map(rows.map((r) => [r.departmentId, r.day]));
}
