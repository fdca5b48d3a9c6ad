// FEISHU_MODE=ws: the Node server receives through Feishu's long connection instead of a webhook.
// The real SDK WSClient dials the local stand-in (test/support/feishu-ws-stub.ts), which forwards
// the Open API calls to the REST stub, so the whole loop runs: a message in, a form, a submitted
// form answered in the acknowledgement, the leader's task card out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer, type NodeServer } from '../../src/runtime/node.js';
import { startFeishuStub, type FeishuStub } from '../support/feishu-stub.js';
import { cardActionEvent, messageEvent } from '../support/feishu-webhook.js';
import { startFeishuWsStub, type FeishuWsStub } from '../support/feishu-ws-stub.js';

const APP_ID = 'cli_a1b2c3d4e5f60718';
const APP_SECRET = 'ws-app-secret';
const TENANT = 'tenant_intranet';
const GROUP = 'oc_ws_group';
const inspector = { openId: 'ou_ws_inspector', name: '钱督查' };
const leader = { openId: 'ou_ws_leader', name: '孙主任' };

let rest: FeishuStub;
let ws: FeishuWsStub;
let server: NodeServer;
let dir: string;

beforeEach(async () => {
  rest = await startFeishuStub({ appId: APP_ID, appSecret: APP_SECRET });
  ws = await startFeishuWsStub({ appId: APP_ID, appSecret: APP_SECRET, proxyTo: rest.baseUrl, clientConfig: { PingInterval: 60, ReconnectInterval: 0.05, ReconnectNonce: 0 } });
  dir = mkdtempSync(join(tmpdir(), 'duban-ws-'));
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: join(dir, 'duban.sqlite'),
    FEISHU_MODE: 'ws',
    FEISHU_APP_ID: APP_ID,
    FEISHU_APP_SECRET: APP_SECRET,
    FEISHU_BASE_URL: ws.baseUrl,
    FEISHU_VERIFICATION_TOKEN: 'ws-verification-token',
  });
  server = await startNodeServer(config, { log: memoryLogger(), pollMs: 0 });
  await ws.waitForConnection();
}, 30_000);

afterEach(async () => {
  await server.close();
  await ws.close();
  await rest.close();
  rmSync(dir, { recursive: true, force: true });
});

function say(person: { openId: string }, text: string, options: { eventId?: string; mentionBot?: boolean } = {}) {
  const messageId = `om_ws_${Math.random().toString(36).slice(2, 10)}`;
  rest.noteUserMessage(messageId, GROUP);
  return messageEvent({
    tenantKey: TENANT,
    messageId,
    chatId: GROUP,
    chatType: 'group',
    senderOpenId: person.openId,
    text: options.mentionBot === false ? text : `@_user_1 ${text}`,
    mentions: options.mentionBot === false ? [] : [{ key: '@_user_1', openId: rest.botOpenId, name: '督办' }],
    token: 'ws-verification-token',
    createTimeMs: Date.now(),
    ...(options.eventId ? { eventId: options.eventId } : {}),
  });
}

const count = (sql: string) => (server.database.sqlite.prepare(sql).get() as { n: number }).n;

describe('FEISHU_MODE=ws', () => {
  it('connects with the app credentials and needs no webhook', async () => {
    expect(ws.endpointCalls.at(-1)).toMatchObject({ appId: APP_ID, code: 0 });
    expect(ws.openConnectionCount()).toBe(1);
    expect(ws.protocolErrors).toEqual([]);
  });

  it('runs a message through the same pipeline as the webhook, acknowledged once recorded', async () => {
    const ack = await ws.pushEvent(say(inspector, '设为督查群'));
    expect(ack.code).toBe(200);
    // acknowledged only after the delivery was in the database: a crash now loses nothing
    expect(count('select count(*) n from inbound_deliveries')).toBe(1);
    await server.settle();
    const reply = rest.sent.find((m) => m.chatId === GROUP);
    expect(JSON.stringify(reply?.content)).toContain('督查群');
    expect(count('select count(*) n from chat_bindings')).toBe(1);
  });

  it('answers a submitted card form in the acknowledgement, and sends the leader the task', async () => {
    await ws.pushEvent(say(inspector, '设为督查群'));
    await ws.pushEvent(say(inspector, '督查'));
    await server.settle();
    const form = rest.sent.filter((m) => m.chatId === GROUP && m.msgType === 'interactive').at(-1)!;
    const card = rest.messages.get(form.messageId) as { body: { elements: Record<string, unknown>[] } };
    const formElement = card.body.elements.find((e) => e['tag'] === 'form') as { elements: Record<string, unknown>[] };
    const submit = formElement.elements.find((e) => e['tag'] === 'button')!;
    const value = (submit['behaviors'] as { value: unknown }[])[0]!.value;

    const ack = await ws.pushCardAction(
      cardActionEvent({
        tenantKey: TENANT,
        operatorOpenId: inspector.openId,
        messageId: form.messageId,
        chatId: GROUP,
        value,
        formValue: { area: '门诊大厅', category: '服务态度', description: '导诊台无人值守', leader: leader.openId, deadline_text: '3个工作日' },
        token: 'ws-verification-token',
      }),
    );
    expect(ack.code).toBe(200);
    const answer = ack.data as { toast: { type: string; content: string }; card?: { type: string } };
    expect(answer.toast.type).toBe('success');
    expect(answer.card?.type).toBe('raw');
    await server.settle();
    expect(count("select count(*) n from tasks where state = 'pending'")).toBe(1);
    const toLeader = rest.sent.filter((m) => m.receiveId === leader.openId && m.msgType === 'interactive');
    expect(toLeader).toHaveLength(1);
    expect(JSON.stringify(toLeader[0]!.content)).toContain('导诊台无人值守');
  });

  it('changes nothing when Feishu delivers the same event again', async () => {
    const event = say(inspector, '设为督查群', { eventId: 'ev_ws_repeat' });
    await ws.pushEvent(event);
    await server.settle();
    const sent = rest.sent.length;
    const again = await ws.pushEvent(event);
    expect(again.code).toBe(200);
    await server.settle();
    expect(rest.sent).toHaveLength(sent);
    expect(count('select count(*) n from inbound_deliveries')).toBe(1);
  });

  it('reconnects after the connection drops and keeps working', async () => {
    ws.drop();
    await ws.waitForConnection({ count: 2 });
    const ack = await ws.pushEvent(say(inspector, '帮助'));
    expect(ack.code).toBe(200);
    await server.settle();
    expect(rest.sent.some((m) => JSON.stringify(m.content).includes('使用说明'))).toBe(true);
  });
});
