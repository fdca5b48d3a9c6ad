// 查找 in the store, on both drivers: every word must appear somewhere in the finding (description,
// area, category or department name), LIKE's own wildcards are taken literally, the newest finding
// comes first, the limit holds, and neither another tenant's findings nor, for a person who only
// sees their own, anyone else's are returned.
import { describe, expect, it } from 'vitest';
import type { Department, Finding, Task } from '../../src/domain/model.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';
const outpatient: Department = { id: 'd1', tenantId: T, name: '门诊部', leaderUserId: 'ou_wang', retiredOn: null };

function finding(number: number, fields: Partial<Finding>): Finding {
  return {
    id: `f${number}`, tenantId: T, campaignId: 'c1', number, departmentId: null, area: '', category: '服务环境', description: '—',
    inspectorUserId: 'ou_qian', foundOn: '2026-11-23', source: '日常督查', chatId: 'oc_g', intakeCardId: `card${number}`, aspect: null, majorItem: null,
    importId: null, importRow: null, createdAt: number, ...fields,
  };
}

function task(f: Finding, leaderUserId = 'ou_wang'): Task {
  return {
    id: `k${f.number}`, tenantId: f.tenantId, findingId: f.id, state: 'pending', leaderUserId, measures: null, responsiblePerson: null, acceptanceCriteria: null, deadline: '2026-12-11', completionNote: null,
    closureKind: null, returnsCount: 0, version: 1, closedAt: null, closedOn: null, createdAt: f.createdAt, updatedAt: f.createdAt,
  };
}

const findings = [
  finding(1, { description: '护士站呼叫铃无人应答', area: '住院部二楼' }),
  finding(2, { description: '挂号窗口态度生硬', departmentId: 'd1', category: '服务态度' }),
  finding(3, { description: '呼叫铃按钮损坏', area: '门诊输液室', departmentId: 'd1' }),
  finding(4, { description: '宣传栏写着 100% 满意，实际无人值守', inspectorUserId: 'ou_zhou' }),
  finding(5, { description: 'a_b 标识牌缺失' }),
  finding(6, { description: '呼叫铃无人应答', tenantId: 'feishu:t2', intakeCardId: 'other-card' }),
];
const leaders: Record<number, string> = { 4: 'ou_zhao' };

describe.each(DRIVERS)('searchTasks on $name', (driver) => {
  const opened = openForEachTest(driver);
  const numbers = (contexts: { finding: Finding }[]) => contexts.map((c) => c.finding.number);

  async function seeded() {
    const store = createStore(opened.db, opened);
    await store.commit([
      { op: 'upsertDepartment', department: outpatient, at: 1 },
      ...findings.flatMap((f) => [
        { op: 'insertFinding' as const, finding: f },
        { op: 'insertTask' as const, task: task(f, leaders[f.number]), finding: f },
      ]),
    ]);
    return store;
  }

  it('finds every finding that mentions all the words, anywhere, newest first, in its own tenant', async () => {
    const store = await seeded();
    expect(numbers(await store.searchTasks(T, ['呼叫铃'], null, 20))).toEqual([3, 1]);
    expect(numbers(await store.searchTasks(T, ['呼叫铃', '门诊部'], null, 20))).toEqual([3]); // department name
    expect(numbers(await store.searchTasks(T, ['二楼'], null, 20))).toEqual([1]); // area
    expect(numbers(await store.searchTasks(T, ['服务态度'], null, 20))).toEqual([2]); // category
    expect(numbers(await store.searchTasks(T, ['呼叫铃', '挂号'], null, 20))).toEqual([]);
    expect(numbers(await store.searchTasks(T, ['呼叫铃'], null, 1))).toEqual([3]);
    const [first] = await store.searchTasks(T, ['输液室'], null, 20);
    expect(first).toMatchObject({ task: { id: 'k3' }, department: outpatient });
  });

  it('takes %, _ and a backslash literally', async () => {
    const store = await seeded();
    expect(numbers(await store.searchTasks(T, ['100%'], null, 20))).toEqual([4]);
    expect(numbers(await store.searchTasks(T, ['%'], null, 20))).toEqual([4]);
    expect(numbers(await store.searchTasks(T, ['a_b'], null, 20))).toEqual([5]);
    expect(numbers(await store.searchTasks(T, ['_'], null, 20))).toEqual([5]);
    expect(numbers(await store.searchTasks(T, ['\\'], null, 20))).toEqual([]);
  });

  it('keeps to the tasks a person leads or inspected when asked to', async () => {
    const store = await seeded();
    expect(numbers(await store.searchTasks(T, ['无人'], null, 20))).toEqual([4, 1]);
    expect(numbers(await store.searchTasks(T, ['无人'], 'ou_wang', 20))).toEqual([1]);
    expect(numbers(await store.searchTasks(T, ['无人'], 'ou_zhao', 20))).toEqual([4]);
    expect(numbers(await store.searchTasks(T, ['无人'], 'ou_zhou', 20))).toEqual([4]);
    expect(numbers(await store.searchTasks(T, ['无人'], 'ou_nobody', 20))).toEqual([]);
  });
});
