// POST /webhooks/feishu — transport only: verify over the raw body, answer the challenge, parse,
// record the delivery, acknowledge. Messages are processed after the answer (Feishu wants one
// within 3 s); card clicks are answered with their toast and the updated card.
import type { Context } from 'hono';
import { accept, processDelivery, receive } from '../app/receive.js';
import type { Reply } from '../app/outcome.js';
import type { Deps } from '../app/ports.js';
import type { FeishuSettings } from '../config.js';
import { FeishuParseError, parseFeishuEvent } from '../platforms/feishu/parse.js';
import { renderFeishuCard } from '../platforms/feishu/render-card.js';
import { verifyFeishuRequest, type FeishuCrypto } from '../platforms/feishu/verify.js';

export interface FeishuWebhookOptions {
  deps: Deps;
  feishu: FeishuSettings | null;
  /** keeps work going after the response: a tracked promise on Node, waitUntil on Workers */
  defer(work: Promise<unknown>): void;
  /** the runtime's fastest hashing and AES; Web Crypto when absent */
  feishuCrypto?: FeishuCrypto;
}

export function feishuReply(reply: Reply | null): Record<string, unknown> {
  if (!reply) return {};
  return {
    toast: { type: reply.toast.type, content: reply.toast.text },
    ...(reply.card ? { card: { type: 'raw', data: renderFeishuCard(reply.card) } } : {}),
  };
}

export async function handleFeishuWebhook(c: Context, options: FeishuWebhookOptions): Promise<Response> {
  const { deps, feishu } = options;
  if (!feishu) return c.json({ error: 'feishu_not_configured', message: '飞书应用未配置：请设置 FEISHU_APP_ID 等环境变量' }, 503);
  const rawBody = await c.req.text();
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

  let event;
  try {
    event = parseFeishuEvent(verified.body);
  } catch (error) {
    if (error instanceof FeishuParseError) {
      deps.log.warn('feishu event unreadable', { error: error.message });
      return c.json({ error: 'bad_event', message: error.message }, 400);
    }
    throw error;
  }
  if (event.kind === 'ignored') return c.json({});
  if (event.kind === 'card_action') return c.json(feishuReply(await receive(deps, event)));

  const accepted = await accept(deps, event);
  if (accepted.isNew) options.defer(processDelivery(deps, event));
  return c.json({});
}
