// The weekly and monthly bulletin (周调度、月通报) to the supervision group: what came in, what
// was closed, what is still open or overdue, who did well and who did not (红黑榜), and which
// problems keep coming back (专项整治). Pure: the store counts, this file ranks, trims and words.
import type { InspectionSummary } from './inspection-coverage.js';
import { formatDateZh, formatShortZh } from './deadline.js';
import type { IsoDate } from './model.js';
import { parseIsoDate } from './working-days.js';

/**
 * Counts for one period. `open` is what is still not closed at the period's end; `overdue` is
 * the part of `open` past its deadline (so overdue ≤ open), as in "在办31个，其中逾期4个".
 */
export interface Counts {
  new: number;
  closed: number;
  open: number;
  overdue: number;
}

/** Period counts plus the running totals the completion rate is taken from. */
export interface Totals extends Counts {
  totalEver: number;
  closedEver: number;
}

/** yearly: 年度通报, asked for in chat (the year so far, or a past year); never scheduled */
export type BulletinKind = 'weekly' | 'monthly' | 'yearly' | 'on_demand';
export type BulletinRow = { name: string } & Counts;

export interface OverdueItem {
  findingNumber: number;
  departmentName: string | null;
  description: string;
  leaderUserId: string;
  overdueDays: number;
}

export interface RepeatItem {
  departmentName: string;
  category: string;
  count: number;
}

export interface TrendPoint {
  label: string;
  new: number;
  closed: number;
}

export interface BulletinSource {
  kind: BulletinKind;
  /** inclusive */
  periodStart: IsoDate;
  /** inclusive */
  periodEnd: IsoDate;
  campaignName: string;
  current: Totals;
  previous: Totals;
  /** the store names a null department "未指定科室" */
  byDepartment: BulletinRow[];
  byCategory: BulletinRow[];
  overdue: OverdueItem[];
  /** same department + category ≥ 3 times in 90 days, found by the store */
  repeats: RepeatItem[];
  /** oldest first */
  trend: TrendPoint[];
  /** the period's inspections (督查情况 in brief); absent where the caller did not read them */
  inspections?: InspectionSummary;
}

/** The first rows of a longer list, and how many were left out. */
export interface Trimmed<T> {
  items: T[];
  rest: number;
}

export interface BulletinView {
  kind: BulletinKind;
  campaignName: string;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  /** "2026年第47周", "2026年11月", "截至11月25日" */
  periodLabel: string;
  /** "11月16日—11月22日" */
  rangeText: string;
  /** how the text names this period and the one before: 本周/上周, 本月/上月 */
  periodWord: string;
  previousWord: string;
  current: Totals;
  previous: Totals;
  /** closedEver / totalEver, 0–1; null while nothing has been filed */
  rate: number | null;
  previousRate: number | null;
  /** "75.0%", or "—" when rate is null */
  rateText: string;
  /** current − previous rate in percentage points, one decimal; null when either is null */
  rateChange: number | null;
  /** "较上周+3.2个百分点", "与上周持平", or null */
  rateChangeText: string | null;
  headline: string;
  departments: Trimmed<BulletinRow>;
  categories: Trimmed<BulletinRow>;
  overdue: Trimmed<OverdueItem>;
  repeats: Trimmed<RepeatItem>;
  /** 红榜 */
  best: BulletinRow[];
  /** 黑榜 */
  worst: BulletinRow[];
  trend: TrendPoint[];
  inspections: InspectionSummary | null;
  /** something was left out, so the card should point to the ledger */
  truncated: boolean;
}

export interface BulletinOptions {
  topRows?: number;
  topOverdue?: number;
  topRepeats?: number;
}

const DEFAULTS = { topRows: 10, topOverdue: 10, topRepeats: 5 };
/** 红榜 and 黑榜 name three each: a short list is read, a long one is skimmed. */
export const HONOUR_ROLL_SIZE = 3;
/** Half a year of weeks; an older point says little about this week and costs card bytes. */
export const MAX_TREND_POINTS = 26;

export function completionRate(t: Totals): number | null {
  return t.totalEver > 0 ? t.closedEver / t.totalEver : null;
}

export function buildBulletin(source: BulletinSource, options: BulletinOptions = {}): BulletinView {
  const top = { ...DEFAULTS, ...definedOnly(options) };
  const words = periodWords(source.kind);
  const rate = completionRate(source.current);
  const previousRate = completionRate(source.previous);
  const rateChange = pointsBetween(rate, previousRate);
  const rateChangeText = changeText(rateChange, words.previous);

  const departments = trim(byWeight(withActivity(source.byDepartment)), top.topRows);
  const categories = trim(byWeight(withActivity(source.byCategory)), top.topRows);
  const overdue = trim(
    [...source.overdue].sort((a, b) => b.overdueDays - a.overdueDays || a.findingNumber - b.findingNumber),
    top.topOverdue,
  );
  const repeats = trim(
    [...source.repeats].sort(
      (a, b) => b.count - a.count || byText(a.departmentName, b.departmentName) || byText(a.category, b.category),
    ),
    top.topRepeats,
  );

  return {
    kind: source.kind,
    campaignName: source.campaignName,
    periodStart: source.periodStart,
    periodEnd: source.periodEnd,
    periodLabel: periodLabel(source),
    rangeText: rangeText(source.periodStart, source.periodEnd),
    periodWord: words.current,
    previousWord: words.previous,
    current: source.current,
    previous: source.previous,
    rate,
    previousRate,
    rateText: rate === null ? '—' : `${percent(rate)}%`,
    rateChange,
    rateChangeText,
    headline: headline(words.current, source.current, rate, rateChangeText),
    departments,
    categories,
    overdue,
    repeats,
    best: bestDepartments(source.byDepartment),
    worst: worstDepartments(source.byDepartment),
    trend: source.trend.slice(-MAX_TREND_POINTS),
    inspections: source.inspections ?? null,
    truncated: departments.rest + categories.rest + overdue.rest + repeats.rest > 0,
  };
}

function periodWords(kind: BulletinKind): { current: string; previous: string } {
  if (kind === 'monthly') return { current: '本月', previous: '上月' };
  if (kind === 'yearly') return { current: '本年度', previous: '上年度同期' };
  // An on-demand bulletin covers the running week so far and compares with last week.
  if (kind === 'on_demand') return { current: '本周截至今日', previous: '上周' };
  return { current: '本周', previous: '上周' };
}

function headline(word: string, c: Counts, rate: number | null, change: string | null): string {
  const parts = [
    c.new > 0 ? `${word}新发现问题${c.new}个` : `${word}未发现新问题`,
    c.closed > 0 ? `销号${c.closed}个` : '无销号',
    c.open > 0 ? `在办${c.open}个，${c.overdue > 0 ? `其中逾期${c.overdue}个` : '无逾期'}` : '无在办问题',
  ];
  const rateText = rate === null ? '尚无登记问题，暂无整改完成率' : `累计整改完成率${percent(rate)}%${change ? `（${change}）` : ''}`;
  return `${parts.join('，')}；${rateText}。`;
}

/** "75.0": one decimal, as the bulletin prints it. */
function percent(rate: number): string {
  return (Math.round(rate * 1000) / 10).toFixed(1);
}

// The change is taken between the two rates as printed, so 75.0% against 71.8% always reads
// +3.2 and never a +3.3 that the reader cannot reproduce from the figures on the card.
function pointsBetween(rate: number | null, previous: number | null): number | null {
  if (rate === null || previous === null) return null;
  return (Math.round(rate * 1000) - Math.round(previous * 1000)) / 10;
}

function changeText(points: number | null, previousWord: string): string | null {
  if (points === null) return null;
  if (points === 0) return `与${previousWord}持平`;
  return `较${previousWord}${points > 0 ? '+' : '-'}${Math.abs(points).toFixed(1)}个百分点`;
}

// A department with nothing new, closed or open has nothing to report; with hundreds of
// departments those rows would bury the few that matter, so they are left out, not counted.
function withActivity(rows: BulletinRow[]): BulletinRow[] {
  return rows.filter((r) => r.new + r.closed + r.open + r.overdue > 0);
}

// Open + overdue: an overdue item is also open, so it weighs twice — the rows that need
// pushing come first. Ties go by name so the order never depends on the store's.
function byWeight(rows: BulletinRow[]): BulletinRow[] {
  return [...rows].sort((a, b) => b.open + b.overdue - (a.open + a.overdue) || byText(a.name, b.name));
}

/** 红榜: closed something this period and let nothing run overdue; most closed first. */
function bestDepartments(rows: BulletinRow[]): BulletinRow[] {
  return rows
    .filter((r) => r.closed > 0 && r.overdue === 0)
    .sort((a, b) => b.closed - a.closed || byText(a.name, b.name))
    .slice(0, HONOUR_ROLL_SIZE);
}

/** 黑榜: anything overdue; most overdue first, then most still open. */
function worstDepartments(rows: BulletinRow[]): BulletinRow[] {
  return rows
    .filter((r) => r.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || byText(a.name, b.name))
    .slice(0, HONOUR_ROLL_SIZE);
}

function trim<T>(items: T[], n: number): Trimmed<T> {
  const keep = Math.max(0, Math.floor(n));
  return { items: items.slice(0, keep), rest: Math.max(0, items.length - keep) };
}

// Code-point order, not pinyin: the same on every runtime whatever its ICU data.
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function periodLabel(source: BulletinSource): string {
  const start = parseIsoDate(source.periodStart);
  if (source.kind === 'on_demand') return `截至${formatShortZh(source.periodEnd)}`;
  if (!start) return `${source.periodStart}—${source.periodEnd}`;
  if (source.kind === 'monthly') return `${start.year}年${start.month}月`;
  if (source.kind === 'yearly') return `${start.year}年度`;
  const week = isoWeek(start.year, start.month, start.day);
  return `${week.year}年第${week.week}周`;
}

/** ISO 8601 week: the week belongs to the year its Thursday falls in. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = Date.UTC(year, month - 1, day);
  const mondayBased = (new Date(date).getUTCDay() + 6) % 7;
  const thursday = new Date(date + (3 - mondayBased) * 86_400_000);
  const thursdayYear = thursday.getUTCFullYear();
  const ordinal = (thursday.getTime() - Date.UTC(thursdayYear, 0, 1)) / 86_400_000 + 1;
  return { year: thursdayYear, week: Math.ceil(ordinal / 7) };
}

function rangeText(start: IsoDate, end: IsoDate): string {
  const sameYear = start.slice(0, 4) === end.slice(0, 4);
  const fmt = sameYear ? formatShortZh : formatDateZh;
  return start === end ? fmt(start) : `${fmt(start)}—${fmt(end)}`;
}

function definedOnly(options: BulletinOptions): BulletinOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
