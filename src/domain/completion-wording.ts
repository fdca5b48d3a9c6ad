// 整改完成情况: the one line real ledgers write after each problem (seed 003). Duban writes it from a
// task's state, and reads it back when a hand-kept ledger is imported mid-campaign.
import type { ClosureKind, IsoDate, TaskState } from './model.js';
import { addCalendarDays, parseIsoDate, toIsoDate, ymd } from './working-days.js';

export const CLOSURE_WORDING: Record<ClosureKind, string> = {
  done: '已整改完成',
  done_on_the_spot: '即知即改并已整改完成',
  long_term: '长期任务取得阶段性成效并长期坚持',
};

/** "继续整改、12月31日前整改完成": an open item, with the date it is due (the year when not this year's). */
export function continuingWording(deadline: IsoDate, today: IsoDate): string {
  const d = parseIsoDate(deadline);
  if (!d) return '继续整改';
  const year = parseIsoDate(today)?.year === d.year ? '' : `${d.year}年`;
  return `继续整改、${year}${d.month}月${d.day}日前整改完成`;
}

export function wordingFor(task: { state: TaskState; closureKind: ClosureKind | null; deadline: IsoDate }, today: IsoDate): string {
  if (task.state === 'closed') return CLOSURE_WORDING[task.closureKind ?? 'done'];
  if (task.state === 'cancelled') return '已撤销';
  return continuingWording(task.deadline, today);
}

export type ReadWording =
  /** nothing written: a plain problem list, every item still to do */
  | { kind: 'blank' }
  | { kind: 'closed'; closureKind: ClosureKind }
  /** still open; `deadline` is the date the wording names, if it names one */
  | { kind: 'open'; deadline: IsoDate | null }
  | { kind: 'unknown' };

const CONTINUING = /继续整改|正在整改|整改中|持续整改|未完成|尚未完成|未整改/;
const LONG_TERM = /长期/;
const ON_THE_SPOT = /即知即改|立行立改|即改/;
const DONE = /已整改完成|已完成整改|整改完成|已完成|已整改|已销号|完成/;

/**
 * Reads a wording. Any mention of continuing work keeps the item open, whatever else the line says
 * ("已整改完成；继续整改、2025年12月前整改完成" is still open): closing it is the verifier's call.
 */
export function readWording(text: string, today: IsoDate): ReadWording {
  const t = text.normalize('NFKC').replace(/\s+/g, '');
  if (t === '') return { kind: 'blank' };
  if (CONTINUING.test(t)) return { kind: 'open', deadline: namedDate(t, today) };
  if (LONG_TERM.test(t)) return { kind: 'closed', closureKind: 'long_term' };
  if (ON_THE_SPOT.test(t)) return { kind: 'closed', closureKind: 'done_on_the_spot' };
  if (DONE.test(t)) return { kind: 'closed', closureKind: 'done' };
  return { kind: 'unknown' };
}

/**
 * The first date a wording names: "2025年12月5日", "2025-12-05", "12月5日" (this year), or a month
 * alone — "2025年12月前", "7月底" — read as that month's last day.
 */
export function namedDate(text: string, today: IsoDate): IsoDate | null {
  const t = text.normalize('NFKC');
  const thisYear = parseIsoDate(today)?.year ?? 2000;
  const patterns: [RegExp, (m: RegExpExecArray) => IsoDate | null][] = [
    [/(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/, (m) => fromParts(Number(m[1]), Number(m[2]), Number(m[3]))],
    [/(\d{4})年(\d{1,2})月(\d{1,2})[日号]/, (m) => fromParts(Number(m[1]), Number(m[2]), Number(m[3]))],
    [/(\d{4})年(\d{1,2})月/, (m) => monthEnd(Number(m[1]), Number(m[2]))],
    [/(\d{1,2})月(\d{1,2})[日号]/, (m) => fromParts(thisYear, Number(m[1]), Number(m[2]))],
    [/(\d{1,2})月/, (m) => monthEnd(thisYear, Number(m[1]))],
  ];
  let best: { at: number; date: IsoDate } | null = null;
  for (const [pattern, read] of patterns) {
    const m = pattern.exec(t);
    if (!m) continue;
    const date = read(m);
    // the earliest match in the text wins; among matches at the same place, the most precise
    if (date && (best === null || m.index < best.at)) best = { at: m.index, date };
  }
  return best?.date ?? null;
}

function fromParts(year: number, month: number, day: number): IsoDate | null {
  const d = ymd(year, month, day);
  return d ? toIsoDate(d) : null;
}

function monthEnd(year: number, month: number): IsoDate | null {
  const next = month === 12 ? ymd(year + 1, 1, 1) : ymd(year, month + 1, 1);
  return month >= 1 && month <= 12 && next ? addCalendarDays(toIsoDate(next), -1) : null;
}
