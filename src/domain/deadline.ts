// Reads the 整改完成时间 people actually type ("12月5日", "3个工作日", "下周一", the Feishu
// date picker's "2026-12-05 +0800") into a calendar date.
import type { IsoDate } from './model.js';
import {
  addCalendarDays,
  addWorkingDays,
  calendarDaysBetween,
  parseIsoDate,
  toIsoDate,
  weekdayOf,
  ymd,
  type YearMonthDay,
} from './working-days.js';

export type DeadlineKind = 'date' | 'working_days' | 'days';
export type DeadlineResult =
  | { ok: true; deadline: IsoDate; kind: DeadlineKind }
  | { ok: false; reason: string };

/** Further out than this is a typo or a wish, not a rectification deadline. */
export const MAX_DEADLINE_DAYS = 365;

const N = '(\\d{1,6}|[一二两三四五六七八九十]{1,3})';
const FULL_DATE = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:\s*[+-]\d{2}:?\d{2})?$/;
const YEAR_ZH = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/;
const MONTH_DAY_ZH = /^(\d{1,2})月(\d{1,2})[日号]?$/;
const MONTH_DAY_NUM = /^(\d{1,2})[-/.](\d{1,2})$/;
const DAY_OF_MONTH = /^(\d{1,2})号$/;
const WORKING_DAYS = new RegExp(`^${N}\\s*个?\\s*工作日$`);
const CALENDAR_DAYS = new RegExp(`^${N}\\s*(?:个)?\\s*天$`);
const DAYS_WITHIN = new RegExp(`^${N}\\s*日$`);
const WEEKDAY = /^(本|这|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])$/;
const RELATIVE_DAY: Record<string, number> = { 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2 };

const DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** Arabic or Chinese numerals up to 九十九 (一, 两, 十, 十一, 二十, 九十九); null otherwise. */
export function parseCount(input: string): number | null {
  const text = input.normalize('NFKC');
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return null;
  const [, tens, ten, units] = m;
  if (!ten) return tens && !units ? DIGITS[tens]! : null;
  if (tens === '两') return null; // "两十" is not how anyone writes 20
  return (tens ? DIGITS[tens]! : 1) * 10 + (units ? DIGITS[units]! : 0);
}

function formatError(original: string): DeadlineResult {
  return {
    ok: false,
    reason: `整改完成时间格式不对：「${original}」。可以写 2026-12-05、12月5日、3个工作日 或 5天`,
  };
}

/** Checks the window [today, today + MAX_DEADLINE_DAYS]. */
function within(deadline: IsoDate, today: IsoDate, kind: DeadlineKind): DeadlineResult {
  const ahead = calendarDaysBetween(today, deadline);
  if (ahead < 0) {
    return { ok: false, reason: `整改完成时间不能早于今天（${formatDateZh(deadline)}已过，今天是${formatShortZh(today)}）` };
  }
  if (ahead > MAX_DEADLINE_DAYS) {
    return { ok: false, reason: `整改完成时间不能超过一年（${formatDateZh(deadline)}太远了）` };
  }
  return { ok: true, deadline, kind };
}

function fromParts(year: number, month: number, day: number, original: string, today: IsoDate): DeadlineResult {
  const date = ymd(year, month, day);
  if (!date) return { ok: false, reason: `整改完成时间不是有效日期：「${original}」（${month === 2 && day === 29 ? `${year}年` : ''}${month}月没有${day}日）` };
  return within(toIsoDate(date), today, 'date');
}

/** A month-day without a year: this year, or next year once it has passed. */
function fromMonthDay(month: number, day: number, original: string, today: YearMonthDay, todayIso: IsoDate): DeadlineResult {
  // Validate against a leap year so 2月29日 is judged by the year it lands in, not refused outright.
  if (!ymd(2024, month, day)) return fromParts(today.year, month, day, original, todayIso);
  const thisYear = ymd(today.year, month, day);
  if (thisYear && toIsoDate(thisYear) >= todayIso) return within(toIsoDate(thisYear), todayIso, 'date');
  return fromParts(today.year + 1, month, day, original, todayIso);
}

function fromCount(count: number | null, kind: 'working_days' | 'days', original: string, today: IsoDate): DeadlineResult {
  if (count === null) return formatError(original);
  if (count === 0) return { ok: false, reason: `整改期限不能是0天：「${original}」` };
  if (count > MAX_DEADLINE_DAYS) return { ok: false, reason: `整改期限不能超过一年：「${original}」` };
  const deadline = kind === 'working_days' ? addWorkingDays(today, count) : addCalendarDays(today, count);
  return within(deadline, today, kind);
}

export function parseDeadline(text: string, today: IsoDate): DeadlineResult {
  const original = text.trim();
  const todayParts = parseIsoDate(today);
  if (!todayParts) return { ok: false, reason: `内部错误：今天的日期无效（${today}）` };
  if (original === '') return { ok: false, reason: '请填写整改完成时间' };

  // Full-width digits and separators become ASCII; the framing words around a deadline go.
  let s = original.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const prefix = /^(?:请)?(?:限期|限|在|于)\s*/.exec(s)?.[0] ?? '';
  const suffix = /(?:\s*(?:之前|以前|前|完成|以内|之内|内))+$/.exec(s.slice(prefix.length))?.[0] ?? '';
  s = s.slice(prefix.length, s.length - suffix.length).trim();
  const isSpan = prefix.includes('限') || suffix.includes('内');

  let m: RegExpExecArray | null;
  if ((m = FULL_DATE.exec(s))) return fromParts(Number(m[1]), Number(m[3]), Number(m[4]), original, today);
  if ((m = YEAR_ZH.exec(s))) return fromParts(Number(m[1]), Number(m[2]), Number(m[3]), original, today);
  if ((m = MONTH_DAY_ZH.exec(s)) || (m = MONTH_DAY_NUM.exec(s))) {
    return fromMonthDay(Number(m[1]), Number(m[2]), original, todayParts, today);
  }
  if ((m = WORKING_DAYS.exec(s))) return fromCount(parseCount(m[1]!), 'working_days', original, today);
  if ((m = CALENDAR_DAYS.exec(s))) return fromCount(parseCount(m[1]!), 'days', original, today);
  if ((m = DAYS_WITHIN.exec(s))) {
    // "5日内" / "限5日" is a span; a bare "5日" could as well be the 5th of the month.
    if (isSpan) return fromCount(parseCount(m[1]!), 'days', original, today);
    return { ok: false, reason: `整改完成时间有歧义：「${original}」。请写成「12月5日」或「5日内」` };
  }
  if ((m = DAY_OF_MONTH.exec(s))) {
    const day = Number(m[1]);
    const sameMonth = ymd(todayParts.year, todayParts.month, day);
    if (sameMonth && toIsoDate(sameMonth) >= today) return within(toIsoDate(sameMonth), today, 'date');
    const next = todayParts.month === 12 ? { y: todayParts.year + 1, mo: 1 } : { y: todayParts.year, mo: todayParts.month + 1 };
    return fromParts(next.y, next.mo, day, original, today);
  }
  if ((m = WEEKDAY.exec(s))) {
    // Weeks run Monday to Sunday, as on a Chinese calendar; a bare "周五" is the next one to come.
    const todayWeekday = weekdayOf(today) || 7;
    let offset = WEEKDAYS[m[2]!]! - todayWeekday + (m[1] === '下' ? 7 : 0);
    if (m[1] === undefined && offset < 0) offset += 7;
    return within(addCalendarDays(today, offset), today, 'date');
  }
  // own keys only: 「toString」 typed as a deadline must not find Object.prototype's function
  const relative = Object.hasOwn(RELATIVE_DAY, s) ? RELATIVE_DAY[s] : undefined;
  if (relative !== undefined) return within(addCalendarDays(today, relative), today, 'date');
  return formatError(original);
}

/** "2026年12月5日"; anything that is not a date comes back unchanged. */
export function formatDateZh(date: IsoDate): string {
  const p = parseIsoDate(date);
  return p ? `${p.year}年${p.month}月${p.day}日` : date;
}

/** "12月5日"; anything that is not a date comes back unchanged. */
export function formatShortZh(date: IsoDate): string {
  const p = parseIsoDate(date);
  return p ? `${p.month}月${p.day}日` : date;
}
