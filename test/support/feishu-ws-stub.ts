// A local stand-in for Feishu's long-connection (长连接) endpoint, so the real Lark SDK `WSClient` can be
// tested without Feishu. It speaks the protocol the SDKs speak (read from @larksuiteoapi/node-sdk 1.74,
// cross-checked against oapi-sdk-python's ws client):
//
//   1. `POST {domain}/callback/ws/endpoint` with `{AppID, AppSecret}` → HTTP 200
//      `{code: 0, data: {URL, ClientConfig: {PingInterval, ReconnectCount, ReconnectInterval, ReconnectNonce}}}`
//      (seconds); wrong credentials → HTTP 200 with a non-zero `code`.
//   2. A WebSocket to `data.URL` (single-use ticket in the query; `device_id` and `service_id` too).
//   3. Binary frames, each one protobuf `pbbp2.Frame`. Client → server: control `ping` frames; server →
//      client: control `pong` frames whose payload is the ClientConfig JSON, and data frames
//      (headers type=event, message_id, sum, seq, trace_id; payload = the event's JSON bytes, split into
//      `sum` parts when large). The client answers each whole message by echoing its frame with a
//      `biz_rt` header and the payload `{"code":200|500,"data"?:base64(JSON(handler result))}`.
//
// The frame codec below is written from the wire format on purpose rather than imported from the SDK,
// so a codec bug in the SDK shows up here instead of cancelling itself out.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';

export const FEISHU_WS_ENDPOINT_PATH = '/callback/ws/endpoint';
const WS_PATH = '/ws/v2';

// ---------------------------------------------------------------------------------------------------
// pbbp2.Frame codec (proto2: SeqID, LogID, service, method and every Header's key/value are required)
// ---------------------------------------------------------------------------------------------------

export const FRAME_METHOD = { control: 0, data: 1 } as const;

export interface WsHeader {
  key: string;
  value: string;
}

export interface WsFrame {
  seqId: bigint;
  logId: bigint;
  service: number;
  method: number;
  headers: WsHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  logIdNew?: string;
}

export class FrameDecodeError extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

function varint(value: bigint): Uint8Array {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();
const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const lengthDelimited = (field: number, bytes: Uint8Array) => [tag(field, WIRE_BYTES), varint(BigInt(bytes.length)), bytes];

function encodeHeader(h: WsHeader): Uint8Array {
  return Buffer.concat([...lengthDelimited(1, utf8.encode(h.key)), ...lengthDelimited(2, utf8.encode(h.value))]);
}

export function encodeFrame(frame: WsFrame): Uint8Array {
  const parts: Uint8Array[] = [
    tag(1, WIRE_VARINT), varint(frame.seqId),
    tag(2, WIRE_VARINT), varint(frame.logId),
    // int32 fields are sign-extended to 64 bits on the wire
    tag(3, WIRE_VARINT), varint(BigInt(frame.service)),
    tag(4, WIRE_VARINT), varint(BigInt(frame.method)),
  ];
  for (const h of frame.headers) parts.push(...lengthDelimited(5, encodeHeader(h)));
  if (frame.payloadEncoding !== undefined) parts.push(...lengthDelimited(6, utf8.encode(frame.payloadEncoding)));
  if (frame.payloadType !== undefined) parts.push(...lengthDelimited(7, utf8.encode(frame.payloadType)));
  if (frame.payload !== undefined) parts.push(...lengthDelimited(8, frame.payload));
  if (frame.logIdNew !== undefined) parts.push(...lengthDelimited(9, utf8.encode(frame.logIdNew)));
  return new Uint8Array(Buffer.concat(parts));
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get done() {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new FrameDecodeError('truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new FrameDecodeError('varint longer than 10 bytes');
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new FrameDecodeError('length-delimited field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number) {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_BYTES) this.bytes();
    else if (wire === WIRE_FIXED64) this.pos += 8;
    else if (wire === WIRE_FIXED32) this.pos += 4;
    else throw new FrameDecodeError(`unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw new FrameDecodeError('fixed-width field runs past the end');
  }
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function expectWire(field: number, wire: number, want: number) {
  if (wire !== want) throw new FrameDecodeError(`field ${field} has wire type ${wire}, expected ${want}`);
}

function decodeHeader(bytes: Uint8Array): WsHeader {
  const r = new Reader(bytes);
  let key: string | undefined;
  let value: string | undefined;
  while (!r.done) {
    const t = Number(r.varint());
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1 || field === 2) {
      expectWire(field, wire, WIRE_BYTES);
      const s = utf8Strict.decode(r.bytes());
      if (field === 1) key = s;
      else value = s;
    } else r.skip(wire);
  }
  if (key === undefined || value === undefined) throw new FrameDecodeError("Header is missing required 'key' or 'value'");
  return { key, value };
}

export function decodeFrame(bytes: Uint8Array): WsFrame {
  const r = new Reader(bytes);
  const seen = new Set<number>();
  const frame: WsFrame = { seqId: 0n, logId: 0n, service: 0, method: 0, headers: [] };
  while (!r.done) {
    const t = Number(r.varint());
    const field = t >>> 3;
    const wire = t & 7;
    seen.add(field);
    switch (field) {
      case 1: expectWire(field, wire, WIRE_VARINT); frame.seqId = r.varint(); break;
      case 2: expectWire(field, wire, WIRE_VARINT); frame.logId = r.varint(); break;
      case 3: expectWire(field, wire, WIRE_VARINT); frame.service = Number(BigInt.asIntN(32, r.varint())); break;
      case 4: expectWire(field, wire, WIRE_VARINT); frame.method = Number(BigInt.asIntN(32, r.varint())); break;
      case 5: expectWire(field, wire, WIRE_BYTES); frame.headers.push(decodeHeader(r.bytes())); break;
      case 6: expectWire(field, wire, WIRE_BYTES); frame.payloadEncoding = utf8Strict.decode(r.bytes()); break;
      case 7: expectWire(field, wire, WIRE_BYTES); frame.payloadType = utf8Strict.decode(r.bytes()); break;
      case 8: expectWire(field, wire, WIRE_BYTES); frame.payload = new Uint8Array(r.bytes()); break;
      case 9: expectWire(field, wire, WIRE_BYTES); frame.logIdNew = utf8Strict.decode(r.bytes()); break;
      default: r.skip(wire);
    }
  }
  const missing = [1, 2, 3, 4].filter((f) => !seen.has(f));
  if (missing.length > 0) throw new FrameDecodeError(`Frame is missing required field(s) ${missing.join(', ')}`);
  return frame;
}

export const headerOf = (frame: WsFrame, key: string): string | undefined => frame.headers.find((h) => h.key === key)?.value;

// ---------------------------------------------------------------------------------------------------
// `ws` is loaded through require: it is installed (the Lark SDK depends on it) but ships no types and
// @types/ws is not installed, so the little of its API used here is typed locally.
// ---------------------------------------------------------------------------------------------------

interface WsSocket {
  readonly readyState: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', fn: () => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(cb?: () => void): void;
}
interface WsModule {
  WebSocketServer: new (opts: { noServer: true; maxPayload?: number }) => WsServer;
}
const WS_OPEN = 1;
const { WebSocketServer } = createRequire(import.meta.url)('ws') as WsModule;

// ---------------------------------------------------------------------------------------------------
// The stub
// ---------------------------------------------------------------------------------------------------

/** Seconds, as Feishu sends them (the SDK multiplies by 1000, so fractions work and keep tests fast). */
export interface WsClientConfig {
  PingInterval: number;
  /** -1 = retry forever */
  ReconnectCount: number;
  ReconnectInterval: number;
  /** the first reconnect waits a random 0..ReconnectNonce */
  ReconnectNonce: number;
}

/** Feishu's values, as its endpoint hands them out. */
export const FEISHU_DEFAULT_CLIENT_CONFIG: WsClientConfig = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };

export interface EndpointFault {
  /** Feishu's codes: 1 system busy, 514 auth failed, 403 forbidden, 1000040343 internal error (the only retryable one for the Node SDK), 1000040350 too many connections */
  code: number;
  msg?: string;
  /** HTTP status; Feishu answers endpoint errors with 200 */
  status?: number;
  /** leave `data` out of the body entirely instead of sending `data: {}` */
  omitData?: boolean;
}

export interface EndpointCall {
  appId: unknown;
  appSecret: unknown;
  locale: string | undefined;
  userAgent: string | undefined;
  /** the `code` the stub answered with */
  code: number;
  at: number;
}

export interface WsConnectionInfo {
  id: number;
  deviceId: string;
  serviceId: number;
  openedAt: number;
  /** the client has sent its first ping, so its message listener is attached (see `waitForConnection`) */
  ready: boolean;
  open: boolean;
  pings: number;
}

export interface WsPushOptions {
  /** header `type`: Feishu sends events and card.action.trigger callbacks as `event`; `card` is the legacy card type */
  type?: string;
  /** split the payload bytes into this many frames (headers sum/seq), as Feishu does with large messages */
  parts?: number;
  /** send the parts in this order (a permutation of 0..parts-1) */
  order?: number[];
  messageId?: string;
  traceId?: string;
  /** LogID of every frame of this message (default: random, below 2^53) */
  logId?: bigint;
  /** how long to wait for the SDK's answer; Feishu allows 3 s */
  timeoutMs?: number;
}

export interface WsAck {
  messageId: string;
  /** `code` of the answer's JSON payload: the SDK sends 200 when the handler settled, 500 when it threw */
  code: number;
  /** the handler's return value as the SDK sent it (base64 JSON, decoded); undefined when the SDK sent no `data` */
  data: unknown;
  /** `data` as it was on the wire (base64) */
  rawData: string | undefined;
  bizRt: string | undefined;
  /** the answer frame itself */
  frame: WsFrame;
  latencyMs: number;
}

export class WsPushUnanswered extends Error {
  constructor(readonly messageId: string, readonly reason: 'timeout' | 'disconnected' | 'closed', detail: string) {
    super(`the SDK did not answer message ${messageId}: ${detail}`);
  }
}

export interface FeishuWsStub {
  /** pass as the WSClient's `domain` */
  readonly baseUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly endpointCalls: EndpointCall[];
  /** every frame a client sent, decoded */
  readonly received: WsFrame[];
  /** protocol violations by the client (undecodable frames, wrong echoes, unknown answers…); tests should expect it empty */
  readonly protocolErrors: string[];
  connections(): WsConnectionInfo[];
  /** WebSocket connections accepted so far (including closed ones) */
  connectionCount(): number;
  openConnectionCount(): number;
  /** resolves once `count` connections (default 1) have become ready; returns the newest */
  waitForConnection(opts?: { count?: number; timeoutMs?: number }): Promise<WsConnectionInfo>;
  /** resolves once `check()` holds; re-checked on every stub activity and every 10 ms */
  waitUntil(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** sends a payload (object → JSON) to the newest ready connection and resolves with the SDK's answer */
  push(payload: unknown, opts?: WsPushOptions): Promise<WsAck>;
  /** an event envelope (schema 2.0), as Feishu delivers events */
  pushEvent(envelope: object, opts?: WsPushOptions): Promise<WsAck>;
  /** a `card.action.trigger` envelope; over the long connection Feishu sends callbacks as type `event` too */
  pushCardAction(envelope: object, opts?: WsPushOptions): Promise<WsAck>;
  /** ClientConfig for later endpoint answers and pongs */
  setClientConfig(config: Partial<WsClientConfig>): void;
  clientConfig(): WsClientConfig;
  /** the next `n` endpoint calls meet this fault */
  failEndpoint(n: number, fault: EndpointFault): void;
  /** cuts every open connection: abruptly (default, as a network loss) or with a close frame */
  drop(opts?: { graceful?: boolean; code?: number }): void;
  close(): Promise<void>;
}

export interface FeishuWsStubOptions {
  /** must look like `cli_` + 16 hex digits: WSClient.start() silently refuses anything else */
  appId?: string;
  appSecret?: string;
  clientConfig?: Partial<WsClientConfig>;
  /** Feishu allows 50 connections per app */
  maxConnections?: number;
  /** requests the stub does not serve are forwarded here (e.g. the REST stub), so one `domain` serves both */
  proxyTo?: string;
}

interface Conn extends WsConnectionInfo {
  socket: WsSocket;
}

interface PendingPush {
  messageId: string;
  conn: Conn;
  sent: WsFrame[];
  sentAt: number;
  resolve(ack: WsAck): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
// Below 2^53 on purpose: the Node SDK decodes uint64 into JS numbers (it sets protobufjs's util.Long to
// undefined), so it would echo larger LogIDs rounded. Push with `logId` to exercise that.
const randomLogId = () => randomBytes(8).readBigUInt64BE() % BigInt(Number.MAX_SAFE_INTEGER);

function payloadBytes(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === 'string') return utf8.encode(payload);
  return utf8.encode(JSON.stringify(payload));
}

/** splits at byte offsets, so a multi-byte character may straddle two parts, as it can on the wire */
function split(bytes: Uint8Array, parts: number): Uint8Array[] {
  const size = Math.ceil(bytes.length / parts);
  return Array.from({ length: parts }, (_, i) => bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size)));
}

function decodeAnswer(bytes: Uint8Array | undefined): { code: number; rawData: string | undefined; data: unknown } {
  const body = JSON.parse(utf8Strict.decode(bytes ?? new Uint8Array())) as { code?: unknown; data?: unknown };
  if (typeof body.code !== 'number') throw new FrameDecodeError('answer payload has no numeric code');
  if (body.data === undefined) return { code: body.code, rawData: undefined, data: undefined };
  if (typeof body.data !== 'string') throw new FrameDecodeError('answer payload data is not a base64 string');
  return { code: body.code, rawData: body.data, data: JSON.parse(Buffer.from(body.data, 'base64').toString('utf8')) };
}

export async function startFeishuWsStub(opts: FeishuWsStubOptions = {}): Promise<FeishuWsStub> {
  const appId = opts.appId ?? 'cli_a1b2c3d4e5f60718';
  const appSecret = opts.appSecret ?? 'stub-ws-secret';
  const maxConnections = opts.maxConnections ?? 50;
  let config: WsClientConfig = { ...FEISHU_DEFAULT_CLIENT_CONFIG, ...opts.clientConfig };
  const endpointCalls: EndpointCall[] = [];
  const received: WsFrame[] = [];
  const protocolErrors: string[] = [];
  const conns: Conn[] = [];
  const tickets = new Map<string, { deviceId: string; serviceId: number }>();
  const faults: EndpointFault[] = [];
  const pending = new Map<string, PendingPush>();
  // each waiter re-checks its condition on every stub activity; `abort` fails it when the stub closes
  const watchers = new Map<() => void, (err: Error) => void>();
  let nextConnId = 1;
  let nextSeqId = 1n;
  let closed = false;

  const notify = () => {
    for (const w of [...watchers.keys()]) w();
  };

  // Re-checked on every stub activity and, for conditions on the client's side (a callback fired), every 10 ms.
  function waitUntil(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        clearInterval(poll);
        watchers.delete(watcher);
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`feishu-ws-stub: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const watcher = () => {
        if (!check()) return;
        stop();
        resolve();
      };
      const poll = setInterval(watcher, 10);
      watchers.set(watcher, (err) => {
        stop();
        reject(err);
      });
    });
  }

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  function answerEndpoint(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // an unparsable body carries no credentials, so it is refused below like wrong ones
    }
    const call = (code: number) =>
      endpointCalls.push({
        appId: body.AppID,
        appSecret: body.AppSecret,
        locale: req.headers.locale as string | undefined,
        userAgent: req.headers['user-agent'],
        code,
        at: Date.now(),
      });
    const fault = faults.shift();
    if (fault) {
      call(fault.code);
      const msg = fault.msg ?? (fault.code === 1 ? 'system busy' : 'injected failure');
      sendJson(res, fault.status ?? 200, fault.omitData ? { code: fault.code, msg } : { code: fault.code, msg, data: {} });
      return notify();
    }
    if (body.AppID !== appId || body.AppSecret !== appSecret) {
      // HTTP 200 with a non-zero code, as Feishu answers credential errors. The exact code Feishu uses for a
      // wrong secret on this endpoint is not documented; 514 ("auth failed") is the SDKs' own name for it.
      call(514);
      sendJson(res, 200, { code: 514, msg: 'auth failed: app_id or app_secret is invalid', data: {} });
      return notify();
    }
    const deviceId = String(7_363_000_000_000_000_000n + BigInt(endpointCalls.length));
    const serviceId = 33_554_678;
    const ticket = randomUUID();
    tickets.set(ticket, { deviceId, serviceId });
    const { port } = server.address() as AddressInfo;
    // Shaped like Feishu's: the SDK reads device_id and service_id with qs.parse on the whole URL, so
    // they must not be the first query parameter (that key would come out as "ws://…?device_id").
    const url =
      `ws://127.0.0.1:${port}${WS_PATH}?fpid=493&aid=552564&device_id=${deviceId}` +
      `&access_key=${hex(16)}&service_id=${serviceId}&ticket=${ticket}`;
    call(0);
    sendJson(res, 200, { code: 0, msg: 'ok', data: { URL: url, ClientConfig: { ...config } } });
    notify();
  }

  function forward(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    if (!opts.proxyTo) return sendJson(res, 404, { code: 404, msg: `feishu-ws-stub has no route for ${req.method} ${req.url}` });
    const target = new URL(req.url ?? '/', opts.proxyTo);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => sendJson(res, 502, { code: 502, msg: `proxy: ${e.message}` }));
    upstream.end(raw);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://stub').pathname;
      if (req.method === 'POST' && path === FEISHU_WS_ENDPOINT_PATH) answerEndpoint(req, res, raw);
      else forward(req, res, raw);
    });
  });

  // Handshake refusals carry their reason in Handshake-* response headers, as Feishu's gateway does
  // (the Go and Python SDKs read them; the Node SDK only sees a failed handshake and retries).
  function refuseUpgrade(socket: Duplex, status: number, msg: string, authErrCode?: number) {
    const lines = [`HTTP/1.1 ${status === 403 ? '403 Forbidden' : `${status} Error`}`, `Handshake-Status: ${status}`, `Handshake-Msg: ${msg}`];
    if (authErrCode !== undefined) lines.push(`Handshake-Autherrcode: ${authErrCode}`);
    socket.end(`${lines.join('\r\n')}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const ticket = url.searchParams.get('ticket') ?? '';
    const issued = tickets.get(ticket);
    if (closed || url.pathname !== WS_PATH || !issued) return refuseUpgrade(socket, 514, 'auth failed: invalid or used ticket');
    // a ticket is good for one connection: a client must fetch a fresh URL from the endpoint to reconnect
    tickets.delete(ticket);
    if (conns.filter((c) => c.open).length >= maxConnections) {
      return refuseUpgrade(socket, 514, 'exceed connection limit', 1000040350);
    }
    if (url.searchParams.get('device_id') !== issued.deviceId || url.searchParams.get('service_id') !== String(issued.serviceId)) {
      return refuseUpgrade(socket, 403, 'url was altered');
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, issued));
  });

  function accept(socket: WsSocket, issued: { deviceId: string; serviceId: number }) {
    const conn: Conn = {
      id: nextConnId++,
      deviceId: issued.deviceId,
      serviceId: issued.serviceId,
      openedAt: Date.now(),
      ready: false,
      open: true,
      pings: 0,
      socket,
    };
    conns.push(conn);
    socket.on('message', (data, isBinary) => onClientMessage(conn, data, isBinary));
    socket.on('error', () => {
      // a reset connection also emits 'close', which does the bookkeeping
    });
    socket.on('close', () => {
      conn.open = false;
      for (const p of [...pending.values()]) {
        if (p.conn === conn) settle(p, new WsPushUnanswered(p.messageId, 'disconnected', 'the connection closed before the answer'));
      }
      notify();
    });
    notify();
  }

  function sendFrame(conn: Conn, frame: WsFrame) {
    if (conn.socket.readyState === WS_OPEN) conn.socket.send(encodeFrame(frame));
  }

  function onClientMessage(conn: Conn, data: Buffer, isBinary: boolean) {
    if (!isBinary) {
      protocolErrors.push(`connection ${conn.id}: text message; frames must be binary`);
      return notify();
    }
    let frame: WsFrame;
    try {
      frame = decodeFrame(new Uint8Array(data));
    } catch (e) {
      protocolErrors.push(`connection ${conn.id}: undecodable frame: ${(e as Error).message}`);
      return notify();
    }
    received.push(frame);
    if (frame.method === FRAME_METHOD.control) onControl(conn, frame);
    else if (frame.method === FRAME_METHOD.data) onAnswer(conn, frame);
    else protocolErrors.push(`connection ${conn.id}: frame with unknown method ${frame.method}`);
    notify();
  }

  function onControl(conn: Conn, frame: WsFrame) {
    const type = headerOf(frame, 'type');
    if (type !== 'ping') {
      protocolErrors.push(`connection ${conn.id}: unexpected control frame type ${String(type)}`);
      return;
    }
    if (frame.service !== conn.serviceId) {
      protocolErrors.push(`connection ${conn.id}: ping for service ${frame.service}, the URL said ${conn.serviceId}`);
    }
    conn.pings++;
    conn.ready = true;
    // The pong carries the current ClientConfig; that is how Feishu retunes connected clients.
    sendFrame(conn, {
      seqId: 0n,
      logId: 0n,
      service: conn.serviceId,
      method: FRAME_METHOD.control,
      headers: [{ key: 'type', value: 'pong' }],
      payload: utf8.encode(JSON.stringify(config)),
    });
  }

  function onAnswer(conn: Conn, frame: WsFrame) {
    const messageId = headerOf(frame, 'message_id') ?? '';
    const p = pending.get(messageId);
    if (!p) {
      protocolErrors.push(`connection ${conn.id}: answer for unknown or already answered message ${JSON.stringify(messageId)}`);
      return;
    }
    // The SDK echoes the frame it answers (the last part of a split message), headers and all.
    const echoed = p.sent.find((s) => s.seqId === frame.seqId);
    if (!echoed) {
      protocolErrors.push(`message ${messageId}: answer has SeqID ${frame.seqId}, which no frame of the message had`);
    } else {
      if (frame.logId !== echoed.logId) protocolErrors.push(`message ${messageId}: answer has LogID ${frame.logId}, the frame had ${echoed.logId}`);
      if (frame.service !== echoed.service) protocolErrors.push(`message ${messageId}: answer has service ${frame.service}, the frame had ${echoed.service}`);
      const changed = echoed.headers.filter((h) => headerOf(frame, h.key) !== h.value).map((h) => h.key);
      if (changed.length > 0) protocolErrors.push(`message ${messageId}: answer dropped or changed header(s) ${changed.join(', ')}`);
    }
    if (headerOf(frame, 'type') !== headerOf(p.sent[0]!, 'type')) protocolErrors.push(`message ${messageId}: answer changed header type`);
    try {
      const answer = decodeAnswer(frame.payload);
      settle(p, { messageId, ...answer, bizRt: headerOf(frame, 'biz_rt'), frame, latencyMs: Date.now() - p.sentAt });
    } catch (e) {
      protocolErrors.push(`message ${messageId}: unreadable answer payload: ${(e as Error).message}`);
      settle(p, e as Error);
    }
  }

  function settle(p: PendingPush, outcome: WsAck | Error) {
    if (pending.get(p.messageId) !== p) return;
    pending.delete(p.messageId);
    clearTimeout(p.timer);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  function push(payload: unknown, pushOpts: WsPushOptions = {}): Promise<WsAck> {
    const conn = [...conns].reverse().find((c) => c.open && c.ready);
    if (!conn) return Promise.reject(new Error('feishu-ws-stub: no connected client to push to'));
    const messageId = pushOpts.messageId ?? `${hex(8)}-${hex(8)}`;
    if (pending.has(messageId)) return Promise.reject(new Error(`feishu-ws-stub: message ${messageId} is already awaiting an answer`));
    const parts = split(payloadBytes(payload), pushOpts.parts ?? 1);
    const order = pushOpts.order ?? parts.map((_, i) => i);
    if ([...order].sort((a, b) => a - b).join() !== parts.map((_, i) => i).join()) {
      return Promise.reject(new Error(`feishu-ws-stub: order ${JSON.stringify(order)} is not a permutation of the ${parts.length} parts`));
    }
    const traceId = pushOpts.traceId ?? hex(8);
    const frames = parts.map<WsFrame>((part, seq) => ({
      seqId: nextSeqId++,
      logId: pushOpts.logId ?? randomLogId(),
      service: conn.serviceId,
      method: FRAME_METHOD.data,
      headers: [
        { key: 'type', value: pushOpts.type ?? 'event' },
        { key: 'message_id', value: messageId },
        { key: 'sum', value: String(parts.length) },
        { key: 'seq', value: String(seq) },
        { key: 'trace_id', value: traceId },
      ],
      payload: part,
      logIdNew: `${hex(8)}_${hex(4)}`,
    }));
    const timeoutMs = pushOpts.timeoutMs ?? 3_000;
    return new Promise<WsAck>((resolve, reject) => {
      const p: PendingPush = {
        messageId,
        conn,
        sent: frames,
        sentAt: Date.now(),
        resolve,
        reject,
        timer: setTimeout(() => settle(p, new WsPushUnanswered(messageId, 'timeout', `no answer within ${timeoutMs} ms`)), timeoutMs),
      };
      pending.set(messageId, p);
      for (const i of order) sendFrame(conn, frames[i]!);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const info = ({ socket: _socket, ...rest }: Conn): WsConnectionInfo => ({ ...rest });

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    endpointCalls,
    received,
    protocolErrors,
    connections: () => conns.map(info),
    connectionCount: () => conns.length,
    openConnectionCount: () => conns.filter((c) => c.open).length,
    // "Ready" waits for the client's first ping: the SDK sends it from its 'open' handler but attaches its
    // message listener a few ticks later, so a frame pushed at the very moment of accept could go unheard.
    waitForConnection: async ({ count = 1, timeoutMs = 5_000 } = {}) => {
      await waitUntil(() => conns.filter((c) => c.ready).length >= count, `${count} ready connection(s)`, timeoutMs);
      return info(conns.filter((c) => c.ready).at(-1)!);
    },
    waitUntil,
    push,
    pushEvent: (envelope, o) => push(envelope, o),
    pushCardAction: (envelope, o) => push(envelope, o),
    setClientConfig: (c) => {
      config = { ...config, ...c };
    },
    clientConfig: () => ({ ...config }),
    failEndpoint: (n, fault) => {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    drop: ({ graceful = false, code = 1001 } = {}) => {
      for (const c of conns) {
        if (!c.open) continue;
        if (graceful) c.socket.close(code, 'going away');
        else c.socket.terminate();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const p of [...pending.values()]) settle(p, new WsPushUnanswered(p.messageId, 'closed', 'the stub closed'));
        for (const c of conns) if (c.open) c.socket.terminate();
        for (const abort of watchers.values()) abort(new Error('feishu-ws-stub: closed while waiting'));
        watchers.clear();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
