// Two processings of one message can overlap (test/e2e/slow-processing.test.ts): whichever commits
// second must fail whole and change nothing, and a failure of either must not reopen the delivery
// the other finished. On both drivers.
import { describe, expect, it } from 'vitest';
import { StaleWriteError, type CardCopy, type DeliveryRecord, type WriteOp } from '../../src/app/store-port.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:tenant1';
const delivery: DeliveryRecord = { tenantId: T, platform: 'feishu', deliveryId: 'evt_slow', kind: 'message', payload: '{}', receivedAt: 1 };

/** A processing's writes: a card and the message that sends it, then "this delivery is done". */
function processing(name: string): WriteOp[] {
  const copy: CardCopy = { id: `copy_${name}`, tenantId: T, taskId: null, purpose: 'intake', viewerUserId: null, messageId: null, chatId: 'oc_group', createdAt: 2 };
  return [
    { op: 'insertCardCopy', copy },
    {
      op: 'enqueue',
      item: {
        id: `send_${name}`, tenantId: T, platform: 'feishu', kind: 'send', target: { kind: 'chat', chatId: 'oc_group' },
        body: { kind: 'text', text: name }, idempotencyKey: `key_${name}`, cardCopyId: copy.id, attempts: 0, nextAttemptAt: 2, createdAt: 2,
      },
    },
    { op: 'completeDelivery', platform: 'feishu', deliveryId: delivery.deliveryId, response: JSON.stringify({ by: name }), at: 3 },
  ];
}

describe.each(DRIVERS)('finishing a delivery, on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('takes the first processing to commit; the second fails as stale and writes nothing', async () => {
    const store = createStore(opened.db, opened);
    expect(await store.recordDelivery(delivery)).toBe(true);
    await store.commit(processing('first'));

    await expect(store.commit(processing('second'))).rejects.toBeInstanceOf(StaleWriteError);
    expect(await store.getDelivery('feishu', delivery.deliveryId)).toMatchObject({ status: 'done', response: JSON.stringify({ by: 'first' }) });
    expect(await store.findCardCopyOfSend(T, 'send_first')).toMatchObject({ id: 'copy_first' });
    expect(await store.findCardCopyOfSend(T, 'send_second')).toBeNull();
  });

  it('is not reopened by the other processing failing', async () => {
    const store = createStore(opened.db, opened);
    await store.recordDelivery(delivery);
    await store.markDeliveryFailed('feishu', delivery.deliveryId, 'download timed out');
    expect(await store.getDelivery('feishu', delivery.deliveryId)).toMatchObject({ status: 'received', attempts: 1 });

    await store.commit(processing('first'));
    await store.markDeliveryFailed('feishu', delivery.deliveryId, 'download timed out');
    expect(await store.getDelivery('feishu', delivery.deliveryId)).toMatchObject({ status: 'done', attempts: 1, response: JSON.stringify({ by: 'first' }) });
    expect(await store.listUnfinishedDeliveries(100, 10)).toEqual([]);
  });
});
