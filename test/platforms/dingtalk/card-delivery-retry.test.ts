// A card is keyed by its outbox row (the outTrackId), so a retry cannot make a second card; and a
// retry of a card DingTalk already made — its first answer lost to a timeout — is that card,
// delivered, not a failure. The real client against the DingTalk stub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../../cards/model.js';
import { PlatformError } from '../../../src/app/ports.js';
import { dingTalkClientFor } from '../../support/dingtalk-client.js';
import { DINGTALK_CARD_CREATE_PATH, startDingTalkStub, type DingTalkStub } from '../../support/dingtalk-stub.js';

let stub: DingTalkStub;
beforeAll(async () => {
  stub = await startDingTalkStub();
});
afterAll(async () => {
  await stub.close();
});

const client = () => dingTalkClientFor(stub, { timeoutMs: 300 });

const card: Card = { title: '整改任务 · 第3号问题', colour: 'orange', elements: [{ kind: 'markdown', text: '自助机故障无人处理' }] };
const message = (key: string) => ({ target: { kind: 'chat' as const, chatId: 'cidRetryGroup' }, body: { kind: 'card' as const, card }, idempotencyKey: key });

describe('delivering a DingTalk card again', () => {
  it('takes a card DingTalk made on a try whose answer was lost as delivered, and makes no second one', async () => {
    stub.failNext(1, { delayMs: 900, path: DINGTALK_CARD_CREATE_PATH });
    const lost = await client()
      .send(message('row-lost-answer'))
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(PlatformError);
    expect(lost).toMatchObject({ retryable: true });
    // DingTalk finishes the slow call after we stopped waiting for it
    await expect.poll(() => stub.cards.has('row-lost-answer'), { timeout: 3_000 }).toBe(true);

    expect(await client().send(message('row-lost-answer'))).toEqual({ messageId: 'row-lost-answer' });
    expect([...stub.cards.keys()].filter((k) => k === 'row-lost-answer')).toHaveLength(1);
    expect(stub.cards.get('row-lost-answer')!.params['title']).toBe('整改任务 · 第3号问题');
  });

  it('still fails on any other refusal of the card', async () => {
    stub.failNext(1, { status: 400, code: 'param.cardTemplateIdEmpty', path: DINGTALK_CARD_CREATE_PATH });
    const refused = await client()
      .send(message('row-refused'))
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ retryable: false, platformCode: 'param.cardTemplateIdEmpty' });
    expect(stub.cards.has('row-refused')).toBe(false);
  });
});
