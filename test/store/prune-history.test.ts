// The delivery machinery's own records are pruned past their retention, oldest first, in short
// stretches; what is still to be processed or sent is never pruned, whatever its age.
import { describe, expect, it } from 'vitest';
import type { MessageBody } from '../../src/app/ports.js';
import type { Store, WriteOp } from '../../src/app/store-port.js';
import { pruneCutoffs, RETENTION_DAYS, type HistoryTable } from '../../src/domain/retention.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-24T09:00:00+08:00');
const daysAgo = (days: number) => NOW - days * DAY;

function doneDelivery(id: string, receivedAt: number): WriteOp {
  return { op: 'insertDoneDelivery', delivery: { tenantId: T, platform: 'feishu', deliveryId: id, kind: 'card_action', payload: '{}', receivedAt }, response: '{}', at: receivedAt };
}

function message(id: string, createdAt: number, body: MessageBody = { kind: 'text', text: id }): WriteOp {
  return {
    op: 'enqueue',
    item: { id, tenantId: T, platform: 'feishu', kind: 'send', target: { kind: 'chat', chatId: 'oc_a' }, body, idempotencyKey: id, cardCopyId: null, attempts: 0, nextAttemptAt: createdAt, createdAt },
  };
}

const file = (id: string, createdAt: number) => message(id, createdAt, { kind: 'file', fileName: `${id}.xlsx`, blobKey: `ledgers/t1/${id}.xlsx` });

async function markSent(store: Store, ...ids: string[]) {
  for (const id of ids) {
    const [item] = (await store.listDueOutbox(NOW, 100)).filter((i) => i.id === id);
    await store.markOutboxSent(item!, `om_${id}`, NOW);
  }
}

/** every stretch of `chunk` rows until the walk stops; the number of stretches it took */
async function pruneAll(store: Store, table: HistoryTable, chunk: number): Promise<{ pruned: number; stretches: number; files: string[] }> {
  const cutoffs = pruneCutoffs(NOW);
  let pruned = 0;
  let stretches = 0;
  const files: string[] = [];
  for (let after: number | null = 0; after !== null; stretches++) {
    const stretch = await store.pruneHistory(table, cutoffs, after, chunk);
    pruned += stretch.pruned;
    files.push(...stretch.files);
    after = stretch.next;
  }
  return { pruned, stretches, files };
}

describe.each(DRIVERS)('pruning history on $name', (driver) => {
  const opened = openForEachTest(driver);
  const ids = async (sql: string) => (await opened.query<{ id: string }>(sql)).map((r) => r.id);

  it('deletes finished deliveries after 30 days and failed ones after 180, never an unprocessed one', async () => {
    const store = createStore(opened.db, opened);
    expect(RETENTION_DAYS.finishedDeliveries).toBe(30);
    // written in time order, as the server writes them
    await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'failed-200d', kind: 'message', payload: '{}', receivedAt: daysAgo(200) });
    for (let i = 0; i < 3; i++) await store.markDeliveryFailed('feishu', 'failed-200d', 'boom');
    await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'failed-40d', kind: 'message', payload: '{}', receivedAt: daysAgo(40) });
    for (let i = 0; i < 3; i++) await store.markDeliveryFailed('feishu', 'failed-40d', 'boom');
    await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'unprocessed-40d', kind: 'message', payload: '{}', receivedAt: daysAgo(40) });
    for (let i = 0; i < 5; i++) await store.commit([doneDelivery(`done-40d-${i}`, daysAgo(40) + i)]);
    await store.commit([doneDelivery('done-31d', daysAgo(31)), doneDelivery('done-29d', daysAgo(29)), doneDelivery('done-today', NOW)]);

    const { pruned } = await pruneAll(store, 'deliveries', 3);
    expect(pruned).toBe(7);
    expect(await ids('select delivery_id id from inbound_deliveries order by rowid')).toEqual(['failed-40d', 'unprocessed-40d', 'done-29d', 'done-today']);
  });

  it('deletes sent messages after 30 days and dead ones after 180, never a pending one', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([message('dead-200d', daysAgo(200)), message('dead-40d', daysAgo(40)), message('pending-40d', daysAgo(40)), message('sent-40d', daysAgo(40)), message('sent-10d', daysAgo(10))]);
    await store.markOutboxDead('dead-200d', 5, 'gone');
    await store.markOutboxDead('dead-40d', 5, 'gone');
    await markSent(store, 'sent-40d', 'sent-10d');

    const { pruned, files } = await pruneAll(store, 'messages', 2);
    expect(pruned).toBe(2);
    expect(files).toEqual([]);
    expect(await ids('select id from outbox order by rowid')).toEqual(['dead-40d', 'pending-40d', 'sent-10d']);
  });

  it('names the files the pruned file messages sent, and only theirs', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([file('dead-200d', daysAgo(200)), file('pending-40d', daysAgo(40)), file('sent-40d', daysAgo(40)), message('text-40d', daysAgo(40)), file('sent-10d', daysAgo(10))]);
    await store.markOutboxDead('dead-200d', 5, 'gone');
    await markSent(store, 'sent-40d', 'text-40d', 'sent-10d');

    const { pruned, files } = await pruneAll(store, 'messages', 2);
    expect(pruned).toBe(3);
    expect(files).toEqual(['ledgers/t1/dead-200d.xlsx', 'ledgers/t1/sent-40d.xlsx']);
    // and a walk over deliveries names none
    await store.commit([doneDelivery('done-40d', daysAgo(40))]);
    expect(await pruneAll(store, 'deliveries', 2)).toMatchObject({ pruned: 1, files: [] });
  });

  it('walks only as far as the first stretch that reaches records too recent to prune', async () => {
    const store = createStore(opened.db, opened);
    const old = Array.from({ length: 10 }, (_, i) => doneDelivery(`old-${i}`, daysAgo(60) + i));
    const recent = Array.from({ length: 30 }, (_, i) => doneDelivery(`recent-${i}`, daysAgo(5) + i));
    await store.commit([...old, ...recent]);

    // stretches of 4: 4 + 4 old, then old-8, old-9 and two recent ones, where the walk stops
    // instead of reading the 28 recent rows after them
    expect(await pruneAll(store, 'deliveries', 4)).toMatchObject({ pruned: 10, stretches: 3 });
    expect((await opened.query<{ n: number }>('select count(*) n from inbound_deliveries'))[0]!.n).toBe(30);
    // nothing left to prune: one stretch, which meets a recent row at once
    expect(await pruneAll(store, 'deliveries', 4)).toMatchObject({ pruned: 0, stretches: 1 });
  });

  it('stops at the end of an empty or short table', async () => {
    const store = createStore(opened.db, opened);
    expect(await pruneAll(store, 'messages', 500)).toMatchObject({ pruned: 0, stretches: 1 });
    await store.commit([message('sent-40d', daysAgo(40))]);
    const [item] = await store.listDueOutbox(NOW, 10);
    await store.markOutboxSent(item!, 'om_1', daysAgo(40));
    expect(await pruneAll(store, 'messages', 500)).toMatchObject({ pruned: 1, stretches: 1 });
  });
});
