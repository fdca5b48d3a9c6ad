import { describe, expect, it } from 'vitest';
import { askedBulletinPeriod, currentWeek, dueJobs, localTime, periodFor, type JobPeriod } from '../../src/domain/schedule.js';

// The clock is fixed around National Day 2026 (State Council notice, see working-days.test.ts):
//   中秋 09-25..09-27; 国庆 10-01 (Thu) .. 10-07 (Wed) off; Sunday 09-20 and Saturday 10-10 are
//   adjusted working days. 元旦 2026-01-01..03 off with Sunday 01-04 working; 春节 02-15..02-23 off,
//   which leaves the ISO week 02-16..02-22 without a single working day.
const TZ = 'Asia/Shanghai';

/** An instant given as Shanghai wall-clock time, e.g. "2026-10-08T09:00". */
function shanghai(local: string): number {
  return Date.parse(`${local}:00+08:00`);
}

function keys(periods: JobPeriod[]): string[] {
  return periods.map((p) => p.key);
}

describe('localTime', () => {
  it('reads the wall clock in the business time zone, not the host', () => {
    // 01:30 UTC is 09:30 in Shanghai on Thursday 10-08, still Wednesday evening in New York (EDT).
    const instant = Date.parse('2026-10-08T01:30:00Z');
    expect(localTime(instant, TZ)).toEqual({ date: '2026-10-08', hour: 9, minute: 30, weekday: 4 });
    expect(localTime(instant, 'America/New_York')).toEqual({ date: '2026-10-07', hour: 21, minute: 30, weekday: 3 });
  });

  it('calls midnight hour 0 of the new day, never 24 of the old one', () => {
    expect(localTime(shanghai('2026-10-08T00:00'), TZ)).toEqual({ date: '2026-10-08', hour: 0, minute: 0, weekday: 4 });
  });

  it('refuses an unknown zone and a non-finite instant instead of guessing', () => {
    expect(() => localTime(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => localTime(Number.NaN, TZ)).toThrow(RangeError);
  });
});

describe('dueJobs across National Day 2026', () => {
  it('is quiet before 09:00 even on the day everything is due', () => {
    expect(dueJobs(shanghai('2026-10-08T08:59'), TZ)).toEqual([]);
    expect(dueJobs(shanghai('2026-10-08T00:00'), TZ)).toEqual([]);
  });

  it.each(['2026-10-01T09:00', '2026-10-05T10:00', '2026-10-07T23:59', '2026-10-11T09:00', '2026-09-26T09:00'])(
    'is quiet on the holiday or ordinary weekend day %s',
    (local) => {
      expect(dueJobs(shanghai(local), TZ)).toEqual([]);
    },
  );

  it('on the first day back (Thursday 10-08) runs reminders, the weekly for 09-28..10-04 and the monthly for September', () => {
    // 10-05..10-07 were holidays, so 10-08 is the first working day of its ISO week and of October.
    const due = dueJobs(shanghai('2026-10-08T09:00'), TZ);
    expect(due).toEqual([
      { job: 'reminders', key: 'reminders:2026-10-08', start: '2026-10-08', end: '2026-10-08', label: '10月8日' },
      { job: 'weekly', key: 'weekly:2026-09-28', start: '2026-09-28', end: '2026-10-04', label: '2026年第40周（9月28日—10月4日）' },
      { job: 'monthly', key: 'monthly:2026-09', start: '2026-09-01', end: '2026-09-30', label: '2026年9月' },
    ]);
  });

  it('stays due all working day, so a runner that missed 09:00 catches up', () => {
    expect(keys(dueJobs(shanghai('2026-10-08T23:59'), TZ))).toEqual(['reminders:2026-10-08', 'weekly:2026-09-28', 'monthly:2026-09']);
  });

  it('on Friday 10-09 runs only reminders: the week and the month already had their first working day', () => {
    expect(keys(dueJobs(shanghai('2026-10-09T09:00'), TZ))).toEqual(['reminders:2026-10-09']);
  });

  it('runs reminders on the adjusted working Saturday 10-10 and the adjusted working Sunday 09-20', () => {
    expect(keys(dueJobs(shanghai('2026-10-10T09:00'), TZ))).toEqual(['reminders:2026-10-10']);
    expect(keys(dueJobs(shanghai('2026-09-20T09:00'), TZ))).toEqual(['reminders:2026-09-20']);
  });

  it('on Monday 10-12 reports the holiday week 10-05..10-11 as an ordinary weekly', () => {
    expect(dueJobs(shanghai('2026-10-12T09:00'), TZ)).toEqual([
      { job: 'reminders', key: 'reminders:2026-10-12', start: '2026-10-12', end: '2026-10-12', label: '10月12日' },
      { job: 'weekly', key: 'weekly:2026-10-05', start: '2026-10-05', end: '2026-10-11', label: '2026年第41周（10月5日—10月11日）' },
    ]);
  });

  it('judges 09:00 in the business zone: 09:00 Shanghai is 01:00 UTC, when nothing is due in UTC', () => {
    const instant = shanghai('2026-10-08T09:00');
    expect(keys(dueJobs(instant, TZ))).toContain('reminders:2026-10-08');
    expect(dueJobs(instant, 'UTC')).toEqual([]);
  });

  it('honours another hour', () => {
    expect(keys(dueJobs(shanghai('2026-10-09T08:00'), TZ, 8))).toEqual(['reminders:2026-10-09']);
    expect(dueJobs(shanghai('2026-10-09T08:00'), TZ, 10)).toEqual([]);
    expect(() => dueJobs(shanghai('2026-10-09T08:00'), TZ, 24)).toThrow(RangeError);
    expect(() => dueJobs(shanghai('2026-10-09T08:00'), TZ, 8.5)).toThrow(RangeError);
  });

  it('runs the December monthly on Sunday 2026-01-04, the first working day of January', () => {
    // 01-01..01-03 are 元旦; the adjusted working Sunday comes before any January weekday.
    expect(dueJobs(shanghai('2026-01-04T09:00'), TZ)).toEqual([
      { job: 'reminders', key: 'reminders:2026-01-04', start: '2026-01-04', end: '2026-01-04', label: '1月4日' },
      { job: 'monthly', key: 'monthly:2025-12', start: '2025-12-01', end: '2025-12-31', label: '2025年12月' },
    ]);
  });

  it('runs an ordinary monthly on the 1st when it is a working day (Tuesday 2026-09-01)', () => {
    expect(keys(dueJobs(shanghai('2026-09-01T09:00'), TZ))).toEqual(['reminders:2026-09-01', 'monthly:2026-08']);
  });

  it('after the Spring Festival week that had no working day, the weekly covers both unreported weeks', () => {
    // Week 7 (02-09..02-15) was never reported: week 8 (02-16..02-22) had no working day to run on.
    // Tuesday 02-24 is the first working day of week 9.
    expect(dueJobs(shanghai('2026-02-24T09:00'), TZ)).toEqual([
      { job: 'reminders', key: 'reminders:2026-02-24', start: '2026-02-24', end: '2026-02-24', label: '2月24日' },
      { job: 'weekly', key: 'weekly:2026-02-09', start: '2026-02-09', end: '2026-02-22', label: '2026年第7—8周（2月9日—2月22日）' },
    ]);
  });
});

describe('periodFor', () => {
  it('reminders cover the run date itself', () => {
    expect(periodFor('reminders', '2026-11-24')).toEqual({
      job: 'reminders', key: 'reminders:2026-11-24', start: '2026-11-24', end: '2026-11-24', label: '11月24日',
    });
  });

  it('weekly covers the previous ISO week, Monday..Sunday', () => {
    // Tuesday 2026-11-24 is in ISO week 48; week 47 is 11-16..11-22 (week 1 began on 2025-12-29).
    expect(periodFor('weekly', '2026-11-24')).toEqual({
      job: 'weekly', key: 'weekly:2026-11-16', start: '2026-11-16', end: '2026-11-22', label: '2026年第47周（11月16日—11月22日）',
    });
  });

  it('weekly gives one key for every run date in a week, so a week is reported once', () => {
    const monday = periodFor('weekly', '2026-11-23');
    const sunday = periodFor('weekly', '2026-11-29');
    expect(monday).toEqual(sunday);
    expect(monday.key).toBe('weekly:2026-11-16');
  });

  it('weekly names the ISO week-year across New Year', () => {
    // 2025-12-29..2026-01-04 contains Thursday 2026-01-01, so it is week 1 of 2026.
    expect(periodFor('weekly', '2026-01-05')).toMatchObject({
      key: 'weekly:2025-12-29', start: '2025-12-29', end: '2026-01-04', label: '2026年第1周（12月29日—1月4日）',
    });
  });

  it.each([
    ['2026-11-02', 'monthly:2026-10', '2026-10-01', '2026-10-31', '2026年10月'],
    ['2026-03-02', 'monthly:2026-02', '2026-02-01', '2026-02-28', '2026年2月'],
    ['2026-01-04', 'monthly:2025-12', '2025-12-01', '2025-12-31', '2025年12月'],
    ['2028-03-31', 'monthly:2028-02', '2028-02-01', '2028-02-29', '2028年2月'],
  ])('monthly run on %s reports the previous month (%s)', (runDate, key, start, end, label) => {
    expect(periodFor('monthly', runDate)).toEqual({ job: 'monthly', key, start, end, label });
  });

  it('refuses a run date that is not a date', () => {
    expect(() => periodFor('reminders', '2026-02-30')).toThrow(RangeError);
    expect(() => periodFor('weekly', '24/11/2026')).toThrow(RangeError);
  });
});

describe('currentWeek', () => {
  it('covers Monday..today for an on-demand 通报', () => {
    expect(currentWeek('2026-11-25')).toMatchObject({
      job: 'weekly', start: '2026-11-23', end: '2026-11-25', label: '2026年第48周（11月23日—11月25日）',
    });
    expect(currentWeek('2026-11-23')).toMatchObject({ start: '2026-11-23', end: '2026-11-23' });
    expect(currentWeek('2026-11-29')).toMatchObject({ start: '2026-11-23', end: '2026-11-29' });
  });

  it('never shares a key with the scheduled weekly run, which it must not block', () => {
    const partial = currentWeek('2026-11-29');
    const scheduled = periodFor('weekly', '2026-11-30');
    expect(scheduled.key).toBe('weekly:2026-11-23');
    expect(partial.key).not.toBe(scheduled.key);
    expect(currentWeek('2026-11-25').key).not.toBe(currentWeek('2026-11-26').key);
  });
});

describe('askedBulletinPeriod', () => {
  const month = (year: number | null, m: number | null) => ({ period: 'month' as const, year, month: m });
  const asked = (result: ReturnType<typeof askedBulletinPeriod>) => {
    if (!result.ok) throw new Error(result.reason);
    return result.bulletin;
  };
  const spanOf = ({ start, end }: JobPeriod) => ({ start, end });

  it('reads 通报 as this week so far and 上周通报 as the week(s) this Monday’s run reports', () => {
    expect(asked(askedBulletinPeriod({ period: 'this_week' }, '2026-11-25'))).toEqual({ kind: 'on_demand', ...spanOf(currentWeek('2026-11-25')) });
    expect(asked(askedBulletinPeriod({ period: 'last_week' }, '2026-11-25'))).toEqual({ kind: 'weekly', ...spanOf(periodFor('weekly', '2026-11-25')) });
    // the week after the Spring Festival week reaches back over it, as the scheduled run does
    expect(asked(askedBulletinPeriod({ period: 'last_week' }, '2026-02-25'))).toEqual({ kind: 'weekly', start: '2026-02-09', end: '2026-02-22' });
  });

  it.each<[number | null, number | null, string, string]>([
    [null, null, '2026-10-01', '2026-10-31'],
    [null, 10, '2026-10-01', '2026-10-31'],
    [null, 1, '2026-01-01', '2026-01-31'],
    [null, 12, '2025-12-01', '2025-12-31'],
    [2025, 11, '2025-11-01', '2025-11-30'],
    [2024, 2, '2024-02-01', '2024-02-29'],
  ])('reads %s年%s月 on 2026-11-24 as the month that is over', (year, m, start, end) => {
    expect(asked(askedBulletinPeriod(month(year, m), '2026-11-24'))).toEqual({ kind: 'monthly', start, end });
  });

  it('reads 月报 in January as last December, across the year', () => {
    expect(asked(askedBulletinPeriod(month(null, null), '2027-01-06'))).toEqual({ kind: 'monthly', start: '2026-12-01', end: '2026-12-31' });
  });

  it('reads a year as the whole year, and this year as 1 January to today', () => {
    expect(asked(askedBulletinPeriod({ period: 'year', year: 'this' }, '2026-11-24'))).toEqual({ kind: 'yearly', start: '2026-01-01', end: '2026-11-24' });
    expect(asked(askedBulletinPeriod({ period: 'year', year: 'last' }, '2026-11-24'))).toEqual({ kind: 'yearly', start: '2025-01-01', end: '2025-12-31' });
    expect(asked(askedBulletinPeriod({ period: 'year', year: 2026 }, '2026-11-24'))).toEqual({ kind: 'yearly', start: '2026-01-01', end: '2026-11-24' });
    expect(asked(askedBulletinPeriod({ period: 'year', year: 2024 }, '2026-11-24'))).toEqual({ kind: 'yearly', start: '2024-01-01', end: '2024-12-31' });
  });

  it.each<[ReturnType<typeof month> | { period: 'year'; year: number }, string]>([
    [month(null, 11), '2026年11月尚未结束'],
    [month(2026, 12), '2026年12月尚未结束'],
    [month(2027, 3), '2027年3月尚未结束'],
    [month(null, 13), '没有13月'],
    [month(null, 0), '没有0月'],
    [{ period: 'year', year: 2027 }, '2027年还没有到'],
  ])('refuses %j on 2026-11-24, saying why', (ask, reason) => {
    const result = askedBulletinPeriod(ask, '2026-11-24');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
