// Which app serves whom, for both runtimes: the environment's app (FEISHU_* variables, the bare
// webhook path) and the apps kept in the database (their own paths, their secrets sealed). Each
// app's client is built once and kept, so its access token is reused; an app read from the
// database is looked at again after a minute, so a rotated secret takes effect without a restart.
import { openFeishuSecrets } from '../app/chat-apps.js';
import type { ChatPlatform, ChatPlatforms, Logger, SecretBox, Store } from '../app/ports.js';
import type { Tenant } from '../domain/model.js';
import type { FeishuSettings } from '../config.js';

const RECHECK_MS = 60_000;

export interface FeishuApp {
  settings: FeishuSettings;
  client: ChatPlatform;
}

interface Opened {
  app: FeishuApp | null;
  version: number;
  checkedAt: number;
}

export interface ChatAppDirectoryOptions {
  store: Store;
  secrets: SecretBox | null;
  log: Logger;
  /** the app in the environment, if any */
  environmentFeishu: FeishuApp | null;
  feishuClient(settings: FeishuSettings): ChatPlatform;
  now?: () => number;
}

export class ChatAppDirectory implements ChatPlatforms {
  private readonly opened = new Map<string, Promise<Opened>>();
  private readonly now: () => number;

  constructor(private readonly options: ChatAppDirectoryOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  async clientFor(tenant: Tenant): Promise<ChatPlatform | null> {
    if (tenant.platform !== 'feishu') return null;
    return (await this.feishu(tenant.appId))?.client ?? null;
  }

  /** What the webhook verifies with; null when that app is unknown or not configured. */
  async feishuSettings(appId: string | null): Promise<FeishuSettings | null> {
    return (await this.feishu(appId))?.settings ?? null;
  }

  private async feishu(appId: string | null): Promise<FeishuApp | null> {
    if (appId === null) return this.options.environmentFeishu;
    const cached = this.opened.get(appId);
    const current = cached ? await cached : null;
    if (current && this.now() - current.checkedAt < RECHECK_MS) return current.app;
    const next = this.open(appId, current);
    this.opened.set(appId, next);
    // a failed read must not stick: the next caller tries again
    next.catch(() => this.opened.delete(appId));
    return (await next).app;
  }

  private async open(appId: string, previous: Opened | null): Promise<Opened> {
    const stored = await this.options.store.getChatApp(appId);
    const checkedAt = this.now();
    if (!stored || stored.platform !== 'feishu') return { app: null, version: 0, checkedAt };
    if (previous?.app && previous.version === stored.updatedAt) return { ...previous, checkedAt };
    try {
      const secrets = await openFeishuSecrets(this.options.secrets, stored);
      const settings: FeishuSettings = {
        appId: stored.appKey,
        appSecret: secrets.appSecret,
        baseUrl: stored.baseUrl ?? 'https://open.feishu.cn',
        encryptKey: secrets.encryptKey,
        verificationToken: secrets.verificationToken,
      };
      return { app: { settings, client: this.options.feishuClient(settings) }, version: stored.updatedAt, checkedAt };
    } catch (error) {
      this.options.log.error('chat app cannot be opened (APP_SECRETS_KEY changed?)', { app: appId, error: String(error) });
      return { app: null, version: stored.updatedAt, checkedAt };
    }
  }
}
