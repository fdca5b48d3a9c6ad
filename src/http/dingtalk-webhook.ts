// POST /webhooks/dingtalk (the environment's app) and /webhooks/dingtalk/:app (an app kept in the
// database): DingTalk's HTTP-mode robot messages. Transport only: verify the `timestamp`/`sign`
// headers with that app's secret, then hand the message on (platforms/dingtalk/deliveries.ts).
import type { Context } from 'hono';
import type { Deps } from '../app/ports.js';
import type { DingTalkSettings } from '../config.js';
import { handleDingTalkCardCallback, handleDingTalkMessage } from '../platforms/dingtalk/deliveries.js';
import { verifyDingTalkRequest } from '../platforms/dingtalk/verify.js';

/** How each DingTalk app's calls are verified: null app id = the environment's app. */
export interface DingTalkApps {
  dingTalkSettings(appId: string | null): Promise<DingTalkSettings | null>;
}

export interface DingTalkWebhookOptions {
  deps: Deps;
  dingTalkApps: DingTalkApps;
  defer(work: Promise<unknown>): void;
}

/** Finds the app and checks the request's signature; a Response when the request is refused. */
async function verifiedBody(c: Context, options: DingTalkWebhookOptions, appId: string | null, rawBody: string, what: string): Promise<Record<string, unknown> | Response> {
  const { deps } = options;
  const settings = await options.dingTalkApps.dingTalkSettings(appId);
  if (!settings && appId !== null) return c.json({ error: 'unknown_app', message: `没有名为 ${appId} 的钉钉应用` }, 404);
  if (!settings) return c.json({ error: 'dingtalk_not_configured', message: '钉钉应用未配置：请设置 DINGTALK_CLIENT_ID 等环境变量' }, 503);
  const verified = await verifyDingTalkRequest({
    rawBody,
    headers: { timestamp: c.req.header('timestamp') ?? null, sign: c.req.header('sign') ?? null },
    appSecret: settings.clientSecret,
    nowMs: deps.clock.now(),
  });
  if (verified.ok) return verified.body;
  deps.log.warn(`dingtalk ${what} refused`, { reason: verified.reason, bytes: rawBody.length });
  return c.json({ error: verified.reason }, verified.reason === 'bad_json' ? 400 : 401);
}

export async function handleDingTalkWebhook(c: Context, options: DingTalkWebhookOptions, appId: string | null, rawBody: string): Promise<Response> {
  const body = await verifiedBody(c, options, appId, rawBody, 'webhook');
  if (body instanceof Response) return body;
  const answer = await handleDingTalkMessage(options.deps, body, appId, options.defer);
  return answer.ok ? c.json({}) : c.json(answer.body, answer.status);
}

/**
 * POST /webhooks/dingtalk/card and /webhooks/dingtalk/:app/card: HTTP-mode card clicks, posted to
 * the URL the client registered. [unconfirmed] DingTalk's signing of these: checked like robot
 * messages, with the apiSecret registered for the route (the app's secret).
 */
export async function handleDingTalkCardWebhook(c: Context, options: DingTalkWebhookOptions, appId: string | null, rawBody: string): Promise<Response> {
  const body = await verifiedBody(c, options, appId, rawBody, 'card callback');
  if (body instanceof Response) return body;
  const answer = await handleDingTalkCardCallback(options.deps, body, appId, null);
  return answer.ok ? c.json(answer.body) : c.json(answer.body, answer.status);
}
