// The bulletin's figures, ranking and wording, against a week counted by hand. The fixture is
// self-consistent: department and category rows add up to the week's totals, and
// open = totalEver − closedEver, so every expected figure below can be checked with a pencil.
import { describe, expect, it } from 'vitest';
import { buildBulletin, completionRate, isoWeek, type BulletinRow, type BulletinSource, type Totals } from '../../src/domain/bulletin.js';

const row = (name: string, n: number, closed: number, open: number, overdue: number): BulletinRow => ({ name, new: n, closed, open, overdue });
const zero: Totals = { new: 0, closed: 0, open: 0, overdue: 0, totalEver: 0, closedEver: 0 };

function week47(): BulletinSource {
  return {
    kind: 'weekly',
    periodStart: '2026-11-16',
    periodEnd: '2026-11-22',
    campaignName: '作风建设专项督查',
    // 63/84 = 75.0%; last week 49/76 = 64.47…% → 64.5%; 84−76 = 8 new, 63−49 = 14 closed
    current: { new: 8, closed: 14, open: 21, overdue: 7, totalEver: 84, closedEver: 63 },
    previous: { new: 10, closed: 8, open: 27, overdue: 5, totalEver: 76, closedEver: 49 },
    byDepartment: [
      row('门诊部', 2, 4, 5, 0), // weight 5
      row('后勤保障部', 0, 0, 0, 0), // nothing to report
      row('急诊科', 3, 1, 6, 2), // weight 8
      row('总务科', 0, 1, 0, 0), // weight 0
      row('放射科', 0, 2, 1, 0), // weight 1
      row('检验科', 1, 2, 3, 3), // weight 6
      row('未指定科室', 1, 0, 1, 0), // weight 1
      row('信息科', 0, 4, 0, 0), // weight 0
      row('药剂科', 1, 0, 4, 1), // weight 5
      row('病案室', 0, 0, 1, 1), // weight 2
    ],
    byCategory: [row('服务环境', 1, 2, 2, 1), row('服务流程', 2, 4, 6, 2), row('服务态度', 3, 5, 8, 3), row('服务质量', 2, 3, 5, 1)],
    overdue: [
      { findingNumber: 7, departmentName: '急诊科', description: '抢救车药品过期', leaderUserId: 'u-ji', overdueDays: 2 },
      { findingNumber: 20, departmentName: '药剂科', description: '窗口无人值守', leaderUserId: 'u-yao', overdueDays: 5 },
      { findingNumber: 15, departmentName: '检验科', description: '报告延迟', leaderUserId: 'u-jian', overdueDays: 1 },
      { findingNumber: 12, departmentName: '检验科', description: '标本登记缺项', leaderUserId: 'u-jian', overdueDays: 5 },
      { findingNumber: 3, departmentName: '急诊科', description: '分诊台态度生硬', leaderUserId: 'u-ji', overdueDays: 5 },
      { findingNumber: 22, departmentName: '病案室', description: '借阅登记不全', leaderUserId: 'u-bing', overdueDays: 3 },
      { findingNumber: 11, departmentName: '检验科', description: '冰箱温度未记录', leaderUserId: 'u-jian', overdueDays: 9 },
    ],
    repeats: [
      { departmentName: '急诊科', category: '服务态度', count: 3 },
      { departmentName: '检验科', category: '服务流程', count: 5 },
      { departmentName: '药剂科', category: '服务环境', count: 3 },
      { departmentName: '急诊科', category: '服务流程', count: 4 },
    ],
    trend: Array.from({ length: 30 }, (_, i) => ({ label: `W${i + 1}`, new: i, closed: 30 - i })),
  };
}

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe('completionRate', () => {
  it('is closedEver / totalEver, and null before anything was filed', () => {
    expect(completionRate({ ...zero, totalEver: 84, closedEver: 63 })).toBe(0.75);
    expect(completionRate({ ...zero, totalEver: 3, closedEver: 0 })).toBe(0);
    expect(completionRate(zero)).toBeNull();
  });
});

describe('buildBulletin — a hand-counted week', () => {
  const view = buildBulletin(week47(), { topRows: 3, topOverdue: 4, topRepeats: 2 });

  it('gives the rate, last week’s rate and the change in points between the printed figures', () => {
    expect(view.rate).toBe(0.75);
    expect(view.previousRate).toBeCloseTo(49 / 76, 12);
    expect(view.rateText).toBe('75.0%');
    expect(view.rateChange).toBe(10.5); // 75.0 − 64.5
    expect(view.rateChangeText).toBe('较上周+10.5个百分点');
  });

  it('words the headline like a written progress report', () => {
    expect(view.headline).toBe('本周新发现问题8个，销号14个，在办21个，其中逾期7个；累计整改完成率75.0%（较上周+10.5个百分点）。');
  });

  it('labels the week by its ISO number and its dates', () => {
    expect(view.periodLabel).toBe('2026年第47周');
    expect(view.rangeText).toBe('11月16日—11月22日');
  });

  it('sorts departments by open + overdue, then by name, drops idle ones and counts the rest', () => {
    expect(names(view.departments.items)).toEqual(['急诊科', '检验科', '药剂科']);
    // 门诊部, 病案室, 放射科, 未指定科室, 信息科, 总务科; 后勤保障部 had nothing to report
    expect(view.departments.rest).toBe(6);
    const all = buildBulletin(week47());
    expect(names(all.departments.items)).toEqual(['急诊科', '检验科', '药剂科', '门诊部', '病案室', '放射科', '未指定科室', '信息科', '总务科']);
    expect(all.departments.rest).toBe(0);
  });

  it('sorts categories the same way', () => {
    expect(names(view.categories.items)).toEqual(['服务态度', '服务流程', '服务质量']);
    expect(view.categories.rest).toBe(1);
  });

  it('puts on 红榜 up to three departments that closed something and have nothing overdue', () => {
    // 信息科 and 门诊部 closed 4 each (name decides), 放射科 2; 总务科 (1) misses the cut
    expect(names(view.best)).toEqual(['信息科', '门诊部', '放射科']);
  });

  it('puts on 黑榜 up to three departments with overdue items, most overdue then most open first', () => {
    // 检验科 3, 急诊科 2; 药剂科 and 病案室 have 1 each, 药剂科 has more open (4 > 1)
    expect(names(view.worst)).toEqual(['检验科', '急诊科', '药剂科']);
  });

  it('lists the longest overdue first, by finding number on a tie, and counts the rest', () => {
    expect(view.overdue.items.map((o) => o.findingNumber)).toEqual([11, 3, 12, 20]);
    expect(view.overdue.rest).toBe(3);
  });

  it('ranks repeat problems by count, then department and category', () => {
    expect(view.repeats.items).toEqual([
      { departmentName: '检验科', category: '服务流程', count: 5 },
      { departmentName: '急诊科', category: '服务流程', count: 4 },
    ]);
    expect(view.repeats.rest).toBe(2);
  });

  it('keeps the 26 most recent trend points, oldest first', () => {
    expect(view.trend).toHaveLength(26);
    expect(view.trend[0]).toEqual({ label: 'W5', new: 4, closed: 26 });
    expect(view.trend.at(-1)).toEqual({ label: 'W30', new: 29, closed: 1 });
  });

  it('says when something was left out, and not when nothing was', () => {
    expect(view.truncated).toBe(true);
    expect(buildBulletin(week47()).truncated).toBe(false);
  });

  it('does not reorder the source lists it was given', () => {
    const source = week47();
    buildBulletin(source);
    expect(source.overdue[0]!.findingNumber).toBe(7);
    expect(source.byDepartment[0]!.name).toBe('门诊部');
  });
});

describe('buildBulletin — other periods', () => {
  it('speaks of 本月 and 上月 in a monthly bulletin', () => {
    const view = buildBulletin({ ...week47(), kind: 'monthly', periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(view.periodLabel).toBe('2026年11月');
    expect(view.rangeText).toBe('11月1日—11月30日');
    expect(view.headline).toBe('本月新发现问题8个，销号14个，在办21个，其中逾期7个；累计整改完成率75.0%（较上月+10.5个百分点）。');
  });

  it('speaks of 本年度 and the same days a year earlier in a yearly bulletin', () => {
    const view = buildBulletin({ ...week47(), kind: 'yearly', periodStart: '2026-01-01', periodEnd: '2026-11-24' });
    expect(view.periodLabel).toBe('2026年度');
    expect(view.rangeText).toBe('1月1日—11月24日');
    expect(view.headline).toBe('本年度新发现问题8个，销号14个，在办21个，其中逾期7个；累计整改完成率75.0%（较上年度同期+10.5个百分点）。');
  });

  it('speaks of the week so far in an on-demand bulletin', () => {
    const view = buildBulletin({ ...week47(), kind: 'on_demand', periodStart: '2026-11-23', periodEnd: '2026-11-25' });
    expect(view.periodLabel).toBe('截至11月25日');
    expect(view.headline).toBe('本周截至今日新发现问题8个，销号14个，在办21个，其中逾期7个；累计整改完成率75.0%（较上周+10.5个百分点）。');
  });

  it('reports a fall with a minus sign and no change as 持平', () => {
    // 2/3 = 66.7%, 7/10 = 70.0% → −3.3 points
    const down = buildBulletin({ ...week47(), current: { ...zero, open: 1, totalEver: 3, closedEver: 2 }, previous: { ...zero, totalEver: 10, closedEver: 7 } });
    expect(down.rateChange).toBe(-3.3);
    expect(down.headline).toBe('本周未发现新问题，无销号，在办1个，无逾期；累计整改完成率66.7%（较上周-3.3个百分点）。');
    const flat = buildBulletin({ ...week47(), current: { ...zero, totalEver: 4, closedEver: 3 }, previous: { ...zero, totalEver: 8, closedEver: 6 } });
    expect(flat.rateChange).toBe(0);
    expect(flat.rateChangeText).toBe('与上周持平');
  });

  it('leaves the comparison out when last week had nothing filed yet', () => {
    const view = buildBulletin({ ...week47(), current: { ...zero, new: 2, open: 2, totalEver: 2 }, previous: zero });
    expect(view.rate).toBe(0);
    expect(view.rateChange).toBeNull();
    expect(view.rateChangeText).toBeNull();
    expect(view.headline).toBe('本周新发现问题2个，无销号，在办2个，无逾期；累计整改完成率0.0%。');
  });

  it('handles a period with nothing at all without dividing by zero', () => {
    const empty: BulletinSource = { ...week47(), current: zero, previous: zero, byDepartment: [row('门诊部', 0, 0, 0, 0)], byCategory: [], overdue: [], repeats: [], trend: [] };
    const view = buildBulletin(empty);
    expect(view.headline).toBe('本周未发现新问题，无销号，无在办问题；尚无登记问题，暂无整改完成率。');
    expect(view.rate).toBeNull();
    expect(view.rateText).toBe('—');
    expect(view.rateChange).toBeNull();
    expect(view.departments).toEqual({ items: [], rest: 0 });
    expect(view.categories).toEqual({ items: [], rest: 0 });
    expect(view.best).toEqual([]);
    expect(view.worst).toEqual([]);
    expect(view.truncated).toBe(false);
  });

  it('treats a zero limit as "show none, count all"', () => {
    const view = buildBulletin(week47(), { topRows: 0, topOverdue: 0, topRepeats: 0 });
    expect(view.departments).toEqual({ items: [], rest: 9 });
    expect(view.overdue.rest).toBe(7);
    expect(view.repeats.rest).toBe(4);
  });
});

describe('isoWeek', () => {
  it('numbers weeks by the year their Thursday falls in', () => {
    expect(isoWeek(2026, 11, 16)).toEqual({ year: 2026, week: 47 });
    // 2026 begins on a Thursday, so it has 53 weeks and 1 January 2027 (a Friday) is in the last
    expect(isoWeek(2026, 12, 28)).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(2027, 1, 1)).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(2027, 1, 4)).toEqual({ year: 2027, week: 1 });
    // 30 December 2024 (a Monday) starts week 1 of 2025
    expect(isoWeek(2024, 12, 30)).toEqual({ year: 2025, week: 1 });
  });

  it('writes the years out when a weekly period crosses New Year', () => {
    const view = buildBulletin({ ...week47(), periodStart: '2026-12-28', periodEnd: '2027-01-03' });
    expect(view.periodLabel).toBe('2026年第53周');
    expect(view.rangeText).toBe('2026年12月28日—2027年1月3日');
  });
});
