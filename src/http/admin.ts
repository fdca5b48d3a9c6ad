// /admin/*: operators' doors, behind `Authorization: Bearer $ADMIN_TOKEN` (off when it is unset).
import type { Context } from 'hono';
import { addChatApp, listChatApps } from '../app/chat-apps.js';
import { campaignNamed, ledgerWorkbook, tenantNamed } from '../app/ledger.js';
import type { Deps } from '../app/ports.js';

/** Compares without stopping at the first different byte, so timing tells nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i]!;
  return diff === 0;
}

export function adminAuthorised(c: Context, adminToken: string | null): Response | null {
  if (!adminToken) return c.json({ error: 'admin_disabled', message: '未设置 ADMIN_TOKEN，管理接口已关闭' }, 404);
  const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
  if (!m || !sameSecret(m[1]!.trim(), adminToken)) {
    c.header('WWW-Authenticate', 'Bearer');
    return c.json({ error: 'unauthorized', message: '管理令牌无效' }, 401);
  }
  return null;
}

/** GET /admin/ledger.xlsx?campaign=…[&tenant=…]: the same workbook the chat's 台账 sends. */
export async function ledgerDownload(c: Context, deps: Deps, adminToken: string | null): Promise<Response> {
  const refused = adminAuthorised(c, adminToken);
  if (refused) return refused;
  const tenant = await tenantNamed(deps, c.req.query('tenant') ?? null);
  if (typeof tenant === 'string') return c.json({ error: 'tenant', message: tenant }, 400);
  const wanted = c.req.query('campaign') ?? null;
  const campaign = await campaignNamed(deps, tenant, wanted);
  if (!campaign) return c.json({ error: 'campaign', message: `没有这个专项：${wanted}` }, 404);
  const { fileName, bytes } = await ledgerWorkbook(deps, tenant, campaign);
  return new Response(bytes.slice(), {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      'cache-control': 'no-store',
    },
  });
}

/** POST /admin/apps (JSON: id, platform, appKey, appSecret, encryptKey, verificationToken, baseUrl, name). */
export async function addAppRoute(c: Context, deps: Deps, adminToken: string | null, rawBody: string): Promise<Response> {
  const refused = adminAuthorised(c, adminToken);
  if (refused) return refused;
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return c.json({ error: 'bad_json', message: '请求体应为 JSON' }, 400);
  }
  const result = await addChatApp(deps, body);
  if (!result.ok) return c.json({ error: 'bad_app', message: result.reason }, 400);
  return c.json({ app: result.app, webhookPath: result.webhookPath, replaced: result.replaced }, result.replaced ? 200 : 201);
}

/** GET /admin/apps: the apps kept in the database, without secrets. */
export async function listAppsRoute(c: Context, deps: Deps, adminToken: string | null): Promise<Response> {
  const refused = adminAuthorised(c, adminToken);
  if (refused) return refused;
  return c.json({ apps: await listChatApps(deps) });
}
