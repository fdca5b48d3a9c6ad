// Feishu's long connection (FEISHU_MODE=ws): the SDK's WSClient dials out to Feishu, so a hospital
// server that cannot be reached from the internet still gets events and card callbacks. Each
// delivery takes the same road as a webhook's (deliveries.ts). Node only: the SDK holds a socket.
//
// The SDK acknowledges a delivery only after our handler settles, and sends back what it returns:
// a message is acknowledged once it is recorded (its work goes on after), a card click with its
// toast and card. A handler that throws is answered with code 500, so Feishu delivers it again.
import * as lark from '@larksuiteoapi/node-sdk';
import type { Deps, Logger } from '../../app/ports.js';
import { sdkLogger } from './client.js';
import { handleFeishuDelivery } from './deliveries.js';
import { decryptFeishuBody } from './verify.js';

export interface LongConnectionSettings {
  appId: string;
  appSecret: string;
  /** the Open API origin; the SDK asks `${baseUrl}/callback/ws/endpoint` where to connect */
  baseUrl: string;
  encryptKey: string | null;
}

export interface LongConnection {
  close(): void;
}

/**
 * The SDK's dispatcher flattens an event for its per-type handlers; ours takes the whole envelope,
 * exactly as a webhook body reads once decrypted, so one parser serves both roads.
 */
class EnvelopeDispatcher extends lark.EventDispatcher {
  constructor(
    private readonly handle: (body: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>,
  ) {
    super({});
  }

  override async invoke(data: unknown): Promise<unknown> {
    return this.handle(data as Record<string, unknown>);
  }
}

/** Feishu refuses (and the SDK silently skips) app ids of another shape; say so at start-up. */
export const LONG_CONNECTION_APP_ID = /^cli_[0-9a-f]{16}$/;

export function startFeishuLongConnection(
  deps: Deps,
  settings: LongConnectionSettings,
  defer: (work: Promise<unknown>) => void,
  log: Logger,
): LongConnection {
  if (!LONG_CONNECTION_APP_ID.test(settings.appId)) {
    log.warn(`长连接需要飞书应用的 App ID（形如 cli_a1b2c3d4e5f60718），当前为 ${settings.appId}：不会建立连接`);
  }
  const dispatcher = new EnvelopeDispatcher(async (received) => {
    const body =
      typeof received['encrypt'] === 'string' && settings.encryptKey
        ? (JSON.parse(await decryptFeishuBody(received['encrypt'], settings.encryptKey)) as Record<string, unknown>)
        : received;
    const answer = await handleFeishuDelivery(deps, body, null, defer);
    if (!answer.ok) {
      // refused for good (unreadable, or another organisation's tenant): acknowledged so it is not re-sent
      log.warn('feishu long-connection delivery refused', { ...answer.body });
      return undefined;
    }
    return Object.keys(answer.body).length > 0 ? answer.body : undefined;
  });
  const client = new lark.WSClient({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: settings.baseUrl,
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
    onReady: () => log.info('飞书长连接已建立'),
    onReconnected: () => log.info('飞书长连接已恢复'),
    // e.g. the app secret was refused: the SDK stops trying, so this must be seen
    onError: (error: Error) => log.error('飞书长连接失败，已停止重连：请检查 FEISHU_APP_ID / FEISHU_APP_SECRET 与开发者后台的「长连接」设置', { error: error.message }),
  });
  void client.start({ eventDispatcher: dispatcher });
  return { close: () => client.close({ force: true }) };
}
