// DingTalk's Open API behind the ChatPlatform port, with plain fetch (the official OpenAPI SDK pulls
// Node's http stack; fetch runs on Node and Workers alike). Platform notes §4.2–4.5.
//   text and files    → robot messages (groupMessages/send, oToMessages/batchSend); msgParam is a JSON string
//   cards             → interactive cards (card/instances/createAndDeliver, updated with PUT card/instances);
//                       a card's message id is its outTrackId, which is our idempotency key
//   user's pictures   → robot/messageFiles/download, then the URL it returns
//   uploads           → oapi media/upload (the file or image's media_id)
import { mentionAsText, MENTION_PATTERN, type Card } from '../../../cards/model.js';
import { AppUnavailableError, PlatformError, type ChatPlatform, type Logger, type MessageTarget, type OutgoingMessage } from '../../app/ports.js';
import { DINGTALK_PACING } from './pacing.js';
import type { DingTalkCardData } from './render-card.js';

export interface DingTalkClientOptions {
  /** the app's AppKey / Client ID */
  clientId: string;
  clientSecret: string;
  /** the robot's code; for an enterprise-internal app it is the Client ID */
  robotCode: string;
  /** https://api.dingtalk.com, or a local stub */
  baseUrl: string;
  /** https://oapi.dingtalk.com (media upload), or a local stub */
  oapiBaseUrl: string;
  /** the general card template imported from cards/dingtalk/ */
  cardTemplateId: string;
  /** where card clicks come back: over the Stream connection, or to POST /webhooks/dingtalk/card */
  callbackType: 'STREAM' | 'HTTP';
  /** HTTP callbacks: the route's key, and the URL registered under it before the first card */
  callbackRouteKey?: string | null;
  callbackUrl?: string | null;
  renderCard: (card: Card, names?: ReadonlyMap<string, string>) => DingTalkCardData;
  timeoutMs?: number;
  log?: Logger;
}

interface DingTalkErrorBody {
  code?: string;
  message?: string;
  errcode?: number;
  errmsg?: string;
}

/** Flow control and throttling, by code or message, on the v1.0 API and the old oapi. */
const RATE_LIMITED = /throttl|qpslimit|flowcontrol|flow.control|too\.?fast|toofast|too\.many|limitexceeded|rate.?limit/i;
const TOKEN_REFUSED = /invalidauthentication|unauthorized|accesstoken|access_token/i;
/** createAndDeliver's answer when a card with this outTrackId exists (DingTalk's card error table) */
const OUT_TRACK_ID_TAKEN = 'param.outTrackIdDuplicated';
const OAPI_RATE_LIMIT_CODES = new Set([90002, 90018, 130101, 88]);
const TOKEN_MARGIN_MS = 5 * 60_000;

const FILE_TYPES = new Set(['xlsx', 'xls', 'doc', 'docx', 'pdf', 'ppt', 'pptx', 'zip', 'rar']);

/** Text messages have no mention tag for robots: `<@id>` becomes `@王主任` (`@id` when the name is unknown). */
export function textWithMentions(text: string, names?: ReadonlyMap<string, string>): string {
  return text.replace(MENTION_PATTERN, (_, id: string) => mentionAsText(id, names));
}

export class DingTalkClient implements ChatPlatform {
  readonly platform = 'dingtalk' as const;
  readonly pacing = DINGTALK_PACING;
  readonly mentionsByName = true;
  private readonly baseUrl: string;
  private readonly oapiBaseUrl: string;
  private readonly timeoutMs: number;
  private cached: { token: string; expiresAt: number } | null = null;
  private tokenInFlight: Promise<string> | null = null;
  private routeRegistered: Promise<string> | null = null;

  constructor(private readonly opts: DingTalkClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.oapiBaseUrl = opts.oapiBaseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const { body, target } = message;
    switch (body.kind) {
      case 'card':
        return { messageId: await this.deliverCard(target, body.card, message.idempotencyKey, message.names) };
      case 'text':
        return this.robotMessage(target, 'sampleText', { content: textWithMentions(body.text, message.names) });
      case 'file': {
        const mediaId = await this.uploadMedia('file', body.bytes, body.fileName);
        const fileType = /\.([a-z0-9]+)$/i.exec(body.fileName)?.[1]?.toLowerCase() ?? '';
        return this.robotMessage(target, 'sampleFile', { mediaId, fileName: body.fileName, fileType: FILE_TYPES.has(fileType) ? fileType : 'file' });
      }
    }
  }

  async updateCard(messageId: string, card: Card, names?: ReadonlyMap<string, string>): Promise<void> {
    const data = this.opts.renderCard(card, names);
    await this.api('update card', 'PUT', '/v1.0/card/instances', {
      outTrackId: messageId,
      cardData: { cardParamMap: data.cardParamMap },
      cardUpdateOptions: { updateCardDataByKey: true },
    });
  }

  downloadImage(_messageId: string, downloadCode: string): Promise<Uint8Array> {
    return this.download('download image', downloadCode);
  }

  downloadFile(_messageId: string, downloadCode: string): Promise<Uint8Array> {
    return this.download('download file', downloadCode);
  }

  uploadImage(bytes: Uint8Array, fileName: string): Promise<string> {
    return this.uploadMedia('image', bytes, fileName);
  }

  /** Every DingTalk delivery names the robot (chatbotUserId), so this is not asked; the robot code stands in. */
  async botUserId(): Promise<string> {
    return this.opts.robotCode;
  }

  /** One card instance per outbox row: the row's key is the outTrackId, so a retry cannot make a second card. */
  private async deliverCard(target: MessageTarget, card: Card, outTrackId: string, names: ReadonlyMap<string, string> | undefined): Promise<string> {
    const data = this.opts.renderCard(card, names);
    const routeKey = this.opts.callbackType === 'HTTP' ? await this.callbackRoute() : null;
    const common = {
      cardTemplateId: this.opts.cardTemplateId,
      outTrackId,
      callbackType: this.opts.callbackType,
      ...(routeKey ? { callbackRouteKey: routeKey } : {}),
      cardData: { cardParamMap: data.cardParamMap },
      userIdType: 1,
    };
    const space =
      target.kind === 'user'
        ? {
            openSpaceId: `dtv1.card//IM_ROBOT.${target.userId}`,
            imRobotOpenSpaceModel: { supportForward: true },
            imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: this.opts.robotCode },
          }
        : {
            openSpaceId: `dtv1.card//IM_GROUP.${target.chatId}`,
            imGroupOpenSpaceModel: { supportForward: true },
            imGroupOpenDeliverModel: {
              robotCode: this.opts.robotCode,
              // userId → the name shown for them (DingTalk's format); the id when no name is known
              ...(data.atUserIds.length ? { atUserIds: Object.fromEntries(data.atUserIds.map((id) => [id, names?.get(id) ?? id])) } : {}),
            },
          };
    try {
      await this.api('deliver card', 'POST', '/v1.0/card/instances/createAndDeliver', { ...common, ...space });
    } catch (error) {
      // DingTalk made this row's card on an earlier try whose answer never reached us (the call
      // timed out, or the server was killed before the row was marked sent): it is delivered
      if (!(error instanceof PlatformError && error.platformCode === OUT_TRACK_ID_TAKEN)) throw error;
    }
    return outTrackId;
  }

  /**
   * HTTP-mode card clicks go to the URL registered under a route key; registered (or re-pointed,
   * forceUpdate) once per client, before its first card. A failure is retried with the card.
   */
  private callbackRoute(): Promise<string | null> {
    const { callbackUrl } = this.opts;
    if (!callbackUrl) return Promise.resolve(null);
    const key = this.opts.callbackRouteKey ?? `duban-${this.opts.robotCode}`;
    this.routeRegistered ??= this.api('register card callback', 'POST', '/v1.0/card/callbacks/register', {
      callbackRouteKey: key,
      callbackUrl,
      apiSecret: this.opts.clientSecret,
      forceUpdate: true,
    }).then(() => key);
    this.routeRegistered.catch(() => {
      this.routeRegistered = null;
    });
    return this.routeRegistered;
  }

  private async robotMessage(target: MessageTarget, msgKey: string, param: Record<string, string>): Promise<{ messageId: string }> {
    const msgParam = JSON.stringify(param);
    if (target.kind === 'user') {
      const res = (await this.api('send to user', 'POST', '/v1.0/robot/oToMessages/batchSend', {
        robotCode: this.opts.robotCode,
        userIds: [target.userId],
        msgKey,
        msgParam,
      })) as { processQueryKey?: string; invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] };
      if (res.invalidStaffIdList?.includes(target.userId)) throw new PlatformError(`dingtalk send to user: ${target.userId} cannot be reached`, false, null, 'invalidStaffId');
      if (res.flowControlledStaffIdList?.includes(target.userId)) throw new PlatformError(`dingtalk send to user: flow controlled for ${target.userId}`, true, 60_000, 'flowControlled');
      return { messageId: res.processQueryKey ?? '' };
    }
    // a reply: DingTalk robots cannot reply to a message, so it goes to the message's chat
    const res = (await this.api('send to group', 'POST', '/v1.0/robot/groupMessages/send', {
      robotCode: this.opts.robotCode,
      openConversationId: target.chatId,
      msgKey,
      msgParam,
    })) as { processQueryKey?: string };
    return { messageId: res.processQueryKey ?? '' };
  }

  private async download(what: string, downloadCode: string): Promise<Uint8Array> {
    const res = (await this.api(what, 'POST', '/v1.0/robot/messageFiles/download', { downloadCode, robotCode: this.opts.robotCode })) as { downloadUrl?: string };
    if (!res.downloadUrl) throw new PlatformError(`dingtalk ${what}: no downloadUrl`, false);
    const bytes = await this.fetch(what, res.downloadUrl, { method: 'GET' });
    return new Uint8Array(await this.read(what, () => bytes.arrayBuffer()));
  }

  /** Old-style (oapi) media upload; the token goes in the query. */
  private async uploadMedia(type: 'file' | 'image', bytes: Uint8Array, fileName: string): Promise<string> {
    if (bytes.length === 0) throw new PlatformError('dingtalk upload: DingTalk refuses empty files', false);
    const form = new FormData();
    form.append('media', new Blob([bytes.slice()]), fileName);
    const token = await this.token();
    const res = await this.fetch('upload media', `${this.oapiBaseUrl}/media/upload?access_token=${encodeURIComponent(token)}&type=${type}`, { method: 'POST', body: form });
    const body = (await this.read('upload media', () => res.json())) as DingTalkErrorBody & { media_id?: string };
    if (body.errcode) throw this.fromOapi('upload media', body);
    if (!body.media_id) throw new PlatformError('dingtalk upload media: reply had no media_id', false);
    return body.media_id;
  }

  /** Shares one token fetch between callers; kept until five minutes before DingTalk says it expires. */
  private token(): Promise<string> {
    if (this.cached && this.cached.expiresAt > Date.now()) return Promise.resolve(this.cached.token);
    this.tokenInFlight ??= (async () => {
      try {
        const res = await this.fetch('access token', `${this.baseUrl}/v1.0/oauth2/accessToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ appKey: this.opts.clientId, appSecret: this.opts.clientSecret }),
        }).catch((error: unknown) => {
          // a refusal that retrying cannot fix is of the app's credentials (invalidClientIdOrSecret)
          if (error instanceof PlatformError && !error.retryable) throw new AppUnavailableError(error.message, error.platformCode);
          throw error;
        });
        const body = (await this.read('access token', () => res.json())) as { accessToken?: string; expireIn?: number };
        if (!body.accessToken) throw new AppUnavailableError('dingtalk access token: reply had no accessToken');
        this.cached = { token: body.accessToken, expiresAt: Date.now() + (body.expireIn ?? 7200) * 1000 - TOKEN_MARGIN_MS };
        return body.accessToken;
      } finally {
        this.tokenInFlight = null;
      }
    })();
    return this.tokenInFlight;
  }

  private async api(what: string, method: 'POST' | 'PUT', path: string, body: unknown): Promise<unknown> {
    const token = await this.token();
    const res = await this.fetch(what, `${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
      body: JSON.stringify(body),
    });
    const text = await this.read(what, () => res.text());
    return text ? (JSON.parse(text) as unknown) : {};
  }

  /** fetch with a deadline; every failure becomes a PlatformError saying whether a retry can help */
  private async fetch(what: string, url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const err = e as { name?: string; message?: string };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new PlatformError(`dingtalk ${what}: no reply within ${this.timeoutMs} ms`, true);
      throw new PlatformError(`dingtalk ${what}: ${err.message ?? String(e)}`, true);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw this.fromHttp(what, res.status, text, res.headers.get('retry-after'));
    }
    return res;
  }

  private async read<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (e) {
      throw new PlatformError(`dingtalk ${what}: reply cut off or unreadable (${e instanceof Error ? e.message : String(e)})`, true);
    }
  }

  private fromHttp(what: string, status: number, text: string, retryAfter: string | null): PlatformError {
    let body: DingTalkErrorBody = {};
    try {
      body = JSON.parse(text) as DingTalkErrorBody;
    } catch {
      body = { message: text.slice(0, 200) };
    }
    const code = body.code ?? (body.errcode !== undefined ? String(body.errcode) : null);
    const detail = `${what}: HTTP ${status} ${code ?? ''} ${body.message ?? body.errmsg ?? ''}`.trim();
    const wait = retryAfter && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) * 1000 : null;
    if (status === 429 || RATE_LIMITED.test(`${code ?? ''} ${body.message ?? ''}`)) return new PlatformError(`dingtalk ${detail}`, true, wait ?? 60_000, code ?? status);
    if (status === 401 || TOKEN_REFUSED.test(code ?? '')) {
      // the token was refused before its time (a reset secret): fetch a new one next time
      this.cached = null;
      return new PlatformError(`dingtalk ${detail}`, true, null, code ?? status);
    }
    if (status >= 500) return new PlatformError(`dingtalk ${detail}`, true, null, code ?? status);
    return new PlatformError(`dingtalk ${detail}`, false, null, code ?? status);
  }

  private fromOapi(what: string, body: DingTalkErrorBody): PlatformError {
    const detail = `dingtalk ${what}: ${body.errcode} ${body.errmsg ?? ''}`.trim();
    if (OAPI_RATE_LIMIT_CODES.has(body.errcode ?? 0) || RATE_LIMITED.test(body.errmsg ?? '')) return new PlatformError(detail, true, 60_000, body.errcode ?? null);
    if (body.errcode === 40014 || body.errcode === 42001) {
      this.cached = null;
      return new PlatformError(detail, true, null, body.errcode);
    }
    return new PlatformError(detail, false, null, body.errcode ?? null);
  }
}
