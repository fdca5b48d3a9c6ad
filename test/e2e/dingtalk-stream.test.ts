// DINGTALK_MODE=stream: the Node server receives robot messages and card clicks over DingTalk's
// Stream connection, dialled by the real dingtalk-stream SDK to the local gateway stand-in, which
// forwards Open API calls to the REST stand-in. No public URL, no HTTP callback route.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer, type NodeServer } from '../../src/runtime/node.js';
import { startDingTalkStreamStub, type DingTalkStreamStub } from '../support/dingtalk-stream-stub.js';
import { startDingTalkStub, type DingTalkStub } from '../support/dingtalk-stub.js';
import { cardCallbackPayload, robotTextMessage } from '../support/dingtalk-webhook.js';

const GROUP = 'cidStreamGroup0001';
const INSPECTOR = 'staff_stream_inspector';
const LEADER = 'staff_stream_leader';

let rest: DingTalkStub;
let gateway: DingTalkStreamStub;
let server: NodeServer;
let dir: string;

beforeEach(async () => {
  // the SDK prints its own connection news to the console
  for (const level of ['info', 'warn', 'error', 'log'] as const) vi.spyOn(console, level).mockImplementation(() => undefined);
  rest = await startDingTalkStub();
  gateway = await startDingTalkStreamStub({ clientId: rest.appKey, clientSecret: rest.appSecret, proxyTo: rest.baseUrl, redeliverAfterMs: 300 });
  dir = mkdtempSync(join(tmpdir(), 'duban-stream-'));
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: join(dir, 'duban.sqlite'),
    DINGTALK_MODE: 'stream',
    DINGTALK_CLIENT_ID: rest.appKey,
    DINGTALK_CLIENT_SECRET: rest.appSecret,
    DINGTALK_CARD_TEMPLATE_ID: 'duban-general.schema',
    DINGTALK_BASE_URL: gateway.baseUrl,
    DINGTALK_OAPI_BASE_URL: rest.baseUrl,
  });
  server = await startNodeServer(config, { log: memoryLogger(), pollMs: 0 });
  await gateway.waitForConnection();
}, 30_000);

afterEach(async () => {
  await server.close();
  await gateway.close();
  await rest.close();
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const say = (text: string, staffId = INSPECTOR, msgId?: string) => robotTextMessage(text, { conversationId: GROUP, senderStaffId: staffId, ...(msgId ? { msgId } : {}) });
const rows = <T>(sql: string) => server.database.sqlite.prepare(sql).all() as T[];

describe('DINGTALK_MODE=stream', () => {
  it('subscribes to robot messages and card callbacks with the app credentials', () => {
    const { subscriptions } = gateway.gatewayCalls.at(-1)! as { subscriptions: { topic: string }[] };
    const topics = subscriptions.map((s) => s.topic);
    expect(topics).toEqual(expect.arrayContaining(['/v1.0/im/bot/messages/get', '/v1.0/card/instances/callback']));
    expect(gateway.protocolErrors).toEqual([]);
  });

  it('acknowledges a robot message once it is recorded, then answers in the group', async () => {
    const ack = await gateway.pushRobotMessage(say('设为督查群'));
    expect(ack.code).toBe(200);
    expect(rows('select count(*) n from inbound_deliveries')).toEqual([{ n: 1 }]);
    await server.settle();
    expect(String(rest.sentTo(GROUP).at(-1)?.param['content'])).toContain('督查群');
    // cards ask for their clicks over the same connection
    await gateway.pushRobotMessage(say('帮助'));
    await server.settle();
    expect([...rest.cards.values()].at(-1)!.callbackType).toBe('STREAM');
  });

  it('answers a card click in its acknowledgement, with the updated card', async () => {
    await gateway.pushRobotMessage(say('设为督查群'));
    await gateway.pushRobotMessage(say('督查'));
    await server.settle();
    const form = [...rest.cards.values()].at(-1)!;
    const { submit } = JSON.parse(form.params['form']!) as { submit: { payload: string } };
    const ack = await gateway.pushCardCallback(
      cardCallbackPayload({
        outTrackId: form.outTrackId,
        userId: INSPECTOR,
        params: { payload: submit.payload, area: '住院部', category: '服务环境', description: '走廊杂物堆放', leader: LEADER, deadline_text: '5个工作日' },
        space: { type: 'IM_GROUP', openConversationId: GROUP },
      }),
    );
    expect(ack.code).toBe(200);
    const answer = (ack.data as { response: { userPrivateData: { cardParamMap: Record<string, string> }; cardData: unknown } }).response;
    expect(answer.userPrivateData.cardParamMap['noticeType']).toBe('success');
    expect(answer.cardData).toBeDefined();
    await server.settle();
    expect(rows('select state, leader_user_id from tasks')).toEqual([{ state: 'pending', leader_user_id: LEADER }]);
  });

  it('changes nothing when the same message comes again', async () => {
    await gateway.pushRobotMessage(say('设为督查群', INSPECTOR, 'msgStreamRepeat'));
    await server.settle();
    const sent = rest.sent.length;
    await gateway.pushRobotMessage(say('设为督查群', INSPECTOR, 'msgStreamRepeat'));
    await server.settle();
    expect(rest.sent).toHaveLength(sent);
  });

  it('reconnects after the connection drops', async () => {
    gateway.drop();
    await gateway.waitForConnection({ count: 2 });
    expect((await gateway.pushRobotMessage(say('帮助'))).code).toBe(200);
  });
});
