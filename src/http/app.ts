// The HTTP surface (DESIGN.md §4): webhooks, health and the admin export. Transport only.
import { Hono } from 'hono';
import { deliveryHealth } from '../app/delivery-health.js';
import type { Deps } from '../app/ports.js';
import type { FeishuCrypto } from '../platforms/feishu/verify.js';
import { addAppRoute, ledgerDownload, listAppsRoute } from './admin.js';
import { limitedBody, type BodyReader, type WithBody } from './body.js';
import { handleDingTalkCardWebhook, handleDingTalkWebhook, type DingTalkApps } from './dingtalk-webhook.js';
import { handleFeishuWebhook, type FeishuApps } from './feishu-webhook.js';

/** Feishu events and card callbacks are a few KB; anything near this is not from Feishu. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

export interface HttpAppOptions {
  deps: Deps;
  feishuApps: FeishuApps;
  dingTalkApps: DingTalkApps;
  /** bearer token for /admin/*; null turns those routes off */
  adminToken: string | null;
  defer(work: Promise<unknown>): void;
  feishuCrypto?: FeishuCrypto;
  /** the runtime's fastest way to read a request body (Node: straight from the socket) */
  readBody?: BodyReader;
  /** Node: the nightly backups' state, shown by /healthz (D1 keeps its own history) */
  backups?: () => Promise<{ newest: string | null; error: string | null }>;
}

export function createHttpApp(options: HttpAppOptions): Hono<WithBody> {
  const app = new Hono<WithBody>();
  const limit = limitedBody(MAX_WEBHOOK_BYTES, options.readBody);

  app.post('/webhooks/feishu', limit, (c) => handleFeishuWebhook(c, options, null, c.get('rawBody')));
  app.post('/webhooks/feishu/:app', limit, (c) => handleFeishuWebhook(c, options, c.req.param('app'), c.get('rawBody')));
  app.post('/webhooks/dingtalk', limit, (c) => handleDingTalkWebhook(c, options, null, c.get('rawBody')));
  // before /:app, which would otherwise read "card" as an app's name (the name is reserved)
  app.post('/webhooks/dingtalk/card', limit, (c) => handleDingTalkCardWebhook(c, options, null, c.get('rawBody')));
  app.post('/webhooks/dingtalk/:app/card', limit, (c) => handleDingTalkCardWebhook(c, options, c.req.param('app'), c.get('rawBody')));
  app.post('/webhooks/dingtalk/:app', limit, (c) => handleDingTalkWebhook(c, options, c.req.param('app'), c.get('rawBody')));

  app.get('/admin/ledger.xlsx', (c) => ledgerDownload(c, options.deps, options.adminToken));
  app.post('/admin/apps', limit, (c) => addAppRoute(c, options.deps, options.adminToken, c.get('rawBody')));
  app.get('/admin/apps', (c) => listAppsRoute(c, options.deps, options.adminToken));

  app.get('/healthz', async (c) => {
    try {
      await options.deps.store.ping();
      const feishu = await options.feishuApps.feishuSettings(null);
      const dingtalk = await options.dingTalkApps.dingTalkSettings(null);
      // a failing backup or a stalled outbox is reported, not made a failed health check: the
      // service itself is up, and a balancer must not take the only instance out over it
      const backup = options.backups ? { backup: await options.backups() } : {};
      const delivery = await deliveryHealth(options.deps);
      return c.json({ ok: true, database: 'ok', feishu: feishu ? 'configured' : 'not_configured', dingtalk: dingtalk ? 'configured' : 'not_configured', delivery, ...backup });
    } catch (error) {
      options.deps.log.error('health check failed', { error: String(error) });
      return c.json({ ok: false, database: 'unreachable' }, 503);
    }
  });

  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  app.onError((error, c) => {
    options.deps.log.error('unhandled request error', { path: c.req.path, error: error instanceof Error ? error.stack : String(error) });
    return c.json({ error: 'internal_error', message: '服务器内部错误' }, 500);
  });
  return app;
}
