// 督查情况: is the inspection work being done? Seed 000 asks each inspection group for at least one
// routine inspection a week (每周至少开展1次日常督查) and the supervisory group to watch that it is
// (防止出现形式主义、走过场). This reads a month of inspections — findings filed and 督查记录 of
// inspections that found nothing — into: how many, by whom, which weeks had none, and which
// departments nobody has inspected.
//
// One inspection = one inspector at one department on one day, however many problems it found.
import type { InspectionTeam, IsoDate, TeamMembership } from './model.js';
import { formatShortZh } from './deadline.js';
import { coversAnyDay, teamOn, teamsActiveIn, type TeamSummary } from './inspection-teams.js';
import { mondayOf, weekHasWorkingDay } from './schedule.js';
import { addCalendarDays, parseIsoDate, toIsoDate } from './working-days.js';

/** One inspector at one department (null: an area, no department) on one day; problems 0 = nothing found. */
export interface Inspection {
  departmentId: string | null;
  inspectorUserId: string;
  day: IsoDate;
  problems: number;
}

/** 督查情况 asks for this month so far, last month, or a month by name. */
export type InspectionMonthAsk = { month: 'this' } | { month: 'last' } | { month: number; year: number | null };

export interface InspectionMonth {
  /** the month's first day, and its last or today, whichever is earlier */
  start: IsoDate;
  end: IsoDate;
  /** the month's last day */
  lastDay: IsoDate;
  /** "2026年11月" */
  label: string;
  /** the month is not over: figures are 截至今日 */
  toDate: boolean;
}

/** The earliest year a month may be asked for. */
export const EARLIEST_YEAR = 2000;

export function inspectionMonth(ask: InspectionMonthAsk, today: IsoDate): { ok: true; month: InspectionMonth } | { ok: false; reason: string } {
  const now = parseIsoDate(today);
  if (!now) throw new RangeError(`not an ISO date: ${today}`);
  let year = now.year;
  let month = now.month;
  if (ask.month === 'last') {
    year = month === 1 ? year - 1 : year;
    month = month === 1 ? 12 : month - 1;
  } else if (ask.month !== 'this') {
    if (ask.month < 1 || ask.month > 12) return { ok: false, reason: `没有${ask.month}月。` };
    month = ask.month;
    // 「督查情况 12月」 in November means last December
    year = ask.year ?? (month <= now.month ? now.year : now.year - 1);
    if (year * 12 + month > now.year * 12 + now.month) return { ok: false, reason: `${year}年${month}月还没有到。` };
    // 「督查情况 0001年1月」: no inspection was recorded on paper, let alone here, before then
    if (year < EARLIEST_YEAR) return { ok: false, reason: `没有${year}年的督查记录：请写${EARLIEST_YEAR}年以后的月份。` };
  }
  const start = toIsoDate({ year, month, day: 1 });
  const last = addCalendarDays(toIsoDate(month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 }), -1);
  const toDate = last >= today;
  return { ok: true, month: { start, end: toDate ? today : last, lastDay: last, label: `${year}年${month}月`, toDate } };
}

/**
 * The weeks a month answers for: those whose Monday falls in it (a week that starts on 10-26 is
 * October's, even though it ends in November), so every week is judged once.
 */
function mondaysOf(month: InspectionMonth): IsoDate[] {
  const mondays: IsoDate[] = [];
  const first = mondayOf(month.start) === month.start ? month.start : addCalendarDays(mondayOf(month.start), 7);
  for (let monday = first; monday <= month.end; monday = addCalendarDays(monday, 7)) mondays.push(monday);
  return mondays;
}

/** The days whose inspections the report needs: the month, and the rest of its last week up to today. */
export function inspectionsSpan(month: InspectionMonth, today: IsoDate): { from: IsoDate; to: IsoDate } {
  const lastSunday = addCalendarDays(mondayOf(month.lastDay), 6);
  return { from: month.start, to: lastSunday < today ? lastSunday : today };
}

export interface CoverageDepartment {
  id: string;
  name: string;
  retiredOn: IsoDate | null;
}

export interface CoverageInput {
  month: InspectionMonth;
  today: IsoDate;
  /** every inspection in inspectionsSpan(month, today) */
  inspections: readonly Inspection[];
  departments: readonly CoverageDepartment[];
  /** each department's latest inspection before the month (from wherever the caller looked) */
  lastBefore: ReadonlyMap<string, IsoDate>;
  /** the 督查组 and who was in which when (at least over the span); none set up: empty */
  teams?: { teams: readonly InspectionTeam[]; memberships: readonly TeamMembership[] };
}

export interface InspectorTally {
  userId: string;
  inspections: number;
  /** days with at least one inspection */
  days: number;
  problems: number;
}

export interface CoverageWeek {
  monday: IsoDate;
  /** "11月3日—11月9日" (the current week: "11月23日—今日") */
  label: string;
  inspections: number;
  /** the week is over and had a working day: one without an inspection broke 每周至少1次 */
  judged: boolean;
  /** judged, and no inspection: what 每周至少1次 forbids */
  missed: boolean;
  current: boolean;
}

/** One 督查组's month: its inspections, and each of the month's weeks for it. */
export interface TeamCoverage {
  teamId: string;
  name: string;
  leadUserId: string | null;
  inspections: number;
  problems: number;
  /** the report's weeks, in order; a week the group had nobody in is `absent` and never missed */
  weeks: (Omit<CoverageWeek, 'label' | 'judged'> & { absent: boolean })[];
}

export interface UncoveredDepartment {
  name: string;
  /** the latest inspection before the month; null: never inspected */
  lastOn: IsoDate | null;
}

export interface CoverageReport {
  label: string;
  toDate: boolean;
  /** "11月1日—11月24日" */
  rangeText: string;
  inspections: number;
  /** of which found nothing (督查记录) */
  clean: number;
  problems: number;
  inspectors: InspectorTally[];
  weeks: CoverageWeek[];
  /** the 督查组 that had anyone in them during the month, in the order they were set up */
  teams: TeamCoverage[];
  /** departments in use at the month's end, and how many of them were inspected in it */
  activeDepartments: number;
  coveredDepartments: number;
  /** never inspected first, then the longest ago; names in pinyin order within a tie */
  uncovered: UncoveredDepartment[];
}

const byReading = new Intl.Collator('zh-CN').compare;
/** null (never) before any day, then the earliest first */
const compareDays = (a: IsoDate | null, b: IsoDate | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** A period's inspections of one department (null: areas with no department). */
export interface DepartmentInspections {
  departmentId: string | null;
  inspections: number;
  /** of which found nothing */
  clean: number;
  problems: number;
}

/** A period's inspections in brief, as a bulletin shows them. */
export interface InspectionSummary {
  inspections: number;
  clean: number;
  problems: number;
  activeDepartments: number;
  coveredDepartments: number;
  /** the departments in use nobody inspected in the period, in pinyin order */
  uncovered: string[];
  /** each 督查组 at work in the period; absent where none is set up */
  teams?: readonly TeamSummary[];
}

const inUseAt = (end: IsoDate) => (d: CoverageDepartment) => !d.retiredOn || d.retiredOn > end;

export function byDepartment(inspections: readonly Inspection[]): DepartmentInspections[] {
  const rows = new Map<string | null, DepartmentInspections>();
  for (const i of inspections) {
    const row = rows.get(i.departmentId) ?? { departmentId: i.departmentId, inspections: 0, clean: 0, problems: 0 };
    row.inspections += 1;
    row.clean += i.problems === 0 ? 1 : 0;
    row.problems += i.problems;
    rows.set(i.departmentId, row);
  }
  return [...rows.values()];
}

/** A period's inspections, per department, that ended on `end`; departments retired by then are not asked for. */
export function summariseInspections(perDepartment: readonly DepartmentInspections[], departments: readonly CoverageDepartment[], end: IsoDate): InspectionSummary {
  const active = departments.filter(inUseAt(end));
  const inspected = new Set(perDepartment.filter((d) => d.inspections > 0).map((d) => d.departmentId));
  const uncovered = active.filter((d) => !inspected.has(d.id)).map((d) => d.name).sort(byReading);
  const sum = (key: 'inspections' | 'clean' | 'problems') => perDepartment.reduce((n, d) => n + d[key], 0);
  return {
    inspections: sum('inspections'),
    clean: sum('clean'),
    problems: sum('problems'),
    activeDepartments: active.length,
    coveredDepartments: active.length - uncovered.length,
    uncovered,
  };
}

export function buildCoverage(input: CoverageInput): CoverageReport {
  const { month, today } = input;
  const inMonth = input.inspections.filter((i) => i.day >= month.start && i.day <= month.end);
  const summary = summariseInspections(byDepartment(inMonth), input.departments, month.end);

  const tallies = new Map<string, InspectorTally & { dayset: Set<IsoDate> }>();
  for (const i of inMonth) {
    const t = tallies.get(i.inspectorUserId) ?? { userId: i.inspectorUserId, inspections: 0, days: 0, problems: 0, dayset: new Set<IsoDate>() };
    t.inspections += 1;
    t.problems += i.problems;
    t.dayset.add(i.day);
    tallies.set(i.inspectorUserId, t);
  }
  const inspectors = [...tallies.values()]
    .map(({ dayset, ...t }) => ({ ...t, days: dayset.size }))
    .sort((a, b) => b.inspections - a.inspections || b.problems - a.problems || (a.userId < b.userId ? -1 : 1));

  const weeks: CoverageWeek[] = [];
  for (const monday of mondaysOf(month)) {
    const sunday = addCalendarDays(monday, 6);
    const current = monday <= today && today <= sunday;
    const inspections = input.inspections.filter((i) => i.day >= monday && i.day <= sunday).length;
    const judged = !current && sunday < today && weekHasWorkingDay(monday);
    weeks.push({
      monday,
      label: `${formatShortZh(monday)}—${current ? '今日' : formatShortZh(sunday)}`,
      inspections,
      judged,
      missed: judged && inspections === 0,
      current,
    });
  }

  const teams = input.teams ? coverageOfTeams(input.teams, input.inspections, month, weeks) : [];

  const ids = new Map(input.departments.map((d) => [d.name, d.id]));
  const uncovered = summary.uncovered
    .map((name) => ({ name, lastOn: input.lastBefore.get(ids.get(name)!) ?? null }))
    .sort((a, b) => compareDays(a.lastOn, b.lastOn) || byReading(a.name, b.name));

  return {
    label: month.label,
    toDate: month.toDate,
    rangeText: `${formatShortZh(month.start)}—${formatShortZh(month.end)}`,
    inspections: summary.inspections,
    clean: summary.clean,
    problems: summary.problems,
    inspectors,
    weeks,
    teams,
    activeDepartments: summary.activeDepartments,
    coveredDepartments: summary.coveredDepartments,
    uncovered,
  };
}

/** Each group's inspections in the month and in each of its weeks; an inspection counts for the group its inspector was in that day. */
function coverageOfTeams(
  setUp: NonNullable<CoverageInput['teams']>,
  inspections: readonly Inspection[],
  month: InspectionMonth,
  weeks: readonly CoverageWeek[],
): TeamCoverage[] {
  const lastDay = weeks.length ? addCalendarDays(weeks[weeks.length - 1]!.monday, 6) : month.end;
  const spanEnd = lastDay > month.end ? lastDay : month.end;
  const byTeam = new Map<string, Inspection[]>();
  for (const i of inspections) {
    const team = teamOn(setUp.memberships, i.inspectorUserId, i.day);
    if (!team) continue;
    const own = byTeam.get(team);
    if (own) own.push(i);
    else byTeam.set(team, [i]);
  }
  return teamsActiveIn(setUp.teams, setUp.memberships, month.start, spanEnd).map((team) => {
    const own = byTeam.get(team.id) ?? [];
    const inMonth = own.filter((i) => i.day >= month.start && i.day <= month.end);
    const members = setUp.memberships.filter((m) => m.teamId === team.id);
    return {
      teamId: team.id,
      name: team.name,
      leadUserId: team.leadUserId,
      inspections: inMonth.length,
      problems: inMonth.reduce((n, i) => n + i.problems, 0),
      weeks: weeks.map((w) => {
        const sunday = addCalendarDays(w.monday, 6);
        const count = own.filter((i) => i.day >= w.monday && i.day <= sunday).length;
        const absent = !members.some((m) => coversAnyDay(m, w.monday, sunday));
        return { monday: w.monday, inspections: count, current: w.current, absent, missed: w.judged && !absent && count === 0 };
      }),
    };
  });
}
