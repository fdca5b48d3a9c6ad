// The webhook route itself: the challenge (plain and encrypted), and every refusal — bad
// signature, stale timestamp, wrong token, broken JSON, oversized body, no configuration — each
// with its status and no state change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer } from '../../src/runtime/node.js';
import { ENCRYPT_KEY, FeishuHarness, TENANT_KEY, VERIFICATION_TOKEN } from '../support/feishu-harness.js';
import { buildFeishuWebhookRequest, feishuEncrypt, messageEvent } from '../support/feishu-webhook.js';

let h: FeishuHarness;
beforeAll(async () => {
  h = await FeishuHarness.start();
});
afterAll(async () => {
  await h?.close();
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${h.server.url}/webhooks/feishu`, { method: 'POST', headers, body });
const deliveries = () => (h.server.database.sqlite.prepare('select count(*) n from inbound_deliveries').get() as { n: number }).n;

describe('POST /webhooks/feishu', () => {
  it('answers the plain url_verification challenge', async () => {
    const res = await post(JSON.stringify({ challenge: 'c-123', token: VERIFICATION_TOKEN, type: 'url_verification' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });

  it('answers the encrypted challenge', async () => {
    const encrypt = feishuEncrypt(JSON.stringify({ challenge: 'c-456', token: VERIFICATION_TOKEN, type: 'url_verification' }), ENCRYPT_KEY);
    const res = await post(JSON.stringify({ encrypt }));
    expect(await res.json()).toEqual({ challenge: 'c-456' });
  });

  it('refuses a challenge with the wrong token', async () => {
    const res = await post(JSON.stringify({ challenge: 'x', token: 'wrong', type: 'url_verification' }));
    expect(res.status).toBe(401);
  });

  it('refuses stale and future timestamps, and a wrong verification token inside a good signature', async () => {
    const body = messageEvent({ tenantKey: TENANT_KEY, chatId: 'oc_x', senderOpenId: 'ou_x', text: '帮助', token: VERIFICATION_TOKEN });
    for (const skew of [-10 * 60_000, 10 * 60_000]) {
      const req = buildFeishuWebhookRequest({ body, encryptKey: ENCRYPT_KEY, nowMs: h.now + skew });
      expect((await post(req.rawBody, req.headers)).status).toBe(401);
    }
    const forged = messageEvent({ tenantKey: TENANT_KEY, chatId: 'oc_x', senderOpenId: 'ou_x', text: '帮助', token: 'not-our-token' });
    const req = buildFeishuWebhookRequest({ body: forged, encryptKey: ENCRYPT_KEY, nowMs: h.now });
    expect((await post(req.rawBody, req.headers)).status).toBe(401);
    expect(deliveries()).toBe(0);
    expect(h.logEntries().filter((e) => e.message === 'feishu webhook refused').length).toBeGreaterThanOrEqual(3);
  });

  it('answers broken JSON with 400 and an oversized body with 413', async () => {
    expect((await post('{"encrypt":')).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: 'A'.repeat(300 * 1024) }))).status).toBe(413);
    expect(deliveries()).toBe(0);
  });

  it('reads the body as Request.text() does: a leading byte-order mark is dropped, a chunked body counted', async () => {
    const challenge = JSON.stringify({ challenge: 'c-bom', token: VERIFICATION_TOKEN, type: 'url_verification' });
    const bom = await post(`\uFEFF${challenge}`);
    expect(bom.status).toBe(200);
    expect(await bom.json()).toEqual({ challenge: 'c-bom' });
    // no Content-Length: the limit is counted as the chunks arrive
    const chunked = (text: string) =>
      fetch(`${h.server.url}/webhooks/feishu`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Blob([text]).stream(),
        duplex: 'half',
      } as RequestInit);
    expect(await (await chunked(challenge)).json()).toEqual({ challenge: 'c-bom' });
    expect((await chunked(JSON.stringify({ encrypt: 'A'.repeat(300 * 1024) }))).status).toBe(413);
  });

  it('answers 503 and explains when Feishu is not configured, and /healthz still works', async () => {
    const server = await startNodeServer(parseConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: ':memory:' }), { log: memoryLogger(), pollMs: 0 });
    try {
      const res = await fetch(`${server.url}/webhooks/feishu`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(503);
      expect(JSON.stringify(await res.json())).toContain('FEISHU_APP_ID');
      const health = await fetch(`${server.url}/healthz`);
      expect(await health.json()).toEqual({
        ok: true,
        database: 'ok',
        feishu: 'not_configured',
        dingtalk: 'not_configured',
        delivery: { state: 'ok', pending: 0, retrying: 0, overdueMinutes: 0, dead: 0, recentlyDead: 0, stuckDeliveries: 0, lastError: null },
      });
    } finally {
      await server.close();
    }
  });
});
