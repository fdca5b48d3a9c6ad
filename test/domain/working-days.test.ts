import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addWorkingDays,
  calendarCovers,
  calendarDaysBetween,
  isWorkingDay,
  parseIsoDate,
  uncoveredYears,
  weekdayOf,
  workingDaysBetween,
} from '../../src/domain/working-days.js';

// Expectations follow the State Council's notice on the 2026 holiday arrangement:
//   元旦 1月1日–3日, 1月4日(周日)上班; 春节 2月15日–23日, 2月14日(周六)、2月28日(周六)上班;
//   清明 4月4日–6日; 劳动节 5月1日–5日, 5月9日(周六)上班; 端午 6月19日–21日;
//   中秋 9月25日–27日; 国庆 10月1日–7日, 9月20日(周日)、10月10日(周六)上班.
// 2099 stands for "a year no notice exists for yet", so these tests survive library updates.

describe('isWorkingDay', () => {
  it.each([
    ['2026-10-01', false, 'National Day, Thursday'],
    ['2026-10-02', false, 'National Day, Friday'],
    ['2026-10-05', false, 'National Day, Monday'],
    ['2026-10-07', false, 'last day of National Day, Wednesday'],
    ['2026-10-08', true, 'first day back, Thursday'],
    ['2026-10-10', true, 'adjusted working Saturday'],
    ['2026-10-11', false, 'ordinary Sunday after it'],
    ['2026-09-20', true, 'adjusted working Sunday before National Day'],
    ['2026-09-25', false, 'Mid-Autumn, Friday'],
    ['2026-02-14', true, 'adjusted working Saturday before Spring Festival'],
    ['2026-02-15', false, 'Spring Festival, Sunday'],
    ['2026-02-16', false, 'Spring Festival, Monday'],
    ['2026-02-23', false, 'last day of Spring Festival, Monday'],
    ['2026-02-24', true, 'first day back, Tuesday'],
    ['2026-02-28', true, 'adjusted working Saturday after Spring Festival'],
    ['2026-01-01', false, "New Year's Day"],
    ['2026-01-04', true, 'adjusted working Sunday after New Year'],
    ['2026-03-06', true, 'ordinary Friday'],
    ['2026-03-07', false, 'ordinary Saturday'],
    ['2026-03-08', false, 'ordinary Sunday'],
    ['2099-01-01', true, 'uncovered year: a Thursday counts although it will be 元旦'],
    ['2099-01-03', false, 'uncovered year: Saturday'],
    ['2099-01-05', true, 'uncovered year: Monday'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('rejects strings that are not dates, instead of guessing', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => isWorkingDay('2026/10/10')).toThrow(RangeError);
    expect(() => isWorkingDay('')).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2026-03-06', 3, '2026-03-11', 'Friday + 3 in a normal week lands on Wednesday'],
    ['2026-03-09', 1, '2026-03-10', 'Monday + 1'],
    ['2026-03-06', 5, '2026-03-13', 'a full working week'],
    ['2026-09-30', 1, '2026-10-08', 'skips the whole National Day week'],
    ['2026-09-30', 3, '2026-10-10', 'the adjusted Saturday counts'],
    ['2026-09-30', 4, '2026-10-12', 'then the ordinary Sunday does not'],
    ['2026-10-03', 1, '2026-10-08', 'starting inside a holiday'],
    ['2026-09-18', 1, '2026-09-20', 'the adjusted Sunday is the next working day after a Friday'],
    ['2026-02-13', 1, '2026-02-14', 'Friday before Spring Festival, then the working Saturday'],
    ['2026-02-13', 2, '2026-02-24', 'then straight past Spring Festival'],
    ['2026-02-13', 3, '2026-02-25', ''],
    ['2025-12-31', 1, '2026-01-04', 'across the year into New Year and its working Sunday'],
    ['2099-01-02', 1, '2099-01-05', 'uncovered year: Friday → Monday'],
  ])('%s + %i → %s (%s)', (from, n, expected) => {
    expect(addWorkingDays(from, n)).toBe(expected);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses n = %s', (n) => {
    expect(() => addWorkingDays('2026-03-06', n)).toThrow(RangeError);
  });

  it('is the inverse of workingDaysBetween across holidays and year ends', () => {
    for (const from of ['2026-01-01', '2026-02-13', '2026-09-18', '2026-09-30', '2026-12-20', '2025-12-25']) {
      for (const n of [1, 2, 3, 5, 10, 20, 60, 250]) {
        const to = addWorkingDays(from, n);
        expect(workingDaysBetween(from, to), `${from} + ${n}`).toBe(n);
        expect(isWorkingDay(to)).toBe(true);
      }
    }
  });
});

describe('workingDaysBetween', () => {
  it.each([
    ['2026-03-06', '2026-03-09', 1, 'Friday → Monday: only Monday is counted'],
    ['2026-03-06', '2026-03-06', 0, 'same day'],
    ['2026-03-09', '2026-03-06', 0, 'backwards'],
    ['2026-03-06', '2026-03-08', 0, 'a weekend adds nothing'],
    ['2026-09-30', '2026-10-07', 0, 'the whole National Day holiday adds nothing'],
    ['2026-09-30', '2026-10-12', 4, '10-08, 10-09, the working Saturday 10-10, then Monday 10-12'],
    ['2026-02-13', '2026-02-28', 6, '02-14, 02-24..27 and the working Saturday 02-28'],
    ['2025-12-31', '2026-01-05', 2, 'the working Sunday 01-04 and Monday 01-05'],
    ['2099-01-01', '2099-01-08', 5, 'uncovered year: plain Monday–Friday'],
  ])('(%s, %s] = %i (%s)', (from, to, expected) => {
    expect(workingDaysBetween(from, to)).toBe(expected);
  });

  it('counts 248 working days in 2026', () => {
    // 261 weekdays (2026 starts on a Thursday) − 19 holidays falling on weekdays
    // (元旦2 春节6 清明1 劳动节3 端午1 中秋1 国庆5) + 6 adjusted working weekend days.
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(248);
  });

  it('counts 248 working days in 2025 as well, and adds whole years up', () => {
    // 2025: 261 weekdays − 18 weekday holidays (元旦1 春节6 清明1 劳动节3 端午1 国庆中秋6) + 5 补班.
    expect(workingDaysBetween('2024-12-31', '2025-12-31')).toBe(248);
    expect(workingDaysBetween('2024-12-31', '2026-12-31')).toBe(496);
  });

  it('counts plain weekdays over several uncovered years', () => {
    // 2098 starts on a Wednesday and 2099 on a Thursday: 261 weekdays each; 2100-01-01 is a Friday.
    expect(workingDaysBetween('2097-12-31', '2100-01-01')).toBe(261 + 261 + 1);
  });

  // (its speed is in `npm run bench`'s sweep, not timed here)
  it('gives the same answers through a 100,000-task sweep as one at a time', () => {
    const deadlines = Array.from({ length: 500 }, (_, i) => addCalendarDays('2026-01-01', i));
    const once = deadlines.map((d) => workingDaysBetween(d, '2026-12-31'));
    let total = 0;
    for (let i = 0; i < 100_000; i++) total += workingDaysBetween(deadlines[i % 500]!, '2026-12-31');
    expect(total).toBe(200 * once.reduce((a, b) => a + b, 0));
  });
});

describe('calendarCovers / uncoveredYears', () => {
  it.each([
    [2004, true],
    [2020, true],
    [2026, true],
    [2003, false],
    [2099, false],
    [2026.5, false],
  ])('%s → %s', (year, expected) => {
    expect(calendarCovers(year)).toBe(expected);
  });

  it('lists each uncovered year once, ascending, ignoring garbage', () => {
    expect(uncoveredYears(['2099-01-05', '2026-01-01', '2098-02-02', '2099-03-03', 'garbage'])).toEqual([2098, 2099]);
    expect(uncoveredYears(['2026-10-10', '2025-01-01'])).toEqual([]);
  });
});

describe('date helpers', () => {
  it('parses only real dates', () => {
    expect(parseIsoDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('2026-13-01')).toBeNull();
    expect(parseIsoDate('0099-01-01')).toBeNull();
    expect(parseIsoDate('2026-1-1')).toBeNull();
  });

  it('does calendar arithmetic in whole days', () => {
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(calendarDaysBetween('2026-09-30', '2027-09-30')).toBe(365);
    expect(calendarDaysBetween('2026-10-02', '2026-10-01')).toBe(-1);
  });

  it.each([
    ['2026-10-01', 4],
    ['2026-10-10', 6],
    ['2026-09-20', 0],
  ])('%s is weekday %i', (date, weekday) => {
    expect(weekdayOf(date)).toBe(weekday);
  });
});
