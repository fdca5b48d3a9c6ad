// A DingTalk card can be clicked before its send is recorded (test/e2e/dingtalk-unconfirmed-card.test.ts):
// the click then finds its copy through the outbox row that sends it, on both drivers.
import { describe, expect, it } from 'vitest';
import type { CardCopy, OutboxItem, WriteOp } from '../../src/app/store-port.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'dingtalk:corp1';
const copy: CardCopy = { id: 'copy1', tenantId: T, taskId: null, purpose: 'intake', viewerUserId: null, messageId: null, chatId: 'cid_group', createdAt: 1 };

function outboxRow(id: string, kind: OutboxItem['kind'], cardCopyId: string | null, tenantId = T): WriteOp {
  const item: OutboxItem = {
    id, tenantId, platform: 'dingtalk', kind, target: kind === 'send' ? { kind: 'chat', chatId: 'cid_group' } : null,
    body: { kind: 'text', text: id }, idempotencyKey: `dbn-${id}`, cardCopyId, attempts: 0, nextAttemptAt: 1, createdAt: 1,
  };
  return { op: 'enqueue', item };
}

describe.each(DRIVERS)('the card copy an outbox row sends, on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('is found by the row that sends it, in its own organisation only', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([{ op: 'insertCardCopy', copy }, outboxRow('send1', 'send', copy.id), outboxRow('update1', 'update', copy.id), outboxRow('text1', 'send', null)]);

    expect(await store.findCardCopyOfSend(T, 'send1')).toEqual(copy);
    // an update of the card is not the card; a text is no card; another organisation's click finds nothing
    expect(await store.findCardCopyOfSend(T, 'update1')).toBeNull();
    expect(await store.findCardCopyOfSend(T, 'text1')).toBeNull();
    expect(await store.findCardCopyOfSend('dingtalk:corp2', 'send1')).toBeNull();
    expect(await store.findCardCopyOfSend(T, 'missing')).toBeNull();
  });
});
