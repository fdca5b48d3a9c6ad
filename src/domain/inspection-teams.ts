// 督查组: seed 000 sets up 督查一组/二组/三组 (组长 + 成员) and asks each for at least one routine
// inspection a week; the supervisory group watches that none of them lets a week pass. An inspection
// belongs to the group its inspector was in that day: membership is kept by period, so reshuffling
// the groups next year leaves this year's figures as they were.
import type { InspectionTeam, IsoDate, TeamMembership } from './model.js';
import { addCalendarDays, isWorkingDay } from './working-days.js';

export const MAX_TEAM_NAME = 20;
/** seed 000's groups have six people each; thirty leaves room and still fits a card */
export const MAX_TEAM_SIZE = 30;

export const TEAM_USAGE = '用法：督查组 督查一组 @组长 @成员1 @成员2 …（第一位@的人为组长）；发送「督查组」查看各组，「撤销督查组 督查一组」撤销。';

/** The id follows from the name, so two messages racing to set up the same group set up one. */
export function teamIdFor(tenantId: string, name: string): string {
  return `${tenantId}:team:${name.normalize('NFKC')}`;
}

/** What is wrong with a group's name, or null. */
export function teamNameProblem(name: string): string | null {
  if (!name) return TEAM_USAGE;
  if ([...name].length > MAX_TEAM_NAME) return `督查组名称不能超过${MAX_TEAM_NAME}字。`;
  return null;
}

/** The membership covers at least one day of [from, to] (a period opened and closed the same day covers none). */
export function coversAnyDay(m: TeamMembership, from: IsoDate, to: IsoDate): boolean {
  const until = m.untilOn ?? '9999-12-31';
  return m.fromOn < until && m.fromOn <= to && until > from;
}

/** The group the person was in on that day; null: none. */
export function teamOn(memberships: readonly TeamMembership[], userId: string, day: IsoDate): string | null {
  return memberships.find((m) => m.userId === userId && coversAnyDay(m, day, day))?.teamId ?? null;
}

/** The groups that had someone in them on some day of [from, to], in the order they were set up. */
export function teamsActiveIn(teams: readonly InspectionTeam[], memberships: readonly TeamMembership[], from: IsoDate, to: IsoDate): InspectionTeam[] {
  const active = new Set(memberships.filter((m) => coversAnyDay(m, from, to)).map((m) => m.teamId));
  return teams.filter((t) => active.has(t.id)).sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
}

/** Whether [from, to] holds a working day: a week of 国庆 or 春节 asks for no inspection. */
export function periodHasWorkingDay(from: IsoDate, to: IsoDate): boolean {
  for (let day = from; day <= to; day = addCalendarDays(day, 1)) if (isWorkingDay(day)) return true;
  return false;
}

/** A period's inspections as one person's count on one day, whichever department. */
export interface InspectorDay {
  inspectorUserId: string;
  day: IsoDate;
  inspections: number;
}

/** A group's inspections in a period, as a bulletin shows them. */
export interface TeamSummary {
  teamId: string;
  name: string;
  inspections: number;
  /** the period is over, had a working day and the group, with people in it, inspected nothing */
  missed: boolean;
}

/**
 * Each group's inspections in [from, to]: every group that had anyone in it then, even with none.
 * `ended`: the period is over, so a nought is a week (or month) gone without inspection.
 */
export function summariseTeams(
  teams: readonly InspectionTeam[],
  memberships: readonly TeamMembership[],
  days: readonly InspectorDay[],
  period: { from: IsoDate; to: IsoDate; ended: boolean },
): TeamSummary[] {
  const counts = new Map<string, number>();
  for (const d of days) {
    const team = teamOn(memberships, d.inspectorUserId, d.day);
    if (team) counts.set(team, (counts.get(team) ?? 0) + d.inspections);
  }
  const workingPeriod = period.ended && periodHasWorkingDay(period.from, period.to);
  return teamsActiveIn(teams, memberships, period.from, period.to).map((t) => {
    const inspections = counts.get(t.id) ?? 0;
    return { teamId: t.id, name: t.name, inspections, missed: workingPeriod && inspections === 0 };
  });
}
