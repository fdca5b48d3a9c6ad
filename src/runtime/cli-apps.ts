// `duban app add|list`: keep an organisation's own chat app in the database, locally (SQLite) or,
// with --server, on a running deployment (a Worker) through its POST /admin/apps.
import { addChatApp, listChatApps } from '../app/chat-apps.js';
import type { Deps } from '../app/ports.js';
import { option } from './cli-ledger.js';

type Write = (line: string) => void;

const FLAGS = {
  id: '--id',
  platform: '--platform',
  appKey: '--app-id',
  appSecret: '--app-secret',
  encryptKey: '--encrypt-key',
  verificationToken: '--verification-token',
  baseUrl: '--base-url',
  name: '--name',
  // DingTalk apps
  robotCode: '--robot-code',
  cardTemplateId: '--card-template-id',
  oapiBaseUrl: '--oapi-base-url',
} as const;

export function appInputFrom(args: string[]): Record<string, string | undefined> {
  const input: Record<string, string | undefined> = {};
  for (const [field, flag] of Object.entries(FLAGS)) input[field] = option(args, flag);
  input['platform'] ??= 'feishu';
  return input;
}

function printAdded(write: Write, added: { app: { id: string; appKey: string }; webhookPath: string; replaced: boolean }, origin: string): void {
  write(`${added.replaced ? '已更新' : '已添加'}应用 ${added.app.id}（${added.app.appKey}）`);
  write(
    added.webhookPath.startsWith('/webhooks/dingtalk/')
      ? `请在钉钉开发者后台把机器人的消息接收地址设为：${origin}${added.webhookPath}（或使用 Stream 模式）`
      : `请在飞书开发者后台把「事件订阅」和「回调配置」的请求地址都设为：${origin}${added.webhookPath}`,
  );
}

export async function addAppLocally(deps: Deps, args: string[], write: Write): Promise<number> {
  const result = await addChatApp(deps, appInputFrom(args));
  if (!result.ok) {
    write(result.reason);
    return 2;
  }
  printAdded(write, result, 'https://<您的域名>');
  return 0;
}

export async function addAppRemotely(server: string, adminToken: string | undefined, args: string[], write: Write): Promise<number> {
  if (!adminToken) {
    write('请设置环境变量 ADMIN_TOKEN（与服务器上的相同）');
    return 2;
  }
  const origin = server.replace(/\/+$/, '');
  const response = await fetch(`${origin}/admin/apps`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(appInputFrom(args)),
  });
  const body = (await response.json().catch(() => ({}))) as { message?: string; app?: { id: string; appKey: string }; webhookPath?: string; replaced?: boolean };
  if (!response.ok || !body.app || !body.webhookPath) {
    write(`服务器拒绝了（HTTP ${response.status}）：${body.message ?? ''}`);
    return response.status === 401 || response.status === 400 ? 2 : 1;
  }
  printAdded(write, { app: body.app, webhookPath: body.webhookPath, replaced: body.replaced ?? false }, origin);
  return 0;
}

export async function listApps(deps: Deps, write: Write): Promise<number> {
  const apps = await listChatApps(deps);
  if (apps.length === 0) write('数据库中还没有应用（环境变量中的应用使用 /webhooks/feishu）');
  for (const app of apps) write(`${app.id}\t${app.platform}\t${app.appKey}\t${app.name ?? ''}\t${app.webhookPath}`);
  return 0;
}
