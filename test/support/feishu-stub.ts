// A local stand-in for the Feishu Open API (platform notes §1.2, §2.6, §3). It speaks the documented wire
// protocol, so the real Lark SDK and plain fetch can be pointed at it with `domain: stub.baseUrl`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export const FEISHU_TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

export interface StubFault {
  status: number;
  code?: number;
  msg?: string;
  /** wait this long before answering: longer than the client's timeout simulates a hung call */
  delayMs?: number;
  /** sent as `x-ogw-ratelimit-reset`, as Feishu's gateway does on 429 */
  retryAfterSeconds?: number;
  /** only a send to this receive_id meets the fault; other calls pass it by */
  receiveId?: string;
}

export interface SentMessage {
  messageId: string;
  receiveIdType: 'chat_id' | 'open_id' | null;
  receiveId: string | null;
  replyTo: string | null;
  replyInThread: boolean;
  chatId: string;
  msgType: string;
  content: unknown;
  uuid: string | null;
  at: number;
}

export interface StubPatch { messageId: string; content: unknown; at: number }
export interface StubUpload { imageKey: string; imageType: string; fileName: string; contentType: string; bytes: Uint8Array; at: number }
export interface StubFile { fileKey: string; fileType: string; fileName: string; bytes: Uint8Array; at: number }
export interface StubRequest { method: string; path: string; query: string; at: number }

export interface FeishuStub {
  readonly baseUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly botOpenId: string;
  readonly sent: SentMessage[];
  readonly patches: StubPatch[];
  readonly uploads: StubUpload[];
  /** files uploaded through POST /open-apis/im/v1/files */
  readonly files: StubFile[];
  readonly requests: StubRequest[];
  /** messageId → latest content (parsed) */
  readonly messages: Map<string, unknown>;
  sentTo(receiveId: string): SentMessage[];
  /** how many times a tenant token was requested */
  tokenRequests(): number;
  addUserImage(messageId: string, fileKey: string, bytes: Uint8Array): void;
  /** a file a user sent in a message, for the bot to download (GET …/resources/:key?type=file) */
  addUserFile(messageId: string, fileKey: string, bytes: Uint8Array): void;
  /** the bytes of a file message the bot sent */
  fileOf(message: SentMessage): StubFile | undefined;
  /** tells the stub which chat a user's message was in, so replies to it land there */
  noteUserMessage(messageId: string, chatId: string): void;
  failNext(n: number, fault: StubFault): void;
  /**
   * Holds every download of a user's image or file (a slow network) until the returned function
   * is called; `heldDownloads()` says how many are waiting.
   */
  holdDownloads(): () => void;
  heldDownloads(): number;
  /** invalidates every issued token, as a secret reset would */
  revokeTokens(): void;
  reset(): void;
  close(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(readonly status: number, readonly code: number, msg: string) {
    super(msg);
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export async function startFeishuStub(
  opts: { appId?: string; appSecret?: string; port?: number } = {},
): Promise<FeishuStub> {
  const appId = opts.appId ?? 'cli_stub_app';
  const appSecret = opts.appSecret ?? 'stub-secret';
  const botOpenId = 'ou_duban_bot';
  const sent: SentMessage[] = [];
  const patches: StubPatch[] = [];
  const uploads: StubUpload[] = [];
  const files: StubFile[] = [];
  const requests: StubRequest[] = [];
  const messages = new Map<string, unknown>();
  const messageMeta = new Map<string, { chatId: string; msgType: string }>();
  const byUuid = new Map<string, string>();
  const userImages = new Map<string, Uint8Array>();
  const tokens = new Set<string>();
  let currentToken: string | null = null;
  const faults: StubFault[] = [];
  let downloadGate: Promise<void> | null = null;
  let downloadsHeld = 0;
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  function requireToken(req: IncomingMessage) {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m || !tokens.has(m[1]!)) {
      throw new HttpFailure(401, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    }
  }

  function parseJson(raw: Buffer): Record<string, unknown> {
    try {
      const v: unknown = JSON.parse(raw.toString('utf8') || '{}');
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through to the validation error Feishu gives for malformed bodies
    }
    throw new HttpFailure(400, 9499, 'Bad Request');
  }

  // Feishu wants `content` as a JSON *string*; an object here is the most likely client bug.
  function parseContent(content: unknown): unknown {
    if (typeof content !== 'string') throw new HttpFailure(400, 99992402, 'field validation failed: content must be a string');
    try {
      return JSON.parse(content);
    } catch {
      throw new HttpFailure(400, 230001, 'invalid message content');
    }
  }

  function deliver(
    body: Record<string, unknown>,
    target: { receiveIdType: 'chat_id' | 'open_id' | null; receiveId: string | null; replyTo: string | null; chatId: string },
  ) {
    const msgType = body.msg_type;
    if (typeof msgType !== 'string' || !msgType) throw new HttpFailure(400, 99992402, 'field validation failed: msg_type');
    const content = parseContent(body.content);
    if (msgType === 'file') {
      const fileKey = (content as { file_key?: unknown }).file_key;
      if (!files.some((f) => f.fileKey === fileKey)) throw new HttpFailure(400, 230001, 'invalid file_key');
    }
    const uuid = typeof body.uuid === 'string' && body.uuid ? body.uuid : null;
    if (uuid && uuid.length > 50) throw new HttpFailure(400, 99992402, 'field validation failed: uuid longer than 50');
    const known = uuid ? byUuid.get(uuid) : undefined;
    if (known) return messageData(known);
    const messageId = `om_${hex(12)}`;
    if (uuid) byUuid.set(uuid, messageId);
    messages.set(messageId, content);
    messageMeta.set(messageId, { chatId: target.chatId, msgType });
    sent.push({ messageId, ...target, replyInThread: body.reply_in_thread === true, msgType, content, uuid, at: Date.now() });
    return messageData(messageId);
  }

  function messageData(messageId: string) {
    const meta = messageMeta.get(messageId)!;
    const now = String(Date.now());
    return {
      message_id: messageId,
      chat_id: meta.chatId,
      msg_type: meta.msgType,
      create_time: now,
      update_time: now,
      deleted: false,
      updated: false,
      sender: { id: appId, id_type: 'app_id', sender_type: 'app' },
      body: { content: JSON.stringify(messages.get(messageId)) },
    };
  }

  function parseMultipart(req: IncomingMessage, raw: Buffer) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
    if (!boundary) throw new HttpFailure(400, 99992402, 'field validation failed: multipart body expected');
    const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
    const fields = new Map<string, { value: Buffer; fileName: string | null; contentType: string }>();
    let pos = raw.indexOf(delimiter);
    while (pos !== -1) {
      const start = pos + delimiter.length;
      if (raw.subarray(start, start + 2).toString() === '--') break;
      const next = raw.indexOf(delimiter, start);
      if (next === -1) break;
      const part = raw.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next one
      const headerEnd = part.indexOf('\r\n\r\n');
      const head = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      if (name !== undefined) {
        fields.set(name, {
          value: part.subarray(headerEnd + 4),
          fileName: /filename="([^"]*)"/i.exec(head)?.[1] ?? null,
          contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream',
        });
      }
      pos = next;
    }
    return fields;
  }

  async function applyFault(res: ServerResponse, receiveId: string | null = null): Promise<boolean> {
    const index = faults.findIndex((f) => f.receiveId === undefined || f.receiveId === receiveId);
    if (index < 0) return false;
    const [fault] = faults.splice(index, 1);
    if (!fault) return false;
    if (fault.delayMs) await sleep(fault.delayMs);
    const ok = fault.status < 300 && !fault.code;
    if (ok) return false; // a slow success: the call goes through after the delay
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['x-ogw-ratelimit-reset'] = String(fault.retryAfterSeconds);
    const limited = fault.status === 429;
    sendJson(res, fault.status, {
      code: fault.code ?? (limited ? 99991400 : fault.status),
      msg: fault.msg ?? (limited ? 'request trigger frequency limit' : 'injected failure'),
    }, headers);
    return true;
  }

  async function route(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const url = new URL(req.url ?? '/', 'http://stub');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path, query: url.search, at: Date.now() });

    if (method === 'POST' && path === FEISHU_TOKEN_PATH) {
      const body = parseJson(raw);
      if (body.app_id !== appId || body.app_secret !== appSecret) {
        // Feishu answers credential errors with HTTP 200 and a non-zero code, which the SDK turns into a plain Error.
        return sendJson(res, 200, { code: 10014, msg: 'app secret invalid' });
      }
      currentToken ??= `t-${hex(20)}`;
      tokens.add(currentToken);
      return sendJson(res, 200, { code: 0, msg: 'ok', tenant_access_token: currentToken, expire: 7200 });
    }

    if (method === 'GET' && path === '/open-apis/bot/v3/info') {
      requireToken(req);
      return sendJson(res, 200, { code: 0, msg: 'ok', bot: { activate_status: 2, app_name: '督办', avatar_url: '', ip_white_list: [], open_id: botOpenId } });
    }

    if (method === 'POST' && path === '/open-apis/im/v1/messages') {
      const aimedAt = (() => {
        try {
          return String((JSON.parse(raw.toString('utf8')) as { receive_id?: unknown }).receive_id ?? '');
        } catch {
          return null;
        }
      })();
      if (await applyFault(res, aimedAt)) return;
      requireToken(req);
      const receiveIdType = url.searchParams.get('receive_id_type');
      if (receiveIdType !== 'chat_id' && receiveIdType !== 'open_id') {
        throw new HttpFailure(400, 99992402, 'field validation failed: receive_id_type');
      }
      const body = parseJson(raw);
      const receiveId = body.receive_id;
      if (typeof receiveId !== 'string' || !receiveId) throw new HttpFailure(400, 99992402, 'field validation failed: receive_id');
      const chatId = receiveIdType === 'chat_id' ? receiveId : `oc_p2p_${receiveId}`;
      return sendJson(res, 200, { code: 0, msg: 'success', data: deliver(body, { receiveIdType, receiveId, replyTo: null, chatId }) });
    }

    const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
    if (method === 'POST' && reply) {
      if (await applyFault(res)) return;
      requireToken(req);
      const parentId = decodeURIComponent(reply[1]!);
      // Replies often target messages users sent, which the stub never saw; those are accepted too.
      const chatId = messageMeta.get(parentId)?.chatId ?? 'oc_stub_chat';
      const data = deliver(parseJson(raw), { receiveIdType: null, receiveId: null, replyTo: parentId, chatId });
      return sendJson(res, 200, { code: 0, msg: 'success', data: { ...data, parent_id: parentId, root_id: parentId } });
    }

    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
    if (method === 'PATCH' && patch) {
      if (await applyFault(res)) return;
      requireToken(req);
      const messageId = decodeURIComponent(patch[1]!);
      const content = parseContent(parseJson(raw).content);
      if (!messages.has(messageId)) throw new HttpFailure(400, 230001, 'message not found');
      messages.set(messageId, content);
      patches.push({ messageId, content, at: Date.now() });
      return sendJson(res, 200, { code: 0, msg: 'success', data: {} });
    }

    if (method === 'POST' && path === '/open-apis/im/v1/images') {
      requireToken(req);
      const fields = parseMultipart(req, raw);
      const imageType = fields.get('image_type')?.value.toString('utf8');
      const image = fields.get('image');
      if (imageType !== 'message' && imageType !== 'avatar') throw new HttpFailure(400, 99992402, 'field validation failed: image_type');
      if (!image || image.value.length === 0) throw new HttpFailure(400, 99992402, 'field validation failed: image is empty');
      const imageKey = `img_v3_${hex(12)}`;
      uploads.push({
        imageKey,
        imageType,
        fileName: image.fileName ?? '',
        contentType: image.contentType,
        bytes: new Uint8Array(image.value),
        at: Date.now(),
      });
      return sendJson(res, 200, { code: 0, msg: 'success', data: { image_key: imageKey } });
    }

    if (method === 'POST' && path === '/open-apis/im/v1/files') {
      if (await applyFault(res)) return;
      requireToken(req);
      const fields = parseMultipart(req, raw);
      const fileType = fields.get('file_type')?.value.toString('utf8') ?? '';
      const fileName = fields.get('file_name')?.value.toString('utf8') ?? '';
      const file = fields.get('file');
      if (!['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'].includes(fileType)) throw new HttpFailure(400, 99992402, 'field validation failed: file_type');
      if (!fileName) throw new HttpFailure(400, 99992402, 'field validation failed: file_name');
      if (!file || file.value.length === 0) throw new HttpFailure(400, 234010, 'File size can not be 0.');
      if (file.value.length > 30 * 1024 * 1024) throw new HttpFailure(400, 234006, 'The file size exceed the max value.');
      const fileKey = `file_v3_${hex(12)}`;
      files.push({ fileKey, fileType, fileName, bytes: new Uint8Array(file.value), at: Date.now() });
      return sendJson(res, 200, { code: 0, msg: 'success', data: { file_key: fileKey } });
    }

    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
    if (method === 'GET' && resource) {
      requireToken(req);
      const type = url.searchParams.get('type');
      if (type !== 'image' && type !== 'file') throw new HttpFailure(400, 234001, 'Invalid request param: type');
      if (downloadGate) {
        downloadsHeld++;
        await downloadGate.finally(() => downloadsHeld--);
      }
      const bytes = userImages.get(`${decodeURIComponent(resource[1]!)}/${decodeURIComponent(resource[2]!)}`);
      if (!bytes) throw new HttpFailure(404, 234003, 'File not in msg.');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
      return void res.end(Buffer.from(bytes));
    }

    throw new HttpFailure(404, 404, `stub has no route for ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      route(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (e instanceof HttpFailure) sendJson(res, e.status, { code: e.code, msg: e.message });
        else sendJson(res, 500, { code: 500, msg: e instanceof Error ? e.message : String(e) });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    botOpenId,
    sent,
    patches,
    uploads,
    files,
    requests,
    messages,
    sentTo: (receiveId) => sent.filter((m) => m.receiveId === receiveId),
    tokenRequests: () => requests.filter((r) => r.path === FEISHU_TOKEN_PATH).length,
    addUserImage: (messageId, fileKey, bytes) => void userImages.set(`${messageId}/${fileKey}`, new Uint8Array(bytes)),
    addUserFile: (messageId, fileKey, bytes) => void userImages.set(`${messageId}/${fileKey}`, new Uint8Array(bytes)),
    fileOf: (message) => files.find((f) => f.fileKey === (message.content as { file_key?: string } | null)?.file_key),
    noteUserMessage: (messageId, chatId) => void messageMeta.set(messageId, { chatId, msgType: 'text' }),
    failNext: (n, fault) => {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    holdDownloads: () => {
      let open!: () => void;
      downloadGate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        downloadGate = null;
        open();
      };
    },
    heldDownloads: () => downloadsHeld,
    revokeTokens: () => {
      tokens.clear();
      currentToken = null;
    },
    // Tokens survive a reset: clients cache them for up to two hours, as they would against Feishu.
    reset: () => {
      for (const list of [sent, patches, uploads, files, requests, faults] as unknown[][]) list.length = 0;
      for (const map of [messages, messageMeta, byUuid, userImages]) map.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
