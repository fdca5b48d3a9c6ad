// The ledger's rows: one 附件1 record per inspection visit, the 附件2 list, and the 整改进展 grouping.
import { describe, expect, it } from 'vitest';
import { buildLedger, PROBLEMS_PER_RECORD, type LedgerEntry } from '../../src/domain/ledger.js';
import { progressReportText } from '../../src/domain/progress-text.js';

const meta = { organisation: '绍兴市中医院', campaignName: '2026年作风建设专项督查', today: '2026-11-23' };

function entry(n: number, over: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    findingNumber: n, foundOn: '2026-11-20', area: '门诊大厅', category: '服务态度', description: `问题${n}`, aspect: null, majorItem: null,
    departmentName: '门诊部', inspectorName: '李督查', leaderName: '王主任', measures: null, responsiblePerson: null, completionNote: null,
    deadline: '2026-12-05', state: 'in_progress', closureKind: null, closedOn: null, ...over,
  };
}

describe('buildLedger', () => {
  it('puts the problems of one visit (day, area, inspector) on one record form, in 序号 order', () => {
    const ledger = buildLedger(meta, [
      entry(3, { measures: '加强培训' }),
      entry(1),
      entry(2, { area: '急诊科' }),
      entry(4, { foundOn: '2026-11-21' }),
    ]);
    expect(ledger.records.map((r) => [r.numbers, r.area, r.foundOn])).toEqual([
      [[1, 3], '门诊大厅', '2026-11-20'],
      [[2], '急诊科', '2026-11-20'],
      [[4], '门诊大厅', '2026-11-21'],
    ]);
    expect(ledger.records[0]!.problems).toEqual(['（1）【服务态度】问题1', '（3）【服务态度】问题3']);
    expect(ledger.records[0]!.measures).toEqual(['（3）加强培训']);
  });

  it('gives each inspection that found nothing a form of its own, among its day’s, the findings’ forms kept in 序号 order', () => {
    const visit = (visitedOn: string, departmentName: string, note: string | null = null) => ({ visitedOn, departmentName, inspectorName: '冯督查', note });
    const ledger = buildLedger(meta, [entry(1, { foundOn: '2026-11-03' }), entry(2, { foundOn: '2026-11-17' })], [
      visit('2026-10-20', '药剂科'),
      visit('2026-11-03', '检验科', '标识清楚'),
      visit('2026-11-24', '急诊科'),
    ]);
    expect(ledger.records.map((r) => [r.numbers, r.foundOn, r.area, r.problems, r.measures, r.inspector])).toEqual([
      [[], '2026-10-20', '药剂科', ['未发现问题'], [], '冯督查'],
      [[1], '2026-11-03', '门诊大厅', ['（1）【服务态度】问题1'], [], '李督查'],
      [[], '2026-11-03', '检验科', ['未发现问题（标识清楚）'], [], '冯督查'],
      [[2], '2026-11-17', '门诊大厅', ['（2）【服务态度】问题2'], [], '李督查'],
      [[], '2026-11-24', '急诊科', ['未发现问题'], [], '冯督查'],
    ]);
    // 附件2 and the progress report are about problems only
    expect(ledger.list.map((r) => r.number)).toEqual([1, 2]);
    expect(ledger.summary).toEqual(buildLedger(meta, [entry(1, { foundOn: '2026-11-03' }), entry(2, { foundOn: '2026-11-17' })]).summary);
  });

  it('continues a full form on a new one', () => {
    const ledger = buildLedger(meta, Array.from({ length: PROBLEMS_PER_RECORD + 1 }, (_, i) => entry(i + 1)));
    expect(ledger.records.map((r) => r.numbers.length)).toEqual([PROBLEMS_PER_RECORD, 1]);
  });

  it('leaves cancelled items out and marks overdue ones in 附件2', () => {
    const ledger = buildLedger(meta, [
      entry(1, { state: 'cancelled' }),
      entry(2, { deadline: '2026-11-20' }),
      entry(3, { state: 'closed', closureKind: 'done', closedOn: '2026-11-22' }),
    ]);
    expect(ledger.list.map((r) => [r.number, r.status, r.closedOn])).toEqual([
      [2, '整改中（已逾期）', null],
      [3, '已销号', '2026-11-22'],
    ]);
    expect(ledger.summary).toMatchObject({ problems: 2, done: 1, continuing: 1, overdue: 1, aspects: null });
  });

  it('groups ordinary findings by category and department, and a 巡察 list by 方面 and 大项', () => {
    const ordinary = buildLedger(meta, [entry(1), entry(2, { departmentName: null, category: '服务环境' })]);
    expect(ordinary.grouping).toEqual({ aspect: '问题类别', major: '责任科室' });
    expect(ordinary.progress.map((g) => [g.aspect, g.majors.map((m) => m.title)])).toEqual([
      ['服务态度', ['门诊部']],
      ['服务环境', ['未指定科室']],
    ]);
    const inspection = buildLedger(meta, [
      entry(1, { aspect: '（一）政治建设', majorItem: '理论学习', state: 'closed', closureKind: 'long_term', closedOn: '2026-11-01' }),
      entry(2, { aspect: '（一）政治建设', majorItem: '主责主业', completionNote: '已完成查体' , measures: '加强查体', state: 'closed', closureKind: 'done', closedOn: '2026-11-01' }),
      entry(3, { aspect: '（二）整改反弹', majorItem: null }),
    ]);
    expect(inspection.grouping).toEqual({ aspect: '方面', major: '大项' });
    expect(inspection.progress[0]!.majors[1]!.problems[0]).toMatchObject({ situation: '已完成查体', wording: '已整改完成' });
    expect(inspection.summary).toMatchObject({ aspects: 2, majorItems: 3, longTerm: 1 });
    const text = progressReportText(inspection);
    expect(text.split('\n')).toEqual([
      '绍兴市中医院2026年作风建设专项督查整改进展情况（截至2026年11月23日）',
      '共反馈2个方面、3个大项、3条问题，已完成整改2项，继续整改1项；阶段性完成并长期推进1项。',
      '（一）政治建设：2条问题，已完成2项，已全部完成整改。',
      '（二）整改反弹：1条问题，已完成0项，继续整改1项。',
      '继续整改的问题：',
      '3. 问题3（责任领导：王主任；继续整改、12月5日前整改完成）',
    ]);
  });
});
