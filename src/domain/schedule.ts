// When the scheduled jobs are due, and which period each run covers. A period's key is the
// idempotency key of a run: the job runner records (tenant, key) and never runs it twice, so a
// cron that fires every few minutes, a restart or a manual `duban job …` cannot send a second
// digest or bulletin for the same day, week or month.
//
// Why "the first working day" rather than "Monday" / "the 1st": DESIGN.md §2 says reminders are
// quiet on holidays. Nobody reads a 周调度 sent into a group on the Monday of National Day, and
// it would be buried under the holiday's chatter by the time people come back. So the bulletin
// waits for the first working day, when the week's work actually starts — after a holiday
// Monday that is Tuesday or later; after National Day 2026 it is Thursday 10-08. The period it
// reports does not move with it: the weekly run still reports the previous ISO week, the
// monthly run the previous calendar month.
import type { BulletinKind } from './bulletin.js';
import type { IsoDate } from './model.js';
import { formatShortZh } from './deadline.js';
import { addCalendarDays, calendarDaysBetween, isWorkingDay, parseIsoDate, toIsoDate, weekdayOf } from './working-days.js';

export type ScheduledJob = 'reminders' | 'weekly' | 'monthly';
export const SCHEDULED_JOBS: readonly ScheduledJob[] = ['reminders', 'weekly', 'monthly'];

/** The default hour (local time) at which the day's jobs become due. */
export const DEFAULT_JOB_HOUR = 9;

export interface LocalTime {
  date: IsoDate;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

// Building an Intl.DateTimeFormat costs far more than using one; a process sees one or two zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what a misconfigured TIMEZONE deserves.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      // h23, not hour12: false — some ICU versions print midnight as "24" with the latter.
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall-clock time at `nowMs` in `timezone` (an IANA name such as "Asia/Shanghai"). */
export function localTime(nowMs: number, timezone: string): LocalTime {
  if (!Number.isFinite(nowMs)) throw new RangeError(`localTime needs a finite epoch millisecond, got ${nowMs}`);
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timezone).formatToParts(nowMs)) parts[p.type] = p.value;
  const date = parseIsoDate(`${parts.year}-${parts.month}-${parts.day}`);
  if (!date) throw new RangeError(`cannot read a date for ${nowMs} in ${timezone}`);
  const iso = toIsoDate(date);
  return { date: iso, hour: Number(parts.hour), minute: Number(parts.minute), weekday: weekdayOf(iso) };
}

export interface JobPeriod {
  job: ScheduledJob;
  /** the idempotency key of the run: one run per key per tenant */
  key: string;
  start: IsoDate;
  /** inclusive */
  end: IsoDate;
  /** how cards name the period, e.g. "11月24日", "2026年第47周（11月16日—11月22日）", "2026年10月" */
  label: string;
}

function requireIso(date: IsoDate): IsoDate {
  const p = parseIsoDate(date);
  if (!p) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return toIsoDate(p);
}

/** The Monday of `date`'s ISO week. */
export function mondayOf(date: IsoDate): IsoDate {
  return addCalendarDays(date, -((weekdayOf(date) + 6) % 7));
}

export function weekHasWorkingDay(monday: IsoDate): boolean {
  for (let i = 0; i < 7; i++) if (isWorkingDay(addCalendarDays(monday, i))) return true;
  return false;
}

/** ISO 8601 week-numbering year and week of a Monday: the week belongs to the year of its Thursday. */
function isoWeek(monday: IsoDate): { year: number; week: number } {
  const thursday = addCalendarDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  return { year, week: Math.floor(calendarDaysBetween(`${year}-01-01`, thursday) / 7) + 1 };
}

function weekLabel(start: IsoDate, end: IsoDate): string {
  const first = isoWeek(start);
  const last = isoWeek(mondayOf(end));
  const range = `（${formatShortZh(start)}—${formatShortZh(end)}）`;
  if (first.year === last.year && first.week === last.week) return `${first.year}年第${first.week}周${range}`;
  if (first.year === last.year) return `${first.year}年第${first.week}—${last.week}周${range}`;
  return `${first.year}年第${first.week}周—${last.year}年第${last.week}周${range}`;
}

// A week without a single working day (2026's Spring Festival week, 02-16..02-22) has no weekly
// run of its own, so the week before it would never be reported. The run after such a gap
// therefore reaches back to the Monday of the last week that had a run, i.e. it covers every
// week since the previous report. Eight weeks is far more than any holiday lasts.
const MAX_SILENT_WEEKS = 8;

/** The period a run of `job` on `runDate` reports; see the rules at the top of the file. */
export function periodFor(job: ScheduledJob, runDate: IsoDate): JobPeriod {
  const date = requireIso(runDate);
  switch (job) {
    case 'reminders':
      return { job, key: `reminders:${date}`, start: date, end: date, label: formatShortZh(date) };
    case 'weekly': {
      const thisMonday = mondayOf(date);
      const end = addCalendarDays(thisMonday, -1);
      let start = addCalendarDays(thisMonday, -7);
      for (let i = 1; i < MAX_SILENT_WEEKS && !weekHasWorkingDay(start); i++) start = addCalendarDays(start, -7);
      return { job, key: `weekly:${start}`, start, end, label: weekLabel(start, end) };
    }
    case 'monthly': {
      const p = parseIsoDate(date)!;
      const year = p.month === 1 ? p.year - 1 : p.year;
      const month = p.month === 1 ? 12 : p.month - 1;
      const ym = `${year}-${String(month).padStart(2, '0')}`;
      const start = `${ym}-01`;
      // The day before the 1st of the run's month is the last day of the previous month.
      const end = addCalendarDays(`${date.slice(0, 7)}-01`, -1);
      return { job, key: `monthly:${ym}`, start, end, label: `${year}年${month}月` };
    }
  }
}

/** Whether no working day precedes `date` within [from, date). */
function firstWorkingDaySince(from: IsoDate, date: IsoDate): boolean {
  for (let d = from; d < date; d = addCalendarDays(d, 1)) if (isWorkingDay(d)) return false;
  return true;
}

/**
 * The jobs due at `nowMs`: from `atHour`:00 local time on a working day, reminders; on the first
 * working day of an ISO week, weekly; on the first working day of a month, monthly. A runner
 * calls this every few minutes and skips the keys it has already run, so "due" lasts all day.
 */
export function dueJobs(nowMs: number, timezone: string, atHour: number = DEFAULT_JOB_HOUR): JobPeriod[] {
  if (!Number.isInteger(atHour) || atHour < 0 || atHour > 23) {
    throw new RangeError(`dueJobs needs an hour 0–23, got ${atHour}`);
  }
  const now = localTime(nowMs, timezone);
  if (now.hour < atHour || !isWorkingDay(now.date)) return [];
  const due: JobPeriod[] = [periodFor('reminders', now.date)];
  if (firstWorkingDaySince(mondayOf(now.date), now.date)) due.push(periodFor('weekly', now.date));
  if (firstWorkingDaySince(`${now.date.slice(0, 7)}-01`, now.date)) due.push(periodFor('monthly', now.date));
  return due;
}

/**
 * This week so far, Monday..today, for a 通报 asked for in chat. Its key is deliberately not the
 * scheduled run's `weekly:<Monday>` (that names the previous week's report), so recording an
 * on-demand bulletin can never stop or stand in for a scheduled one.
 */
export function currentWeek(today: IsoDate): JobPeriod {
  const end = requireIso(today);
  const start = mondayOf(end);
  return { job: 'weekly', key: `weekly-to-date:${start}..${end}`, start, end, label: weekLabel(start, end) };
}

/** Which bulletin a 通报 asks for: this week so far, the last reported week, a whole month, or a year. */
export type BulletinAsk =
  | { period: 'this_week' }
  | { period: 'last_week' }
  | { period: 'month'; year: number | null; month: number | null }
  | { period: 'year'; year: number | 'this' | 'last' };

/** The bulletin a 通报 in chat draws: its kind and its days, inclusive. */
export interface AskedBulletin {
  kind: BulletinKind;
  start: IsoDate;
  end: IsoDate;
}

/**
 * The span of a bulletin asked for in chat, as the scheduled run would have reported it: 上周 is
 * the week(s) this Monday's run covers, a month is that calendar month. A month not over yet has no
 * monthly bulletin; "10月" without a year is the latest October that is over. A year is asked for
 * while it runs too (the annual summary is written in December): this year means 1 January to today.
 */
export function askedBulletinPeriod(ask: BulletinAsk, today: IsoDate): { ok: true; bulletin: AskedBulletin } | { ok: false; reason: string } {
  const found = (kind: BulletinKind, period: { start: IsoDate; end: IsoDate }) => ({ ok: true as const, bulletin: { kind, start: period.start, end: period.end } });
  const now = parseIsoDate(requireIso(today))!;
  switch (ask.period) {
    case 'this_week':
      return found('on_demand', currentWeek(today));
    case 'last_week':
      return found('weekly', periodFor('weekly', today));
    case 'year': {
      const year = ask.year === 'this' ? now.year : ask.year === 'last' ? now.year - 1 : ask.year;
      if (year > now.year) return { ok: false, reason: `${year}年还没有到。` };
      return found('yearly', { start: `${String(year).padStart(4, '0')}-01-01`, end: year === now.year ? today : `${String(year).padStart(4, '0')}-12-31` });
    }
    case 'month': {
      if (ask.month === null) return found('monthly', periodFor('monthly', today));
      if (ask.month < 1 || ask.month > 12) return { ok: false, reason: `没有${ask.month}月。` };
      const year = ask.year ?? (ask.month <= now.month ? now.year : now.year - 1);
      if (year * 12 + ask.month >= now.year * 12 + now.month) {
        return { ok: false, reason: `${year}年${ask.month}月尚未结束，月度通报在次月第一个工作日发送；现在可发送「通报」查看本周截至今日的通报。` };
      }
      const following = ask.month === 12 ? `${year + 1}-01-01` : `${year}-${String(ask.month + 1).padStart(2, '0')}-01`;
      return found('monthly', periodFor('monthly', following));
    }
  }
}
