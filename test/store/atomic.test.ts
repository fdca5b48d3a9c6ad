// One state change = one atomic write. A second write from the same task version (a stale card,
// a concurrent click) must fail whole: no task change, no event, no outbox row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaleWriteError, type WriteOp } from '../../src/app/store-port.js';
import type { Finding, Task } from '../../src/domain/model.js';
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node-database.js';
import { createStore } from '../../src/store/create-store.js';

const T = 'feishu:t1';
let dir: string;
let database: NodeDatabase;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'duban-store-'));
  database = openNodeDatabase(join(dir, 'duban.sqlite'));
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const finding: Finding = {
  id: 'f1', tenantId: T, campaignId: 'c1', number: 1, departmentId: null, area: '门诊', category: '服务态度',
  description: '态度生硬', inspectorUserId: 'ou_i', foundOn: '2026-11-23', source: '日常督查', chatId: null, intakeCardId: null, createdAt: 1,
};
const task: Task = {
  id: 'k1', tenantId: T, findingId: 'f1', state: 'pending', leaderUserId: 'ou_l', measures: null, deadline: '2026-11-30',
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

describe('atomic writes on better-sqlite3', () => {
  it('applies a change, its event and its outbox row together', async () => {
    const store = createStore(database.db);
    await store.commit([{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }, { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: 1, action: 'create', actorUserId: 'ou_i', at: 1, data: {} } }]);
    await store.commit(change(1, 'in_progress', 'o1'));
    const ctx = await store.getTaskContext(T, 'k1');
    expect(ctx?.task).toMatchObject({ state: 'in_progress', version: 2 });
    expect((await store.listTaskEvents(T, 'k1')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.countOutbox('pending')).toBe(1);
  });

  it('rejects a stale write whole and leaves no trace', async () => {
    const store = createStore(database.db);
    await store.commit([{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }, { op: 'appendEvent', event: { tenantId: T, taskId: 'k1', seq: 1, action: 'create', actorUserId: 'ou_i', at: 1, data: {} } }]);
    await store.commit(change(1, 'in_progress', 'o1'));
    await expect(store.commit(change(1, 'declined', 'o2'))).rejects.toBeInstanceOf(StaleWriteError);
    const ctx = await store.getTaskContext(T, 'k1');
    expect(ctx?.task).toMatchObject({ state: 'in_progress', version: 2 });
    expect(await store.listTaskEvents(T, 'k1')).toHaveLength(2);
    expect(await store.countOutbox('pending')).toBe(1);
  });

  it('records a delivery once, however often it arrives', async () => {
    const store = createStore(database.db);
    const delivery = { tenantId: T, platform: 'feishu' as const, deliveryId: 'ev1', kind: 'message', payload: '{}', receivedAt: 1 };
    expect(await store.recordDelivery(delivery)).toBe(true);
    expect(await store.recordDelivery(delivery)).toBe(false);
    expect(await store.getDelivery('feishu', 'ev1')).toMatchObject({ status: 'received' });
  });

  it('uses WAL so readers never wait for the writer', () => {
    expect(database.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});
