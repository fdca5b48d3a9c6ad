import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptFeishuBody,
  feishuSignature,
  verifyFeishuRequest,
  webCrypto,
  type FeishuCrypto,
  type VerifyInput,
} from '../../../src/platforms/feishu/verify.js';
import { nodeFeishuCrypto } from '../../../src/runtime/node-crypto.js';
import {
  buildFeishuWebhookRequest,
  feishuEncrypt,
  feishuSign,
  messageEvent,
} from '../../support/feishu-webhook.js';

const ENCRYPT_KEY = 'kx7Qe2ZtW9fL0pVb';
const TOKEN = 'vt_9hQm2cXr';
const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const config = { encryptKey: ENCRYPT_KEY, verificationToken: TOKEN };

function headersOf(h: Record<string, string>): VerifyInput['headers'] {
  return {
    timestamp: h['x-lark-request-timestamp'] ?? null,
    nonce: h['x-lark-request-nonce'] ?? null,
    signature: h['x-lark-signature'] ?? null,
  };
}

function sampleEvent(token = TOKEN): Record<string, unknown> {
  return messageEvent({
    tenantKey: 'tk_1',
    chatId: 'oc_1',
    senderOpenId: 'ou_sender',
    text: '门诊大厅地面湿滑',
    token,
    createTimeMs: NOW,
  });
}

function signedEvent(body: object, nowMs = NOW) {
  const req = buildFeishuWebhookRequest({ body, encryptKey: ENCRYPT_KEY, nowMs });
  return { rawBody: req.rawBody, headers: headersOf(req.headers) };
}

const PRIMITIVES: [string, FeishuCrypto][] = [['Web Crypto (Workers and Node)', webCrypto], ['node:crypto (the Node runtime)', nodeFeishuCrypto]];

describe.each(PRIMITIVES)('feishu crypto primitives: %s', (_name, primitives) => {
  it('computes the signature as hex sha256 over ts + nonce + key + body', async () => {
    const body = '{"encrypt":"abc"}';
    const expected = createHash('sha256').update(`1700000000n0nce${ENCRYPT_KEY}${body}`).digest('hex');
    expect(await feishuSignature('1700000000', 'n0nce', ENCRYPT_KEY, body, primitives)).toBe(expected);
  });

  it('decrypts what AES-256-CBC with key sha256(encryptKey) produced, multi-byte text included', async () => {
    const plain = JSON.stringify({ hello: '督办 ✓', n: 1 });
    expect(await decryptFeishuBody(feishuEncrypt(plain, ENCRYPT_KEY), ENCRYPT_KEY, primitives)).toBe(plain);
  });

  it('throws on a wrong key, bad base64 and a truncated buffer', async () => {
    const enc = feishuEncrypt('{"a":1}', ENCRYPT_KEY, Buffer.alloc(16, 7));
    await expect(decryptFeishuBody(enc, 'another-key', primitives)).rejects.toThrow();
    await expect(decryptFeishuBody('!!not base64!!', ENCRYPT_KEY, primitives)).rejects.toThrow();
    await expect(decryptFeishuBody(enc.slice(0, 24), ENCRYPT_KEY, primitives)).rejects.toThrow();
  });

  it('verifies a signed, encrypted event and refuses it once tampered', async () => {
    const { rawBody, headers } = signedEvent(sampleEvent());
    const ok = await verifyFeishuRequest({ rawBody, headers, config, nowMs: NOW, crypto: primitives });
    expect(ok).toMatchObject({ ok: true, isChallenge: false });
    const tampered = await verifyFeishuRequest({ rawBody: rawBody.replace('"}', ' "}'), headers, config, nowMs: NOW, crypto: primitives });
    expect(tampered.ok).toBe(false);
  });
});

describe('verifyFeishuRequest: url_verification', () => {
  it('answers a plain challenge without any signature headers', async () => {
    const rawBody = JSON.stringify({ challenge: 'ch-123', token: TOKEN, type: 'url_verification' });
    const result = await verifyFeishuRequest({ rawBody, headers: {}, config, nowMs: NOW });
    expect(result).toMatchObject({ ok: true, isChallenge: true, challenge: 'ch-123' });
  });

  it('answers a challenge that arrives inside encrypt', async () => {
    const inner = JSON.stringify({ challenge: 'ch-enc', token: TOKEN, type: 'url_verification' });
    const rawBody = JSON.stringify({ encrypt: feishuEncrypt(inner, ENCRYPT_KEY) });
    const result = await verifyFeishuRequest({ rawBody, headers: {}, config, nowMs: NOW });
    expect(result).toMatchObject({ ok: true, isChallenge: true, challenge: 'ch-enc' });
  });

  it('refuses a challenge whose token is not ours', async () => {
    const rawBody = JSON.stringify({ challenge: 'ch', token: 'someone-else', type: 'url_verification' });
    const result = await verifyFeishuRequest({ rawBody, headers: {}, config, nowMs: NOW });
    expect(result).toEqual({ ok: false, reason: 'bad_token' });
  });

  it('refuses a challenge with no token when a token is configured', async () => {
    const rawBody = JSON.stringify({ challenge: 'ch', type: 'url_verification' });
    const result = await verifyFeishuRequest({ rawBody, headers: {}, config, nowMs: NOW });
    expect(result).toEqual({ ok: false, reason: 'bad_token' });
  });
});

describe('verifyFeishuRequest: signed events', () => {
  it('accepts a signed encrypted event and returns the decrypted body', async () => {
    const event = sampleEvent();
    const result = await verifyFeishuRequest({ ...signedEvent(event), config, nowMs: NOW });
    expect(result).toEqual({ ok: true, body: event, isChallenge: false });
  });

  it('refuses the same JSON re-formatted after signing, because the signature covers the raw bytes', async () => {
    const { rawBody, headers } = signedEvent(sampleEvent());
    const reformatted = JSON.stringify(JSON.parse(rawBody), null, 2);
    expect(reformatted).not.toBe(rawBody);
    const result = await verifyFeishuRequest({ rawBody: reformatted, headers, config, nowMs: NOW });
    expect(result).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts a non-compact body signed as sent (the SDK, hashing JSON.stringify, would not)', async () => {
    const event = sampleEvent();
    const rawBody = `{ "encrypt" : "${feishuEncrypt(JSON.stringify(event), ENCRYPT_KEY)}" }\n`;
    const ts = String(NOW / 1000);
    const headers = { timestamp: ts, nonce: 'n1', signature: feishuSign(ts, 'n1', ENCRYPT_KEY, rawBody) };
    const result = await verifyFeishuRequest({ rawBody, headers, config, nowMs: NOW });
    expect(result).toEqual({ ok: true, body: event, isChallenge: false });
  });

  it('refuses an event without X-Lark-Signature', async () => {
    const { rawBody, headers } = signedEvent(sampleEvent());
    for (const signature of [null, undefined, '']) {
      const result = await verifyFeishuRequest({ rawBody, headers: { ...headers, signature }, config, nowMs: NOW });
      expect(result).toEqual({ ok: false, reason: 'missing_signature' });
    }
  });

  it('refuses a signature made with another key or over another nonce', async () => {
    const { rawBody, headers } = signedEvent(sampleEvent());
    const ts = headers.timestamp!;
    const otherKey = feishuSign(ts, headers.nonce!, 'not-the-key', rawBody);
    const otherNonce = { ...headers, nonce: 'different' };
    for (const h of [{ ...headers, signature: otherKey }, otherNonce, { ...headers, signature: 'abc' }]) {
      expect(await verifyFeishuRequest({ rawBody, headers: h, config, nowMs: NOW })).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('refuses timestamps outside the window in both directions, and accepts the edge', async () => {
    const old = signedEvent(sampleEvent(), NOW - 301_000);
    const future = signedEvent(sampleEvent(), NOW + 301_000);
    const edge = signedEvent(sampleEvent(), NOW - 300_000);
    expect(await verifyFeishuRequest({ ...old, config, nowMs: NOW })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(await verifyFeishuRequest({ ...future, config, nowMs: NOW })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(await verifyFeishuRequest({ ...edge, config, nowMs: NOW })).toMatchObject({ ok: true });
  });

  it('honours maxSkewSeconds', async () => {
    const req = signedEvent(sampleEvent(), NOW - 61_000);
    expect(await verifyFeishuRequest({ ...req, config, nowMs: NOW, maxSkewSeconds: 60 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(await verifyFeishuRequest({ ...req, config, nowMs: NOW, maxSkewSeconds: 120 })).toMatchObject({
      ok: true,
    });
  });

  it('reports decrypt_failed for a body encrypted with another key', async () => {
    // A fixed iv keeps the ciphertext, and so the outcome, the same on every run.
    const inner = JSON.stringify(sampleEvent());
    const rawBody = JSON.stringify({ encrypt: feishuEncrypt(inner, 'wrong-key', Buffer.alloc(16, 3)) });
    const ts = String(NOW / 1000);
    const headers = { timestamp: ts, nonce: 'n', signature: feishuSign(ts, 'n', ENCRYPT_KEY, rawBody) };
    expect(await verifyFeishuRequest({ rawBody, headers, config, nowMs: NOW })).toEqual({
      ok: false,
      reason: 'decrypt_failed',
    });
  });

  it('reports decrypt_failed for an encrypted body when no key is configured', async () => {
    const { rawBody, headers } = signedEvent(sampleEvent());
    const result = await verifyFeishuRequest({ rawBody, headers, config: { verificationToken: TOKEN }, nowMs: NOW });
    expect(result).toEqual({ ok: false, reason: 'decrypt_failed' });
  });

  it('refuses a correctly signed event that carries the wrong verification token', async () => {
    const result = await verifyFeishuRequest({ ...signedEvent(sampleEvent('stolen')), config, nowMs: NOW });
    expect(result).toEqual({ ok: false, reason: 'bad_token' });
  });
});

describe('verifyFeishuRequest: body and token only', () => {
  it('reports bad_json for text that is not a JSON object', async () => {
    for (const rawBody of ['{"encrypt":', '', '[1,2]', 'null', '"str"']) {
      expect(await verifyFeishuRequest({ rawBody, headers: {}, config, nowMs: NOW })).toEqual({
        ok: false,
        reason: 'bad_json',
      });
    }
  });

  it('checks header.token of a plain schema 2.0 event when only a token is configured', async () => {
    const tokenOnly = { verificationToken: TOKEN };
    const good = await verifyFeishuRequest({
      rawBody: JSON.stringify(sampleEvent()),
      headers: {},
      config: tokenOnly,
      nowMs: NOW,
    });
    expect(good).toMatchObject({ ok: true, isChallenge: false });
    const bad = await verifyFeishuRequest({
      rawBody: JSON.stringify(sampleEvent('wrong')),
      headers: {},
      config: tokenOnly,
      nowMs: NOW,
    });
    expect(bad).toEqual({ ok: false, reason: 'bad_token' });
  });

  it('reads the top-level token of a schema 1.0 body, not a token nested elsewhere', async () => {
    const v1 = { uuid: 'u1', token: TOKEN, ts: '1', type: 'event_callback', event: { type: 'x' } };
    const tokenOnly = { verificationToken: TOKEN };
    const ok = await verifyFeishuRequest({ rawBody: JSON.stringify(v1), headers: {}, config: tokenOnly, nowMs: NOW });
    expect(ok).toMatchObject({ ok: true });
    // A schema 2.0 body is judged by header.token only, whatever sits at the top level.
    const spoofed = { ...sampleEvent('wrong'), token: TOKEN };
    const bad = await verifyFeishuRequest({
      rawBody: JSON.stringify(spoofed),
      headers: {},
      config: tokenOnly,
      nowMs: NOW,
    });
    expect(bad).toEqual({ ok: false, reason: 'bad_token' });
  });

  it('accepts anything well-formed when neither key nor token is configured (dev mode)', async () => {
    const event = sampleEvent('whatever');
    const result = await verifyFeishuRequest({
      rawBody: JSON.stringify(event),
      headers: {},
      config: { encryptKey: null, verificationToken: '' },
      nowMs: NOW,
    });
    expect(result).toEqual({ ok: true, body: event, isChallenge: false });
  });
});
