// DingTalk's Stream mode (DINGTALK_MODE=stream): the official SDK dials out to DingTalk, so a
// hospital server that cannot be reached from the internet still gets robot messages and card
// clicks. Each delivery takes the same road as an HTTP one (deliveries.ts). Node only.
//
// The SDK leaves CALLBACK frames to us to acknowledge: a robot message is acknowledged once it is
// recorded (its work goes on after), a card click with its answer (the updated card). A frame we
// fail on is not acknowledged, so DingTalk can deliver it again.
import { DWClient, TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Deps, Logger } from '../../app/ports.js';
import { handleDingTalkCardCallback, handleDingTalkMessage } from './deliveries.js';

export interface StreamSettings {
  clientId: string;
  clientSecret: string;
  /** https://api.dingtalk.com, or a local stand-in: where the gateway is asked for a connection */
  baseUrl: string;
}

export interface StreamConnection {
  close(): void;
}

/**
 * The SDK's client with two changes: it asks `${baseUrl}/v1.0/gateway/connections/open` (the SDK
 * has the public URL built in; the request is the same), and once stopped it stays stopped (a
 * reconnect already scheduled would otherwise undo disconnect()).
 */
export class DingTalkStreamClient extends DWClient {
  private stopped = false;

  /** `reconnectMs`: the wait before a reconnect (the SDK's is a fixed second; tests shorten it) */
  constructor(
    private readonly settings: StreamSettings,
    options: { reconnectMs?: number } = {},
  ) {
    // a fresh subscription list: the SDK's default one is shared by every client (the typings omit
    // the option, the constructor reads it)
    super({ clientId: settings.clientId, clientSecret: settings.clientSecret, subscriptions: [{ type: 'EVENT', topic: '*' }] } as ConstructorParameters<typeof DWClient>[0]);
    // private in the SDK's typings
    if (options.reconnectMs !== undefined) Reflect.set(this, 'reconnectInterval', options.reconnectMs);
  }

  override async getEndpoint(): Promise<this> {
    const res = await fetch(`${this.settings.baseUrl.replace(/\/+$/, '')}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: this.config.ua, subscriptions: this.config.subscriptions }),
    });
    if (!res.ok) throw new Error(`钉钉 Stream 网关拒绝连接（HTTP ${res.status}）：请检查 DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET`);
    const { endpoint, ticket } = (await res.json()) as { endpoint?: string; ticket?: string };
    if (!endpoint || !ticket) throw new Error('钉钉 Stream 网关没有返回连接地址');
    // private in the SDK's typings; the SDK's own getEndpoint sets it the same way
    Reflect.set(this, 'dw_url', `${endpoint}?ticket=${ticket}`);
    return this;
  }

  override async connect(): Promise<void> {
    if (!this.stopped) await super.connect();
  }

  stop(): void {
    this.stopped = true;
    this.disconnect();
  }
}

export function startDingTalkStream(deps: Deps, settings: StreamSettings, defer: (work: Promise<unknown>) => void, log: Logger): StreamConnection {
  const client = new DingTalkStreamClient(settings);
  // A listener must never throw synchronously: the SDK would stop reading the socket.
  const listen = (topic: string, handle: (frame: DWClientDownStream, body: Record<string, unknown>) => Promise<unknown>) =>
    client.registerCallbackListener(topic, (frame) => {
      void (async () => {
        try {
          const body = JSON.parse(frame.data) as Record<string, unknown>;
          const answer = await handle(frame, body);
          client.socketCallBackResponse(frame.headers.messageId, answer);
        } catch (error) {
          log.error('dingtalk stream delivery failed; left unacknowledged', { topic, messageId: frame.headers.messageId, error: error instanceof Error ? error.message : String(error) });
        }
      })();
    });
  listen(TOPIC_ROBOT, async (_frame, body) => {
    const answer = await handleDingTalkMessage(deps, body, null, defer);
    // refused for good (unreadable, another corp's): acknowledged, so it is not delivered again
    if (!answer.ok) log.warn('dingtalk stream message refused', { ...answer.body });
    return {};
  });
  listen(TOPIC_CARD, async (frame, body) => {
    const answer = await handleDingTalkCardCallback(deps, body, null, frame.headers.messageId);
    if (!answer.ok) log.warn('dingtalk stream card callback refused', { ...answer.body });
    return answer.body;
  });
  client.connect().catch((error: unknown) => log.error('钉钉 Stream 连接失败', { error: error instanceof Error ? error.message : String(error) }));
  return { close: () => client.stop() };
}
