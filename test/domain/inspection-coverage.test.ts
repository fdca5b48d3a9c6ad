// 督查情况's rules: which month is asked for, one inspection per inspector, department and day,
// the weeks a month answers for (a week without any inspection, when it had working days, is
// flagged), and the departments nobody inspected, never-inspected first.
import { describe, expect, it } from 'vitest';
import { buildCoverage, inspectionMonth, inspectionsSpan, type Inspection, type InspectionMonth } from '../../src/domain/inspection-coverage.js';

function month(ask: Parameters<typeof inspectionMonth>[0], today: string): InspectionMonth {
  const asked = inspectionMonth(ask, today);
  if (!asked.ok) throw new Error(asked.reason);
  return asked.month;
}

const at = (departmentId: string | null, inspectorUserId: string, day: string, problems = 0): Inspection => ({ departmentId, inspectorUserId, day, problems });

const DEPARTMENTS = [
  { id: 'mz', name: '门诊部', retiredOn: null },
  { id: 'jz', name: '急诊科', retiredOn: null },
  { id: 'jy', name: '检验科', retiredOn: null },
  { id: 'yj', name: '药剂科', retiredOn: null },
  { id: 'ba', name: '病案室', retiredOn: '2026-10-31' },
  { id: 'hl', name: '护理部', retiredOn: null },
];

describe('inspectionMonth', () => {
  it('reads this month to today, last month whole, and a named month in the past year', () => {
    expect(month({ month: 'this' }, '2026-11-24')).toEqual({ start: '2026-11-01', end: '2026-11-24', lastDay: '2026-11-30', label: '2026年11月', toDate: true });
    expect(month({ month: 'last' }, '2026-11-24')).toEqual({ start: '2026-10-01', end: '2026-10-31', lastDay: '2026-10-31', label: '2026年10月', toDate: false });
    expect(month({ month: 'last' }, '2026-01-05')).toMatchObject({ start: '2025-12-01', end: '2025-12-31' });
    expect(month({ month: 12, year: null }, '2026-11-24')).toMatchObject({ start: '2025-12-01', end: '2025-12-31' });
    expect(month({ month: 2, year: 2024 }, '2026-11-24')).toMatchObject({ start: '2024-02-01', end: '2024-02-29' });
    expect(month({ month: 11, year: null }, '2026-11-30')).toMatchObject({ end: '2026-11-30', toDate: true });
  });

  it('refuses a month that does not exist or has not come', () => {
    expect(inspectionMonth({ month: 13, year: null }, '2026-11-24')).toEqual({ ok: false, reason: '没有13月。' });
    expect(inspectionMonth({ month: 1, year: 2027 }, '2026-11-24')).toEqual({ ok: false, reason: '2027年1月还没有到。' });
    expect(inspectionMonth({ month: 1, year: 1 }, '2026-11-24')).toEqual({ ok: false, reason: '没有1年的督查记录：请写2000年以后的月份。' });
    expect(inspectionMonth({ month: 1, year: 2000 }, '2026-11-24')).toMatchObject({ ok: true, month: { start: '2000-01-01', end: '2000-01-31' } });
  });

  it('reads a finished month up to the Sunday of its last week, so that week is judged whole', () => {
    // October 2026 ends on a Saturday; its last week (from Monday 10-26) ends on 11-01
    expect(inspectionsSpan(month({ month: 'last' }, '2026-11-24'), '2026-11-24')).toEqual({ from: '2026-10-01', to: '2026-11-01' });
    expect(inspectionsSpan(month({ month: 'this' }, '2026-11-24'), '2026-11-24')).toEqual({ from: '2026-11-01', to: '2026-11-24' });
  });
});

describe('buildCoverage', () => {
  const november = month({ month: 'this' }, '2026-11-24');

  it('counts one inspection per inspector, department and day, with the problems found and the inspections that found none', () => {
    const report = buildCoverage({
      month: november,
      today: '2026-11-24',
      inspections: [at('mz', 'ou_feng', '2026-11-03'), at('jz', 'ou_feng', '2026-11-03', 1), at('mz', 'ou_chen', '2026-11-17', 2), at('jy', 'ou_feng', '2026-11-17'), at(null, 'ou_chen', '2026-11-18', 1)],
      departments: DEPARTMENTS,
      lastBefore: new Map(),
    });
    expect(report).toMatchObject({ label: '2026年11月', toDate: true, rangeText: '11月1日—11月24日', inspections: 5, clean: 2, problems: 4 });
    expect(report.inspectors).toEqual([
      { userId: 'ou_feng', inspections: 3, days: 2, problems: 1 },
      { userId: 'ou_chen', inspections: 2, days: 2, problems: 3 },
    ]);
    // 病案室 was retired before the month ended: it is not asked to be inspected
    expect(report.activeDepartments).toBe(5);
    expect(report.coveredDepartments).toBe(3);
  });

  it('lists the weeks whose Monday is in the month, and flags an ended week that had none', () => {
    const report = buildCoverage({ month: november, today: '2026-11-24', inspections: [at('mz', 'ou_feng', '2026-11-01'), at('mz', 'ou_feng', '2026-11-05'), at('jz', 'ou_feng', '2026-11-19')], departments: DEPARTMENTS, lastBefore: new Map() });
    expect(report.weeks.map((w) => [w.label, w.inspections, w.missed, w.current])).toEqual([
      ['11月2日—11月8日', 1, false, false],
      ['11月9日—11月15日', 0, true, false],
      ['11月16日—11月22日', 1, false, false],
      ['11月23日—今日', 0, false, true], // this week is not over
    ]);
    // Sunday 11-01 belongs to October's last week, but to November's figures
    expect(report.inspections).toBe(3);
  });

  it('does not flag a week without a working day (国庆 2026: 10-01 to 10-07)', () => {
    const october = month({ month: 10, year: 2026 }, '2026-11-24');
    const report = buildCoverage({ month: october, today: '2026-11-24', inspections: [at('mz', 'ou_feng', '2026-10-30')], departments: DEPARTMENTS, lastBefore: new Map() });
    const weeks = report.weeks.map((w) => [w.label, w.missed]);
    expect(weeks).toEqual([
      ['10月5日—10月11日', true], // 10-09 and 10-10 are working days (调休)
      ['10月12日—10月18日', true],
      ['10月19日—10月25日', true],
      ['10月26日—11月1日', false],
    ]);
    const holidayOnly = buildCoverage({ month: month({ month: 2, year: 2026 }, '2026-11-24'), today: '2026-11-24', inspections: [], departments: [], lastBefore: new Map() });
    // 春节 2026: 02-15 to 02-23, the week from Monday 02-16 has no working day
    expect(holidayOnly.weeks.find((w) => w.label.startsWith('2月16日'))?.missed).toBe(false);
    expect(holidayOnly.weeks.find((w) => w.label.startsWith('2月9日'))?.missed).toBe(true);
  });

  it('lists the departments in use that nobody inspected: never first, then the longest ago, then by pinyin', () => {
    const report = buildCoverage({
      month: november,
      today: '2026-11-24',
      inspections: [at('mz', 'ou_feng', '2026-11-03')],
      departments: DEPARTMENTS,
      lastBefore: new Map([['jz', '2026-10-20'], ['jy', '2026-09-01'], ['ba', '2026-01-01']]),
    });
    expect(report.uncovered).toEqual([
      { name: '护理部', lastOn: null },
      { name: '药剂科', lastOn: null },
      { name: '检验科', lastOn: '2026-09-01' },
      { name: '急诊科', lastOn: '2026-10-20' },
    ]);
    expect(report.coveredDepartments).toBe(1);
  });

  it('has no week yet on the first days of a month that starts after a Monday', () => {
    const report = buildCoverage({ month: month({ month: 'this' }, '2026-11-01'), today: '2026-11-01', inspections: [], departments: DEPARTMENTS, lastBefore: new Map() });
    expect(report.weeks).toEqual([]);
    expect(report.inspections).toBe(0);
  });

  it('counts each 督查组 by who was in it on the day, and flags a group’s ended week without inspection', () => {
    const team = (id: string, name: string, createdAt: number) => ({ id, tenantId: 't', name, leadUserId: `ou_${id}_lead`, retiredOn: null, createdAt });
    const report = buildCoverage({
      month: november,
      today: '2026-11-24',
      inspections: [at('mz', 'ou_feng', '2026-11-03', 1), at('jz', 'ou_feng', '2026-11-17'), at('jy', 'ou_chen', '2026-11-04'), at('jy', 'ou_chen', '2026-11-11', 2), at('yj', 'ou_zhou', '2026-11-12')],
      departments: DEPARTMENTS,
      lastBefore: new Map(),
      teams: {
        teams: [team('g2', '督查二组', 2), team('g1', '督查一组', 1), team('g3', '督查三组', 3)],
        memberships: [
          // 冯 moved from 一组 to 二组 on 11-16; 二组 was set up on 11-09; 三组 had nobody in November
          { teamId: 'g1', userId: 'ou_feng', fromOn: '2026-10-01', untilOn: '2026-11-16' },
          { teamId: 'g1', userId: 'ou_chen', fromOn: '2026-10-01', untilOn: null },
          { teamId: 'g2', userId: 'ou_feng', fromOn: '2026-11-16', untilOn: null },
          { teamId: 'g2', userId: 'ou_li', fromOn: '2026-11-09', untilOn: null },
          { teamId: 'g3', userId: 'ou_he', fromOn: '2026-10-01', untilOn: '2026-10-30' },
        ],
      },
    });
    expect(report.teams.map((t) => [t.name, t.leadUserId, t.inspections, t.problems])).toEqual([
      ['督查一组', 'ou_g1_lead', 3, 3],
      ['督查二组', 'ou_g2_lead', 1, 0],
    ]);
    const weeks = (name: string) => report.teams.find((t) => t.name === name)!.weeks.map((w) => [w.monday, w.inspections, w.missed, w.absent]);
    expect(weeks('督查一组')).toEqual([
      ['2026-11-02', 2, false, false],
      ['2026-11-09', 1, false, false],
      ['2026-11-16', 0, true, false], // 陈 alone, and no inspection
      ['2026-11-23', 0, false, false], // this week is not over
    ]);
    expect(weeks('督查二组')).toEqual([
      ['2026-11-02', 0, false, true], // not yet set up: never missed
      ['2026-11-09', 0, true, false],
      ['2026-11-16', 1, false, false],
      ['2026-11-23', 0, false, false],
    ]);
    // 周 is in no group: counted in the month's figures, for no group
    expect(report.inspections).toBe(5);
  });

  it('has no groups when none were set up', () => {
    expect(buildCoverage({ month: november, today: '2026-11-24', inspections: [at('mz', 'ou_feng', '2026-11-03')], departments: DEPARTMENTS, lastBefore: new Map() }).teams).toEqual([]);
  });
});
