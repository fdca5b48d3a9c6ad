// Feishu's Open API behind the ChatPlatform port. Sends go through the Lark SDK; binary and bot-info
// calls use plain fetch because the SDK's stream and GET helpers break on Workers (platform notes §0.1),
// and so do card updates, the most frequent call, to spare the SDK's axios.
// No node:* imports and no Buffer: this file must also run on Cloudflare Workers.
import * as lark from '@larksuiteoapi/node-sdk';
import { FEISHU_PACING } from './pacing.js';
import { MENTION_PATTERN, type Card } from '../../../cards/model.js';
import { AppUnavailableError, PlatformError, type ChatPlatform, type Logger, type OutgoingMessage } from '../../app/ports.js';

export interface FeishuClientOptions {
  appId: string;
  appSecret: string;
  /** e.g. https://open.feishu.cn, or a local stub */
  baseUrl: string;
  renderCard: (card: Card) => object;
  /** per HTTP request, token fetch included; default 10 s */
  timeoutMs?: number;
  log?: Logger;
}

/** Text messages mention with `<at user_id="…"></at>` (cards use `<at id=…>`; see render-card). */
export function textWithMentions(text: string): string {
  return text.replace(MENTION_PATTERN, (_, id: string) => `<at user_id="${id}"></at>`);
}

const RATE_LIMIT_CODES = new Set([99991400, 99991403, 11232, 230020]);
/** the tenant token was refused: a fresh one may work */
const TOKEN_REJECTED_CODES = new Set([99991661, 99991663, 99991668]);
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** what a Feishu JSON reply looks like, whichever way it arrived */
interface FeishuBody {
  code?: number;
  msg?: string;
}

/**
 * The SDK's default cache is one process-wide map keyed only by appId, so two clients for the same app
 * (a stub and the real API, or a good and a bad secret) would share tokens. Each client gets its own,
 * and it can be cleared when Feishu rejects a token early.
 */
class TokenCache implements lark.Cache {
  private values = new Map<unknown, { value: unknown; expiresAt: number | undefined }>();

  async get(key: unknown): Promise<unknown> {
    const hit = this.values.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) {
      this.values.delete(key);
      return undefined;
    }
    return hit.value;
  }

  async set(key: unknown, value: unknown, expiresAt?: number): Promise<boolean> {
    this.values.set(key, { value, expiresAt });
    return true;
  }

  clear(): void {
    this.values.clear();
  }
}

/**
 * The SDK's generated methods take no timeout or signal, so the only way to bound a call is the
 * HttpInstance it sends through. This wraps the SDK's own axios instance (whose interceptor returns the
 * response body) and gives every request a hard deadline.
 */
function httpWithTimeout(timeoutMs: number): lark.HttpInstance {
  // axios accepts `signal`, which HttpRequestOptions does not list; on Workers axios uses fetch, which honours it
  const base = lark.defaultHttpInstance as unknown as lark.HttpInstance;
  const bounded = <D>(opts?: lark.HttpRequestOptions<D>) =>
    ({ ...opts, timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) }) as lark.HttpRequestOptions<D>;
  return {
    request: (opts) => base.request(bounded(opts)),
    get: (url, opts) => base.get(url, bounded(opts)),
    delete: (url, opts) => base.delete(url, bounded(opts)),
    head: (url, opts) => base.head(url, bounded(opts)),
    options: (url, opts) => base.options(url, bounded(opts)),
    post: (url, data, opts) => base.post(url, data, bounded(opts)),
    put: (url, data, opts) => base.put(url, data, bounded(opts)),
    patch: (url, data, opts) => base.patch(url, data, bounded(opts)),
  };
}

/**
 * The SDK logs whole axios errors, config included: for the token call that is the request body with
 * app_secret, for messages the message content. Every failure reaches the caller as a PlatformError anyway,
 * so the SDK only gets to print a one-line summary.
 */
function summarise(x: unknown): string {
  if (Array.isArray(x)) return x.map(summarise).filter(Boolean).join(' | ');
  if (x && typeof x === 'object') {
    const o = x as { message?: unknown; msg?: unknown; code?: unknown; response?: { status?: unknown } };
    const parts = [o.message, o.msg, o.code, o.response?.status];
    return parts.filter((p) => typeof p === 'string' || typeof p === 'number').join(' ');
  }
  return String(x);
}

/** The SDK's own complaints go to our logger as one line; the caller hears of failures anyway. */
export function sdkLogger(log: Logger | undefined): lark.Logger {
  const line = (...msg: unknown[]) => log?.warn('lark sdk', { detail: summarise(msg) });
  const quiet = () => undefined;
  return { error: line, warn: line, info: quiet, debug: quiet, trace: quiet };
}

function retryAfterMs(seconds: string | null | undefined): number | null {
  const n = Number(seconds);
  return seconds && Number.isFinite(n) && n >= 0 ? Math.ceil(n * 1000) : null;
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  bmp: 'image/bmp', ico: 'image/x-icon', tif: 'image/tiff', tiff: 'image/tiff', heic: 'image/heic',
};

/** Feishu's file_type values; anything else goes up as `stream`. */
const FILE_TYPES: Record<string, string> = { xls: 'xls', xlsx: 'xls', doc: 'doc', docx: 'doc', pdf: 'pdf', ppt: 'ppt', pptx: 'ppt', mp4: 'mp4', opus: 'opus' };
const MAX_FILE_BYTES = 30 * 1024 * 1024;

export class FeishuClient implements ChatPlatform {
  readonly platform = 'feishu' as const;
  readonly pacing = FEISHU_PACING;
  /** a card's `<at id=…>` and a text's `<at user_id=…>` show the person's name by themselves */
  readonly mentionsByName = false;
  private readonly sdk: lark.Client;
  private readonly cache = new TokenCache();
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private tokenInFlight: Promise<string> | null = null;
  private botId: Promise<string> | null = null;

  constructor(private readonly opts: FeishuClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.sdk = new lark.Client({
      appId: opts.appId,
      appSecret: opts.appSecret,
      domain: this.baseUrl,
      loggerLevel: lark.LoggerLevel.error,
      logger: sdkLogger(opts.log),
      cache: this.cache,
      httpInstance: httpWithTimeout(this.timeoutMs),
    });
  }

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const { target, body, idempotencyKey } = message;
    let payload: { msg_type: string; content: string; uuid: string };
    switch (body.kind) {
      case 'card':
        payload = { msg_type: 'interactive', content: JSON.stringify(this.opts.renderCard(body.card)), uuid: idempotencyKey };
        break;
      case 'text':
        payload = { msg_type: 'text', content: JSON.stringify({ text: textWithMentions(body.text) }), uuid: idempotencyKey };
        break;
      case 'file': {
        // a retry uploads again (an unused upload costs nothing); the uuid keeps the message single
        const fileKey = await this.uploadFile(body.bytes, body.fileName);
        payload = { msg_type: 'file', content: JSON.stringify({ file_key: fileKey }), uuid: idempotencyKey };
        break;
      }
    }
    const res = await this.call('send message', () => {
      switch (target.kind) {
        case 'reply':
          return this.sdk.im.v1.message.reply({ path: { message_id: target.messageId }, data: payload });
        case 'chat':
          return this.sdk.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { ...payload, receive_id: target.chatId } });
        case 'user':
          return this.sdk.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { ...payload, receive_id: target.userId } });
      }
    });
    const messageId = res.data?.message_id;
    if (!messageId) throw new PlatformError('feishu send message: reply had no message_id', false);
    return { messageId };
  }

  /**
   * PATCH with plain fetch: every click updates cards, and on Workers the SDK's axios costs about as
   * much CPU as the rest of the update (docs/BENCHMARKS.md, Worker).
   */
  async updateCard(messageId: string, card: Card): Promise<void> {
    const content = JSON.stringify(this.opts.renderCard(card));
    const res = await this.raw('update card', `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ content }),
    });
    await this.checkBody('update card', res);
  }

  downloadImage(messageId: string, imageKey: string): Promise<Uint8Array> {
    return this.downloadResource('image', messageId, imageKey);
  }

  downloadFile(messageId: string, fileKey: string): Promise<Uint8Array> {
    return this.downloadResource('file', messageId, fileKey);
  }

  private async downloadResource(type: 'image' | 'file', messageId: string, key: string): Promise<Uint8Array> {
    const what = `download ${type}`;
    const path = `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/resources/${encodeURIComponent(key)}?type=${type}`;
    const res = await this.raw(what, path, { method: 'GET' });
    const contentType = res.headers.get('content-type') ?? '';
    // Feishu may answer a failed download with 200 and a JSON error body instead of bytes.
    if (contentType.includes('application/json')) {
      await this.checkBody(what, res);
      throw new PlatformError(`feishu ${what}: got JSON instead of the bytes`, false);
    }
    return new Uint8Array(await this.read(what, () => res.arrayBuffer()));
  }

  /** POST /open-apis/im/v1/files: up to 30 MB, never empty; returns the file_key to send. */
  private async uploadFile(bytes: Uint8Array, fileName: string): Promise<string> {
    if (bytes.length === 0) throw new PlatformError('feishu upload file: Feishu refuses empty files', false);
    if (bytes.length > MAX_FILE_BYTES) throw new PlatformError('feishu upload file: larger than 30 MB', false);
    const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
    const form = new FormData();
    form.append('file_type', FILE_TYPES[ext] ?? 'stream');
    form.append('file_name', fileName);
    form.append('file', new Blob([bytes.slice()], { type: 'application/octet-stream' }), fileName);
    const res = await this.raw('upload file', '/open-apis/im/v1/files', { method: 'POST', body: form });
    const body = (await this.checkBody('upload file', res)) as FeishuBody & { data?: { file_key?: string } };
    const key = body.data?.file_key;
    if (!key) throw new PlatformError('feishu upload file: reply had no file_key', false);
    return key;
  }

  async uploadImage(bytes: Uint8Array, fileName: string): Promise<string> {
    if (bytes.length === 0) throw new PlatformError('feishu upload image: Feishu refuses empty files', false);
    if (bytes.length > MAX_IMAGE_BYTES) throw new PlatformError('feishu upload image: larger than 10 MB', false);
    const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
    const form = new FormData();
    form.append('image_type', 'message');
    // slice() copies into a plain ArrayBuffer, which Blob accepts on every runtime (not a SharedArrayBuffer view)
    form.append('image', new Blob([bytes.slice()], { type: IMAGE_TYPES[ext] ?? 'application/octet-stream' }), fileName);
    const res = await this.raw('upload image', '/open-apis/im/v1/images', { method: 'POST', body: form });
    const body = (await this.checkBody('upload image', res)) as FeishuBody & { data?: { image_key?: string } };
    const key = body.data?.image_key;
    if (!key) throw new PlatformError('feishu upload image: reply had no image_key', false);
    return key;
  }

  botUserId(): Promise<string> {
    this.botId ??= (async () => {
      const res = await this.raw('bot info', '/open-apis/bot/v3/info', { method: 'GET' });
      const body = (await this.checkBody('bot info', res)) as FeishuBody & { bot?: { open_id?: string } };
      const id = body.bot?.open_id;
      if (!id) throw new PlatformError('feishu bot info: reply had no open_id', false);
      return id;
    })();
    // A failure must not stick: the next caller tries again.
    this.botId.catch(() => {
      this.botId = null;
    });
    return this.botId;
  }

  /**
   * Binary calls need the token without the SDK's request machinery. This uses the SDK's token manager
   * (`client.tokenManager.getTenantAccessToken()`, public in the typings), which caches in `this.cache`
   * until 3 min before expiry, and shares one fetch between concurrent callers.
   */
  private token(): Promise<string> {
    this.tokenInFlight ??= (async () => {
      try {
        const token: unknown = await this.sdk.tokenManager.getTenantAccessToken();
        if (typeof token !== 'string' || !token) throw new AppUnavailableError('feishu: no tenant access token');
        return token;
      } finally {
        this.tokenInFlight = null;
      }
    })();
    return this.tokenInFlight;
  }

  /** runs one SDK call; every way it can fail becomes a PlatformError */
  private async call<T extends FeishuBody>(what: string, run: () => Promise<T>): Promise<T> {
    let res: T;
    try {
      await this.token();
      res = await run();
    } catch (e) {
      throw this.toPlatformError(what, e);
    }
    if (res.code !== undefined && res.code !== 0) throw this.fromCode(what, res.code, res.msg, null);
    return res;
  }

  private async raw(what: string, path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      const token = await this.token();
      res = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      // fetch rejects with a TypeError when there is no reply at all (refused, reset, DNS)
      if (e instanceof TypeError) throw new PlatformError(`feishu ${what}: ${e.message}`, true);
      throw this.toPlatformError(what, e);
    }
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      throw this.fromHttp(what, res.status, body, res.headers.get('x-ogw-ratelimit-reset'));
    }
    return res;
  }

  private async checkBody(what: string, res: Response): Promise<unknown> {
    const body = (await this.read(what, () => res.json())) as FeishuBody;
    if (body.code !== undefined && body.code !== 0) throw this.fromCode(what, body.code, body.msg, null);
    return body;
  }

  /** reading a body can still time out or be cut off */
  private async read<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (e) {
      throw this.toPlatformError(what, e);
    }
  }

  private toPlatformError(what: string, e: unknown): PlatformError {
    if (e instanceof PlatformError) return e;
    const err = (e ?? {}) as {
      isAxiosError?: boolean;
      name?: string;
      code?: string;
      message?: string;
      response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
    };
    const message = err.message ?? String(e);
    if (err.isAxiosError && err.response) {
      const reset = err.response.headers?.['x-ogw-ratelimit-reset'];
      return this.fromHttp(what, err.response.status, err.response.data, typeof reset === 'string' ? reset : null);
    }
    // No reply at all: the call may or may not have landed, so only an idempotent retry is safe.
    const timedOut =
      err.name === 'TimeoutError' || err.name === 'AbortError' || ['ERR_CANCELED', 'ECONNABORTED', 'ETIMEDOUT'].includes(err.code ?? '');
    if (timedOut) return new PlatformError(`feishu ${what}: no reply within ${this.timeoutMs} ms`, true);
    if (err.isAxiosError) return new PlatformError(`feishu ${what}: ${message}${err.code ? ` (${err.code})` : ''}`, true);
    // The SDK's token manager throws a plain Error carrying Feishu's code in its text. A rate limit is
    // one like any other; any other refusal is of the app's credentials (10014: a reset secret).
    const tokenFailure = /failed to get tenant_access_token, code: (-?\d+), msg: (.*)$/.exec(message);
    if (tokenFailure) {
      const code = Number(tokenFailure[1]);
      if (RATE_LIMIT_CODES.has(code)) return this.fromCode(what, code, tokenFailure[2], null);
      return new AppUnavailableError(`feishu ${what}: tenant_access_token refused: ${code} ${tokenFailure[2]}`.trim(), code);
    }
    return new PlatformError(`feishu ${what}: ${message}`, false);
  }

  private fromHttp(what: string, status: number, data: unknown, reset: string | null): PlatformError {
    let body: FeishuBody = {};
    if (typeof data === 'string') {
      try {
        body = JSON.parse(data) as FeishuBody;
      } catch {
        body = { msg: data.slice(0, 200) };
      }
    } else if (data && typeof data === 'object') {
      body = data as FeishuBody;
    }
    const code = typeof body.code === 'number' ? body.code : null;
    if (status === 429 || (code !== null && RATE_LIMIT_CODES.has(code))) {
      return new PlatformError(`feishu ${what}: rate limited (HTTP ${status}): ${body.msg ?? ''}`, true, retryAfterMs(reset), code ?? status);
    }
    if (status >= 500) return new PlatformError(`feishu ${what}: HTTP ${status}: ${body.msg ?? ''}`, true, null, code ?? status);
    if (code !== null && code !== 0) return this.fromCode(what, code, body.msg, reset);
    return new PlatformError(`feishu ${what}: HTTP ${status}: ${body.msg ?? ''}`, false, null, status);
  }

  private fromCode(what: string, code: number, msg: string | undefined, reset: string | null): PlatformError {
    const text = `feishu ${what}: ${code} ${msg ?? ''}`.trim();
    if (RATE_LIMIT_CODES.has(code)) return new PlatformError(text, true, retryAfterMs(reset), code);
    if (TOKEN_REJECTED_CODES.has(code)) {
      // The cached token was refused before its expiry (e.g. the secret was reset): fetch a new one next time.
      this.cache.clear();
      return new PlatformError(text, true, null, code);
    }
    return new PlatformError(text, false, null, code);
  }
}
