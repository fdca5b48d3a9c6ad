// What /healthz reports of the outbox and the inbox, read the same way on both drivers.
import { describe, expect, it } from 'vitest';
import type { WriteOp } from '../../src/app/store-port.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';
const NOW = Date.parse('2026-11-24T09:00:00+08:00');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function message(id: string, dueAt: number): WriteOp {
  return {
    op: 'enqueue',
    item: { id, tenantId: T, platform: 'feishu', kind: 'send', target: { kind: 'chat', chatId: `oc_${id}` }, body: { kind: 'text', text: id }, idempotencyKey: id, cardCopyId: null, attempts: 0, nextAttemptAt: dueAt, createdAt: dueAt },
  };
}

describe.each(DRIVERS)('delivery facts on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('are all zero on an empty database', async () => {
    const store = createStore(opened.db, opened);
    expect(await store.deliveryFacts({ stuckBefore: NOW, deadSince: NOW - HOUR })).toEqual({ pending: 0, retrying: 0, oldestDueAt: null, lastError: null, dead: 0, recentlyDead: 0, stuckDeliveries: 0 });
  });

  it('count what waits, what keeps failing and why, what was given up, and deliveries left unprocessed', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      message('fresh', NOW),
      message('failing-late', NOW - 20 * MINUTE),
      message('failing-early', NOW - 30 * MINUTE),
      message('given-up-lately', NOW - 40 * MINUTE),
      message('given-up-long-ago', NOW - 3 * HOUR),
      message('sent', NOW - 90 * MINUTE),
    ]);
    await store.markOutboxRetry('failing-late', 2, NOW + MINUTE, 'feishu 503: injected failure');
    await store.markOutboxRetry('failing-early', 1, NOW - 10 * MINUTE, 'feishu 429: request trigger frequency limit');
    await store.markOutboxDead('given-up-lately', 1, 'feishu 230002: Bot is not in the chat');
    await store.markOutboxDead('given-up-long-ago', 1, 'feishu 230013: Bot has NO availability to this user.');
    const [sent] = (await store.listDueOutbox(NOW, 100)).filter((i) => i.id === 'sent');
    await store.markOutboxSent(sent!, 'om_sent', NOW);
    await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'stuck', kind: 'message', payload: '{}', receivedAt: NOW - 10 * MINUTE });
    await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'just-arrived', kind: 'message', payload: '{}', receivedAt: NOW - 1000 });
    await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'failed', kind: 'message', payload: '{}', receivedAt: NOW - 10 * MINUTE });
    for (let i = 0; i < 3; i++) await store.markDeliveryFailed('feishu', 'failed', 'boom');

    const window = { stuckBefore: NOW - 5 * MINUTE, deadSince: NOW - HOUR };
    expect(await store.deliveryFacts(window)).toEqual({
      pending: 3,
      retrying: 2,
      oldestDueAt: NOW - 10 * MINUTE,
      lastError: 'feishu 429: request trigger frequency limit', // the earliest due of the retrying ones
      dead: 2,
      recentlyDead: 1,
      stuckDeliveries: 1,
    });

    // once nothing is retrying, the last error is the latest message given up
    for (const item of await store.listDueOutbox(NOW + 2 * MINUTE, 100)) await store.markOutboxSent(item, `om_${item.id}`, NOW);
    expect(await store.deliveryFacts(window)).toMatchObject({ pending: 0, retrying: 0, lastError: 'feishu 230002: Bot is not in the chat', recentlyDead: 1 });
  });
});
