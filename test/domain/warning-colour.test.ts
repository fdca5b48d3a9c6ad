import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../src/domain/model.js';
import {
  WARNING_COLOUR_LABELS,
  WARNING_COLOURS,
  isOverdue,
  overdueWorkingDays,
  warningColour,
  type WarningColourInput,
} from '../../src/domain/warning-colour.js';

// Settings as a hospital would run them: 2 working days' warning, red after 3 working days late.
const base = { state: 'in_progress', returnsCount: 0, dueSoonWorkingDays: 2, redAfterWorkingDays: 3 } as const;

function colour(deadline: string, today: string, extra: Partial<WarningColourInput> = {}) {
  return warningColour({ ...base, deadline, today, ...extra });
}

const OPEN_STATES: TaskState[] = ['pending', 'declined', 'in_progress', 'submitted'];

describe('isOverdue', () => {
  it.each([
    ['2026-10-09', '2026-10-08', false, 'before the deadline'],
    ['2026-10-09', '2026-10-09', false, 'the deadline day itself is still on time'],
    ['2026-10-09', '2026-10-10', true, 'the day after'],
    ['2026-09-30', '2026-10-03', true, 'the day after even when it is a holiday'],
    ['2026-12-31', '2027-01-01', true, 'across the year end'],
  ])('deadline %s, today %s → %s (%s)', (deadline, today, expected) => {
    expect(isOverdue(deadline, today)).toBe(expected);
  });
});

describe('overdueWorkingDays', () => {
  it.each([
    ['2026-10-09', '2026-10-08', 0, 'not yet due'],
    ['2026-10-09', '2026-10-09', 0, 'due today'],
    ['2026-03-05', '2026-03-06', 1, 'Thursday deadline, Friday today'],
    ['2026-03-06', '2026-03-08', 0, 'a weekend after a Friday deadline'],
    ['2026-03-06', '2026-03-09', 1, 'then Monday'],
    ['2026-09-30', '2026-10-07', 0, 'the National Day holiday does not count against anyone'],
    ['2026-09-30', '2026-10-08', 1, 'first day back'],
    ['2026-09-30', '2026-10-10', 3, 'the adjusted working Saturday counts'],
    ['2026-09-30', '2026-10-12', 4, ''],
    ['2026-02-13', '2026-02-24', 2, 'Saturday 02-14 was worked, then Spring Festival'],
  ])('deadline %s, today %s → %i (%s)', (deadline, today, expected) => {
    expect(overdueWorkingDays(deadline, today)).toBe(expected);
  });
});

describe('warningColour: finished tasks', () => {
  it.each([
    ['closed', 'green'],
    ['cancelled', 'grey'],
  ] as const)('%s is %s whatever the deadline or returns', (state, expected) => {
    for (const [deadline, today] of [
      ['2026-03-20', '2026-03-02'],
      ['2026-03-02', '2026-03-02'],
      ['2026-01-05', '2026-03-02'],
    ] as const) {
      expect(colour(deadline, today, { state, returnsCount: 3 })).toBe(expected);
    }
  });
});

describe('warningColour: before and on the deadline', () => {
  it.each([
    ['2026-03-13', '2026-03-09', 'blue', 'Monday → Friday: 4 working days ahead'],
    ['2026-03-12', '2026-03-09', 'blue', '3 working days ahead, one more than the warning window'],
    ['2026-03-11', '2026-03-09', 'yellow', '2 working days ahead: inside the window'],
    ['2026-03-10', '2026-03-09', 'yellow', '1 working day ahead'],
    ['2026-03-09', '2026-03-09', 'yellow', 'due today'],
    ['2026-03-09', '2026-03-05', 'yellow', 'Thursday → Monday is only 2 working days'],
    ['2026-03-10', '2026-03-05', 'blue', 'Thursday → Tuesday is 3'],
    ['2026-03-08', '2026-03-06', 'yellow', 'a Sunday deadline seen from Friday: no working day left'],
    ['2026-10-08', '2026-09-28', 'blue', '10 calendar days but 3 working days (09-29, 09-30, 10-08)'],
    ['2026-10-07', '2026-09-28', 'yellow', 'deadline inside the holiday: 2 working days left'],
    ['2026-10-12', '2026-10-08', 'blue', '10-09, 10-10 (worked Saturday), 10-12: 3 working days'],
    ['2026-10-10', '2026-10-08', 'yellow', 'the worked Saturday is 2 working days away'],
  ] as const)('deadline %s, today %s → %s (%s)', (deadline, today, expected, _why) => {
    expect(colour(deadline, today)).toBe(expected);
  });

  it('treats the deadline day as due soon even with no warning window', () => {
    expect(colour('2026-03-09', '2026-03-09', { dueSoonWorkingDays: 0 })).toBe('yellow');
    expect(colour('2026-03-10', '2026-03-09', { dueSoonWorkingDays: 0 })).toBe('blue');
  });

  it('widens with the setting', () => {
    expect(colour('2026-03-16', '2026-03-09', { dueSoonWorkingDays: 5 })).toBe('yellow');
    expect(colour('2026-03-17', '2026-03-09', { dueSoonWorkingDays: 5 })).toBe('blue');
  });
});

describe('warningColour: after the deadline', () => {
  it.each([
    ['2026-03-05', '2026-03-06', 'yellow', '1 working day late'],
    ['2026-03-05', '2026-03-10', 'yellow', '3 working days late: the red threshold itself is still yellow'],
    ['2026-03-05', '2026-03-11', 'red', '4 working days late'],
    ['2026-03-06', '2026-03-08', 'yellow', 'past a Friday deadline over the weekend: late, though 0 working days'],
    ['2026-09-30', '2026-10-07', 'yellow', 'late all through National Day, still 0 working days'],
    ['2026-09-30', '2026-10-09', 'yellow', '2 working days late'],
    ['2026-09-30', '2026-10-10', 'yellow', '3 with the worked Saturday'],
    ['2026-09-30', '2026-10-11', 'yellow', 'Sunday adds nothing'],
    ['2026-09-30', '2026-10-12', 'red', '4 on Monday'],
    ['2026-02-13', '2026-02-23', 'yellow', 'only the worked Saturday 02-14 over Spring Festival'],
    ['2026-02-13', '2026-02-26', 'red', '02-14, 02-24, 02-25, 02-26'],
  ] as const)('deadline %s, today %s → %s (%s)', (deadline, today, expected, _why) => {
    expect(colour(deadline, today)).toBe(expected);
  });

  it('turns red immediately when redAfterWorkingDays is 0', () => {
    expect(colour('2026-03-05', '2026-03-06', { redAfterWorkingDays: 0 })).toBe('red');
    expect(colour('2026-03-06', '2026-03-08', { redAfterWorkingDays: 0 })).toBe('yellow');
  });
});

describe('warningColour: returned for rework', () => {
  it.each([
    [0, 'blue'],
    [1, 'blue'],
    [2, 'red'],
    [5, 'red'],
  ] as const)('returned %i times, far from the deadline → %s', (returnsCount, expected) => {
    expect(colour('2026-06-30', '2026-03-02', { returnsCount })).toBe(expected);
  });

  it('once returned is still yellow when due soon', () => {
    expect(colour('2026-03-02', '2026-03-02', { returnsCount: 1 })).toBe('yellow');
  });
});

describe('warningColour: every open state is judged by its dates alone', () => {
  it.each(OPEN_STATES)('%s', (state) => {
    expect(colour('2026-03-20', '2026-03-02', { state })).toBe('blue');
    expect(colour('2026-03-03', '2026-03-02', { state })).toBe('yellow');
    expect(colour('2026-03-02', '2026-03-03', { state })).toBe('yellow');
    expect(colour('2026-03-02', '2026-03-09', { state })).toBe('red');
    expect(colour('2026-03-20', '2026-03-02', { state, returnsCount: 2 })).toBe('red');
  });
});

describe('WARNING_COLOUR_LABELS', () => {
  it('uses the wording of 三色督办', () => {
    expect(WARNING_COLOUR_LABELS).toEqual({
      blue: '按期推进',
      yellow: '临期/轻度逾期',
      red: '严重逾期',
      green: '已销号',
      grey: '已撤销',
    });
  });

  it('labels every colour', () => {
    for (const c of WARNING_COLOURS) expect(WARNING_COLOUR_LABELS[c]).toMatch(/\S/);
  });
});
