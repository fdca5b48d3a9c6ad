// Several couriers may drain one outbox at once (Worker requests and the cron on D1). A claim lets
// exactly one of them send each message, keeps one target's messages in order, and lapses when the
// courier holding it died.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/app/deliver-outbox.js';
import type { Deps } from '../../src/app/ports.js';
import { SendPacer } from '../../src/app/send-pacer.js';
import type { OutboxItem, WriteOp } from '../../src/app/store-port.js';
import { FeishuClient } from '../../src/platforms/feishu/client.js';
import { renderFeishuCard } from '../../src/platforms/feishu/render-card.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { createStore } from '../../src/store/create-store.js';
import { startFeishuStub, type FeishuStub } from '../support/feishu-stub.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';

function message(id: string, chatId: string, at: number): WriteOp {
  const item: OutboxItem = {
    id, tenantId: T, platform: 'feishu', kind: 'send', target: { kind: 'chat', chatId }, body: { kind: 'text', text: id },
    idempotencyKey: id, cardCopyId: null, attempts: 0, nextAttemptAt: at, createdAt: at,
  };
  return { op: 'enqueue', item };
}

describe.each(DRIVERS)('outbox claims on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('lets one courier claim a message; the claim hides it and what follows it to the same chat', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([message('a1', 'oc_a', 1), message('a2', 'oc_a', 1), message('b1', 'oc_b', 1)]);
    expect(await store.claimOutbox('a1', 10, 10 + 60_000)).toBe(true);
    expect(await store.claimOutbox('a1', 10, 10 + 60_000)).toBe(false);
    // a2 waits behind the claimed a1; b1 is another chat and free
    expect((await store.listDueOutbox(20, 100)).map((i) => i.id)).toEqual(['b1']);
    await store.markOutboxSent((await store.listDueOutbox(20, 100))[0]!, 'om_b1', 20);
    await store.markOutboxRetry('a1', 1, 30, 'HTTP 500');
    // the retry mark ends the claim: a1 is due again, and a2 still only after it
    expect((await store.listDueOutbox(40, 100)).map((i) => i.id)).toEqual(['a1', 'a2']);
  });

  it('lets a claim lapse at its time, or all at once when the only courier restarts', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([message('a1', 'oc_a', 1), message('b1', 'oc_b', 1)]);
    expect(await store.claimOutbox('a1', 10, 100)).toBe(true);
    expect(await store.claimOutbox('b1', 10, 100)).toBe(true);
    expect(await store.listDueOutbox(99, 100)).toEqual([]);
    expect((await store.listDueOutbox(100, 100)).map((i) => i.id)).toEqual(['a1', 'b1']);
    expect(await store.claimOutbox('a1', 100, 200)).toBe(true);
    await store.releaseOutboxClaims();
    expect((await store.listDueOutbox(150, 100)).map((i) => i.id)).toEqual(['a1', 'b1']);
  });

  it('never claims a message that was sent or given up', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([message('a1', 'oc_a', 1), message('a2', 'oc_a', 1)]);
    await store.markOutboxSent((await store.listDueOutbox(5, 1))[0]!, 'om_a1', 5);
    await store.markOutboxDead('a2', 12, 'refused');
    expect(await store.claimOutbox('a1', 10, 100)).toBe(false);
    expect(await store.claimOutbox('a2', 10, 100)).toBe(false);
  });
});

describe.each(DRIVERS)('two couriers at once on $name', (driver) => {
  const opened = openForEachTest(driver);
  let stub: FeishuStub;
  beforeEach(async () => {
    stub = await startFeishuStub();
  });
  afterEach(async () => {
    await stub.close();
  });

  it('sends every message exactly once, each chat in the order written', async () => {
    const store = createStore(opened.db, opened);
    const log = memoryLogger();
    const feishu = new FeishuClient({ appId: stub.appId, appSecret: stub.appSecret, baseUrl: stub.baseUrl, renderCard: renderFeishuCard, log });
    const courier = (): Deps =>
      ({
        store, platforms: { clientFor: async () => feishu }, log, clock: { now: () => Date.now() }, kickOutbox: () => undefined,
        // each courier is its own isolate: its own memory of recent sends
        pacer: new SendPacer(() => performance.now()),
      }) as unknown as Deps;
    const ops: WriteOp[] = [{ op: 'insertTenant', tenant: { id: T, platform: 'feishu', externalKey: 't1', name: null, appId: null }, createdAt: 1 }];
    for (let i = 0; i < 12; i++) for (const chat of ['oc_a', 'oc_b', 'oc_c']) ops.push(message(`${chat}-${String(i).padStart(2, '0')}`, chat, 1));
    await store.commit(ops);

    // three couriers race over the same rows until nothing is left
    const drain = async (deps: Deps) => {
      for (let pass = 0; pass < 50 && (await store.countOutbox('pending')) > 0; pass++) {
        const report = await deliverOutbox(deps);
        if (report.paced) await new Promise((r) => setTimeout(r, Math.min(report.pacedForMs, 300)));
      }
    };
    await Promise.all([drain(courier()), drain(courier()), drain(courier())]);

    expect(await store.countOutbox('pending')).toBe(0);
    const texts = stub.sent.map((m) => (m.content as { text: string }).text);
    expect(texts).toHaveLength(36);
    expect(new Set(texts).size).toBe(36);
    // the stub drops a repeated uuid as Feishu does, so count the calls: a second courier never sent
    expect(stub.requests.filter((r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages')).toHaveLength(36);
    for (const chat of ['oc_a', 'oc_b', 'oc_c']) {
      const inChat = texts.filter((t) => t.startsWith(chat));
      expect(inChat).toEqual([...inChat].sort());
    }
  }, 60_000);
});
