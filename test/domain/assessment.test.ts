// 科室考核 judged and counted by hand: each task's timeliness, each department's row, the 合计, the
// order of departments, and the span a request covers.
import { describe, expect, it } from 'vitest';
import {
  assessmentHeadline, assessmentSpan, buildAssessment, percentText, repeatedText, timelinessOf, type AssessedTask,
} from '../../src/domain/assessment.js';

const TODAY = '2026-11-24';
let number = 0;
function task(over: Partial<AssessedTask>): AssessedTask {
  number += 1;
  return {
    findingNumber: number, departmentName: '急诊科', category: '服务态度', description: `问题${number}`, leaderName: '王主任',
    foundOn: '2026-03-02', deadline: '2026-03-20', state: 'pending', submittedOn: null, closedOn: null, returnsCount: 0, ...over,
  };
}

describe('timeliness', () => {
  it.each<[string, Partial<AssessedTask>, string]>([
    ['reported on the deadline day, verified a week later', { state: 'closed', submittedOn: '2026-03-20', closedOn: '2026-03-27' }, 'on_time'],
    ['reported a day late', { state: 'closed', submittedOn: '2026-03-21', closedOn: '2026-03-21' }, 'late'],
    ['imported closed, without a report: its closing day', { state: 'closed', submittedOn: null, closedOn: '2026-03-19' }, 'on_time'],
    ['imported closed late', { state: 'closed', submittedOn: null, closedOn: '2026-04-01' }, 'late'],
    ['waiting for verification', { state: 'submitted', submittedOn: '2026-04-01' }, 'awaiting_verification'],
    ['turned down, waiting for a new leader', { state: 'declined' }, 'awaiting_reassignment'],
    ['open past its deadline', { state: 'in_progress', deadline: '2026-11-23' }, 'overdue'],
    ['open on its deadline day', { state: 'pending', deadline: TODAY }, 'not_due'],
  ])('%s', (_name, over, expected) => {
    expect(timelinessOf(task(over), TODAY)).toBe(expected);
  });
});

describe('the assessment', () => {
  const tasks = [
    // 急诊科: 4 problems (服务态度 ×3), 2 closed (1 on time, 1 late), 2 open (1 overdue), 3 returns
    task({ state: 'closed', submittedOn: '2026-03-18', closedOn: '2026-03-19', returnsCount: 1 }),
    task({ state: 'closed', submittedOn: '2026-03-25', closedOn: '2026-03-26', returnsCount: 2 }),
    task({ state: 'in_progress', deadline: '2026-11-20' }),
    task({ state: 'submitted', category: '服务流程', submittedOn: '2026-11-10', deadline: '2026-11-30' }),
    // 儿科: 1 problem, closed on time
    task({ departmentName: '儿科', category: '服务环境', state: 'closed', submittedOn: '2026-05-01', closedOn: '2026-05-02', deadline: '2026-05-10' }),
    // no department: 1 problem, open, not due
    task({ departmentName: null, state: 'pending', deadline: '2026-12-10' }),
    // 药剂科: 1 problem, declined
    task({ departmentName: '药剂科', category: '服务质量', state: 'declined' }),
  ];
  const a = buildAssessment({ organisation: '某中医院', campaignName: '日常督查', span: { start: '2026-01-01', end: TODAY, label: '2026年（截至11月24日）' }, generatedOn: TODAY, repeatMinCount: 3 }, tasks);

  it('counts each department by hand, in the order its name is read (pinyin), 未指定科室 last', () => {
    expect(a.rows.map((r) => r.department)).toEqual(['儿科', '急诊科', '药剂科', '未指定科室']);
    expect(a.rows[1]).toEqual({
      department: '急诊科', total: 4, closed: 2, onTime: 1, late: 1, open: 2, overdue: 1, returns: 3,
      repeated: [{ category: '服务态度', count: 3 }], closeRate: 0.5, onTimeRate: 0.5,
    });
    expect(a.rows[0]).toMatchObject({ total: 1, closed: 1, onTime: 1, late: 0, open: 0, overdue: 0, repeated: [], closeRate: 1, onTimeRate: 1 });
    expect(a.rows[2]).toMatchObject({ total: 1, closed: 0, open: 1, overdue: 0, closeRate: 0, onTimeRate: null });
  });

  it('adds every department into 合计', () => {
    expect(a.total).toEqual({ department: '合计', total: 7, closed: 3, onTime: 2, late: 1, open: 4, overdue: 1, returns: 3, repeated: [], closeRate: 3 / 7, onTimeRate: 2 / 3 });
  });

  it('lists every problem in 序号 order with its completion day, status and timeliness in words', () => {
    expect(a.details.map((d) => d.number)).toEqual(tasks.map((t) => t.findingNumber));
    expect(a.details[1]).toMatchObject({ department: '急诊科', completedOn: '2026-03-25', status: '已销号', timeliness: '逾期完成', returns: 2 });
    expect(a.details[3]).toMatchObject({ completedOn: '2026-11-10', status: '待验收', timeliness: '已提交，待验收' });
    expect(a.details[5]).toMatchObject({ department: '未指定科室', completedOn: null, status: '待签收', timeliness: '未到期' });
  });

  it('says it in one line, and says so when there is nothing', () => {
    expect(assessmentHeadline(a)).toBe(
      '2026年（截至11月24日）共3个科室、7个问题；已销号3个（按期完成2个，逾期完成1个），销号率42.9%，按期完成率66.7%；未办结4个，其中逾期1个；验收退回3次。',
    );
    const empty = buildAssessment({ organisation: null, campaignName: '日常督查', span: { start: '2025-01-01', end: '2025-12-31', label: '2025年度' }, generatedOn: TODAY, repeatMinCount: 3 }, []);
    expect(assessmentHeadline(empty)).toBe('2025年度没有登记问题。');
    expect(empty.total).toMatchObject({ total: 0, closeRate: null, onTimeRate: null });
    expect([percentText(null), percentText(1), percentText(2 / 3)]).toEqual(['—', '100.0%', '66.7%']);
    expect(repeatedText([{ category: '服务态度', count: 4 }, { category: '服务流程', count: 3 }])).toBe('服务态度4次、服务流程3次');
  });
});

describe('the span asked for', () => {
  it('is this year so far, a past year whole, or the whole of a 专项', () => {
    expect(assessmentSpan(null, false, TODAY)).toEqual({ start: '2026-01-01', end: TODAY, label: '2026年（截至11月24日）' });
    expect(assessmentSpan(2025, false, TODAY)).toEqual({ start: '2025-01-01', end: '2025-12-31', label: '2025年度' });
    expect(assessmentSpan(null, true, TODAY)).toEqual({ start: null, end: TODAY, label: '专项全程（截至11月24日）' });
    expect(assessmentSpan(2025, true, TODAY)).toMatchObject({ start: '2025-01-01', label: '2025年度' });
  });

  it('refuses a year not begun and one before the bot could have seen anything', () => {
    expect(assessmentSpan(2027, false, TODAY)).toBe('2027年还没有开始，可写今年或往年，如「考核 2025年」。');
    expect(assessmentSpan(1999, false, TODAY)).toBe('1999年没有督查记录，可写今年或往年，如「考核 2025年」。');
  });
});
