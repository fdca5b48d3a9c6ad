// The real FeishuClient and the real Lark SDK, talking HTTP to a local stub of the Feishu Open API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../../cards/model.js';
import { AppUnavailableError, PlatformError } from '../../../src/app/ports.js';
import { FeishuClient } from '../../../src/platforms/feishu/client.js';
import { startFeishuStub, type FeishuStub } from '../../support/feishu-stub.js';

const renderCard = (card: Card) => ({
  schema: '2.0',
  header: { title: { tag: 'plain_text', content: card.title } },
  body: { elements: [] },
});

const card = (title: string): Card => ({ title, colour: 'blue', elements: [{ kind: 'markdown', text: 'hello' }] });

let stub: FeishuStub;

function client(overrides: { appSecret?: string; timeoutMs?: number } = {}) {
  return new FeishuClient({
    appId: stub.appId,
    appSecret: overrides.appSecret ?? stub.appSecret,
    baseUrl: stub.baseUrl,
    renderCard,
    timeoutMs: overrides.timeoutMs ?? 2_000,
  });
}

async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  const e = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PlatformError);
  return e as PlatformError;
}

beforeAll(async () => {
  stub = await startFeishuStub({ appId: 'cli_test_app', appSecret: 'right-secret' });
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.reset();
});

describe('FeishuClient sending', () => {
  it('fetches the tenant token once and reuses it', async () => {
    const feishu = client();
    await feishu.send({ target: { kind: 'chat', chatId: 'oc_1' }, body: { kind: 'text', text: 'a' }, idempotencyKey: 'k-tok-1' });
    await feishu.send({ target: { kind: 'chat', chatId: 'oc_1' }, body: { kind: 'text', text: 'b' }, idempotencyKey: 'k-tok-2' });
    await feishu.uploadImage(new Uint8Array([1, 2, 3]), 'a.png');
    await feishu.botUserId();
    expect(stub.tokenRequests()).toBe(1);
    expect(stub.sent).toHaveLength(2);
  });

  it('shares one token fetch between concurrent calls', async () => {
    const feishu = client();
    await Promise.all(
      ['c1', 'c2', 'c3'].map((k) =>
        feishu.send({ target: { kind: 'chat', chatId: 'oc_1' }, body: { kind: 'text', text: k }, idempotencyKey: k }),
      ),
    );
    expect(stub.tokenRequests()).toBe(1);
    expect(stub.sent).toHaveLength(3);
  });

  it('sends a card to a chat as an interactive message whose content is a JSON string', async () => {
    const { messageId } = await client().send({
      target: { kind: 'chat', chatId: 'oc_group' },
      body: { kind: 'card', card: card('整改通知') },
      idempotencyKey: 'k-chat',
    });
    expect(messageId).toMatch(/^om_/);
    expect(stub.sentTo('oc_group')).toEqual([
      expect.objectContaining({
        messageId,
        receiveIdType: 'chat_id',
        replyTo: null,
        msgType: 'interactive',
        content: renderCard(card('整改通知')),
        uuid: 'k-chat',
      }),
    ]);
  });

  it('sends text to a user by open_id', async () => {
    const { messageId } = await client().send({
      target: { kind: 'user', userId: 'ou_alice' },
      body: { kind: 'text', text: '请整改' },
      idempotencyKey: 'k-user',
    });
    expect(stub.sentTo('ou_alice')).toEqual([
      expect.objectContaining({ messageId, receiveIdType: 'open_id', msgType: 'text', content: { text: '请整改' } }),
    ]);
  });

  it('replies to a message', async () => {
    const feishu = client();
    const first = await feishu.send({ target: { kind: 'chat', chatId: 'oc_r' }, body: { kind: 'text', text: 'q' }, idempotencyKey: 'k-r1' });
    const reply = await feishu.send({
      target: { kind: 'reply', messageId: first.messageId, chatId: 'oc_r' },
      body: { kind: 'card', card: card('回复') },
      idempotencyKey: 'k-r2',
    });
    expect(reply.messageId).not.toBe(first.messageId);
    expect(stub.sent[1]).toMatchObject({
      messageId: reply.messageId,
      replyTo: first.messageId,
      receiveIdType: null,
      receiveId: null,
      chatId: 'oc_r',
      msgType: 'interactive',
      uuid: 'k-r2',
    });
  });

  it('sends once when the same idempotency key is used twice', async () => {
    const feishu = client();
    const message = { target: { kind: 'chat', chatId: 'oc_dup' }, body: { kind: 'text', text: 'x' }, idempotencyKey: 'k-same' } as const;
    const a = await feishu.send(message);
    const b = await feishu.send(message);
    expect(b.messageId).toBe(a.messageId);
    expect(stub.sentTo('oc_dup')).toHaveLength(1);
  });

  it('patches a card in place', async () => {
    const feishu = client();
    const { messageId } = await feishu.send({ target: { kind: 'chat', chatId: 'oc_p' }, body: { kind: 'card', card: card('v1') }, idempotencyKey: 'k-p' });
    await feishu.updateCard(messageId, card('v2'));
    expect(stub.patches).toEqual([expect.objectContaining({ messageId, content: renderCard(card('v2')) })]);
    expect(stub.messages.get(messageId)).toEqual(renderCard(card('v2')));
  });
});

describe('FeishuClient images and bot info', () => {
  it('uploads an image and the stub keeps its bytes', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 13, 10]);
    const key = await client().uploadImage(bytes, 'evidence.png');
    expect(key).toMatch(/^img_v3_/);
    expect(stub.uploads).toHaveLength(1);
    expect(stub.uploads[0]).toMatchObject({ imageKey: key, imageType: 'message', fileName: 'evidence.png', contentType: 'image/png' });
    expect(Array.from(stub.uploads[0]!.bytes)).toEqual(Array.from(bytes));
  });

  it('refuses an empty image without calling Feishu', async () => {
    const e = await platformError(client().uploadImage(new Uint8Array(), 'empty.png'));
    expect(e.retryable).toBe(false);
    expect(stub.uploads).toHaveLength(0);
  });

  it('downloads the bytes of an image a user sent', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    stub.addUserImage('om_user_msg', 'img_v3_user', bytes);
    const got = await client().downloadImage('om_user_msg', 'img_v3_user');
    expect(got).toBeInstanceOf(Uint8Array);
    expect(got.length).toBe(bytes.length);
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reports an unknown image as a non-retryable error', async () => {
    const e = await platformError(client().downloadImage('om_nope', 'img_nope'));
    expect(e).toMatchObject({ retryable: false, platformCode: 234003 });
  });

  it('sends a spreadsheet as a file message: uploads it as xls, then sends its file_key once per key', async () => {
    const feishu = client();
    const bytes = new Uint8Array([0x50, 0x4b, 3, 4, 9, 9]);
    const message = { target: { kind: 'chat' as const, chatId: 'oc_sup' }, body: { kind: 'file' as const, fileName: '整改台账.xlsx', bytes }, idempotencyKey: 'k-file-1' };
    const first = await feishu.send(message);
    const again = await feishu.send(message);
    expect(again.messageId).toBe(first.messageId);
    expect(stub.sent).toHaveLength(1);
    expect(stub.sent[0]).toMatchObject({ msgType: 'file', receiveId: 'oc_sup' });
    expect(stub.fileOf(stub.sent[0]!)).toMatchObject({ fileType: 'xls', fileName: '整改台账.xlsx', bytes });
  });

  it('refuses an empty file without calling Feishu', async () => {
    const e = await platformError(client().send({ target: { kind: 'chat', chatId: 'oc_1' }, body: { kind: 'file', fileName: 'a.xlsx', bytes: new Uint8Array() }, idempotencyKey: 'k-empty' }));
    expect(e.retryable).toBe(false);
    expect(stub.files).toHaveLength(0);
  });

  it('downloads the bytes of a file a user sent', async () => {
    stub.addUserFile('om_user_file', 'file_v3_user', new Uint8Array([7, 8, 9]));
    expect(await client().downloadFile('om_user_file', 'file_v3_user')).toEqual(new Uint8Array([7, 8, 9]));
    expect(stub.requests.at(-1)).toMatchObject({ path: '/open-apis/im/v1/messages/om_user_file/resources/file_v3_user', query: '?type=file' });
  });

  it('reads the bot open_id once', async () => {
    const feishu = client();
    expect(await feishu.botUserId()).toBe(stub.botOpenId);
    expect(await feishu.botUserId()).toBe(stub.botOpenId);
    expect(stub.requests.filter((r) => r.path === '/open-apis/bot/v3/info')).toHaveLength(1);
  });
});

describe('FeishuClient errors', () => {
  const text = (key: string) => ({ target: { kind: 'chat', chatId: 'oc_err' }, body: { kind: 'text', text: key }, idempotencyKey: key }) as const;

  it('turns HTTP 429 into a retryable error with the reset time', async () => {
    const feishu = client();
    stub.failNext(1, { status: 429, code: 99991400, msg: 'request trigger frequency limit', retryAfterSeconds: 7 });
    const e = await platformError(feishu.send(text('k-429')));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 7_000, platformCode: 99991400 });
    expect(stub.sent).toHaveLength(0);
    await feishu.send(text('k-429'));
    expect(stub.sent).toHaveLength(1);
  });

  it('treats a rate-limit code in a 200 reply as retryable', async () => {
    stub.failNext(1, { status: 200, code: 230020, msg: 'This operation triggers the frequency limit.' });
    const e = await platformError(client().send(text('k-230020')));
    expect(e).toMatchObject({ retryable: true, platformCode: 230020, retryAfterMs: null });
  });

  it('turns HTTP 500 into a retryable error', async () => {
    stub.failNext(1, { status: 500, code: 1000004, msg: 'internal error' });
    const e = await platformError(client().updateCard('om_any', card('x')));
    expect(e.retryable).toBe(true);
    expect(stub.patches).toHaveLength(0);
  });

  it('gives up on a hung call after the timeout, as a retryable error', async () => {
    const feishu = client({ timeoutMs: 150 });
    await feishu.botUserId(); // the token is cached, so only the hung call is timed
    stub.failNext(1, { status: 504, delayMs: 2_000 });
    const started = Date.now();
    const e = await platformError(feishu.send(text('k-slow')));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/no reply within 150 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(stub.sent).toHaveLength(0);
  });

  it('treats an unknown message (230001) as not retryable', async () => {
    const e = await platformError(client().updateCard('om_missing', card('x')));
    expect(e).toMatchObject({ retryable: false, platformCode: 230001 });
  });

  it("treats a wrong app secret as the app's failure, not the message's: retried until the secret is fixed", async () => {
    const e = await platformError(client({ appSecret: 'wrong' }).send(text('k-secret')));
    expect(e).toBeInstanceOf(AppUnavailableError);
    expect(e).toMatchObject({ retryable: true, platformCode: 10014 });
    expect(e.message).toContain('tenant_access_token refused: 10014');
    expect(stub.sent).toHaveLength(0);
  });

  it('drops a refused token so the retry fetches a new one', async () => {
    const feishu = client();
    await feishu.send(text('k-rev-1'));
    stub.revokeTokens();
    const e = await platformError(feishu.send(text('k-rev-2')));
    expect(e).toMatchObject({ retryable: true, platformCode: 99991663 });
    await feishu.send(text('k-rev-2'));
    expect(stub.tokenRequests()).toBe(2);
    expect(stub.sent.map((m) => m.uuid)).toEqual(['k-rev-1', 'k-rev-2']);
  });

  it('treats a refused connection as retryable', async () => {
    const other = await startFeishuStub();
    const baseUrl = other.baseUrl;
    await other.close();
    const feishu = new FeishuClient({ appId: 'a', appSecret: 'b', baseUrl, renderCard, timeoutMs: 1_000 });
    expect((await platformError(feishu.send(text('k-down')))).retryable).toBe(true);
    expect((await platformError(feishu.downloadImage('om', 'img'))).retryable).toBe(true);
  });
});
