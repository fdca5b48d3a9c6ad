// 督查情况's reads, on both drivers: one row per inspector, department and day, where a finding filed
// that day and a 督查记录 add up; imported and cancelled findings are no inspection; one campaign's
// or all; each department's latest inspection before a day (there an imported finding's date counts).
import { describe, expect, it } from 'vitest';
import type { Finding, InspectionVisit, Task, TaskState } from '../../src/domain/model.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';

function finding(number: number, foundOn: string, departmentId: string | null, fields: Partial<Finding> = {}): Finding {
  return {
    id: `f${number}`, tenantId: T, campaignId: 'c1', number, departmentId, area: '', category: '服务环境', description: `问题${number}`,
    inspectorUserId: 'ou_feng', foundOn, source: '日常督查', chatId: 'oc_g', intakeCardId: `card${number}`, aspect: null, majorItem: null,
    importId: null, importRow: null, createdAt: number, ...fields,
  };
}

function task(f: Finding, state: TaskState = 'pending'): Task {
  return {
    id: `k${f.number}`, tenantId: f.tenantId, findingId: f.id, state, leaderUserId: 'ou_wang', measures: null, responsiblePerson: null, acceptanceCriteria: null, deadline: '2026-12-31', completionNote: null,
    closureKind: null, returnsCount: 0, version: 1, closedAt: null, closedOn: null, createdAt: f.createdAt, updatedAt: f.createdAt,
  };
}

function visit(id: string, departmentId: string, visitedOn: string, fields: Partial<InspectionVisit> = {}): InspectionVisit {
  return { id, tenantId: T, campaignId: 'c1', departmentId, inspectorUserId: 'ou_feng', visitedOn, note: null, chatId: 'oc_g', createdAt: 1, ...fields };
}

const findings: [Finding, TaskState][] = [
  [finding(1, '2026-11-03', 'mz'), 'pending'],
  [finding(2, '2026-11-03', 'mz'), 'closed'], // the same inspection as #1
  [finding(3, '2026-11-03', 'jz', { inspectorUserId: 'ou_chen' }), 'in_progress'],
  [finding(4, '2026-11-05', null), 'pending'], // an area, no department
  [finding(5, '2026-11-06', 'jy'), 'cancelled'], // filed in error
  [finding(6, '2026-11-06', 'yj', { importId: 'imp1', importRow: 1, intakeCardId: null }), 'pending'], // from a spreadsheet
  [finding(7, '2026-11-07', 'jy', { campaignId: 'c2' }), 'pending'], // a 专项
  [finding(8, '2026-10-12', 'jy'), 'closed'], // before the month
  [finding(9, '2026-11-03', 'mz', { tenantId: 'feishu:t2', intakeCardId: 'other' }), 'pending'], // another hospital
  [finding(10, '2026-11-03', 'mz'), 'cancelled'], // filed in error beside #1 and #2: two problems still
  [finding(11, '2026-11-06', 'yj', { importId: 'imp1', importRow: 2, intakeCardId: null }), 'cancelled'], // imported, then cancelled
];

const visits: InspectionVisit[] = [
  visit('v1', 'mz', '2026-11-03'), // the same day and department as #1 and #2
  visit('v2', 'yj', '2026-11-10'),
  visit('v3', 'yj', '2026-10-20'),
  visit('v4', 'jz', '2026-11-10', { campaignId: 'c2', inspectorUserId: 'ou_chen' }),
];

const byKey = <R extends { departmentId: string | null; inspectorUserId: string; day: string }>(rows: R[]) =>
  [...rows].sort((a, b) => `${a.day}${a.departmentId}${a.inspectorUserId}`.localeCompare(`${b.day}${b.departmentId}${b.inspectorUserId}`));

describe.each(DRIVERS)('inspection activity on $name', (driver) => {
  const opened = openForEachTest(driver);

  async function seeded() {
    const store = createStore(opened.db, opened);
    await store.commit([
      ...findings.flatMap(([f, state]) => [{ op: 'insertFinding' as const, finding: f }, { op: 'insertTask' as const, task: task(f, state), finding: f }]),
      ...visits.map((v) => ({ op: 'insertVisit' as const, visit: v })),
    ]);
    return store;
  }

  it('reads one campaign’s inspections in the span, a finding and a record of the same day adding up', async () => {
    const store = await seeded();
    expect(byKey(await store.inspectionActivity(T, 'c1', '2026-11-01', '2026-11-30'))).toEqual([
      { departmentId: 'jz', inspectorUserId: 'ou_chen', day: '2026-11-03', problems: 1 },
      { departmentId: 'mz', inspectorUserId: 'ou_feng', day: '2026-11-03', problems: 2 },
      { departmentId: null, inspectorUserId: 'ou_feng', day: '2026-11-05', problems: 1 },
      { departmentId: 'yj', inspectorUserId: 'ou_feng', day: '2026-11-10', problems: 0 },
    ]);
  });

  it('counts the same inspections per department for a bulletin', async () => {
    const store = await seeded();
    const sorted = (rows: { departmentId: string | null }[]) => [...rows].sort((a, b) => String(a.departmentId).localeCompare(String(b.departmentId)));
    const alone = await store.inspectionSums(T, 'c1', '2026-11-01', '2026-11-30', false);
    const withPeople = await store.inspectionSums(T, 'c1', '2026-11-01', '2026-11-30', true);
    expect(alone.perInspectorDay).toEqual([]);
    // asked for the per-person sums as well, the per-department ones are the same
    expect(sorted(withPeople.perDepartment)).toEqual(sorted(alone.perDepartment));
    expect(withPeople.perInspectorDay.map((r) => `${r.day} ${r.inspectorUserId} ${r.inspections}`).sort()).toEqual([
      '2026-11-03 ou_chen 1',
      '2026-11-03 ou_feng 1',
      '2026-11-05 ou_feng 1',
      '2026-11-10 ou_feng 1',
    ]);
    const rows = sorted(alone.perDepartment);
    expect(rows).toEqual([
      { departmentId: 'jz', inspections: 1, clean: 0, problems: 1 },
      { departmentId: 'mz', inspections: 1, clean: 0, problems: 2 },
      { departmentId: null, inspections: 1, clean: 0, problems: 1 },
      { departmentId: 'yj', inspections: 1, clean: 1, problems: 0 },
    ]);
  });

  it('reads every campaign when none is named, and takes the span’s ends in', async () => {
    const store = await seeded();
    const all = byKey(await store.inspectionActivity(T, null, '2026-11-07', '2026-11-10'));
    expect(all.map((r) => [r.departmentId, r.day, r.problems])).toEqual([
      ['jy', '2026-11-07', 1],
      ['jz', '2026-11-10', 0],
      ['yj', '2026-11-10', 0],
    ]);
  });

  it('records a second 督查记录 of the same inspection as nothing new', async () => {
    const store = await seeded();
    await store.commit([{ op: 'insertVisit', visit: visit('v5', 'yj', '2026-11-10', { note: '再次记录' }) }]);
    const rows = await opened.query<{ id: string; note: string | null }>("select id, note from inspection_visits where department_id = 'yj' and visited_on = '2026-11-10'");
    expect(rows).toEqual([{ id: 'v2', note: null }]);
  });

  it('finds an inspector’s latest record of a department in a campaign, and deletes it', async () => {
    const store = await seeded();
    await store.commit([{ op: 'insertVisit', visit: visit('v6', 'yj', '2026-11-12') }]);
    expect(await store.latestVisit(T, 'c1', 'yj', 'ou_feng')).toMatchObject({ id: 'v6', visitedOn: '2026-11-12', departmentId: 'yj', note: null, chatId: 'oc_g' });
    expect(await store.latestVisit(T, 'c1', 'yj', 'ou_chen')).toBeNull();
    expect(await store.latestVisit(T, 'c2', 'yj', 'ou_feng')).toBeNull();
    await store.commit([{ op: 'deleteVisit', tenantId: T, visitId: 'v6' }]);
    expect((await store.latestVisit(T, 'c1', 'yj', 'ou_feng'))?.id).toBe('v2');
    // another tenant's id deletes nothing here
    await store.commit([{ op: 'deleteVisit', tenantId: 'feishu:t2', visitId: 'v2' }]);
    expect((await store.latestVisit(T, 'c1', 'yj', 'ou_feng'))?.id).toBe('v2');
  });

  it('finds each department’s latest inspection before a day, of one campaign or all, an imported finding’s date included', async () => {
    const store = await seeded();
    expect(Object.fromEntries(await store.lastInspectedBefore(T, 'c1', '2026-11-01'))).toEqual({ jy: '2026-10-12', yj: '2026-10-20' });
    expect(Object.fromEntries(await store.lastInspectedBefore(T, null, '2026-11-08'))).toEqual({ mz: '2026-11-03', jz: '2026-11-03', jy: '2026-11-07', yj: '2026-11-06' });
    // a cancelled finding is no inspection: 检验科's #5 on 11-06 is not its last before 11-07
    expect(Object.fromEntries(await store.lastInspectedBefore(T, 'c1', '2026-11-07'))).toMatchObject({ jy: '2026-10-12' });
  });
});
