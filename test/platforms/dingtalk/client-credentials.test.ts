// A refused AppSecret is the app's failure, not the message's: the outbox keeps such messages until
// the secret is fixed (src/app/deliver-outbox.ts). The real client against the DingTalk stub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppUnavailableError, PlatformError } from '../../../src/app/ports.js';
import { dingTalkClientFor } from '../../support/dingtalk-client.js';
import { DINGTALK_OTO_SEND_PATH, startDingTalkStub, type DingTalkStub } from '../../support/dingtalk-stub.js';

let stub: DingTalkStub;
beforeAll(async () => {
  stub = await startDingTalkStub();
});
afterAll(async () => {
  await stub.close();
});

const client = (clientSecret: string) => dingTalkClientFor(stub, { clientSecret });

const hello = { target: { kind: 'user' as const, userId: 'user-credentials' }, body: { kind: 'text' as const, text: '你好' }, idempotencyKey: 'k-credentials' };

describe('DingTalk credentials', () => {
  it('a refused AppSecret fails as the app, retryable, with DingTalk’s own reason', async () => {
    const error = await client('reset-by-someone').send(hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppUnavailableError);
    expect(error).toMatchObject({ retryable: true, platformCode: 'invalidClientIdOrSecret' });
    expect((error as Error).message).toContain('无效的clientId或者clientSecret');
  });

  it('a refusal of the message itself stays the message’s', async () => {
    stub.failNext(1, { status: 400, code: 'invalidParameter', path: DINGTALK_OTO_SEND_PATH });
    const error = await client(stub.appSecret).send(hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).not.toBeInstanceOf(AppUnavailableError);
    expect(error).toMatchObject({ retryable: false });
  });
});
