// Planning an import: every row becomes a finding with a task in the state its history says,
// or an error naming the row and the reason; names match members within the tenant.
import { describe, expect, it } from 'vitest';
import { planImport, readDateCell, type ImportContext } from '../../src/domain/import-plan.js';
import type { ProblemField, ProblemRow } from '../../src/domain/problem-sheet.js';

const ctx: ImportContext = {
  today: '2026-11-23',
  importerUserId: 'ou_admin',
  members: [
    { userId: 'ou_wang', name: '王主任' },
    { userId: 'ou_li', name: '李督查' },
    { userId: 'ou_zhang1', name: '张伟' },
    { userId: 'ou_zhang2', name: '张伟' },
    { userId: 'ou_nameless', name: null },
  ],
  departments: [
    { id: 'd-er', name: '急诊科', leaderUserId: 'ou_wang' },
    { id: 'd-op', name: '门诊部', leaderUserId: null },
  ],
};

let rowNumber = 1;
function row(fields: Partial<Record<ProblemField, string>>): ProblemRow {
  const blank = Object.fromEntries(
    ['number', 'aspect', 'majorItem', 'problem', 'category', 'area', 'department', 'leader', 'responsiblePerson', 'inspector', 'measures', 'situation', 'deadline', 'wording', 'status', 'foundOn', 'closedOn'].map((f) => [f, '']),
  ) as Record<ProblemField, string>;
  return { sheet: '清单', rowNumber: ++rowNumber, ...blank, ...fields };
}

describe('planImport', () => {
  it('opens a plain list row as a pending task with its deadline and matched leader', () => {
    const plan = planImport([row({ problem: '导诊台无人', leader: '王主任', deadline: '2026-12-05', inspector: '李督查' })], ctx);
    expect(plan.errors).toEqual([]);
    expect(plan.findings[0]).toMatchObject({ description: '导诊台无人', leaderUserId: 'ou_wang', inspectorUserId: 'ou_li', deadline: '2026-12-05', outcome: { state: 'pending' }, category: '未分类', aspect: null });
  });

  it('treats written measures as a task under way, and 整改情况 on a closed item as its completion note', () => {
    const plan = planImport(
      [
        row({ problem: 'a', leader: '王主任', deadline: '2026-12-05', measures: '增加导诊' }),
        row({ problem: 'b', leader: '王主任', situation: '已更换座椅', wording: '已整改完成', closedOn: '2026-11-01' }),
      ],
      ctx,
    );
    expect(plan.findings[0]).toMatchObject({ measures: '增加导诊', outcome: { state: 'in_progress' } });
    expect(plan.findings[1]).toMatchObject({ measures: null, completionNote: '已更换座椅', outcome: { state: 'closed', closureKind: 'done', closedOn: '2026-11-01' } });
  });

  it('takes the department’s leader when none is written, and notes departments it will create', () => {
    const plan = planImport([row({ problem: 'a', department: '急诊科', deadline: '3个工作日' }), row({ problem: 'b', department: '药剂科', leader: '王主任', deadline: '2026-12-01' })], ctx);
    expect(plan.errors).toEqual([]);
    expect(plan.findings[0]).toMatchObject({ leaderUserId: 'ou_wang', departmentId: 'd-er', deadline: '2026-11-26' });
    expect(plan.findings[1]).toMatchObject({ newDepartment: '药剂科', departmentId: null });
    expect(plan.newDepartments).toEqual(['药剂科']);
    expect(plan.notes).toContain('将新建科室：药剂科');
  });

  it('keeps the 责任人 a row names, clipped to what a task keeps', () => {
    const plan = planImport([row({ problem: 'a', leader: '王主任', responsiblePerson: '护士长 李某', deadline: '2026-12-05' }), row({ problem: 'b', leader: '王主任', responsiblePerson: '人'.repeat(60), deadline: '2026-12-05' })], ctx);
    expect(plan.findings.map((f) => f.responsiblePerson)).toEqual(['护士长 李某', '人'.repeat(50)]);
  });

  it('reads 「未指定科室」, which our own ledger writes for a finding without one, as no department', () => {
    const plan = planImport([row({ problem: 'a', department: '未指定科室', leader: '王主任', deadline: '2026-12-01' })], ctx);
    expect(plan.errors).toEqual([]);
    expect(plan.findings[0]).toMatchObject({ departmentId: null, newDepartment: null, area: '' });
    expect(plan.newDepartments).toEqual([]);
  });

  it('names each bad row with every reason it has', () => {
    const rows = [
      row({ leader: '王主任', deadline: '2026-12-05', measures: 'x' }),
      row({ problem: 'a', leader: '钱院长', deadline: '2026-12-05' }),
      row({ problem: 'b', leader: '张伟', deadline: '2026-12-05' }),
      row({ problem: 'c', department: '门诊部', deadline: '2026-12-05' }),
      row({ problem: 'd', leader: '王主任' }),
      row({ problem: 'e', leader: '王主任', wording: '待定' }),
      row({ problem: 'f', leader: '王主任', deadline: '下个月' }),
      row({ problem: 'x'.repeat(2001), leader: '钱院长' }),
    ];
    const plan = planImport(rows, ctx);
    expect(plan.findings).toEqual([]);
    expect(plan.errors.map((e) => [e.rowNumber - rows[0]!.rowNumber, e.reason])).toEqual([
      [0, '缺少问题描述'],
      [1, '责任领导「钱院长」不在成员中'],
      [2, '责任领导「张伟」有2位同名成员，无法确定是谁'],
      [3, '缺少责任领导（科室「门诊部」也没有设定责任领导）'],
      [4, '缺少整改时限（继续整改的问题需要写明完成时间）'],
      [5, expect.stringContaining('无法识别的整改完成情况「待定」')],
      [6, expect.stringContaining('整改时限格式不对：「下个月」')],
      [7, '问题描述超过2000字；责任领导「钱院长」不在成员中；缺少整改时限（继续整改的问题需要写明完成时间）'],
    ]);
    expect(plan.unmatchedLeaders).toEqual(['钱院长']);
  });

  it('takes the first of several leaders and says so; an unknown inspector falls back to the importer', () => {
    const plan = planImport([row({ problem: 'a', leader: '王主任、李督查', inspector: '赵某', deadline: '2026-12-05' })], ctx);
    expect(plan.findings[0]).toMatchObject({ leaderUserId: 'ou_wang', inspectorUserId: 'ou_admin' });
    expect(plan.notes).toEqual(['督查人未匹配到成员，记为导入人：赵某', '1行写了多位责任领导：以第一位为准']);
  });

  it('closes 长期坚持 items as long-term and keeps the hierarchy of a 巡察 list', () => {
    const plan = planImport([row({ aspect: '（一）政治建设', majorItem: '1.理论学习', problem: 'a', leader: '王主任', wording: '长期任务取得阶段性成效并长期坚持' })], ctx);
    expect(plan.findings[0]).toMatchObject({ aspect: '（一）政治建设', majorItem: '1.理论学习', category: '（一）政治建设', outcome: { state: 'closed', closureKind: 'long_term', closedOn: '2026-11-23' } });
  });
});

describe('readDateCell', () => {
  it.each([
    ['2026-12-05', '2026-12-05'],
    ['2026/12/5', '2026-12-05'],
    ['2026年12月5日', '2026-12-05'],
    ['2026.12.05 00:00', '2026-12-05'],
    ['2026-02-30', null],
    ['12月5日', null],
  ])('%j → %j', (text, expected) => {
    expect(readDateCell(text)).toBe(expected);
  });
});
