// 科室考核's read, on both drivers: the campaign's tasks found in the span (ends included), never a
// cancelled one, another campaign's or another tenant's; the leader's name where it is known; the
// time of the last 提交 (a resubmission after 退回 replaces the first), none for a task never reported.
import { describe, expect, it } from 'vitest';
import type { Finding, Task, TaskState } from '../../src/domain/model.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';

function finding(number: number, foundOn: string, fields: Partial<Finding> = {}): Finding {
  return {
    id: `f${number}`, tenantId: T, campaignId: 'c1', number, departmentId: null, area: '', category: '服务环境', description: `问题${number}`,
    inspectorUserId: 'ou_qian', foundOn, source: '日常督查', chatId: 'oc_g', intakeCardId: `card${number}`, aspect: null, majorItem: null,
    importId: null, importRow: null, createdAt: number, ...fields,
  };
}

function task(f: Finding, state: TaskState, fields: Partial<Task> = {}): Task {
  return {
    id: `k${f.number}`, tenantId: f.tenantId, findingId: f.id, state, leaderUserId: 'ou_wang', measures: null, responsiblePerson: null, acceptanceCriteria: null, deadline: '2026-03-31', completionNote: null,
    closureKind: null, returnsCount: 0, version: 1, closedAt: null, closedOn: null, createdAt: f.createdAt, updatedAt: f.createdAt, ...fields,
  };
}

const seed: [Finding, Task][] = [];
const add = (f: Finding, state: TaskState, fields: Partial<Task> = {}) => seed.push([f, task(f, state, fields)]);
add(finding(1, '2025-12-31'), 'closed'); // the year before
add(finding(2, '2026-01-01', { departmentId: 'd1', category: '服务态度' }), 'closed', { closedOn: '2026-01-20', returnsCount: 1 });
add(finding(3, '2026-06-15'), 'in_progress', { leaderUserId: 'ou_unnamed' });
add(finding(4, '2026-06-16'), 'cancelled');
add(finding(5, '2026-12-31'), 'pending');
add(finding(6, '2026-07-01', { campaignId: 'c2' }), 'pending'); // another campaign
add(finding(7, '2026-07-01', { tenantId: 'feishu:t2', intakeCardId: 'other' }), 'pending'); // another tenant

/** The order is the caller's (the assessment sorts); the tests read in 序号 order. */
const byNumber = <R extends { findingNumber: number }>(rows: R[]) => [...rows].sort((a, b) => a.findingNumber - b.findingNumber);

describe.each(DRIVERS)('assessedTasks on $name', (driver) => {
  const opened = openForEachTest(driver);

  async function seeded() {
    const store = createStore(opened.db, opened);
    const event = (taskId: string, seq: number, action: string, at: number) => ({ op: 'appendEvent' as const, event: { tenantId: T, taskId, seq, action, actorUserId: 'ou_wang', at, data: {} } });
    await store.commit([
      { op: 'upsertDepartment', department: { id: 'd1', tenantId: T, name: '急诊科', leaderUserId: 'ou_wang', retiredOn: null }, at: 1 },
      { op: 'upsertMember', member: { tenantId: T, userId: 'ou_wang', name: '王主任' }, at: 1 },
      ...seed.flatMap(([f, t]) => [{ op: 'insertFinding' as const, finding: f }, { op: 'insertTask' as const, task: t, finding: f }]),
      // #2: submitted, sent back, submitted again; the second report is the one that closed it
      event('k2', 2, 'accept', 1_000), event('k2', 3, 'submit', 2_000), event('k2', 4, 'verify_fail', 3_000), event('k2', 5, 'submit', 4_000), event('k2', 6, 'verify_pass', 5_000),
      event('k3', 2, 'accept', 6_000),
    ]);
    return store;
  }

  it('reads the campaign\'s tasks found in the span, ends included, with what the assessment judges by', async () => {
    const store = await seeded();
    const rows = byNumber(await store.assessedTasks(T, 'c1', '2026-01-01', '2026-12-31'));
    expect(rows.map((r) => r.findingNumber)).toEqual([2, 3, 5]);
    expect(rows[0]).toEqual({
      findingNumber: 2, departmentName: '急诊科', category: '服务态度', description: '问题2', leaderName: '王主任', foundOn: '2026-01-01',
      deadline: '2026-03-31', state: 'closed', closedOn: '2026-01-20', returnsCount: 1, submittedAt: 4_000,
    });
    expect(rows[1]).toMatchObject({ departmentName: null, leaderName: 'ou_unnamed', submittedAt: null });
  });

  it('reads from the first finding when the span has no start, and nothing outside it', async () => {
    const store = await seeded();
    expect(byNumber(await store.assessedTasks(T, 'c1', null, '2026-06-30')).map((r) => r.findingNumber)).toEqual([1, 2, 3]);
    expect(await store.assessedTasks(T, 'c1', '2027-01-01', '2027-12-31')).toEqual([]);
    expect((await store.assessedTasks(T, 'c2', null, '2026-12-31')).map((r) => r.findingNumber)).toEqual([6]);
  });
});
