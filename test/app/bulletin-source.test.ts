// The spans a bulletin compares and charts: a week against the week before, a month against the
// month before, a year against the same days a year earlier; a year's trend is its own months.
import { describe, expect, it } from 'vitest';
import { bulletinQuery, previousSpan, toBulletinSource } from '../../src/app/bulletin-source.js';
import type { Settings } from '../../src/app/ports.js';
import type { BulletinFigures } from '../../src/app/store-port.js';

const settings = { repeatWindowDays: 90, repeatMinCount: 3 } as Settings;

describe('previousSpan', () => {
  it('compares a week with the week before and a month with the month before', () => {
    expect(previousSpan('weekly', { start: '2026-11-16', end: '2026-11-22' })).toEqual({ start: '2026-11-09', end: '2026-11-15' });
    expect(previousSpan('monthly', { start: '2026-03-01', end: '2026-03-31' })).toEqual({ start: '2026-02-01', end: '2026-02-28' });
  });

  it('compares a year, or the year so far, with the same days a year earlier, 29 February read as the 28th', () => {
    expect(previousSpan('yearly', { start: '2026-01-01', end: '2026-11-24' })).toEqual({ start: '2025-01-01', end: '2025-11-24' });
    expect(previousSpan('yearly', { start: '2025-01-01', end: '2025-12-31' })).toEqual({ start: '2024-01-01', end: '2024-12-31' });
    expect(previousSpan('yearly', { start: '2028-01-01', end: '2028-02-29' })).toEqual({ start: '2027-01-01', end: '2027-02-28' });
  });
});

describe('a yearly bulletin’s trend', () => {
  it('has one point per month of the year so far, each counting its own month', () => {
    const query = bulletinQuery('yearly', { start: '2026-01-01', end: '2026-04-10' }, '2026-04-10', settings);
    expect(query.trendSince).toBe('2026-01-01');
    const figures: BulletinFigures = {
      groups: [],
      totals: { current: { totalEver: 0, closedEver: 0 }, previous: { totalEver: 0, closedEver: 0 } },
      overdue: [],
      repeats: [],
      foundByDate: [
        { date: '2025-12-31', n: 9 },
        { date: '2026-01-05', n: 2 },
        { date: '2026-03-31', n: 3 },
        { date: '2026-04-10', n: 1 },
      ],
      closedByDate: [{ date: '2026-02-14', n: 4 }],
    };
    expect(toBulletinSource(figures, 'yearly', query, '日常督查').trend).toEqual([
      { label: '1月', new: 2, closed: 0 },
      { label: '2月', new: 0, closed: 4 },
      { label: '3月', new: 3, closed: 0 },
      { label: '4月', new: 1, closed: 0 },
    ]);
  });
});
