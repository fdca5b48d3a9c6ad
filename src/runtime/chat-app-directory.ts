// Which app serves whom, for both runtimes: the environment's apps (FEISHU_* and DINGTALK_*
// variables, the bare webhook paths) and the apps kept in the database (their own paths, their
// secrets sealed). Each app's client is built once and kept, so its access token is reused; an app
// read from the database is looked at again after a minute, so a rotated secret takes effect
// without a restart.
import { openDingTalkSecrets, openFeishuSecrets } from '../app/chat-apps.js';
import type { ChatPlatform, ChatPlatforms, Logger, SecretBox, Store } from '../app/ports.js';
import type { StoredChatApp } from '../app/store-port.js';
import type { Tenant } from '../domain/model.js';
import { dingTalkCallbackUrl, dingTalkSettings, feishuSettings, type Config, type DingTalkSettings, type FeishuSettings } from '../config.js';
import { DingTalkClient } from '../platforms/dingtalk/client.js';
import { renderDingTalkCard } from '../platforms/dingtalk/render-card.js';

const RECHECK_MS = 60_000;

export interface FeishuApp {
  platform: 'feishu';
  settings: FeishuSettings;
  client: ChatPlatform;
}

export interface DingTalkApp {
  platform: 'dingtalk';
  settings: DingTalkSettings;
  client: ChatPlatform;
}

type App = FeishuApp | DingTalkApp;

interface Opened {
  app: App | null;
  version: number;
  checkedAt: number;
}

export interface ChatAppDirectoryOptions {
  store: Store;
  secrets: SecretBox | null;
  log: Logger;
  /** the apps in the environment, if any */
  environment: { feishu: FeishuApp | null; dingtalk: DingTalkApp | null };
  feishuClient(settings: FeishuSettings): ChatPlatform;
  dingTalkClient(settings: DingTalkSettings): ChatPlatform;
  /** defaults for what a stored DingTalk app does not say (the Open API hosts, the receiving mode) */
  dingTalkDefaults: Pick<DingTalkSettings, 'baseUrl' | 'oapiBaseUrl' | 'mode' | 'cardTemplateId'> & { callbackUrl(appId: string): string | null };
  now?: () => number;
}

export class ChatAppDirectory implements ChatPlatforms {
  private readonly opened = new Map<string, Promise<Opened>>();
  private readonly now: () => number;

  constructor(private readonly options: ChatAppDirectoryOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  async clientFor(tenant: Tenant): Promise<ChatPlatform | null> {
    const app = await this.app(tenant.platform, tenant.appId);
    return app?.client ?? null;
  }

  /** What the Feishu webhook verifies with; null when that app is unknown or not configured. */
  async feishuSettings(appId: string | null): Promise<FeishuSettings | null> {
    const app = await this.app('feishu', appId);
    return app?.platform === 'feishu' ? app.settings : null;
  }

  /** What the DingTalk webhook verifies with; null when that app is unknown or not configured. */
  async dingTalkSettings(appId: string | null): Promise<DingTalkSettings | null> {
    const app = await this.app('dingtalk', appId);
    return app?.platform === 'dingtalk' ? app.settings : null;
  }

  private async app(platform: Tenant['platform'], appId: string | null): Promise<App | null> {
    if (appId === null) return this.options.environment[platform];
    const cached = this.opened.get(appId);
    const current = cached ? await cached : null;
    let app: App | null;
    if (current && this.now() - current.checkedAt < RECHECK_MS) {
      app = current.app;
    } else {
      const next = this.open(appId, current);
      this.opened.set(appId, next);
      // a failed read must not stick: the next caller tries again
      next.catch(() => this.opened.delete(appId));
      app = (await next).app;
    }
    return app?.platform === platform ? app : null;
  }

  private async open(appId: string, previous: Opened | null): Promise<Opened> {
    const stored = await this.options.store.getChatApp(appId);
    const checkedAt = this.now();
    if (!stored) return { app: null, version: 0, checkedAt };
    if (previous?.app && previous.version === stored.updatedAt) return { ...previous, checkedAt };
    try {
      return { app: await this.build(stored), version: stored.updatedAt, checkedAt };
    } catch (error) {
      this.options.log.error('chat app cannot be opened (APP_SECRETS_KEY changed?)', { app: appId, error: String(error) });
      return { app: null, version: stored.updatedAt, checkedAt };
    }
  }

  private async build(stored: StoredChatApp): Promise<App> {
    if (stored.platform === 'feishu') {
      const secrets = await openFeishuSecrets(this.options.secrets, stored);
      const settings: FeishuSettings = {
        appId: stored.appKey,
        appSecret: secrets.appSecret,
        baseUrl: stored.baseUrl ?? 'https://open.feishu.cn',
        encryptKey: secrets.encryptKey,
        verificationToken: secrets.verificationToken,
      };
      return { platform: 'feishu', settings, client: this.options.feishuClient(settings) };
    }
    const secrets = await openDingTalkSecrets(this.options.secrets, stored);
    const defaults = this.options.dingTalkDefaults;
    const settings: DingTalkSettings = {
      clientId: stored.appKey,
      clientSecret: secrets.appSecret,
      robotCode: secrets.robotCode ?? stored.appKey,
      baseUrl: stored.baseUrl ?? defaults.baseUrl,
      oapiBaseUrl: secrets.oapiBaseUrl ?? defaults.oapiBaseUrl,
      cardTemplateId: secrets.cardTemplateId ?? defaults.cardTemplateId,
      mode: defaults.mode,
      // one route per app: each app's clicks come back on its own path
      callbackRouteKey: `duban-${stored.id}`,
      callbackUrl: defaults.callbackUrl(stored.id),
    };
    return { platform: 'dingtalk', settings, client: this.options.dingTalkClient(settings) };
  }
}

/** The directory both runtimes build: the environment's apps from `config`, the rest from the store. */
export function chatAppDirectory(
  config: Config,
  store: Store,
  secrets: SecretBox | null,
  log: Logger,
  /** Node loads the Lark SDK on first use; the Worker builds the client at once */
  feishuClient: (settings: FeishuSettings) => ChatPlatform,
): ChatAppDirectory {
  const feishu = feishuSettings(config);
  const dingtalk = dingTalkSettings(config);
  const dingTalkClient = (settings: DingTalkSettings) =>
    new DingTalkClient({ ...settings, callbackType: settings.mode === 'stream' ? 'STREAM' : 'HTTP', renderCard: renderDingTalkCard, log });
  return new ChatAppDirectory({
    store,
    secrets,
    log,
    environment: {
      feishu: feishu.ok ? { platform: 'feishu', settings: feishu.settings, client: feishuClient(feishu.settings) } : null,
      dingtalk: dingtalk.ok ? { platform: 'dingtalk', settings: dingtalk.settings, client: dingTalkClient(dingtalk.settings) } : null,
    },
    feishuClient,
    dingTalkClient,
    dingTalkDefaults: {
      baseUrl: config.DINGTALK_BASE_URL,
      oapiBaseUrl: config.DINGTALK_OAPI_BASE_URL,
      mode: config.DINGTALK_MODE,
      cardTemplateId: config.DINGTALK_CARD_TEMPLATE_ID ?? '',
      callbackUrl: (appId) => dingTalkCallbackUrl(config, appId),
    },
  });
}
