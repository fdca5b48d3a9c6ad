// Chat apps kept in the database: one self-built app per organisation on a shared deployment
// (a Feishu self-built app belongs to one tenant). Adding one checks the input, seals the secrets
// and stores it; its webhook path is /webhooks/<platform>/<id>.
import { z } from 'zod';
import type { ChatApp } from '../domain/model.js';
import type { Deps } from './ports.js';
import { StaleWriteError, type StoredChatApp } from './store-port.js';

/** What a Feishu app's sealed secrets hold. */
export interface FeishuAppSecrets {
  appSecret: string;
  encryptKey: string | null;
  verificationToken: string | null;
}

/**
 * What a DingTalk app's sealed blob holds: its secret, and the settings that have no column of
 * their own (robot code, card template, the old API host).
 */
export interface DingTalkAppSecrets {
  appSecret: string;
  robotCode: string | null;
  cardTemplateId: string | null;
  oapiBaseUrl: string | null;
}

const secret = z.string().trim().min(1).max(200);
const optionalSecret = secret.nullish().transform((v) => v ?? null);
const optionalUrl = z.string().trim().url().nullish().transform((v) => (v ? v.replace(/\/+$/, '') : null));

const common = {
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, '只能用小写字母、数字和连字符（最长 40 个字符），如 hospital-a')
    // /webhooks/dingtalk/card is DingTalk's card-callback path
    .refine((id) => id !== 'card', 'card 是保留名，请换一个'),
  appSecret: secret,
  baseUrl: optionalUrl,
  name: z.string().trim().max(60).nullish().transform((v) => v || null),
};

const feishuApp = z
  .object({
    ...common,
    platform: z.literal('feishu'),
    appKey: z.string().trim().regex(/^cli_[A-Za-z0-9]+$/, '飞书应用的 App ID 形如 cli_a1b2c3d4e5f60718'),
    encryptKey: optionalSecret,
    verificationToken: optionalSecret,
  })
  .refine((app) => app.encryptKey !== null || app.verificationToken !== null, {
    message: '请至少提供 Encrypt Key 或 Verification Token，用来验证飞书的回调',
    path: ['encryptKey'],
  });

const dingTalkApp = z.object({
  ...common,
  platform: z.literal('dingtalk'),
  appKey: z.string().trim().regex(/^[A-Za-z0-9_-]{6,64}$/, '钉钉应用的 Client ID（AppKey）形如 dingxxxxxxxxxxxxxxxx'),
  robotCode: z.string().trim().min(1).max(64).nullish().transform((v) => v ?? null),
  cardTemplateId: z.string().trim().min(1).max(100).nullish().transform((v) => v ?? null),
  oapiBaseUrl: optionalUrl,
});

export const chatAppInput = z.union([feishuApp, dingTalkApp], { error: '平台只能是 feishu 或 dingtalk' });

export type ChatAppInput = z.input<typeof chatAppInput>;

export const webhookPathOf = (app: Pick<ChatApp, 'platform' | 'id'>): string => `/webhooks/${app.platform}/${app.id}`;

const FIELD_NAMES: Record<string, string> = {
  id: '应用名（路径）', platform: '平台', appKey: 'App ID', appSecret: 'App Secret', encryptKey: 'Encrypt Key',
  verificationToken: 'Verification Token', baseUrl: '开放平台地址', name: '名称', robotCode: '机器人 RobotCode',
  cardTemplateId: '卡片模板 ID', oapiBaseUrl: '旧版接口地址',
};

function sealedContent(input: z.infer<typeof chatAppInput>): FeishuAppSecrets | DingTalkAppSecrets {
  if (input.platform === 'feishu') return { appSecret: input.appSecret, encryptKey: input.encryptKey, verificationToken: input.verificationToken };
  return { appSecret: input.appSecret, robotCode: input.robotCode, cardTemplateId: input.cardTemplateId, oapiBaseUrl: input.oapiBaseUrl };
}

export type AddChatAppResult = { ok: true; app: ChatApp; webhookPath: string; replaced: boolean } | { ok: false; reason: string };

/** Adds an app, or replaces the one with the same id (a rotated secret). */
export async function addChatApp(deps: Deps, raw: unknown): Promise<AddChatAppResult> {
  if (!deps.secrets) {
    return { ok: false, reason: '未设置 APP_SECRETS_KEY，无法保存应用密钥。请用 `openssl rand -base64 32` 生成一个并设为环境变量（Workers 上用 wrangler secret put）。' };
  }
  // the platform picks the schema, so its problems are the ones named (not the other platform's)
  const platform = (raw as { platform?: unknown } | null)?.platform;
  const schema = platform === 'dingtalk' ? dingTalkApp : platform === 'feishu' ? feishuApp : chatAppInput;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = FIELD_NAMES[String(issue.path[0])];
      return field ? `${field}：${issue.message}` : issue.message;
    });
    return { ok: false, reason: `应用信息有误——${problems.join('；')}` };
  }
  const input = parsed.data;
  const secrets = sealedContent(input);
  const existing = await deps.store.getChatApp(input.id);
  if (existing && existing.platform !== input.platform) return { ok: false, reason: `应用名 ${input.id} 已被${existing.platform}应用使用` };
  const app: StoredChatApp = {
    id: input.id,
    platform: input.platform,
    appKey: input.appKey,
    baseUrl: input.baseUrl,
    name: input.name,
    sealedSecrets: await deps.secrets.seal(JSON.stringify(secrets)),
    updatedAt: deps.clock.now(),
  };
  try {
    await deps.store.commit([{ op: 'upsertChatApp', app, at: deps.clock.now() }]);
  } catch (error) {
    if (!(error instanceof StaleWriteError)) throw error;
    const other = (await deps.store.listChatApps()).find((a) => a.platform === app.platform && a.appKey === app.appKey);
    return { ok: false, reason: `App ID ${app.appKey} 已登记为应用 ${other?.id ?? '（另一个）'}` };
  }
  const { sealedSecrets: _sealed, updatedAt: _at, ...shown } = app;
  return { ok: true, app: shown, webhookPath: webhookPathOf(app), replaced: existing !== null };
}

/** The apps, without their secrets. */
export async function listChatApps(deps: Deps): Promise<(ChatApp & { webhookPath: string })[]> {
  return (await deps.store.listChatApps()).map(({ sealedSecrets: _sealed, updatedAt: _at, ...app }) => ({ ...app, webhookPath: webhookPathOf(app) }));
}

/** A stored app's sealed blob, opened; throws when it cannot be (another key, damage, no secret). */
async function openSealed<T extends { appSecret: string }>(secrets: Deps['secrets'], app: StoredChatApp): Promise<Partial<T> & { appSecret: string }> {
  if (!secrets) throw new Error(`app ${app.id}: APP_SECRETS_KEY is not set, its secrets cannot be opened`);
  const opened = JSON.parse(await secrets.open(app.sealedSecrets)) as Partial<T>;
  if (typeof opened.appSecret !== 'string') throw new Error(`app ${app.id}: sealed secrets hold no appSecret`);
  return opened as Partial<T> & { appSecret: string };
}

export async function openFeishuSecrets(secrets: Deps['secrets'], app: StoredChatApp): Promise<FeishuAppSecrets> {
  const opened = await openSealed<FeishuAppSecrets>(secrets, app);
  return { appSecret: opened.appSecret, encryptKey: opened.encryptKey ?? null, verificationToken: opened.verificationToken ?? null };
}

export async function openDingTalkSecrets(secrets: Deps['secrets'], app: StoredChatApp): Promise<DingTalkAppSecrets> {
  const opened = await openSealed<DingTalkAppSecrets>(secrets, app);
  return { appSecret: opened.appSecret, robotCode: opened.robotCode ?? null, cardTemplateId: opened.cardTemplateId ?? null, oapiBaseUrl: opened.oapiBaseUrl ?? null };
}
