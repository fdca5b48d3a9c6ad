// The real Lark SDK WSClient + EventDispatcher against the local long-connection stub: what the SDK does
// on the wire, when it acknowledges, what a card callback answers, how it reconnects. These tests pin
// SDK behaviour FEISHU_MODE=ws will rely on, so an SDK upgrade that changes it fails here first.
import { format } from 'node:util';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { cardActionEvent, messageEvent } from '../../support/feishu-webhook.js';
import { startFeishuStub } from '../../support/feishu-stub.js';
import {
  FrameDecodeError,
  WsPushUnanswered,
  decodeFrame,
  encodeFrame,
  headerOf,
  startFeishuWsStub,
  type FeishuWsStub,
  type FeishuWsStubOptions,
  type WsAck,
} from '../../support/feishu-ws-stub.js';

// Fast but realistic: no reconnect jitter, a short retry interval, pings rare enough not to matter.
const FAST = { PingInterval: 60, ReconnectCount: -1, ReconnectInterval: 0.05, ReconnectNonce: 0 };

interface LogLine {
  level: string;
  text: string;
}

type CardActionData = { event_id: string; operator: { open_id: string }; action: { value: unknown }; context: { open_message_id: string } };
// the SDK's own type for what its dispatcher hands an im.message.receive_v1 handler
type MessageData = Parameters<NonNullable<lark.EventHandles['im.message.receive_v1']>>[0];
type Handles = {
  'im.message.receive_v1'?: (data: MessageData) => unknown;
  'card.action.trigger'?: (data: CardActionData) => unknown;
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  // WSClients first (close() clears their ping/reconnect timers), then the stubs.
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stubWith(opts: FeishuWsStubOptions = {}): Promise<FeishuWsStub> {
  const stub = await startFeishuWsStub({ clientConfig: FAST, ...opts });
  cleanups.push(() => stub.close());
  return stub;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const at = (level: string) => (...msg: unknown[]) => void lines.push({ level, text: format(...msg) });
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') } };
}

function startClient(
  stub: FeishuWsStub,
  handles: Handles,
  opts: { appSecret?: string; onError?: (e: Error) => void; onReconnecting?: () => void; onReconnected?: () => void; onReady?: () => void } = {},
) {
  const { lines, logger } = captureLogger();
  const client = new lark.WSClient({
    appId: stub.appId,
    appSecret: opts.appSecret ?? stub.appSecret,
    domain: stub.baseUrl, // any origin string is used as-is: `${domain}/callback/ws/endpoint`
    logger,
    loggerLevel: lark.LoggerLevel.trace,
    onReady: opts.onReady,
    onError: opts.onError,
    onReconnecting: opts.onReconnecting,
    onReconnected: opts.onReconnected,
  });
  const dispatcher = new lark.EventDispatcher({ logger, loggerLevel: lark.LoggerLevel.trace }).register<Handles>(handles);
  // start() resolves before connecting (it does not await its own reConnect), so readiness comes from the stub.
  void client.start({ eventDispatcher: dispatcher });
  cleanups.push(() => client.close({ force: true }));
  return { client, logs: lines };
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function textMessage(stub: FeishuWsStub, text: string, ids: { eventId?: string; messageId?: string } = {}) {
  const body = messageEvent({
    tenantKey: 'tenant_ws',
    chatId: 'oc_ws_chat',
    senderOpenId: 'ou_inspector',
    text,
    token: 'verification-token',
    ...ids,
  });
  // over the long connection the header names the app the socket belongs to
  return { ...body, header: { ...(body.header as object), app_id: stub.appId } };
}

function cardClick(stub: FeishuWsStub, value: unknown) {
  const body = cardActionEvent({ tenantKey: 'tenant_ws', operatorOpenId: 'ou_leader', messageId: 'om_card_1', chatId: 'oc_p2p', value, token: 'verification-token' });
  return { ...body, header: { ...(body.header as object), app_id: stub.appId } };
}

describe('pbbp2 frame codec (the stub’s own)', () => {
  it('encodes a ping frame byte for byte as protobuf does', () => {
    const bytes = encodeFrame({ seqId: 0n, logId: 0n, service: 1, method: 0, headers: [{ key: 'type', value: 'ping' }] });
    // 08 00 | 10 00 | 18 01 | 20 00 | 2a 0c (0a 04 "type" 12 04 "ping")
    expect(Buffer.from(bytes).toString('hex')).toBe('0800100018012000' + '2a0c' + '0a0474797065' + '120470696e67');
    expect(decodeFrame(bytes)).toEqual({ seqId: 0n, logId: 0n, service: 1, method: 0, headers: [{ key: 'type', value: 'ping' }] });
  });

  it('round-trips 64-bit ids and payloads, and rejects frames missing required fields', () => {
    const frame = { seqId: 2n ** 63n + 5n, logId: 7n, service: 33554678, method: 1, headers: [], payload: new Uint8Array([0, 255]), logIdNew: 'x' };
    expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
    expect(() => decodeFrame(new Uint8Array([0x08, 0x00, 0x10, 0x00, 0x18, 0x01]))).toThrow(FrameDecodeError); // no method
  });
});

describe('WSClient against the long-connection stub', () => {
  it('fetches the endpoint with AppID/AppSecret, connects to the URL it is given and pings', async () => {
    const stub = await stubWith();
    let ready = 0;
    startClient(stub, {}, { onReady: () => ready++ });
    const conn = await stub.waitForConnection();

    expect(stub.endpointCalls).toMatchObject([{ appId: stub.appId, appSecret: stub.appSecret, locale: 'zh', code: 0 }]);
    expect(stub.endpointCalls[0]!.userAgent).toMatch(/oapi-node-sdk/);
    expect(conn).toMatchObject({ open: true, pings: 1 });
    await stub.waitUntil(() => ready === 1, 'onReady');
    // the ping names the service the URL carried, as Feishu requires
    expect(stub.received.map((f) => [f.method, f.service, headerOf(f, 'type')])).toEqual([[0, conn.serviceId, 'ping']]);
    expect(stub.protocolErrors).toEqual([]);
  });

  it('delivers im.message.receive_v1 to its handler, flattened, and acks it 200 with no data', async () => {
    const stub = await stubWith();
    const seen: MessageData[] = [];
    startClient(stub, { 'im.message.receive_v1': (data) => void seen.push(data) });
    await stub.waitForConnection();

    const envelope = textMessage(stub, '督查 三楼消防通道堵塞', { eventId: 'ev_ws_1', messageId: 'om_ws_1' });
    const ack = await stub.pushEvent(envelope);

    expect(seen).toHaveLength(1);
    // The dispatcher merges header and event into one object (schema 2.0 envelope).
    expect(seen[0]).toMatchObject({
      event_id: 'ev_ws_1',
      event_type: 'im.message.receive_v1',
      tenant_key: 'tenant_ws',
      app_id: stub.appId,
      sender: { sender_id: { open_id: 'ou_inspector' } },
      message: { message_id: 'om_ws_1', chat_id: 'oc_ws_chat', content: JSON.stringify({ text: '督查 三楼消防通道堵塞' }) },
    });
    expect(ack).toMatchObject({ code: 200, data: undefined, rawData: undefined });
    // the answer echoes the pushed frame's headers and adds biz_rt
    expect(headerOf(ack.frame, 'type')).toBe('event');
    expect(ack.bizRt).toMatch(/^-?\d+$/);
    expect(stub.protocolErrors).toEqual([]);
  });

  it('acknowledges only after the handler’s promise settles (so a crash mid-handler leaves the event unacked)', async () => {
    const stub = await stubWith();
    const started = deferred();
    const finish = deferred();
    startClient(stub, {
      'im.message.receive_v1': async () => {
        started.resolve();
        await finish.promise;
      },
    });
    await stub.waitForConnection();

    let acked: WsAck | undefined;
    const push = stub.pushEvent(textMessage(stub, 'slow')).then((a) => (acked = a));
    await started.promise;
    await sleep(200);
    expect(acked).toBeUndefined();
    expect(stub.received.filter((f) => f.method === 1)).toHaveLength(0); // nothing but pings so far

    finish.resolve();
    await push;
    expect(acked).toMatchObject({ code: 200 });
    expect(acked!.latencyMs).toBeGreaterThanOrEqual(190);
    // SDK bug: biz_rt is computed as start - end, so a 200 ms handler reports about -200
    expect(Number(acked!.bizRt)).toBeLessThanOrEqual(-150);
  });

  it('dispatches frames concurrently: a slow handler does not hold back the next event, acks come out of order', async () => {
    const stub = await stubWith();
    const finishSlow = deferred();
    const order: string[] = [];
    startClient(stub, {
      'im.message.receive_v1': async (d) => {
        if (d.event_id === 'ev_slow') await finishSlow.promise;
        order.push(d.event_id ?? '?');
      },
    });
    await stub.waitForConnection();

    const slow = stub.pushEvent(textMessage(stub, 'slow', { eventId: 'ev_slow' }));
    await stub.pushEvent(textMessage(stub, 'fast', { eventId: 'ev_fast' }));
    expect(order).toEqual(['ev_fast']);
    finishSlow.resolve();
    await slow;
    expect(order).toEqual(['ev_fast', 'ev_slow']);
  });

  it('answers 500 with no data when the handler throws, and stays connected', async () => {
    const stub = await stubWith();
    let calls = 0;
    startClient(stub, {
      'im.message.receive_v1': async () => {
        calls++;
        if (calls === 1) throw new Error('database is locked');
      },
    });
    await stub.waitForConnection();

    await expect(stub.pushEvent(textMessage(stub, 'first'))).resolves.toMatchObject({ code: 500, data: undefined });
    await expect(stub.pushEvent(textMessage(stub, 'second'))).resolves.toMatchObject({ code: 200 });
    expect(stub.connectionCount()).toBe(1);
  });

  it('card.action.trigger: the handler’s return value comes back as base64 JSON in the answer', async () => {
    const stub = await stubWith();
    const clicks: CardActionData[] = [];
    const toast = { toast: { type: 'success', content: '已签收' } };
    startClient(stub, {
      'card.action.trigger': async (data) => {
        clicks.push(data);
        return toast;
      },
    });
    await stub.waitForConnection();

    const ack = await stub.pushCardAction(cardClick(stub, { action: 'sign', taskId: 't-1' }));

    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({ operator: { open_id: 'ou_leader' }, action: { value: { action: 'sign', taskId: 't-1' } }, context: { open_message_id: 'om_card_1' } });
    expect(ack.code).toBe(200);
    expect(ack.data).toEqual(toast);
    expect(ack.rawData).toBe(Buffer.from(JSON.stringify(toast)).toString('base64'));
    expect(stub.protocolErrors).toEqual([]);
  });

  it('a card callback may answer with a new card as well as a toast', async () => {
    const stub = await stubWith();
    const answer = {
      toast: { type: 'info', content: '已提交' },
      card: { type: 'raw', data: { schema: '2.0', body: { elements: [{ tag: 'markdown', content: '**已签收**' }] } } },
    };
    startClient(stub, { 'card.action.trigger': () => answer });
    await stub.waitForConnection();
    await expect(stub.pushCardAction(cardClick(stub, { action: 'submit' }))).resolves.toMatchObject({ code: 200, data: answer });
  });

  it('never answers a legacy `card`-type frame (only `event` frames reach the dispatcher)', async () => {
    const stub = await stubWith();
    let calls = 0;
    startClient(stub, { 'card.action.trigger': () => void calls++ });
    await stub.waitForConnection();

    const err = await stub.pushCardAction(cardClick(stub, {}), { type: 'card', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WsPushUnanswered);
    expect((err as WsPushUnanswered).reason).toBe('timeout');
    expect(calls).toBe(0);
  });

  it('acks an event nobody registered for with 200 and a "no … handle" string', async () => {
    const stub = await stubWith();
    startClient(stub, {});
    await stub.waitForConnection();
    const ack = await stub.pushEvent(textMessage(stub, 'unhandled'));
    expect(ack).toMatchObject({ code: 200, data: 'no im.message.receive_v1 event handle' });
  });

  it('reassembles a payload split over several frames, in any order, and answers once', async () => {
    const stub = await stubWith();
    const seen: MessageData[] = [];
    startClient(stub, { 'im.message.receive_v1': (d) => void seen.push(d) });
    await stub.waitForConnection();

    const text = '整改要求：'.repeat(300); // multi-byte text, so the byte split cuts characters in half
    const ack = await stub.pushEvent(textMessage(stub, text), { parts: 3, order: [2, 0, 1], messageId: 'split-1' });

    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.message.content)).toEqual({ text });
    expect(ack.code).toBe(200);
    // The answer echoes the frame that completed the message (the last one sent), sum/seq included.
    expect([headerOf(ack.frame, 'sum'), headerOf(ack.frame, 'seq')]).toEqual(['3', '1']);
    expect(stub.received.filter((f) => f.method === 1)).toHaveLength(1);
    expect(stub.protocolErrors).toEqual([]);
  });

  it('is refused at the endpoint with a wrong app secret: no socket, and onError reports it', async () => {
    const stub = await stubWith();
    const errors: Error[] = [];
    const { client, logs } = startClient(stub, {}, { appSecret: 'wrong-secret', onError: (e) => void errors.push(e) });

    await stub.waitUntil(() => errors.length === 1, 'onError');
    expect(errors[0]!.message).toContain('code=514');
    expect(stub.endpointCalls).toMatchObject([{ appSecret: 'wrong-secret', code: 514 }]);
    expect(stub.connectionCount()).toBe(0);
    expect(client.getConnectionStatus().state).toBe('failed');
    await sleep(200);
    expect(stub.endpointCalls).toHaveLength(1); // fatal: no retry
    expect(logs.some((l) => l.text.includes('wrong-secret'))).toBe(false);
  });

  it('start() silently does nothing for an app id that is not cli_ + 16 hex digits', async () => {
    const stub = await stubWith({ appId: 'cli_test_app' });
    const errors: Error[] = [];
    const { logs } = startClient(stub, {}, { onError: (e) => void errors.push(e) });
    await sleep(200);
    expect(stub.endpointCalls).toEqual([]);
    expect(errors).toEqual([]); // no onError either: only a log line says why
    expect(logs).toContainEqual({ level: 'error', text: expect.stringContaining('invalid appId: cli_test_app') });
  });

  it('reconnects through a fresh endpoint call after the socket is dropped', async () => {
    const stub = await stubWith();
    const seen: (string | undefined)[] = [];
    const events: string[] = [];
    startClient(
      stub,
      { 'im.message.receive_v1': (d) => void seen.push(d.event_id) },
      { onReconnecting: () => void events.push('reconnecting'), onReconnected: () => void events.push('reconnected') },
    );
    const first = await stub.waitForConnection();

    const t0 = Date.now();
    stub.drop();
    const second = await stub.waitForConnection({ count: 2 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(second.id).not.toBe(first.id);
    expect(stub.openConnectionCount()).toBe(1);
    expect(stub.endpointCalls.map((c) => c.code)).toEqual([0, 0]); // tickets are single-use, so it had to ask again
    await stub.waitUntil(() => events.length === 2, 'onReconnected');
    expect(events).toEqual(['reconnecting', 'reconnected']);

    await stub.pushEvent(textMessage(stub, 'after reconnect', { eventId: 'ev_after' }));
    expect(seen).toEqual(['ev_after']);
    expect(stub.protocolErrors).toEqual([]);
  });

  it('also reconnects after a graceful close frame', async () => {
    const stub = await stubWith();
    startClient(stub, {});
    await stub.waitForConnection();
    stub.drop({ graceful: true });
    await stub.waitForConnection({ count: 2 });
  });

  it('keeps retrying while the endpoint answers 1000040343 (internal error), then reconnects', async () => {
    const stub = await stubWith();
    startClient(stub, {});
    await stub.waitForConnection();
    stub.failEndpoint(2, { code: 1000040343, msg: 'internal error' });
    stub.drop();
    await stub.waitForConnection({ count: 2 });
    expect(stub.endpointCalls.map((c) => c.code)).toEqual([0, 1000040343, 1000040343, 0]);
  });

  it('gives up for good when the endpoint refuses (514) during a reconnect', async () => {
    const stub = await stubWith();
    const errors: Error[] = [];
    const { client } = startClient(stub, {}, { onError: (e) => void errors.push(e) });
    await stub.waitForConnection();
    stub.failEndpoint(1, { code: 514, msg: 'auth failed' });
    stub.drop();
    await stub.waitUntil(() => errors.length === 1, 'onError');
    await sleep(200);
    expect(stub.endpointCalls.map((c) => c.code)).toEqual([0, 514]);
    expect(client.getConnectionStatus().state).toBe('failed');
  });

  it('treats a refusal without a `data` field as retryable (it trips over destructuring data.URL)', async () => {
    const stub = await stubWith();
    const errors: Error[] = [];
    const { logs } = startClient(stub, {}, { onError: (e) => void errors.push(e) });
    await stub.waitForConnection();
    stub.failEndpoint(2, { code: 514, msg: 'auth failed', omitData: true });
    stub.drop();
    await stub.waitForConnection({ count: 2 });
    expect(stub.endpointCalls.map((c) => c.code)).toEqual([0, 514, 514, 0]);
    expect(errors).toEqual([]);
    expect(logs.some((l) => l.level === 'error' && /Cannot (destructure|read)/.test(l.text))).toBe(true);
  });

  it('keeps retrying when the handshake is refused for too many connections (the Node SDK ignores Handshake-* headers)', async () => {
    const stub = await stubWith({ maxConnections: 1 });
    startClient(stub, {});
    await stub.waitForConnection();
    const errors: Error[] = [];
    startClient(stub, {}, { onError: (e) => void errors.push(e) });
    await stub.waitUntil(() => stub.endpointCalls.length >= 4, 'the second client to retry');
    expect(stub.connectionCount()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('sends a late answer for a message from a dropped connection down the new connection', async () => {
    const stub = await stubWith();
    const started = deferred();
    const finish = deferred();
    startClient(stub, {
      'im.message.receive_v1': async () => {
        started.resolve();
        await finish.promise;
      },
    });
    await stub.waitForConnection();

    const lost = stub.pushEvent(textMessage(stub, 'in flight'), { messageId: 'in-flight-1' }).catch((e: unknown) => e);
    await started.promise;
    stub.drop();
    const err = await lost;
    expect(err).toBeInstanceOf(WsPushUnanswered);
    expect((err as WsPushUnanswered).reason).toBe('disconnected');

    await stub.waitForConnection({ count: 2 });
    finish.resolve();
    // The SDK answers on whatever socket is current: Feishu sees an answer for a message it never sent there.
    await stub.waitUntil(() => stub.protocolErrors.length > 0, 'the stray answer');
    expect(stub.protocolErrors).toEqual([expect.stringContaining('unknown or already answered message "in-flight-1"')]);
  });

  it('echoes a LogID above 2^53 rounded (the SDK decodes uint64 into JS numbers)', async () => {
    const stub = await stubWith();
    startClient(stub, {});
    await stub.waitForConnection();
    const logId = 2n ** 60n + 1n;
    const ack = await stub.pushEvent(textMessage(stub, 'big log id'), { logId, messageId: 'big-log-id' });
    expect(ack.frame.logId).toBe(2n ** 60n);
    expect(stub.protocolErrors).toEqual([`message big-log-id: answer has LogID ${2n ** 60n}, the frame had ${logId}`]);
  });

  it('adopts the ClientConfig each pong carries', async () => {
    const stub = await stubWith({ clientConfig: { ...FAST, PingInterval: 0.05 } });
    startClient(stub, {});
    await stub.waitForConnection();
    const pings = () => stub.connections()[0]!.pings;
    await stub.waitUntil(() => pings() >= 3, 'three pings');

    stub.setClientConfig({ PingInterval: 60 });
    const after = pings() + 1; // the pong to the next ping carries the new interval; one more may be scheduled already
    await sleep(300);
    expect(pings()).toBeLessThanOrEqual(after + 2); // without adoption there would be ~6 more
  });

  it('close() ends the connection and no reconnect follows', async () => {
    const stub = await stubWith();
    const { client } = startClient(stub, {});
    await stub.waitForConnection();
    client.close();
    await stub.waitUntil(() => stub.openConnectionCount() === 0, 'the close');
    await sleep(200);
    expect(stub.connectionCount()).toBe(1);
    expect(stub.endpointCalls).toHaveLength(1);
    expect(client.getConnectionStatus().state).toBe('idle');
  });

  it('never logs the app secret, even at trace level (the connect URL with its ticket is logged at debug)', async () => {
    const stub = await stubWith();
    const { logs } = startClient(stub, { 'im.message.receive_v1': () => undefined });
    await stub.waitForConnection();
    await stub.pushEvent(textMessage(stub, 'log me'));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.text.includes(stub.appSecret))).toEqual([]);
    expect(logs.some((l) => l.level === 'debug' && /ws url: ws:\/\/.*ticket=/.test(l.text))).toBe(true);
  });

  it('serves the REST API from the same domain by forwarding to the REST stub', async () => {
    const rest = await startFeishuStub({ appId: 'cli_a1b2c3d4e5f60718', appSecret: 'stub-ws-secret' });
    cleanups.push(() => rest.close());
    const stub = await stubWith({ proxyTo: rest.baseUrl });
    const res = await fetch(`${stub.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: stub.appId, app_secret: stub.appSecret }),
    });
    expect(await res.json()).toMatchObject({ code: 0, expire: 7200 });
    expect(rest.tokenRequests()).toBe(1);
  });
});
