// One state change = one atomic write. A second write from the same task version (a stale card,
// a concurrent click) must fail whole: no task change, no event, no outbox row.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { StaleWriteError, type WriteOp } from '../../src/app/store-port.js';
import type { Finding, Task } from '../../src/domain/model.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';

const finding: Finding = {
  id: 'f1', tenantId: T, campaignId: 'c1', number: 1, departmentId: null, area: '门诊', category: '服务态度',
  description: '态度生硬', inspectorUserId: 'ou_i', foundOn: '2026-11-23', source: '日常督查', chatId: null, intakeCardId: null, aspect: null, majorItem: null, importId: null, importRow: null, createdAt: 1,
};
const task: Task = {
  id: 'k1', tenantId: T, findingId: 'f1', state: 'pending', leaderUserId: 'ou_l', measures: null, responsiblePerson: null, acceptanceCriteria: null, deadline: '2026-11-30',
  completionNote: null, closureKind: null, returnsCount: 0, version: 1, closedAt: null, closedOn: null, createdAt: 1, updatedAt: 1,
};

function change(expectedVersion: number, state: Task['state'], outboxId: string): WriteOp[] {
  return [
    { op: 'updateTask', tenantId: T, taskId: 'k1', expectedVersion, patch: { state }, at: 2 },
    { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: expectedVersion + 1, action: state, actorUserId: 'ou_l', at: 2, data: {} } },
    {
      op: 'enqueue',
      item: { id: outboxId, tenantId: T, platform: 'feishu', kind: 'send', target: { kind: 'user', userId: 'ou_i' }, body: { kind: 'text', text: state }, idempotencyKey: outboxId, cardCopyId: null, attempts: 0, nextAttemptAt: 2, createdAt: 2 },
    },
  ];
}

describe.each(DRIVERS)('atomic writes on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('applies a change, its event and its outbox row together', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }, { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: 1, action: 'create', actorUserId: 'ou_i', at: 1, data: {} } }]);
    await store.commit(change(1, 'in_progress', 'o1'));
    const ctx = await store.getTaskContext(T, 'k1');
    expect(ctx?.task).toMatchObject({ state: 'in_progress', version: 2 });
    expect((await store.listTaskEvents(T, 'k1')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.countOutbox('pending')).toBe(1);
  });

  it('rejects a stale write whole and leaves no trace', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }, { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: 1, action: 'create', actorUserId: 'ou_i', at: 1, data: {} } }]);
    await store.commit(change(1, 'in_progress', 'o1'));
    await expect(store.commit(change(1, 'declined', 'o2'))).rejects.toBeInstanceOf(StaleWriteError);
    const ctx = await store.getTaskContext(T, 'k1');
    expect(ctx?.task).toMatchObject({ state: 'in_progress', version: 2 });
    expect(await store.listTaskEvents(T, 'k1')).toHaveLength(2);
    expect(await store.countOutbox('pending')).toBe(1);
  });

  it('corrects a finding with its task’s copy of the category in the same version-checked write (修改问题)', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }, { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: 1, action: 'create', actorUserId: 'ou_i', at: 1, data: {} } }]);
    const correct = (expectedVersion: number, description: string): WriteOp[] => [
      { op: 'updateTask', tenantId: T, taskId: 'k1', expectedVersion, patch: {}, findingCopies: { category: '服务流程' }, at: 2 },
      { op: 'correctFinding', tenantId: T, findingId: 'f1', correction: { category: '服务流程', description } },
      { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: expectedVersion + 1, action: 'edit_finding', actorUserId: 'ou_i', at: 2, data: {} } },
    ];
    await store.commit(correct(1, '挂号窗口态度生硬'));
    const ctx = await store.getTaskContext(T, 'k1');
    expect(ctx?.finding).toMatchObject({ category: '服务流程', description: '挂号窗口态度生硬', area: '门诊' });
    expect(ctx?.task.version).toBe(2);
    const copies = await opened.db.all<{ category: string }>(sql`select category from tasks where id = 'k1'`);
    expect(copies).toEqual([{ category: '服务流程' }]);
    // a stale correction changes neither the finding nor the task
    await expect(store.commit(correct(1, '另一种说法'))).rejects.toBeInstanceOf(StaleWriteError);
    expect((await store.getTaskContext(T, 'k1'))?.finding.description).toBe('挂号窗口态度生硬');
  });

  it('records a delivery once, however often it arrives', async () => {
    const store = createStore(opened.db, opened);
    const delivery = { tenantId: T, platform: 'feishu' as const, deliveryId: 'ev1', kind: 'message', payload: '{}', receivedAt: 1 };
    expect(await store.recordDelivery(delivery)).toBe(true);
    expect(await store.recordDelivery(delivery)).toBe(false);
    expect(await store.getDelivery('feishu', 'ev1')).toMatchObject({ status: 'received' });
  });

  it('marks many escalations in one statement, and a second mark of the same task fails the write', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([{ op: 'insertEscalations', tenantId: T, taskIds: ['a', 'b', 'c'], threshold: 'overdue', at: 1 }]);
    expect(await store.listEscalationKeys(T)).toEqual(new Set(['a:overdue', 'b:overdue', 'c:overdue']));
    await expect(store.commit([{ op: 'insertEscalations', tenantId: T, taskIds: ['d', 'b'], threshold: 'overdue', at: 2 }])).rejects.toBeInstanceOf(StaleWriteError);
    expect((await store.listEscalationKeys(T)).has('d:overdue')).toBe(false);
  });

  it('clears one task\'s mark of one kind only, so that task may be marked again', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      { op: 'insertEscalations', tenantId: T, taskIds: ['e', 'f'], threshold: 'overdue', at: 1 },
      { op: 'insertEscalation', tenantId: T, taskId: 'e', threshold: 'returned', at: 1 },
    ]);
    await store.commit([{ op: 'clearEscalation', tenantId: T, taskId: 'e', threshold: 'overdue' }]);
    const keys = await store.listEscalationKeys(T);
    expect([keys.has('e:overdue'), keys.has('e:returned'), keys.has('f:overdue')]).toEqual([false, true, true]);
    await store.commit([{ op: 'insertEscalation', tenantId: T, taskId: 'e', threshold: 'overdue', at: 2 }]);
    expect((await store.listEscalationKeys(T)).has('e:overdue')).toBe(true);
  });

  it('reads the sweeps\' facts and the bulletin figures', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }, { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: 1, action: 'create', actorUserId: 'ou_i', at: 1, data: {} } }]);
    const [facts] = await store.describeTasks(T, await store.listOpenTaskFacts(T));
    expect(facts).toMatchObject({ taskId: 'k1', findingNumber: 1, category: '服务态度', description: '态度生硬', state: 'pending', hasPendingExtension: false });
    const figures = await store.bulletinFigures(T, 'c1', {
      start: '2026-11-23', end: '2026-11-29', previousStart: '2026-11-16', previousEnd: '2026-11-22', today: '2026-12-01',
      repeatSince: '2026-09-01', repeatMinCount: 1, trendSince: '2026-10-01', overdueLimit: 10,
    });
    expect(figures.groups).toEqual([{ department: '未指定科室', category: '服务态度', new: 1, closed: 0, open: 1, overdue: 1, previous: { new: 0, closed: 0, open: 0, overdue: 0 } }]);
    expect(figures.totals).toEqual({ current: { totalEver: 1, closedEver: 0 }, previous: { totalEver: 0, closedEver: 0 } });
    expect(figures.overdue.map((o) => o.findingNumber)).toEqual([1]);
    expect(figures.repeats).toEqual([{ departmentName: '未指定科室', category: '服务态度', count: 1 }]);
  });
});

describe('the Node database', () => {
  it('uses WAL so readers never wait for the writer', async () => {
    const opened = await DRIVERS[0]!.open();
    try {
      expect(await opened.query<{ journal_mode: string }>('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      await opened.close();
    }
  });
});
