// Reads for 督查组: the groups, and who was in which when.
import { sql } from 'drizzle-orm';
import type { InspectionTeam, IsoDate, TeamMembership } from '../domain/model.js';
import type { AppDatabase } from './database.js';

export async function listTeams(db: AppDatabase, tenantId: string): Promise<InspectionTeam[]> {
  return db.all<InspectionTeam>(sql`
    select id, tenant_id as tenantId, name, lead_user_id as leadUserId, retired_on as retiredOn, created_at as createdAt
    from inspection_teams where tenant_id = ${tenantId}
    order by created_at, name`);
}

/** Memberships that cover a day of [from, to]; one opened and closed the same day covers none. */
export async function teamMemberships(db: AppDatabase, tenantId: string, from: IsoDate, to: IsoDate): Promise<TeamMembership[]> {
  return db.all<TeamMembership>(sql`
    select team_id as teamId, user_id as userId, from_on as fromOn, until_on as untilOn
    from team_memberships
    where tenant_id = ${tenantId} and from_on <= ${to} and (until_on is null or (until_on > ${from} and until_on > from_on))
    order by from_on, user_id`);
}
