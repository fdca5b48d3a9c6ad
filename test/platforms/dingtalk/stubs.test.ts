// Proves the DingTalk stand-ins: the REST stub's protocol rules with plain fetch, and the Stream gateway
// stand-in with the REAL `dingtalk-stream` DWClient (2.1.5), as the product subclasses it
// (getEndpoint → `${DINGTALK_BASE_URL}/v1.0/gateway/connections/open`). Where a test pins an SDK quirk, an
// SDK upgrade that changes it fails here first.
import { createRequire } from 'node:module';
import { DWClient, EventAck, TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DingTalkStreamClient } from '../../../src/platforms/dingtalk/stream.js';
import { DINGTALK_ERRORS, startDingTalkStub, type DingTalkStub, type DingTalkStubOptions } from '../../support/dingtalk-stub.js';
import {
  DINGTALK_GATEWAY_PATH,
  STREAM_TOPIC_CARD,
  STREAM_TOPIC_ROBOT,
  StreamPushUnanswered,
  startDingTalkStreamStub,
  type DingTalkStreamStub,
  type DingTalkStreamStubOptions,
} from '../../support/dingtalk-stream-stub.js';
import {
  cardCallbackParams,
  cardCallbackPayload,
  dingtalkSign,
  robotFileMessage,
  robotPictureMessage,
  robotTextMessage,
  signedRobotDelivery,
} from '../../support/dingtalk-webhook.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  // clients first (so they do not reconnect into a closing stub), then the stubs, then the console spies
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

async function restStub(opts: DingTalkStubOptions = {}): Promise<DingTalkStub> {
  const stub = await startDingTalkStub(opts);
  cleanups.push(() => stub.close());
  return stub;
}

async function streamStub(opts: DingTalkStreamStubOptions = {}): Promise<DingTalkStreamStub> {
  const stub = await startDingTalkStreamStub(opts);
  cleanups.push(() => stub.close());
  return stub;
}

async function call(stub: DingTalkStub, method: string, path: string, opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.token) headers['x-acs-dingtalk-access-token'] = opts.token;
  const res = await fetch(`${stub.baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function tokenOf(stub: DingTalkStub): Promise<string> {
  const { body } = await call(stub, 'POST', '/v1.0/oauth2/accessToken', { body: { appKey: stub.appKey, appSecret: stub.appSecret } });
  return body.accessToken as string;
}

const groupSend = (stub: DingTalkStub, token: string, chatId: string, msgKey: string, msgParam: unknown) =>
  call(stub, 'POST', '/v1.0/robot/groupMessages/send', { token, body: { robotCode: stub.robotCode, openConversationId: chatId, msgKey, msgParam } });

// =====================================================================================================
// REST stub
// =====================================================================================================

describe('dingtalk-stub: access token', () => {
  it('issues {accessToken, expireIn: 7200}, the same token while valid, refuses wrong credentials, counts requests', async () => {
    const stub = await restStub();
    const first = await call(stub, 'POST', '/v1.0/oauth2/accessToken', { body: { appKey: stub.appKey, appSecret: stub.appSecret } });
    expect(first).toEqual({ status: 200, body: { accessToken: expect.any(String), expireIn: 7200 } });
    // "有效期内重复获取会返回相同结果并自动续期"
    expect(await tokenOf(stub)).toBe(first.body.accessToken);

    const wrong = await call(stub, 'POST', '/v1.0/oauth2/accessToken', { body: { appKey: stub.appKey, appSecret: 'nope' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: expect.any(String) });
    expect(stub.tokenRequests()).toBe(3);

    // the legacy oapi endpoint answers HTTP 200 with errcode, from the same token pool
    const legacy = (await (await fetch(`${stub.baseUrl}/gettoken?appkey=${stub.appKey}&appsecret=${stub.appSecret}`)).json()) as Record<string, unknown>;
    expect(legacy).toEqual({ errcode: 0, access_token: first.body.accessToken, errmsg: 'ok', expires_in: 7200 });
    const legacyWrong = await fetch(`${stub.baseUrl}/gettoken?appkey=${stub.appKey}&appsecret=bad`);
    expect(legacyWrong.status).toBe(200);
    expect(await legacyWrong.json()).toEqual({ errcode: 40096, errmsg: '不合法的appKey或appSecret' });
    expect(stub.legacyTokenRequests()).toBe(2);
  });

  it('tokens can die early (still announced as 7200 s): the old one is refused, the next request gets a new one', async () => {
    // long enough that a busy machine still uses the token before it dies (it flaked at 40 ms)
    const stub = await restStub({ tokenLifetimeMs: 500 });
    const token = await tokenOf(stub);
    expect((await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"hi"}')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    const refused = await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"hi"}');
    expect(refused).toMatchObject({ status: 400, body: { code: 'InvalidAuthentication', message: '不合法的access_token' } });
    const fresh = await tokenOf(stub);
    expect(fresh).not.toBe(token);

    stub.expireTokens();
    expect((await groupSend(stub, fresh, 'cidA', 'sampleText', '{"content":"hi"}')).body.code).toBe('InvalidAuthentication');
  });
});

describe('dingtalk-stub: x-acs-dingtalk-access-token', () => {
  it('refuses a missing, Bearer-borne or unknown token the way api.dingtalk.com does', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    const body = { robotCode: stub.robotCode, openConversationId: 'cidA', msgKey: 'sampleText', msgParam: '{"content":"x"}' };
    const missing = await call(stub, 'POST', '/v1.0/robot/groupMessages/send', { body });
    expect(missing).toMatchObject({ status: 400, body: { code: 'AuthenticationFailed.MissingParameter', message: '缺少参数：x-acs-dingtalk-access-token' } });
    const bearer = await call(stub, 'POST', '/v1.0/robot/groupMessages/send', { body, headers: { authorization: `Bearer ${token}` } });
    expect(bearer.body.code).toBe('AuthenticationFailed.MissingParameter');
    const unknown = await call(stub, 'POST', '/v1.0/robot/groupMessages/send', { body, token: 'not-a-token' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'InvalidAuthentication' } });
    expect(stub.sent).toEqual([]);
  });
});

describe('dingtalk-stub: robot messages', () => {
  it('wants msgParam as a JSON string holding the fields of its msgKey, and records what was sent', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    const asObject = await groupSend(stub, token, 'cidA', 'sampleMarkdown', { title: 't', text: 'x' });
    expect(asObject).toMatchObject({ status: 400, body: { code: 'invalidParameter.msgParam.invalid' } });
    const notJson = await groupSend(stub, token, 'cidA', 'sampleText', 'hello');
    expect(notJson.body.code).toBe('invalidParameter.msgParam.invalid');
    const missingField = await groupSend(stub, token, 'cidA', 'sampleMarkdown', JSON.stringify({ text: 'no title' }));
    expect(missingField.body).toMatchObject({ code: 'invalidParameter.msgParam.invalid', message: expect.stringContaining('title') });
    expect((await groupSend(stub, token, 'cidA', 'sampleCard', '{}')).body.code).toBe('invalidParameter.msgKey.invalid');
    const wrongRobot = await call(stub, 'POST', '/v1.0/robot/groupMessages/send', {
      token,
      body: { robotCode: 'dingother', openConversationId: 'cidA', msgKey: 'sampleText', msgParam: '{"content":"x"}' },
    });
    expect(wrongRobot.body.code).toBe('invalidParameter.robotCode.auth');
    expect(stub.sent).toEqual([]);

    const ok = await groupSend(stub, token, 'cidA', 'sampleMarkdown', JSON.stringify({ title: '周报', text: '## 本周' }));
    expect(ok).toEqual({ status: 200, body: { processQueryKey: expect.any(String) } });
    expect(stub.sentTo('cidA')).toEqual([
      expect.objectContaining({ kind: 'group', chatId: 'cidA', userId: null, msgKey: 'sampleMarkdown', param: { title: '周报', text: '## 本周' }, processQueryKey: ok.body.processQueryKey }),
    ]);
  });

  it('batchSend delivers per user and reports flow-controlled and invalid users in the 200 answer', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    const send = (userIds: string[]) =>
      call(stub, 'POST', '/v1.0/robot/oToMessages/batchSend', { token, body: { robotCode: stub.robotCode, userIds, msgKey: 'sampleText', msgParam: '{"content":"待办"}' } });
    expect(await send(['u1', 'u2'])).toEqual({ status: 200, body: { processQueryKey: expect.any(String), invalidStaffIdList: [], flowControlledStaffIdList: [] } });
    expect(stub.sentTo('u1')).toHaveLength(1);
    expect(stub.sentTo('u2')[0]).toMatchObject({ kind: 'oto', userId: 'u2', param: { content: '待办' } });

    stub.failNext(1, { target: 'u3', flowControlledStaffIds: ['u3'] });
    const partial = await send(['u1', 'u3']);
    expect(partial.body).toMatchObject({ flowControlledStaffIdList: ['u3'], invalidStaffIdList: [] });
    expect(stub.sentTo('u3')).toEqual([]);
    expect((await send([])).body.code).toBe('invalidParameter.userIds.empty');
  });

  it('enforces 20 messages a minute per group: the 21st is refused with the flow-control error, other groups unaffected', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    for (let i = 1; i <= 20; i++) expect((await groupSend(stub, token, 'cidBusy', 'sampleText', JSON.stringify({ content: `#${i}` }))).status).toBe(200);
    const twentyFirst = await groupSend(stub, token, 'cidBusy', 'sampleText', '{"content":"#21"}');
    expect(twentyFirst).toMatchObject({ status: DINGTALK_ERRORS.sendTooFast.status, body: { code: DINGTALK_ERRORS.sendTooFast.code } });
    expect(stub.sentTo('cidBusy')).toHaveLength(20);
    expect((await groupSend(stub, token, 'cidQuiet', 'sampleText', '{"content":"ok"}')).status).toBe(200);
  });

  it('the limit and window are configurable, and the window slides', async () => {
    const stub = await restStub({ groupLimit: { max: 2, windowMs: 120 } });
    const token = await tokenOf(stub);
    const send = () => groupSend(stub, token, 'cidA', 'sampleText', '{"content":"x"}');
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    expect((await send()).body.code).toBe('send.too.fast');
    await new Promise((r) => setTimeout(r, 150));
    expect((await send()).status).toBe(200);
  });
});

describe('dingtalk-stub: interactive cards', () => {
  const create = (stub: DingTalkStub, token: string, overrides: Record<string, unknown> = {}) =>
    call(stub, 'POST', '/v1.0/card/instances/createAndDeliver', {
      token,
      body: {
        cardTemplateId: 'tpl-1.schema',
        outTrackId: 'task-1',
        callbackType: 'STREAM',
        cardData: { cardParamMap: { title: '整改任务', status: '待签收' } },
        openSpaceId: 'dtv1.card//IM_GROUP.cidA',
        imGroupOpenSpaceModel: { supportForward: true },
        imGroupOpenDeliverModel: { robotCode: stub.robotCode },
        ...overrides,
      },
    });

  it('takes STRING card params only, keeps what each card shows, merges updates by key, refuses unknown outTrackIds', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    const numeric = await create(stub, token, { cardData: { cardParamMap: { title: 't', count: 3 } } });
    expect(numeric).toMatchObject({ status: 400, body: { message: expect.stringContaining('count') } });
    expect((await create(stub, token, { openSpaceId: 'IM_GROUP.cidA' })).body.code).toBe('param.openSpaceIdInvalid');
    expect(stub.cards.size).toBe(0);

    const created = await create(stub, token);
    expect(created).toEqual({
      status: 200,
      body: { success: true, result: { outTrackId: 'task-1', deliverResults: [expect.objectContaining({ spaceType: 'IM_GROUP', spaceId: 'cidA', success: true })] } },
    });
    expect(stub.cardParams('task-1')).toEqual({ title: '整改任务', status: '待签收' });

    const update = (cardParamMap: Record<string, unknown>, byKey: boolean, outTrackId = 'task-1') =>
      call(stub, 'PUT', '/v1.0/card/instances', { token, body: { outTrackId, cardData: { cardParamMap }, cardUpdateOptions: { updateCardDataByKey: byKey } } });
    expect(await update({ status: '整改中' }, true)).toEqual({ status: 200, body: { success: true, result: true } });
    expect(stub.cardParams('task-1')).toEqual({ title: '整改任务', status: '整改中' });
    expect((await update({ status: false }, true)).status).toBe(400);
    await update({ status: '已销号' }, false); // a full overwrite drops the other keys
    expect(stub.cardParams('task-1')).toEqual({ status: '已销号' });
    expect((await update({ status: 'x' }, true, 'no-such-card')).status).toBe(400);

    // one-to-one: dtv1.card//IM_ROBOT.<userId> with imRobotOpenDeliverModel
    const oto = await create(stub, token, { outTrackId: 'task-2', openSpaceId: 'dtv1.card//IM_ROBOT.staff9', imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' } });
    expect((oto.body.result as { deliverResults: unknown[] }).deliverResults).toEqual([expect.objectContaining({ spaceType: 'IM_ROBOT', spaceId: 'staff9', success: true })]);
  });

  it('HTTP callbacks need a registered route; a callback answer can be applied to the card', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    expect((await create(stub, token, { callbackType: 'HTTP', callbackRouteKey: 'duban' })).status).toBe(400);
    const reg = await call(stub, 'POST', '/v1.0/card/callbacks/register', {
      token,
      body: { callbackRouteKey: 'duban', callbackUrl: 'https://duban.example/webhooks/dingtalk/card', apiSecret: 's3cret', forceUpdate: true },
    });
    expect(reg).toMatchObject({ status: 200, body: { success: true } });
    expect((await create(stub, token, { callbackType: 'HTTP', callbackRouteKey: 'duban' })).status).toBe(200);
    stub.applyCardCallbackResponse('task-1', 'staff9', {
      cardData: { cardParamMap: { status: '已签收' } },
      userPrivateData: { cardParamMap: { mine: '1' } },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    });
    expect(stub.cardParams('task-1')).toEqual({ title: '整改任务', status: '已签收' });
    expect(stub.cards.get('task-1')?.privateParams.get('staff9')).toEqual({ mine: '1' });
  });
});

describe('dingtalk-stub: files', () => {
  it('messageFiles/download answers a downloadUrl on the stub that serves the registered bytes', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    stub.addUserFile('dc-photo', new Uint8Array([0xff, 0xd8, 0xff, 1, 2]), { contentType: 'image/jpeg' });
    const { status, body } = await call(stub, 'POST', '/v1.0/robot/messageFiles/download', { token, body: { downloadCode: 'dc-photo', robotCode: stub.robotCode } });
    expect(status).toBe(200);
    expect(body.downloadUrl).toMatch(new RegExp(`^${stub.baseUrl}/`));
    const file = await fetch(body.downloadUrl as string);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 1, 2]));
    expect((await call(stub, 'POST', '/v1.0/robot/messageFiles/download', { token, body: { downloadCode: 'nope', robotCode: stub.robotCode } })).status).toBe(400);
  });

  it('oapi /media/upload takes multipart `media` with the token in the query; sampleFile must name an uploaded mediaId', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array([80, 75, 3, 4])], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), '台账.xlsx');
    const res = await fetch(`${stub.baseUrl}/media/upload?access_token=${token}&type=file`, { method: 'POST', body: form });
    const up = (await res.json()) as Record<string, unknown>;
    expect(up).toEqual({ errcode: 0, errmsg: 'ok', type: 'file', media_id: expect.stringMatching(/^@/), created_at: expect.any(Number) });
    const badToken = await fetch(`${stub.baseUrl}/media/upload?access_token=nope&type=file`, { method: 'POST', body: form });
    expect(await badToken.json()).toEqual({ errcode: 40014, errmsg: '不合法的access_token' });

    expect((await groupSend(stub, token, 'cidA', 'sampleFile', JSON.stringify({ mediaId: '@never', fileName: 'a.xlsx', fileType: 'xlsx' }))).status).toBe(400);
    expect((await groupSend(stub, token, 'cidA', 'sampleFile', JSON.stringify({ mediaId: up.media_id, fileName: '台账.xlsx', fileType: 'xlsx' }))).status).toBe(200);
    const upload = stub.uploadOf(stub.sent[0]!);
    expect(upload).toMatchObject({ fileName: '台账.xlsx', type: 'file' });
    expect(upload?.bytes).toEqual(new Uint8Array([80, 75, 3, 4]));
  });
});

describe('dingtalk-stub: faults', () => {
  it('fails the next calls (optionally for one target only) with HTTP errors, QPS limits, or a hang', async () => {
    const stub = await restStub();
    const token = await tokenOf(stub);
    stub.failNext(1, { status: 503 });
    expect((await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"x"}')).status).toBe(503);
    stub.failNext(1, DINGTALK_ERRORS.qpsLimit);
    expect(await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"x"}')).toMatchObject({ status: 403, body: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' } });
    stub.failNext(1, { status: 429, target: 'cidB' });
    expect((await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"x"}')).status).toBe(200); // passes the fault by
    expect((await groupSend(stub, token, 'cidB', 'sampleText', '{"content":"x"}')).status).toBe(429);

    // a fault without a path spares the token endpoint; one naming it hits it
    stub.failNext(1, { status: 500 });
    expect(await tokenOf(stub)).toBe(token);
    expect((await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"x"}')).status).toBe(500);
    stub.failNext(1, { status: 502, path: '/v1.0/oauth2/accessToken' });
    expect((await call(stub, 'POST', '/v1.0/oauth2/accessToken', { body: { appKey: stub.appKey, appSecret: stub.appSecret } })).status).toBe(502);

    stub.failNext(1, { hang: true });
    const hung = fetch(`${stub.baseUrl}/v1.0/robot/groupMessages/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
      body: JSON.stringify({ robotCode: stub.robotCode, openConversationId: 'cidA', msgKey: 'sampleText', msgParam: '{"content":"x"}' }),
      signal: AbortSignal.timeout(150),
    });
    await expect(hung).rejects.toThrow(/abort|timeout/i);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /v1.0/robot/groupMessages/send');
    stub.reset();
    expect(stub.requests).toEqual([]);
    expect((await groupSend(stub, token, 'cidA', 'sampleText', '{"content":"x"}')).status).toBe(200); // tokens survive reset
  });
});

// =====================================================================================================
// HTTP-mode builders
// =====================================================================================================

describe('dingtalk-webhook builders', () => {
  it('signs with base64(HmacSHA256(appSecret, timestamp + "\\n" + appSecret)) in headers timestamp/sign', () => {
    // a vector computed by hand: printf '1700000000000\nsecret' | openssl dgst -sha256 -hmac secret -binary | base64
    expect(dingtalkSign('1700000000000', 'secret')).toBe('OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=');
    const req = signedRobotDelivery(robotTextMessage('督查'), { appSecret: 'secret', nowMs: 1_700_000_000_000 });
    expect(req.headers).toMatchObject({ timestamp: '1700000000000', sign: 'OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=' });
  });

  it('builds group @-messages, pictures and files the way DingTalk shapes them', () => {
    const group = robotTextMessage('督查 #服务态度', { conversationId: 'cidG', mentions: [{ staffId: 'leader1' }] });
    expect(group).toMatchObject({ conversationType: '2', conversationId: 'cidG', isInAtList: true, msgtype: 'text', text: { content: ' 督查 #服务态度' } });
    expect(group.atUsers).toEqual([{ dingtalkId: group.chatbotUserId }, { dingtalkId: expect.stringMatching(/^\$:LWCP_v1:\$/), staffId: 'leader1' }]);
    expect(group.sessionWebhookExpiredTime - group.createAt).toBe(90 * 60_000);
    expect(robotTextMessage('我的任务')).toMatchObject({ conversationType: '1', text: { content: '我的任务' } });
    expect(robotPictureMessage('dc1', { conversationId: 'cidG' })).toMatchObject({ msgtype: 'picture', content: { downloadCode: 'dc1' } });
    expect(robotFileMessage('dc2', '问题清单.xlsx')).toMatchObject({ conversationType: '1', msgtype: 'file', content: { downloadCode: 'dc2', fileName: '问题清单.xlsx' } });
    const cb = cardCallbackPayload({ outTrackId: 'task-1', userId: 'staff9', params: { action: 'accept' } });
    expect(typeof cb.content).toBe('string');
    expect(cardCallbackParams(cb)).toEqual({ action: 'accept' });
  });
});

// =====================================================================================================
// Stream stand-in, driven by the real SDK
// =====================================================================================================

/**
 * The product's own client (src/platforms/dingtalk/stream.ts): the real SDK's DWClient, asking the
 * gateway at a configurable origin (the SDK has the public URL built in) and staying stopped once
 * stopped, because disconnect() alone can be undone by a pending reconnect (see below).
 */
class StubbedDWClient extends DingTalkStreamClient {
  constructor(baseUrl: string, opts: { clientId: string; clientSecret: string }) {
    super({ ...opts, baseUrl }, { reconnectMs: 20 }); // 2.1.5 waits a fixed 1 s; tests need not
  }
}

// DWClient logs to the console (connect success, Disconnecting., socket errors): keep test output clean.
let logs: string[] = [];
beforeEach(() => {
  logs = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
  }
});
function startClient(stub: DingTalkStreamStub, listeners: Record<string, (msg: DWClientDownStream, client: StubbedDWClient) => void>, secret = stub.clientSecret) {
  const client = new StubbedDWClient(stub.baseUrl, { clientId: stub.clientId, clientSecret: secret });
  for (const [topic, fn] of Object.entries(listeners)) client.registerCallbackListener(topic, (msg) => fn(msg, client));
  void client.connect();
  cleanups.push(() => client.stop());
  return client;
}

describe('dingtalk-stream-stub with the real DWClient', () => {
  it('connects, delivers a robot message to registerCallbackListener, and gets the ACK socketCallBackResponse sends', async () => {
    const stub = await streamStub();
    const seen: { topic: string; messageId: string; data: unknown }[] = [];
    startClient(stub, {
      [TOPIC_ROBOT]: (msg, client) => {
        seen.push({ topic: msg.headers.topic, messageId: msg.headers.messageId, data: JSON.parse(msg.data) });
        client.socketCallBackResponse(msg.headers.messageId, EventAck.SUCCESS);
      },
    });
    const conn = await stub.waitForConnection();
    expect(stub.gatewayCalls).toEqual([expect.objectContaining({ clientId: stub.clientId, secretOk: true, accept: 'application/json', status: 200 })]);
    expect(conn.subscriptions).toContainEqual({ type: 'CALLBACK', topic: STREAM_TOPIC_ROBOT });

    const message = robotTextMessage('督查 分诊台态度生硬', { conversationId: 'cidG', senderStaffId: 'inspector1' });
    const ack = await stub.pushRobotMessage(message);
    expect(seen).toEqual([{ topic: STREAM_TOPIC_ROBOT, messageId: ack.messageId, data: message }]);
    // what socketCallBackResponse(id, x) puts on the wire: data = JSON.stringify({response: x})
    expect(ack).toMatchObject({ code: 200, message: 'OK', headers: { contentType: 'application/json', messageId: ack.messageId }, data: { response: 'SUCCESS' }, deliveries: 1 });
    expect(ack.rawData).toBe('{"response":"SUCCESS"}');
    expect(stub.protocolErrors).toEqual([]);
  });

  it('delivers a card callback; the ACK carries the card update, which the REST stub can apply', async () => {
    const rest = await restStub();
    const stub = await streamStub({ proxyTo: rest.baseUrl });
    // one base URL serves both: the stream stub forwards what it does not serve to the REST stub
    expect((await fetch(`${stub.baseUrl}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: rest.appKey, appSecret: rest.appSecret }) })).status).toBe(200);
    const token = await tokenOf(rest);
    await call(rest, 'POST', '/v1.0/card/instances/createAndDeliver', {
      token,
      body: {
        cardTemplateId: 'tpl.schema',
        outTrackId: 'task-7',
        callbackType: 'STREAM',
        cardData: { cardParamMap: { status: '待签收' } },
        openSpaceId: 'dtv1.card//IM_ROBOT.leader1',
        imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
      },
    });
    startClient(stub, {
      [TOPIC_CARD]: (msg, client) => {
        const data = JSON.parse(msg.data) as { content: string };
        const action = cardCallbackParams(data).action;
        client.socketCallBackResponse(msg.headers.messageId, {
          cardData: { cardParamMap: { status: action === 'accept' ? '已签收' : '已退回' } },
          cardUpdateOptions: { updateCardDataByKey: true },
        });
      },
    });
    await stub.waitForConnection();
    const payload = cardCallbackPayload({ outTrackId: 'task-7', userId: 'leader1', params: { action: 'accept' } });
    const ack = await stub.pushCardCallback(payload);
    expect(ack.data).toEqual({ response: { cardData: { cardParamMap: { status: '已签收' } }, cardUpdateOptions: { updateCardDataByKey: true } } });
    rest.applyCardCallbackResponse(payload.outTrackId, payload.userId, (ack.data as { response: unknown }).response);
    expect(rest.cardParams('task-7')).toEqual({ status: '已签收' });
  });

  it('redelivers an unACKed card callback with the same messageId; robot messages are fire-and-forget unless asked', async () => {
    const stub = await streamStub({ redeliverAfterMs: 80 });
    const cardIds: string[] = [];
    const robotIds: string[] = [];
    startClient(stub, {
      [TOPIC_CARD]: (msg, client) => {
        cardIds.push(msg.headers.messageId);
        if (cardIds.length === 2) client.socketCallBackResponse(msg.headers.messageId, {}); // ignores the first push
      },
      [TOPIC_ROBOT]: (msg, client) => {
        robotIds.push(msg.headers.messageId);
        if (robotIds.length === 3) client.socketCallBackResponse(msg.headers.messageId, null);
      },
    });
    await stub.waitForConnection();
    const ack = await stub.pushCardCallback(cardCallbackPayload({ outTrackId: 't', userId: 'u', params: {} }));
    expect(ack.deliveries).toBe(2);
    expect(cardIds).toEqual([ack.messageId, ack.messageId]);

    const lost = stub.pushRobotMessage(robotTextMessage('x'), { timeoutMs: 250 });
    await expect(lost).rejects.toMatchObject({ reason: 'timeout', deliveries: 1 });
    await expect(lost).rejects.toBeInstanceOf(StreamPushUnanswered);
    const retried = await stub.pushRobotMessage(robotTextMessage('y'), { redeliver: true });
    expect(retried.deliveries).toBe(2);
    expect(retried.data).toEqual({ response: null });
  });

  it('reconnects with a fresh ticket after the connection drops, and after a SYSTEM disconnect', async () => {
    const stub = await streamStub();
    const texts: string[] = [];
    startClient(stub, {
      [TOPIC_ROBOT]: (msg, client) => {
        texts.push((JSON.parse(msg.data) as { text: { content: string } }).text.content);
        client.socketCallBackResponse(msg.headers.messageId, null);
      },
    });
    await stub.waitForConnection();
    stub.drop();
    const second = await stub.waitForConnection({ count: 2 });
    expect(stub.gatewayCalls).toHaveLength(2);
    expect((await stub.pushRobotMessage(robotTextMessage('after drop'))).connectionId).toBe(second.connectionId);

    // SYSTEM disconnect: 2.1.5 only flags itself disconnected; it reconnects once the server closes the TCP
    stub.sendDisconnect({ closeAfterMs: 50 });
    const third = await stub.waitForConnection({ count: 3 });
    expect((await stub.pushRobotMessage(robotTextMessage('after disconnect'))).connectionId).toBe(third.connectionId);
    expect(texts).toEqual(['after drop', 'after disconnect']);
    expect(stub.openConnectionCount()).toBe(1);
  });

  it('answers a SYSTEM ping by echoing its opaque', async () => {
    const stub = await streamStub();
    startClient(stub, {});
    await stub.waitForConnection();
    const pong = await stub.ping();
    expect(pong).toMatchObject({ code: 200, data: { opaque: pong.opaque } });
    expect(stub.protocolErrors).toEqual([]);
  });

  it('SDK quirk: EVENT frames are ACKed by the SDK itself with the handler\'s return value, so an async handler ACKs "{}"', async () => {
    const stub = await streamStub();
    const client = startClient(stub, {});
    client.registerAllEventListener(() => ({ status: EventAck.SUCCESS }));
    await stub.waitForConnection();
    const sync = await stub.push({ type: 'EVENT', topic: '*', data: { chatId: 'x' }, headers: { eventType: 'chat_update_title', eventId: 'e1' } });
    expect(sync.data).toEqual({ status: 'SUCCESS' });
    client.registerAllEventListener((async () => ({ status: EventAck.LATER })) as unknown as Parameters<DWClient['registerAllEventListener']>[0]);
    const viaAsync = await stub.push({ type: 'EVENT', topic: '*', data: { chatId: 'x' } });
    expect(viaAsync.rawData).toBe('{}'); // JSON.stringify(a Promise): no status at all
  });

  it('SDK quirk: disconnect() while a reconnect is pending is undone — the client connects again', async () => {
    const stub = await streamStub();
    const client = startClient(stub, {});
    await stub.waitForConnection();
    // the stub sees the socket open before the client does: dropped before that, the client's
    // disconnect() would close a socket still opening, with nothing pending to undo it
    await stub.waitUntil(() => client.connected, 'the client to see its connection open');
    Reflect.set(client, 'reconnectInterval', 150);
    stub.drop();
    await stub.waitUntil(() => !client.connected, 'the client to notice the drop');
    client.disconnect(); // sets userDisconnect, but _connect() clears it again when the timer fires
    await stub.waitForConnection({ count: 2 });
    expect(stub.openConnectionCount()).toBe(1);
  });

  it('refuses wrong credentials; the SDK then retries at its fixed interval until stopped', async () => {
    const stub = await streamStub();
    const client = startClient(stub, {}, 'wrong-secret');
    await stub.waitUntil(() => stub.gatewayCalls.length >= 3, 'three refused gateway calls');
    client.stop();
    expect(stub.gatewayCalls.every((c) => c.status === 400 && !c.secretOk)).toBe(true);
    expect(stub.connectionCount()).toBe(0);
    const refused = await fetch(`${stub.baseUrl}${DINGTALK_GATEWAY_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: stub.clientId, clientSecret: 'wrong', subscriptions: [{ type: 'EVENT', topic: '*' }] }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'invalidClientIdOrSecret' });
  });
});

describe('dingtalk-stream-stub protocol rules (raw clients)', () => {
  interface RawWs {
    on(event: 'open', fn: () => void): this;
    on(event: 'unexpected-response' | 'error', fn: (...args: unknown[]) => void): this;
    close(): void;
  }
  const { WebSocket: RawWebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string) => RawWs };
  const openOrRefuse = (url: string) =>
    new Promise<'open' | 'refused'>((resolve) => {
      const ws = new RawWebSocket(url);
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', () => resolve('refused'));
      ws.on('error', () => resolve('refused'));
    });

  it('a ticket opens one connection only; without Accept: application/json the gateway answers XML', async () => {
    const stub = await streamStub();
    const open = (accept?: string) =>
      fetch(`${stub.baseUrl}${DINGTALK_GATEWAY_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
        body: JSON.stringify({ clientId: stub.clientId, clientSecret: stub.clientSecret, ua: 'raw', subscriptions: [{ type: 'CALLBACK', topic: STREAM_TOPIC_CARD }] }),
      });
    const { endpoint, ticket } = (await (await open('application/json')).json()) as { endpoint: string; ticket: string };
    expect(endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/connect$/);
    expect(await openOrRefuse(`${endpoint}?ticket=${ticket}`)).toBe('open');
    expect(await openOrRefuse(`${endpoint}?ticket=${ticket}`)).toBe('refused');
    const xml = await open();
    expect(xml.headers.get('content-type')).toMatch(/xml/);
  });

  it('a second DWClient inherits the first one\'s subscriptions (the SDK mutates a shared default array)', () => {
    const a = new DWClient({ clientId: 'a', clientSecret: 'a' });
    a.registerCallbackListener(TOPIC_CARD, () => undefined);
    const b = new DWClient({ clientId: 'b', clientSecret: 'b' });
    expect(b.getConfig().subscriptions).toContainEqual({ type: 'CALLBACK', topic: TOPIC_CARD });
    expect(b.listenerCount(TOPIC_CARD)).toBe(0); // subscribed, but nobody listens: such pushes are never ACKed
  });
});
