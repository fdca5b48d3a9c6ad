// The outbox keeps inside Feishu's limits (5 messages a second to one chat) while a platform fault
// clears: 30 messages to one group and 10 to another, after a burst of 429s, all arrive once, and
// no second ever carries more than 5 to the same chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOps } from '../../src/app/outgoing.js';
import { FeishuHarness } from '../support/feishu-harness.js';

let h: FeishuHarness;
beforeAll(async () => {
  h = await FeishuHarness.start();
});
afterAll(async () => {
  await h?.close();
});

/** The largest number of sends to one chat within any 1-second window. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= 1000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

describe('pacing the outbox', () => {
  it('delivers everything once, never more than 5 a second to one chat, across a burst of 429s', async () => {
    await h.say({ openId: 'ou_admin', name: '管理员' }, { id: 'oc_warmup', type: 'group' }, '@督办 帮助');
    const deps = h.server.deps;
    const tenant = (await deps.store.listTenants())[0]!;
    h.stub.reset();
    h.stub.failNext(3, { status: 429, retryAfterSeconds: 0 });
    const ops = [
      ...Array.from({ length: 30 }, (_, i) => textOps(deps, tenant, { kind: 'chat', chatId: 'oc_busy' }, `通知 ${i + 1}`)).flat(),
      ...Array.from({ length: 10 }, (_, i) => textOps(deps, tenant, { kind: 'chat', chatId: 'oc_quiet' }, `通知 ${i + 1}`)).flat(),
    ];
    await deps.store.commit(ops);
    const started = performance.now();
    // the courier is kicked by commits and, in these tests, not polled: kick until all is out
    while ((await deps.store.countOutbox('pending')) > 0 && performance.now() - started < 30_000) {
      deps.kickOutbox();
      await h.server.settle();
      await new Promise((r) => setTimeout(r, 50));
      h.advance(500); // the business clock, which the backoff after a 429 is measured on
    }
    const busy = h.stub.sent.filter((m) => m.receiveId === 'oc_busy');
    const quiet = h.stub.sent.filter((m) => m.receiveId === 'oc_quiet');
    expect(busy.map((m) => (m.content as { text: string }).text)).toEqual(Array.from({ length: 30 }, (_, i) => `通知 ${i + 1}`));
    expect(quiet).toHaveLength(10);
    expect(new Set(h.stub.sent.map((m) => m.uuid)).size).toBe(40);
    expect(busiestSecond(busy.map((m) => m.at))).toBeLessThanOrEqual(5);
    expect(busiestSecond(quiet.map((m) => m.at))).toBeLessThanOrEqual(5);
    expect(await deps.store.countOutbox('dead')).toBe(0);
  }, 40_000);
});
