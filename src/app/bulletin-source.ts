// Turns the store's one-scan figures into the bulletin's source: totals, tables by department and
// by category, overdue days in working days, and the trend buckets.
import type { BulletinSource, Counts, Totals } from '../domain/bulletin.js';
import type { IsoDate } from '../domain/model.js';
import { overdueWorkingDays } from '../domain/warning-colour.js';
import { addCalendarDays, weekdayOf } from '../domain/working-days.js';
import type { Settings } from './ports.js';
import type { BulletinFigures, BulletinQuery, FigureCounts } from './store-port.js';

export type BulletinKind = BulletinSource['kind'];

export interface Span {
  start: IsoDate;
  end: IsoDate;
}

const TREND_WEEKS = 8;
const TREND_MONTHS = 6;
export const OVERDUE_LIST_LIMIT = 200;

export const mondayOf = (date: IsoDate): IsoDate => addCalendarDays(date, -((weekdayOf(date) + 6) % 7));
const monthStart = (date: IsoDate): IsoDate => `${date.slice(0, 7)}-01`;
function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** The same day a year earlier; 29 February becomes the 28th. */
function yearEarlier(date: IsoDate): IsoDate {
  const year = String(Number(date.slice(0, 4)) - 1).padStart(4, '0');
  const monthDay = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${year}-${monthDay}`;
}

const byMonth = (kind: BulletinKind) => kind === 'monthly' || kind === 'yearly';

/** The span the figures are compared with: the week or month before, or the same days a week earlier. */
export function previousSpan(kind: BulletinKind, span: Span): Span {
  if (kind === 'yearly') return { start: yearEarlier(span.start), end: yearEarlier(span.end) };
  if (kind === 'monthly') {
    const start = addMonths(span.start, -1);
    return { start, end: addCalendarDays(span.start, -1) };
  }
  return { start: addCalendarDays(span.start, -7), end: addCalendarDays(span.end, -7) };
}

export function bulletinQuery(kind: BulletinKind, span: Span, today: IsoDate, settings: Settings): BulletinQuery {
  const previous = previousSpan(kind, span);
  return {
    start: span.start,
    end: span.end,
    previousStart: previous.start,
    previousEnd: previous.end,
    today,
    repeatSince: addCalendarDays(today, -settings.repeatWindowDays),
    repeatMinCount: settings.repeatMinCount,
    // a year's trend is its own months; a month's the months before it; a week's the weeks before it
    trendSince:
      kind === 'yearly'
        ? monthStart(span.start)
        : kind === 'monthly'
          ? addMonths(monthStart(span.start), -(TREND_MONTHS - 1))
          : addCalendarDays(mondayOf(span.start), -7 * (TREND_WEEKS - 1)),
    overdueLimit: OVERDUE_LIST_LIMIT,
  };
}

function add(into: FigureCounts, from: FigureCounts): void {
  into.new += from.new;
  into.closed += from.closed;
  into.open += from.open;
  into.overdue += from.overdue;
}

const zero = (): FigureCounts => ({ new: 0, closed: 0, open: 0, overdue: 0 });
const counts = ({ new: n, closed, open, overdue }: FigureCounts): Counts => ({ new: n, closed, open, overdue });

function groupBy(figures: BulletinFigures, key: 'department' | 'category'): ({ name: string } & Counts)[] {
  const byName = new Map<string, FigureCounts>();
  for (const row of figures.groups) {
    const name = row[key];
    if (!byName.has(name)) byName.set(name, zero());
    add(byName.get(name)!, row);
  }
  return [...byName].map(([name, c]) => ({ name, ...counts(c) }));
}

function trend(kind: BulletinKind, figures: BulletinFigures, query: BulletinQuery): BulletinSource['trend'] {
  const monthly = byMonth(kind);
  const bucketOf = monthly ? monthStart : mondayOf;
  const buckets: { key: IsoDate; label: string; new: number; closed: number }[] = [];
  for (let key = bucketOf(query.trendSince); key <= query.end; key = monthly ? addMonths(key, 1) : addCalendarDays(key, 7)) {
    const label = monthly ? `${Number(key.slice(5, 7))}月` : `${Number(key.slice(5, 7))}/${Number(key.slice(8, 10))}`;
    buckets.push({ key, label, new: 0, closed: 0 });
  }
  const index = new Map(buckets.map((b) => [b.key, b]));
  for (const { date, n } of figures.foundByDate) {
    const bucket = date <= query.end ? index.get(bucketOf(date)) : undefined;
    if (bucket) bucket.new += n;
  }
  for (const { date, n } of figures.closedByDate) {
    const bucket = date <= query.end ? index.get(bucketOf(date)) : undefined;
    if (bucket) bucket.closed += n;
  }
  return buckets.map(({ label, new: n, closed }) => ({ label, new: n, closed }));
}

export function toBulletinSource(figures: BulletinFigures, kind: BulletinKind, query: BulletinQuery, campaignName: string): BulletinSource {
  const current = zero();
  const previous = zero();
  for (const row of figures.groups) {
    add(current, row);
    add(previous, row.previous);
  }
  return {
    kind,
    periodStart: query.start,
    periodEnd: query.end,
    campaignName,
    current: { ...counts(current), ...figures.totals.current } satisfies Totals,
    previous: { ...counts(previous), ...figures.totals.previous } satisfies Totals,
    byDepartment: groupBy(figures, 'department'),
    byCategory: groupBy(figures, 'category'),
    overdue: figures.overdue.map((o) => ({
      findingNumber: o.findingNumber,
      departmentName: o.departmentName,
      description: o.description,
      leaderUserId: o.leaderUserId,
      overdueDays: overdueWorkingDays(o.deadline, query.today),
    })),
    repeats: figures.repeats,
    trend: trend(kind, figures, query),
  };
}
