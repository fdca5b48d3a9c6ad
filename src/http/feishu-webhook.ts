// POST /webhooks/feishu (the environment's app) and /webhooks/feishu/:app (an app kept in the
// database) — transport only: verify over the raw body with that app's keys, answer the challenge,
// then hand the delivery on (platforms/feishu/deliveries.ts). Feishu wants an answer within 3 s.
import type { Context } from 'hono';
import type { Deps } from '../app/ports.js';
import type { FeishuSettings } from '../config.js';
import { handleFeishuDelivery } from '../platforms/feishu/deliveries.js';
import { verifyFeishuRequest, type FeishuCrypto } from '../platforms/feishu/verify.js';

/** How each app's calls are verified: null app id = the environment's app. */
export interface FeishuApps {
  /** null when that app is unknown (or, for the environment's, not configured) */
  feishuSettings(appId: string | null): Promise<FeishuSettings | null>;
}

export interface FeishuWebhookOptions {
  deps: Deps;
  feishuApps: FeishuApps;
  /** keeps work going after the response: a tracked promise on Node, waitUntil on Workers */
  defer(work: Promise<unknown>): void;
  /** the runtime's fastest hashing and AES; Web Crypto when absent */
  feishuCrypto?: FeishuCrypto;
}

export async function handleFeishuWebhook(c: Context, options: FeishuWebhookOptions, appId: string | null, rawBody: string): Promise<Response> {
  const { deps } = options;
  const feishu = await options.feishuApps.feishuSettings(appId);
  if (!feishu && appId !== null) return c.json({ error: 'unknown_app', message: `没有名为 ${appId} 的飞书应用` }, 404);
  if (!feishu) return c.json({ error: 'feishu_not_configured', message: '飞书应用未配置：请设置 FEISHU_APP_ID 等环境变量' }, 503);
  const verified = await verifyFeishuRequest({
    rawBody,
    headers: {
      timestamp: c.req.header('x-lark-request-timestamp') ?? null,
      nonce: c.req.header('x-lark-request-nonce') ?? null,
      signature: c.req.header('x-lark-signature') ?? null,
    },
    config: { encryptKey: feishu.encryptKey, verificationToken: feishu.verificationToken },
    nowMs: deps.clock.now(),
    ...(options.feishuCrypto ? { crypto: options.feishuCrypto } : {}),
  });
  if (!verified.ok) {
    deps.log.warn('feishu webhook refused', { reason: verified.reason, bytes: rawBody.length });
    return c.json({ error: verified.reason }, verified.reason === 'bad_json' ? 400 : 401);
  }
  if (verified.isChallenge) return c.json({ challenge: verified.challenge });

  const answer = await handleFeishuDelivery(deps, verified.body, appId, options.defer);
  return answer.ok ? c.json(answer.body) : c.json(answer.body, answer.status);
}
