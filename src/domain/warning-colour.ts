// 三色督办: the colour a task shows on cards and in the ledger. Derived from the deadline and
// today every time it is drawn — overdue is never stored, so it cannot go stale.
import type { IsoDate, TaskState } from './model.js';
import { workingDaysBetween } from './working-days.js';

export type WarningColour = 'blue' | 'yellow' | 'red' | 'green' | 'grey';

export const WARNING_COLOURS: readonly WarningColour[] = ['blue', 'yellow', 'red', 'green', 'grey'];

export const WARNING_COLOUR_LABELS: Record<WarningColour, string> = {
  blue: '按期推进',
  yellow: '临期/轻度逾期',
  red: '严重逾期',
  green: '已销号',
  grey: '已撤销',
};

/** Past the deadline: the deadline day itself is still on time. */
export function isOverdue(deadline: IsoDate, today: IsoDate): boolean {
  return today > deadline;
}

/** Working days elapsed since the deadline, in (deadline, today]; 0 when not overdue. */
export function overdueWorkingDays(deadline: IsoDate, today: IsoDate): number {
  return workingDaysBetween(deadline, today);
}

export interface WarningColourInput {
  state: TaskState;
  deadline: IsoDate;
  returnsCount: number;
  today: IsoDate;
  /** deadlines this many working days ahead (or fewer) are 临期 */
  dueSoonWorkingDays: number;
  /** overdue by more than this many working days is 严重逾期 */
  redAfterWorkingDays: number;
}

/** Returned for rework this many times, a task is red whatever its deadline says. */
export const RED_AFTER_RETURNS = 2;

export function warningColour(input: WarningColourInput): WarningColour {
  const { state, deadline, today } = input;
  if (state === 'closed') return 'green';
  if (state === 'cancelled') return 'grey';
  if (input.returnsCount >= RED_AFTER_RETURNS) return 'red';
  if (isOverdue(deadline, today)) {
    // Past the deadline is never blue, even across a weekend that adds no working days yet.
    return overdueWorkingDays(deadline, today) > input.redAfterWorkingDays ? 'red' : 'yellow';
  }
  return workingDaysBetween(today, deadline) <= input.dueSoonWorkingDays ? 'yellow' : 'blue';
}
