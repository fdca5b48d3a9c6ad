// The environment, parsed once at the entry (DESIGN.md §4) and passed down. Runtime-neutral: it
// reads a plain record, whether process.env or a Worker's env.
import { z } from 'zod';

const optional = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : null));
const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const configSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_PATH: z.string().default('./data/duban.sqlite'),
  TIMEZONE: z.string().default('Asia/Shanghai'),
  FEISHU_APP_ID: optional,
  FEISHU_APP_SECRET: optional,
  FEISHU_VERIFICATION_TOKEN: optional,
  FEISHU_ENCRYPT_KEY: optional,
  FEISHU_BASE_URL: z.string().url().default('https://open.feishu.cn'),
  /** webhook: Feishu calls POST /webhooks/feishu; ws: the Node process holds Feishu's long connection (no public URL) */
  FEISHU_MODE: z.enum(['webhook', 'ws']).default('webhook'),
  DINGTALK_CLIENT_ID: optional,
  DINGTALK_CLIENT_SECRET: optional,
  DINGTALK_ROBOT_CODE: optional,
  DINGTALK_BASE_URL: z.string().url().default('https://api.dingtalk.com'),
  /** the older API host (media upload) */
  DINGTALK_OAPI_BASE_URL: z.string().url().default('https://oapi.dingtalk.com'),
  /** the general card template imported from cards/dingtalk/ (README「配置钉钉应用」) */
  DINGTALK_CARD_TEMPLATE_ID: optional,
  /** http: DingTalk calls POST /webhooks/dingtalk; stream: the bot holds DingTalk's Stream connection (no public URL, Node only) */
  DINGTALK_MODE: z.enum(['http', 'stream']).default('http'),
  /** for HTTP-mode card callbacks: the key registered with card/callbacks/register */
  DINGTALK_CALLBACK_ROUTE_KEY: optional,
  /** this deployment's public origin (https://duban.example.com): DingTalk HTTP mode registers its card-callback URL under it */
  PUBLIC_URL: z.string().url().optional(),
  ADMIN_TOKEN: optional,
  /** base64 of 32 random bytes (openssl rand -base64 32): seals the secrets of apps kept in the database */
  APP_SECRETS_KEY: optional,
  PHOTO_WINDOW_MINUTES: int(10, 1, 24 * 60),
  DUE_SOON_WORKING_DAYS: int(2, 0, 30),
  RED_AFTER_WORKING_DAYS: int(3, 0, 60),
  REPEAT_MIN_COUNT: int(3, 2, 100),
  REPEAT_WINDOW_DAYS: int(90, 7, 366),
  JOB_HOUR: int(9, 0, 23),
  /** Node: where the nightly backups go (default: backups/ beside the database); "off" turns them off */
  BACKUP_DIR: optional,
  /** Node: the local hour from which the day's backup is taken */
  BACKUP_HOUR: int(3, 0, 23),
  /** Node: how many daily database copies to keep (photos are copied once and always kept) */
  BACKUP_KEEP: int(14, 1, 3650),
});

export type Config = z.infer<typeof configSchema>;

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`配置有误 (invalid configuration): ${problems}`);
  }
  return parsed.data;
}

export interface FeishuSettings {
  appId: string;
  appSecret: string;
  baseUrl: string;
  verificationToken: string | null;
  encryptKey: string | null;
}

/** Feishu is on when the app's credentials and at least one way to verify its calls are set. */
export function feishuSettings(config: Config): { ok: true; settings: FeishuSettings } | { ok: false; missing: string[] } {
  const missing: string[] = [];
  if (!config.FEISHU_APP_ID) missing.push('FEISHU_APP_ID');
  if (!config.FEISHU_APP_SECRET) missing.push('FEISHU_APP_SECRET');
  if (!config.FEISHU_VERIFICATION_TOKEN && !config.FEISHU_ENCRYPT_KEY) missing.push('FEISHU_VERIFICATION_TOKEN 或 FEISHU_ENCRYPT_KEY');
  if (missing.length) return { ok: false, missing };
  return {
    ok: true,
    settings: {
      appId: config.FEISHU_APP_ID!,
      appSecret: config.FEISHU_APP_SECRET!,
      baseUrl: config.FEISHU_BASE_URL,
      verificationToken: config.FEISHU_VERIFICATION_TOKEN,
      encryptKey: config.FEISHU_ENCRYPT_KEY,
    },
  };
}

export interface DingTalkSettings {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  baseUrl: string;
  oapiBaseUrl: string;
  cardTemplateId: string;
  mode: 'http' | 'stream';
  callbackRouteKey: string | null;
  /** where DingTalk posts card clicks in HTTP mode (registered under callbackRouteKey); null in Stream mode */
  callbackUrl: string | null;
}

/** DingTalk is on when the app's credentials and the card template are set. */
export function dingTalkSettings(config: Config): { ok: true; settings: DingTalkSettings } | { ok: false; missing: string[] } {
  const missing: string[] = [];
  if (!config.DINGTALK_CLIENT_ID) missing.push('DINGTALK_CLIENT_ID');
  if (!config.DINGTALK_CLIENT_SECRET) missing.push('DINGTALK_CLIENT_SECRET');
  if (!config.DINGTALK_CARD_TEMPLATE_ID) missing.push('DINGTALK_CARD_TEMPLATE_ID');
  // in HTTP mode card clicks come back over HTTP, to a URL DingTalk must be told
  if (config.DINGTALK_MODE === 'http' && !config.PUBLIC_URL) missing.push('PUBLIC_URL（HTTP 模式下卡片按钮回调需要；或用 DINGTALK_MODE=stream）');
  if (missing.length) return { ok: false, missing };
  return {
    ok: true,
    settings: {
      clientId: config.DINGTALK_CLIENT_ID!,
      clientSecret: config.DINGTALK_CLIENT_SECRET!,
      // an enterprise-internal app's robot code is its client id unless set otherwise
      robotCode: config.DINGTALK_ROBOT_CODE ?? config.DINGTALK_CLIENT_ID!,
      baseUrl: config.DINGTALK_BASE_URL,
      oapiBaseUrl: config.DINGTALK_OAPI_BASE_URL,
      cardTemplateId: config.DINGTALK_CARD_TEMPLATE_ID!,
      mode: config.DINGTALK_MODE,
      callbackRouteKey: config.DINGTALK_CALLBACK_ROUTE_KEY,
      callbackUrl: dingTalkCallbackUrl(config, null),
    },
  };
}

/** The card-callback URL of a DingTalk app (null: the environment's), or null in Stream mode. */
export function dingTalkCallbackUrl(config: Config, appId: string | null): string | null {
  if (config.DINGTALK_MODE !== 'http' || !config.PUBLIC_URL) return null;
  return `${config.PUBLIC_URL.replace(/\/+$/, '')}/webhooks/dingtalk/${appId ? `${appId}/` : ''}card`;
}
