// The working-day calendar: Chinese statutory holidays and adjusted working weekends (调休)
// from chinese-days, Monday–Friday for years the library has no data for.
//
// Only the library's *data* is trusted, not its date handling: it formats dates with the host
// time zone, so west of UTC its `work` flag for ordinary days and its `date` field are a day
// off. The holiday/补班 entries themselves are looked up consistently in every zone, so we
// take those from getDayDetail and compute the weekday ourselves in UTC.
import chineseDays from 'chinese-days';
import type { IsoDate } from './model.js';

const DAY_MS = 86_400_000;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

/** Parses a real calendar date `YYYY-MM-DD` (years 1000–9999); null for anything else. */
export function parseIsoDate(date: string): YearMonthDay | null {
  const m = ISO_RE.exec(date);
  if (!m) return null;
  return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Validates the parts of a date; null when the day does not exist (2月30日). */
export function ymd(year: number, month: number, day: number): YearMonthDay | null {
  // Date.UTC maps years 0–99 onto the 1900s, so those cannot be checked round-trip.
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return null;
  if (!Number.isInteger(month) || !Number.isInteger(day)) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function toIsoDate({ year, month, day }: YearMonthDay): IsoDate {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function epochDayOf(p: YearMonthDay): number {
  return Date.UTC(p.year, p.month - 1, p.day) / DAY_MS;
}

function isoOfEpochDay(epochDay: number): IsoDate {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

function requireDate(date: IsoDate): YearMonthDay {
  const p = parseIsoDate(date);
  if (!p) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return p;
}

export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  return isoOfEpochDay(epochDayOf(requireDate(date)) + n);
}

/** `to − from` in calendar days; negative when `to` is earlier. */
export function calendarDaysBetween(from: IsoDate, to: IsoDate): number {
  return epochDayOf(requireDate(to)) - epochDayOf(requireDate(from));
}

/** 0 = Sunday … 6 = Saturday, independent of the host time zone. */
export function weekdayOf(date: IsoDate): number {
  return new Date(epochDayOf(requireDate(date)) * DAY_MS).getUTCDay();
}

// ---- coverage -------------------------------------------------------------------------------

const coverage = new Map<number, boolean>();

/** Whether chinese-days has the State Council's holiday arrangement for `year`. */
export function calendarCovers(year: number): boolean {
  let covered = coverage.get(year);
  if (covered === undefined) {
    // Every published arrangement lists 元旦 on 1 January; an unlisted year yields a weekday name.
    covered =
      Number.isInteger(year) && year >= 1000 && year <= 9999
        ? chineseDays.getDayDetail(`${year}-01-01`).name.includes('元旦')
        : false;
    coverage.set(year, covered);
  }
  return covered;
}

/** The distinct years among `dates` that fall back to Monday–Friday, ascending; bad dates ignored. */
export function uncoveredYears(dates: Iterable<IsoDate>): number[] {
  const years = new Set<number>();
  for (const date of dates) {
    const p = parseIsoDate(date);
    if (p && !calendarCovers(p.year)) years.add(p.year);
  }
  return [...years].sort((a, b) => a - b);
}

// ---- per-year tables ------------------------------------------------------------------------

interface YearTable {
  firstEpochDay: number;
  /** 1 where the day is a working day, indexed by day of year (0-based) */
  working: Uint8Array;
  /** prefix[i] = working days among the first i days of the year */
  prefix: Uint16Array;
  total: number;
}

const tables = new Map<number, YearTable>();

function yearTable(year: number): YearTable {
  let table = tables.get(year);
  if (table) return table;
  const firstEpochDay = Date.UTC(year, 0, 1) / DAY_MS;
  const length = Date.UTC(year + 1, 0, 1) / DAY_MS - firstEpochDay;
  const covered = calendarCovers(year);
  const working = new Uint8Array(length);
  const prefix = new Uint16Array(length + 1);
  for (let i = 0; i < length; i++) {
    const epochDay = firstEpochDay + i;
    const weekday = new Date(epochDay * DAY_MS).getUTCDay();
    let isWorking = weekday >= 1 && weekday <= 5;
    if (covered) {
      const detail = chineseDays.getDayDetail(isoOfEpochDay(epochDay));
      // Listed holidays and 补班 days are named "English,中文,n"; other days get a weekday name.
      if (detail.name.includes(',')) isWorking = detail.work;
    }
    working[i] = isWorking ? 1 : 0;
    prefix[i + 1] = (prefix[i] ?? 0) + working[i]!;
  }
  table = { firstEpochDay, working, prefix, total: prefix[length]! };
  tables.set(year, table);
  return table;
}

interface DayRef {
  year: number;
  /** day of year, 0-based */
  index: number;
}

// A sweep asks about the same few hundred deadlines over and over; parse each string once.
const dayRefs = new Map<string, DayRef>();
const DAY_REF_LIMIT = 100_000;

function dayRef(date: IsoDate): DayRef {
  let ref = dayRefs.get(date);
  if (ref) return ref;
  const p = requireDate(date);
  ref = { year: p.year, index: epochDayOf(p) - Date.UTC(p.year, 0, 1) / DAY_MS };
  if (dayRefs.size >= DAY_REF_LIMIT) dayRefs.clear();
  dayRefs.set(date, ref);
  return ref;
}

// ---- the calendar ---------------------------------------------------------------------------

export function isWorkingDay(date: IsoDate): boolean {
  const { year, index } = dayRef(date);
  return yearTable(year).working[index] === 1;
}

/** The n-th working day after `from` (n ≥ 1); `from` itself never counts. */
export function addWorkingDays(from: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`addWorkingDays needs an integer n ≥ 1, got ${n}`);
  const ref = dayRef(from);
  let year = ref.year;
  let start = ref.index + 1;
  let remaining = n;
  for (;;) {
    const table = yearTable(year);
    const available = table.total - (table.prefix[start] ?? table.total);
    if (available < remaining) {
      remaining -= available;
      year += 1;
      start = 0;
      continue;
    }
    for (let i = start; i < table.working.length; i++) {
      if (table.working[i] === 1 && --remaining === 0) return isoOfEpochDay(table.firstEpochDay + i);
    }
  }
}

/** Working days in (from, to]; 0 when `to` is not after `from`. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  const a = dayRef(from);
  const b = dayRef(to);
  if (b.year < a.year || (b.year === a.year && b.index <= a.index)) return 0;
  const ta = yearTable(a.year);
  if (a.year === b.year) return ta.prefix[b.index + 1]! - ta.prefix[a.index + 1]!;
  let count = ta.total - ta.prefix[a.index + 1]!;
  for (let y = a.year + 1; y < b.year; y++) count += yearTable(y).total;
  return count + yearTable(b.year).prefix[b.index + 1]!;
}
