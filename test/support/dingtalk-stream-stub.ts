// A local stand-in for DingTalk's Stream mode gateway, so the official `dingtalk-stream` SDK (DWClient) can be
// tested without DingTalk. The protocol, from open-dingtalk/developerpedia docs/learn/stream/protocol.md
// ("协议描述", which supplements open.dingtalk.com stream-mode-protocol-access-description) and the three
// official SDKs (Node dist/client.mjs 2.1.5, Python stream.py/frames.py, Go client.go/payload):
//
//   1. `POST {api}/v1.0/gateway/connections/open` `{clientId, clientSecret, subscriptions:[{type,topic}], ua,
//      localIp?}` with `Accept: application/json` → `{endpoint: "wss://…/connect", ticket}`. A ticket is good
//      for ONE connection and for 90 s. (The Node SDK's comment: without the Accept header the gateway
//      answers XML.)
//   2. A WebSocket to `${endpoint}?ticket=${ticket}`.
//   3. Text frames, server → client: `{specVersion:"1.0", type:"SYSTEM"|"EVENT"|"CALLBACK", headers:{appId,
//      connectionId, contentType:"application/json", messageId, time, topic, …}, data:"<JSON string>"}`.
//      Client → server, the ACK: `{code:200, headers:{contentType:"application/json", messageId}, message:"OK",
//      data:"<JSON string>"}`. CALLBACK ACK data for a robot message is `{"response": null}` (DingTalk ignores
//      it); for a card callback it carries the card update. EVENT ACK data is `{"status":"SUCCESS"|"LATER"}`.
//   4. SYSTEM `ping` (data `{"opaque":…}`): the client echoes it back with code 200. SYSTEM `disconnect`
//      (data `{"reason":…}`): no answer needed; the server closes the TCP connection after 10 s of silence
//      and the client must fetch a new ticket.
//   5. Redelivery: per the SDK docs the server re-pushes an unanswered message "within 60 s"; the Python SDK
//      deduplicates re-pushes by headers.messageId, so a re-push keeps its messageId. The developerpedia FAQ
//      adds: robot messages are fire-and-forget and are NOT re-pushed on timeout; events are. Hence the
//      defaults here: robot messages are not redelivered, card callbacks and events are ([unconfirmed] for
//      card callbacks) — each push can override it.
//
// Written from the protocol, not from the SDK, so an SDK quirk shows up here instead of cancelling out.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';

export const DINGTALK_GATEWAY_PATH = '/v1.0/gateway/connections/open';
export const STREAM_TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const STREAM_TOPIC_CARD = '/v1.0/card/instances/callback';
const WS_PATH = '/connect';

// ---------------------------------------------------------------------------------------------------
// `ws` ships no types and @types/ws is not installed: the little of its API used here is typed locally.
// ---------------------------------------------------------------------------------------------------

interface WsSocket {
  readonly readyState: number;
  send(data: string, cb?: (err?: Error) => void): void;
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
const WS_OPEN = 1;
const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (opts: { noServer: true; maxPayload?: number }) => WsServer;
};

// ---------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------

export type StreamFrameType = 'SYSTEM' | 'EVENT' | 'CALLBACK';

export interface StreamSubscription {
  type: string;
  topic: string;
}

/** a frame as the server sends it */
export interface StreamFrame {
  specVersion: string;
  type: StreamFrameType;
  headers: Record<string, string>;
  data: string;
}

/** what the client answered to a pushed frame */
export interface StreamAck {
  messageId: string;
  code: number;
  message: string;
  headers: Record<string, unknown>;
  /** `data` JSON-decoded (a socketCallBackResponse(id, x) arrives as `{response: x}`); raw if not JSON */
  data: unknown;
  /** `data` exactly as it came on the wire */
  rawData: unknown;
  /** the connection the ACK came on */
  connectionId: string;
  /** how many times the frame had been sent when the ACK came (1 = no redelivery) */
  deliveries: number;
  latencyMs: number;
}

export interface GatewayCall {
  clientId: unknown;
  /** whether the secret matched (the secret itself is not kept) */
  secretOk: boolean;
  subscriptions: unknown;
  ua: unknown;
  localIp: unknown;
  accept: string | undefined;
  /** the HTTP status the stub answered with */
  status: number;
  at: number;
}

export interface StreamConnectionInfo {
  /** also the `connectionId` header of every frame sent on it */
  connectionId: string;
  subscriptions: StreamSubscription[];
  openedAt: number;
  open: boolean;
  /** frames the client sent on it */
  framesIn: number;
}

export interface StreamPushOptions {
  messageId?: string;
  /** extra or overriding frame headers */
  headers?: Record<string, string>;
  /** re-push while unanswered (default: no for robot messages, yes for everything else) */
  redeliver?: boolean;
  /** wait this long for an ACK before re-pushing (default: the stub's) */
  redeliverAfterMs?: number;
  /** send at most this many times in all (default: the stub's) */
  maxDeliveries?: number;
  /** give up waiting for an ACK after this long (default 5 s) */
  timeoutMs?: number;
}

export class StreamPushUnanswered extends Error {
  constructor(
    readonly messageId: string,
    readonly reason: 'timeout' | 'disconnected' | 'closed' | 'no-subscriber',
    readonly deliveries: number,
    detail: string,
  ) {
    super(`the client did not ACK ${messageId}: ${detail}`);
  }
}

export interface GatewayFault {
  status: number;
  body?: unknown;
}

export interface DingTalkStreamStubOptions {
  clientId?: string;
  clientSecret?: string;
  /** the unified app id put in every frame's `appId` header */
  appId?: string;
  /** default re-push delay; DingTalk's is "within 60 s", tests want it small (default 1000 ms) */
  redeliverAfterMs?: number;
  /** default cap on sends per message, first one included (default 3) */
  maxDeliveries?: number;
  /** a ticket's life (DingTalk: 90 s) */
  ticketTtlMs?: number;
  /** answer XML when the gateway request lacks `Accept: application/json` (default true; shape [unconfirmed]) */
  xmlWithoutAcceptJson?: boolean;
  /** requests the stub does not serve are forwarded here (e.g. the REST stub), so one base URL serves both */
  proxyTo?: string;
}

export interface DingTalkStreamStub {
  /** the "api.dingtalk.com" origin: POST `${baseUrl}/v1.0/gateway/connections/open` */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly appId: string;
  readonly gatewayCalls: GatewayCall[];
  /** every frame a client sent, JSON-decoded (undecodable ones go to protocolErrors) */
  readonly received: unknown[];
  /** every ACK, including late ones for messages already answered */
  readonly acks: StreamAck[];
  /** protocol violations by the client; tests should expect it empty */
  readonly protocolErrors: string[];
  connections(): StreamConnectionInfo[];
  connectionCount(): number;
  openConnectionCount(): number;
  /** resolves once `count` (default 1) connections have been opened in all; returns the newest open one */
  waitForConnection(opts?: { count?: number; timeoutMs?: number }): Promise<StreamConnectionInfo>;
  /** resolves once `check()` holds (polled every 10 ms) */
  waitUntil(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** pushes a frame of any type/topic to the newest connection subscribed to it; resolves with the ACK */
  push(frame: { type: StreamFrameType; topic: string; data: unknown; headers?: Record<string, string> }, opts?: StreamPushOptions): Promise<StreamAck>;
  /** a robot message (object → the `data` JSON string) on /v1.0/im/bot/messages/get */
  pushRobotMessage(payload: object, opts?: StreamPushOptions): Promise<StreamAck>;
  /** a card callback on /v1.0/card/instances/callback */
  pushCardCallback(payload: object, opts?: StreamPushOptions): Promise<StreamAck>;
  /** SYSTEM ping with a fresh opaque; resolves with the client's echo */
  ping(opts?: { timeoutMs?: number }): Promise<StreamAck & { opaque: string }>;
  /** SYSTEM disconnect to every open connection, then the TCP close after `closeAfterMs` (DingTalk: 10 s) */
  sendDisconnect(opts?: { reason?: string; closeAfterMs?: number }): void;
  /** the next `n` gateway calls meet this answer */
  failGateway(n: number, fault: GatewayFault): void;
  /** cuts every open connection: abruptly (default, a network loss) or with a close frame */
  drop(opts?: { graceful?: boolean; code?: number }): void;
  close(): Promise<void>;
}

interface Conn extends StreamConnectionInfo {
  socket: WsSocket;
}

interface Pending {
  messageId: string;
  frame: StreamFrame;
  redeliver: boolean;
  redeliverAfterMs: number;
  maxDeliveries: number;
  deliveries: number;
  firstSentAt: number;
  conn: Conn | null;
  redeliveryTimer: NodeJS.Timeout | null;
  deadline: NodeJS.Timeout;
  resolve(ack: StreamAck): void;
  reject(err: Error): void;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
// shaped like DingTalk's: 213d841d_972_1898bb26334_70a7
const newMessageId = () => `${hex(4)}_${randomBytes(2).readUInt16BE() % 1000}_${Date.now().toString(16)}_${hex(2)}`;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function subscribed(conn: Conn, type: StreamFrameType, topic: string): boolean {
  if (type === 'SYSTEM') return true;
  // EVENT subscriptions can only be "*" (all events ticked in the developer console)
  return conn.subscriptions.some((s) => s.type === type && (s.topic === topic || (type === 'EVENT' && s.topic === '*')));
}

export async function startDingTalkStreamStub(opts: DingTalkStreamStubOptions = {}): Promise<DingTalkStreamStub> {
  const clientId = opts.clientId ?? 'dingstubappkey0001';
  const clientSecret = opts.clientSecret ?? 'stub-dingtalk-secret';
  const appId = opts.appId ?? randomUUID();
  const defaultRedeliverMs = opts.redeliverAfterMs ?? 1_000;
  const defaultMaxDeliveries = opts.maxDeliveries ?? 3;
  const ticketTtlMs = opts.ticketTtlMs ?? 90_000;
  const xmlWithoutAcceptJson = opts.xmlWithoutAcceptJson ?? true;

  const gatewayCalls: GatewayCall[] = [];
  const received: unknown[] = [];
  const acks: StreamAck[] = [];
  const protocolErrors: string[] = [];
  const conns: Conn[] = [];
  const tickets = new Map<string, { subscriptions: StreamSubscription[]; expiresAt: number }>();
  const pending = new Map<string, Pending>();
  const gatewayFaults: GatewayFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: NodeJS.Timeout | null) => {
    if (!t) return;
    clearTimeout(t);
    timers.delete(t);
  };

  async function waitUntil(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (closed) throw new Error(`dingtalk-stream-stub: closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`dingtalk-stream-stub: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  // ---- step 1: the gateway ----------------------------------------------------------------------------------
  function answerGateway(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8') || '{}');
      if (isRecord(parsed)) body = parsed;
    } catch {
      // an unparsable body carries no credentials; it is refused below like wrong ones
    }
    const accept = req.headers.accept;
    const record = (status: number) =>
      gatewayCalls.push({
        clientId: body.clientId,
        secretOk: body.clientSecret === clientSecret,
        subscriptions: body.subscriptions,
        ua: body.ua,
        localIp: body.localIp,
        accept,
        status,
        at: Date.now(),
      });
    const fault = gatewayFaults.shift();
    if (fault) {
      record(fault.status);
      return sendJson(res, fault.status, fault.body ?? { code: 'unknownError', message: '未知错误', requestid: randomUUID().toUpperCase() });
    }
    if (body.clientId !== clientId || body.clientSecret !== clientSecret) {
      // [unconfirmed] the gateway's exact answer; this is what the OAuth token API gives wrong credentials
      record(400);
      return sendJson(res, 400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: randomUUID().toUpperCase() });
    }
    const subs = body.subscriptions;
    const valid =
      Array.isArray(subs) &&
      subs.length > 0 &&
      subs.every((s) => isRecord(s) && (s.type === 'EVENT' || s.type === 'CALLBACK' || s.type === 'SYSTEM') && typeof s.topic === 'string' && s.topic);
    if (!valid) {
      record(400);
      return sendJson(res, 400, { code: 'invalidParameter.subscriptions', message: 'subscriptions不合法', requestid: randomUUID().toUpperCase() });
    }
    const ticket = randomUUID();
    tickets.set(ticket, { subscriptions: (subs as StreamSubscription[]).map((s) => ({ type: s.type, topic: s.topic })), expiresAt: Date.now() + ticketTtlMs });
    const { port } = server.address() as AddressInfo;
    const endpoint = `ws://127.0.0.1:${port}${WS_PATH}`;
    record(200);
    if (xmlWithoutAcceptJson && !(accept ?? '').includes('application/json')) {
      res.writeHead(200, { 'content-type': 'application/xml;charset=utf-8' });
      return void res.end(`<OpenConnectionResponse><endpoint>${endpoint}</endpoint><ticket>${ticket}</ticket></OpenConnectionResponse>`);
    }
    sendJson(res, 200, { endpoint, ticket });
  }

  async function forward(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    if (!opts.proxyTo) {
      return sendJson(res, 404, { code: 'NotFound', message: `dingtalk-stream-stub has no route for ${req.method} ${req.url}` });
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers.set(k, v);
    }
    const method = req.method ?? 'GET';
    try {
      const up = await fetch(new URL(req.url ?? '/', opts.proxyTo), { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(raw) });
      const out: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
      });
      res.writeHead(up.status, out);
      res.end(Buffer.from(await up.arrayBuffer()));
    } catch (e) {
      sendJson(res, 502, { code: 'BadGateway', message: `proxy: ${(e as Error).message}` });
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://stub').pathname;
      if (req.method === 'POST' && path === DINGTALK_GATEWAY_PATH) answerGateway(req, res, raw);
      else void forward(req, res, raw);
    });
  });

  // ---- step 2: the WebSocket --------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const ticket = url.searchParams.get('ticket') ?? '';
    const issued = tickets.get(ticket);
    // one ticket, one connection: a reconnecting client must go back to the gateway
    tickets.delete(ticket);
    if (closed || url.pathname !== WS_PATH || !issued || issued.expiresAt < Date.now()) {
      // [unconfirmed] status/body of a refused handshake. NB dingtalk-stream 2.1.5 turns a failed handshake
      // into a reconnect storm (its error and close handlers both reconnect; fixed upstream after 2.1.5).
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, issued.subscriptions));
  });

  function accept(socket: WsSocket, subscriptions: StreamSubscription[]) {
    const conn: Conn = { connectionId: hex(16), subscriptions, openedAt: Date.now(), open: true, framesIn: 0, socket };
    conns.push(conn);
    socket.on('message', (data, isBinary) => onClientFrame(conn, data, isBinary));
    socket.on('error', () => {
      // a reset connection also emits 'close', which does the bookkeeping
    });
    socket.on('close', () => {
      conn.open = false;
      for (const p of [...pending.values()]) {
        if (p.conn !== conn) continue;
        if (!p.redeliver) settle(p, new StreamPushUnanswered(p.messageId, 'disconnected', p.deliveries, 'the connection closed before the ACK'));
        // a redelivered message waits for its timer, then goes to whichever connection is there
        else p.conn = null;
      }
    });
    // messages that found no subscriber may now have one
    for (const p of pending.values()) {
      if (!p.conn && !p.redeliveryTimer && (p.deliveries === 0 || p.deliveries < p.maxDeliveries)) deliver(p);
    }
  }

  function sendFrame(conn: Conn, frame: StreamFrame) {
    if (conn.socket.readyState === WS_OPEN) conn.socket.send(JSON.stringify(frame));
  }

  // ---- step 3: the client's frames --------------------------------------------------------------------------
  function onClientFrame(conn: Conn, data: Buffer, isBinary: boolean) {
    conn.framesIn++;
    if (isBinary) protocolErrors.push(`connection ${conn.connectionId}: binary frame; frames are JSON text`);
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      protocolErrors.push(`connection ${conn.connectionId}: frame is not JSON: ${data.toString('utf8').slice(0, 80)}`);
      return;
    }
    received.push(msg);
    if (!isRecord(msg) || typeof msg.code !== 'number') {
      protocolErrors.push(`connection ${conn.connectionId}: frame is not an ACK (no numeric code): ${JSON.stringify(msg).slice(0, 120)}`);
      return;
    }
    const headers = isRecord(msg.headers) ? msg.headers : {};
    const messageId = headers.messageId;
    if (typeof messageId !== 'string' || !messageId) {
      protocolErrors.push(`connection ${conn.connectionId}: ACK without headers.messageId`);
      return;
    }
    if (headers.contentType !== 'application/json') protocolErrors.push(`ACK ${messageId}: headers.contentType is ${JSON.stringify(headers.contentType)}, expected "application/json"`);
    if (typeof msg.data !== 'string') protocolErrors.push(`ACK ${messageId}: data is ${typeof msg.data}, the protocol wants a JSON string`);
    let decoded: unknown = msg.data;
    if (typeof msg.data === 'string' && msg.data !== '') {
      try {
        decoded = JSON.parse(msg.data);
      } catch {
        protocolErrors.push(`ACK ${messageId}: data is not JSON`);
      }
    }
    const p = pending.get(messageId);
    const ack: StreamAck = {
      messageId,
      code: msg.code,
      message: typeof msg.message === 'string' ? msg.message : '',
      headers,
      data: decoded,
      rawData: msg.data,
      connectionId: conn.connectionId,
      deliveries: p?.deliveries ?? 0,
      latencyMs: p ? Date.now() - p.firstSentAt : 0,
    };
    acks.push(ack);
    if (p) settle(p, ack);
  }

  function settle(p: Pending, outcome: StreamAck | Error) {
    if (pending.get(p.messageId) !== p) return;
    pending.delete(p.messageId);
    cancel(p.redeliveryTimer);
    cancel(p.deadline);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  function deliver(p: Pending) {
    p.redeliveryTimer = null;
    if (pending.get(p.messageId) !== p) return;
    const topic = p.frame.headers.topic ?? '';
    const conn = [...conns].reverse().find((c) => c.open && subscribed(c, p.frame.type, topic));
    if (!conn) {
      p.conn = null;
      if (p.deliveries === 0 && !p.redeliver) {
        settle(p, new StreamPushUnanswered(p.messageId, 'no-subscriber', 0, `no open connection subscribed to ${p.frame.type} ${topic}`));
      }
      return; // waits for a connection (accept() retries it)
    }
    p.conn = conn;
    p.deliveries++;
    sendFrame(conn, { ...p.frame, headers: { ...p.frame.headers, connectionId: conn.connectionId } });
    if (p.redeliver && p.deliveries < p.maxDeliveries) p.redeliveryTimer = later(p.redeliverAfterMs, () => deliver(p));
  }

  function push(
    frame: { type: StreamFrameType; topic: string; data: unknown; headers?: Record<string, string> },
    pushOpts: StreamPushOptions = {},
  ): Promise<StreamAck> {
    if (closed) return Promise.reject(new Error('dingtalk-stream-stub: closed'));
    const messageId = pushOpts.messageId ?? newMessageId();
    if (pending.has(messageId)) return Promise.reject(new Error(`dingtalk-stream-stub: ${messageId} is already awaiting an ACK`));
    const full: StreamFrame = {
      specVersion: '1.0',
      type: frame.type,
      headers: {
        appId,
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic: frame.topic,
        ...frame.headers,
        ...pushOpts.headers,
      },
      data: typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data),
    };
    const redeliver = pushOpts.redeliver ?? !(frame.type === 'CALLBACK' && frame.topic === STREAM_TOPIC_ROBOT);
    const timeoutMs = pushOpts.timeoutMs ?? 5_000;
    return new Promise<StreamAck>((resolve, reject) => {
      const p: Pending = {
        messageId,
        frame: full,
        redeliver,
        redeliverAfterMs: pushOpts.redeliverAfterMs ?? defaultRedeliverMs,
        maxDeliveries: pushOpts.maxDeliveries ?? defaultMaxDeliveries,
        deliveries: 0,
        firstSentAt: Date.now(),
        conn: null,
        redeliveryTimer: null,
        deadline: later(timeoutMs, () => settle(p, new StreamPushUnanswered(messageId, 'timeout', p.deliveries, `no ACK within ${timeoutMs} ms (${p.deliveries} deliveries)`))),
        resolve,
        reject,
      };
      pending.set(messageId, p);
      deliver(p);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const info = ({ socket: _socket, ...rest }: Conn): StreamConnectionInfo => ({ ...rest, subscriptions: [...rest.subscriptions] });

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    appId,
    gatewayCalls,
    received,
    acks,
    protocolErrors,
    connections: () => conns.map(info),
    connectionCount: () => conns.length,
    openConnectionCount: () => conns.filter((c) => c.open).length,
    // DWClient attaches its message listener before the socket opens, so a connection can take frames at once.
    waitForConnection: async ({ count = 1, timeoutMs = 5_000 } = {}) => {
      await waitUntil(() => conns.length >= count && conns.some((c) => c.open), `${count} connection(s)`, timeoutMs);
      return info([...conns].reverse().find((c) => c.open)!);
    },
    waitUntil,
    push,
    pushRobotMessage: (payload, o) => push({ type: 'CALLBACK', topic: STREAM_TOPIC_ROBOT, data: payload }, o),
    pushCardCallback: (payload, o) => push({ type: 'CALLBACK', topic: STREAM_TOPIC_CARD, data: payload }, o),
    ping: async ({ timeoutMs = 3_000 } = {}) => {
      const opaque = randomUUID();
      const ack = await push({ type: 'SYSTEM', topic: 'ping', data: { opaque } }, { redeliver: false, timeoutMs });
      const echoed = isRecord(ack.data) ? ack.data.opaque : undefined;
      if (echoed !== opaque) protocolErrors.push(`ping ${ack.messageId}: the answer echoed opaque ${JSON.stringify(echoed)}, sent ${opaque}`);
      if (ack.code !== 200) protocolErrors.push(`ping ${ack.messageId}: answered with code ${ack.code}`);
      return { ...ack, opaque };
    },
    sendDisconnect: ({ reason = 'connection is expired', closeAfterMs = 10_000 } = {}) => {
      for (const c of conns) {
        if (!c.open) continue;
        sendFrame(c, {
          specVersion: '1.0',
          type: 'SYSTEM',
          headers: { topic: 'disconnect', contentType: 'application/json', messageId: newMessageId(), time: String(Date.now()), connectionId: c.connectionId },
          data: JSON.stringify({ reason }),
        });
        later(closeAfterMs, () => c.socket.terminate());
      }
    },
    failGateway: (n, fault) => {
      for (let i = 0; i < n; i++) gatewayFaults.push(fault);
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
        for (const p of [...pending.values()]) settle(p, new StreamPushUnanswered(p.messageId, 'closed', p.deliveries, 'the stub closed'));
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const c of conns) if (c.open) c.socket.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
