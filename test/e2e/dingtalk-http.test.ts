// DingTalk in HTTP mode, end to end: signed robot messages posted to our real route, the real
// DingTalk client (fetch) against the local stand-in of DingTalk's Open API, a real SQLite file.
// Commands answered in the group and in one-to-one chats, cards delivered as interactive cards,
// the ledger as a file, an app of a second organisation on its own path, and the outbox keeping
// to 20 messages a minute per group.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addChatApp } from '../../src/app/chat-apps.js';
import { deliverOutbox } from '../../src/app/deliver-outbox.js';
import { textOps } from '../../src/app/outgoing.js';
import { parseConfig } from '../../src/config.js';
import { readSheets } from '../../src/excel/read-sheets.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer, type NodeServer } from '../../src/runtime/node.js';
import { DINGTALK_ERRORS, startDingTalkStub, stubDingTalkEnv, type DingTalkStub } from '../support/dingtalk-stub.js';
import { startDingTalkWorld, type DingTalkWorld } from '../support/dingtalk-server.js';
import { startFeishuStub } from '../support/feishu-stub.js';
import { buildFeishuWebhookRequest, messageEvent } from '../support/feishu-webhook.js';
import { cardCallbackPayload, robotTextMessage, signedCardCallback, signedRobotDelivery, DINGTALK_DEFAULT_CORP_ID } from '../support/dingtalk-webhook.js';

const TEMPLATE = 'duban-general.schema';
const GROUP = 'cidSupervisionGroup0001';
const INSPECTOR = 'staff_inspector';
const LEADER = 'staff_leader';

let world: DingTalkWorld;
let stub: DingTalkStub;
let server: NodeServer;
let clock: number;

beforeEach(async () => {
  clock = Date.now();
  world = await startDingTalkWorld(() => clock, TEMPLATE);
  ({ stub, server } = world);
});

afterEach(async () => {
  await world.close();
});

async function post(message: object, options: { path?: string; secret?: string; nowMs?: number } = {}) {
  const request = signedRobotDelivery(message, { appSecret: options.secret ?? stub.appSecret, nowMs: options.nowMs ?? clock });
  const response = await fetch(`${server.url}${options.path ?? '/webhooks/dingtalk'}`, { method: 'POST', headers: request.headers, body: request.rawBody });
  await server.settle();
  return response;
}

const say = (text: string, options: { staffId?: string; group?: boolean; msgId?: string; mentions?: { staffId: string }[] } = {}) =>
  robotTextMessage(text, {
    senderStaffId: options.staffId ?? INSPECTOR,
    ...(options.group === false ? { group: false } : { conversationId: GROUP }),
    ...(options.msgId ? { msgId: options.msgId } : {}),
    ...(options.mentions ? { mentions: options.mentions } : {}),
  });

/** `userId` clicks a button (or submits the form) of the card `outTrackId`, as DingTalk posts it in HTTP mode. */
async function click(userId: string, outTrackId: string, payload: string, inputs: Record<string, string> = {}, space: { type: 'IM_GROUP'; openConversationId: string } | { type: 'IM_ROBOT' } = { type: 'IM_ROBOT' }) {
  const request = signedCardCallback(cardCallbackPayload({ outTrackId, userId, params: { payload, ...inputs }, space }), { apiSecret: stub.appSecret, nowMs: clock });
  const response = await fetch(`${server.url}/webhooks/dingtalk/card`, { method: 'POST', headers: request.headers, body: request.rawBody });
  const body = (await response.json()) as { cardData?: { cardParamMap: Record<string, string> }; userPrivateData?: { cardParamMap: Record<string, string> } };
  await server.settle();
  return { status: response.status, body };
}

const rows = <T>(sql: string) => server.database.sqlite.prepare(sql).all() as T[];

describe('DingTalk over HTTP', () => {
  it('binds the supervision group and answers in it', async () => {
    expect((await post(say('设为督查群'))).status).toBe(200);
    expect(rows('select chat_id from chat_bindings')).toEqual([{ chat_id: GROUP }]);
    const reply = stub.sentTo(GROUP).at(-1)!;
    expect(reply).toMatchObject({ kind: 'group', msgKey: 'sampleText' });
    expect(String(reply.param['content'])).toContain('督查群');
    // the first to bind becomes the tenant's admin, known by the enterprise userId
    expect(rows("select user_id, role from member_roles")).toContainEqual({ user_id: INSPECTOR, role: 'admin' });
    expect(rows('select id from tenants')).toEqual([{ id: `dingtalk:${DINGTALK_DEFAULT_CORP_ID}` }]);
  });

  it('delivers cards as interactive cards filled from the general template', async () => {
    await post(say('帮助'));
    const [card] = [...stub.cards.values()];
    expect(card).toMatchObject({ cardTemplateId: TEMPLATE, spaces: [{ spaceType: 'IM_GROUP', spaceId: GROUP }] });
    expect(card!.params['title']).toBe('督办 · 使用说明');
    // clicks come back over HTTP: the route was registered, pointing at our card path
    expect(card!.callbackType).toBe('HTTP');
    expect([...stub.callbackRoutes.values()]).toEqual([expect.objectContaining({ callbackRouteKey: card!.callbackRouteKey, callbackUrl: 'https://duban.hospital.test/webhooks/dingtalk/card' })]);
    expect(card!.params['content']).toContain('督查');
    // every parameter is a string, as DingTalk requires
    expect(Object.values(card!.params).every((v) => typeof v === 'string')).toBe(true);
  });

  it('prefills the intake form from a one-line 督查 with an @-mentioned leader', async () => {
    await post(say('设为督查群'));
    await post(say('督查 #服务态度 挂号窗口态度生硬 @李主任 3个工作日', { mentions: [{ staffId: LEADER }] }));
    const form = [...stub.cards.values()].at(-1)!;
    const fields = JSON.parse(form.params['form']!) as { fields: { name: string; initial: string }[] };
    const initial = Object.fromEntries(fields.fields.map((f) => [f.name, f.initial]));
    expect(initial).toMatchObject({ category: '服务态度', leader: LEADER });
    expect(initial['description']).toContain('挂号窗口态度生硬');
  });

  it('files the finding when the form is submitted from the card, and sends the leader a task card', async () => {
    await post(say('设为督查群'));
    await post(say('督查', { mentions: [] }));
    const form = [...stub.cards.values()].at(-1)!;
    const { submit } = JSON.parse(form.params['form']!) as { submit: { payload: string } };
    const answer = await click(INSPECTOR, form.outTrackId, submit.payload, { area: '门诊大厅', category: '服务态度', description: '导诊台无人值守', leader: LEADER, deadline_text: '3个工作日' }, { type: 'IM_GROUP', openConversationId: GROUP });
    expect(answer.status).toBe(200);
    expect(answer.body.userPrivateData?.cardParamMap['noticeType']).toBe('success');
    expect(answer.body.cardData?.cardParamMap['title']).toBeTruthy();
    expect(rows("select state, leader_user_id from tasks")).toEqual([{ state: 'pending', leader_user_id: LEADER }]);
    const taskCard = [...stub.cards.values()].find((c) => c.spaces.some((s) => s.spaceType === 'IM_ROBOT' && s.spaceId === LEADER))!;
    expect(taskCard.params['content']).toContain('导诊台无人值守');
    const buttons = JSON.parse(taskCard.params['buttons']!) as { text: string; payload: string }[];
    expect(buttons.map((b) => b.text).join(' ')).toContain('签收');

    // the same click delivered again (DingTalk retries) files nothing more
    await click(INSPECTOR, form.outTrackId, submit.payload, { area: '门诊大厅', category: '服务态度', description: '导诊台无人值守', leader: LEADER, deadline_text: '3个工作日' }, { type: 'IM_GROUP', openConversationId: GROUP });
    expect(rows('select count(*) n from findings')).toEqual([{ n: 1 }]);
  });

  it('answers a card callback with a Chinese notice when the click cannot be read', async () => {
    await post(say('帮助'));
    const card = [...stub.cards.values()].at(-1)!;
    const answer = await click(INSPECTOR, card.outTrackId, 'not json');
    expect(answer.status).toBe(200);
    expect(answer.body.userPrivateData?.cardParamMap['noticeType']).toBe('error');
    expect(answer.body.userPrivateData?.cardParamMap['notice']).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('answers a one-to-one chat in that chat, by the person', async () => {
    await post(say('我的任务', { group: false, staffId: LEADER }));
    const card = [...stub.cards.values()].at(-1)!;
    expect(card.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: LEADER }]);
  });

  it('sends the ledger as a file the group can open', async () => {
    await post(say('设为督查群'));
    await post(say('台账'));
    const file = stub.sentTo(GROUP).find((m) => m.msgKey === 'sampleFile')!;
    expect(file.param).toMatchObject({ fileType: 'xlsx' });
    const sheets = await readSheets(stub.uploadOf(file)!.bytes);
    expect(sheets.map((s) => s.name)).toContain('附件2 问题清单汇总表');
  });

  it('changes nothing when DingTalk delivers the same message again', async () => {
    await post(say('设为督查群', { msgId: 'msgRepeat1' }));
    const sent = stub.sent.length;
    expect((await post(say('设为督查群', { msgId: 'msgRepeat1' }))).status).toBe(200);
    expect(stub.sent).toHaveLength(sent);
    expect(rows('select count(*) n from inbound_deliveries')).toEqual([{ n: 1 }]);
  });

  it('refuses a wrong signature or a stale timestamp, and changes nothing', async () => {
    expect((await post(say('设为督查群'), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await post(say('设为督查群'), { nowMs: clock - 2 * 3600_000 })).status).toBe(401);
    expect(rows('select count(*) n from inbound_deliveries')).toEqual([{ n: 0 }]);
    expect(stub.sent).toHaveLength(0);
  });

  it("serves a second organisation's DingTalk app on its own path, through its own credentials", async () => {
    const other = await startDingTalkStub({ appKey: 'dingotherapp00002', appSecret: 'other-secret' });
    try {
      const added = await addChatApp(server.deps, { id: 'hospital-d', platform: 'dingtalk', appKey: other.appKey, appSecret: other.appSecret, baseUrl: other.baseUrl, oapiBaseUrl: other.baseUrl, cardTemplateId: TEMPLATE });
      expect(added).toMatchObject({ ok: true, webhookPath: '/webhooks/dingtalk/hospital-d' });
      const message = robotTextMessage('设为督查群', { conversationId: 'cidOtherGroup', corpId: 'dingothercorp', senderStaffId: 'staff_other', robotCode: other.appKey });
      expect((await post(message, { path: '/webhooks/dingtalk/hospital-d', secret: other.appSecret })).status).toBe(200);
      expect(other.sentTo('cidOtherGroup')).toHaveLength(1);
      expect(stub.sent).toHaveLength(0);
      expect(rows("select id, app_id from tenants")).toEqual([{ id: 'dingtalk:dingothercorp', app_id: 'hospital-d' }]);
      // the environment's app cannot act for that corp
      const forged = robotTextMessage('台账', { conversationId: 'cidOtherGroup', corpId: 'dingothercorp', senderStaffId: 'staff_other' });
      expect((await post(forged)).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('sends a card again after a crash between DingTalk making it and the row being marked sent: delivered, once', async () => {
    await post(say('设为督查群'));
    await post(say('帮助'));
    const row = rows<{ id: string; idempotency_key: string }>("select id, idempotency_key from outbox where status = 'sent' and body like '%使用说明%'")[0]!;
    expect(stub.cards.has(row.idempotency_key)).toBe(true);
    const cards = stub.cards.size;
    // what the database holds when the server is killed right after DingTalk answered
    server.database.sqlite.prepare("update outbox set status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = null, sent_at = null, message_id = null where id = ?").run(row.id);
    await deliverOutbox(server.deps);
    expect(rows(`select status, last_error from outbox where id = '${row.id}'`)).toEqual([{ status: 'sent', last_error: null }]);
    expect(stub.cards.size).toBe(cards);
  });

  it('keeps to 20 messages a minute to one group, holding the rest back unspent', async () => {
    await post(say('设为督查群'));
    const [tenant] = await server.deps.store.listTenants();
    const ops = Array.from({ length: 25 }, (_, i) => textOps(server.deps, tenant!, { kind: 'chat', chatId: GROUP }, `第${i + 1}条`)).flat();
    await server.deps.store.commit(ops);
    const before = stub.sentTo(GROUP).length;
    const report = await deliverOutbox(server.deps);
    expect(stub.sentTo(GROUP).length - before).toBe(20 - before);
    expect(report.paced).toBeGreaterThan(0);
    expect(rows("select count(*) n from outbox where status = 'pending' and attempts = 0")).toEqual([{ n: 25 - (20 - before) }]);
  });

  it('retries a send DingTalk throttles, and delivers it once when allowed', async () => {
    stub.failNext(2, { ...DINGTALK_ERRORS.qpsLimit, path: '/v1.0/robot/groupMessages/send' });
    await post(say('设为督查群'));
    expect(stub.sentTo(GROUP)).toHaveLength(0);
    expect(rows("select status, attempts from outbox")).toEqual([{ status: 'pending', attempts: 1 }]);
    for (let round = 0; round < 2; round++) {
      clock += 10 * 60_000;
      await deliverOutbox(server.deps);
    }
    expect(stub.sentTo(GROUP)).toHaveLength(1);
    expect(rows("select status, attempts from outbox")).toEqual([{ status: 'sent', attempts: 3 }]);
  });
});

describe('a Feishu tenant and a DingTalk corp on one deployment', () => {
  it('answers each on its own platform, as two tenants', async () => {
    const feishu = await startFeishuStub();
    const dingtalk = await startDingTalkStub();
    const where = mkdtempSync(join(tmpdir(), 'duban-both-'));
    const both = await startNodeServer(
      parseConfig({
        PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(where, 'duban.sqlite'),
        FEISHU_APP_ID: feishu.appId, FEISHU_APP_SECRET: feishu.appSecret, FEISHU_BASE_URL: feishu.baseUrl, FEISHU_ENCRYPT_KEY: 'both-key', FEISHU_VERIFICATION_TOKEN: 'both-token',
        ...stubDingTalkEnv(dingtalk, TEMPLATE),
      }),
      { log: memoryLogger(), pollMs: 0 },
    );
    try {
      // the stub learns which chat the message is in, so the bot's reply to it lands there
      feishu.noteUserMessage('om_feishu_bind', 'oc_feishu_group');
      const toFeishu = buildFeishuWebhookRequest({
        body: messageEvent({ tenantKey: 'feishu_hospital', messageId: 'om_feishu_bind', chatId: 'oc_feishu_group', chatType: 'group', senderOpenId: 'ou_feishu_inspector', text: '@_user_1 设为督查群', mentions: [{ key: '@_user_1', openId: feishu.botOpenId, name: '督办' }], token: 'both-token' }),
        encryptKey: 'both-key',
      });
      expect((await fetch(`${both.url}/webhooks/feishu`, { method: 'POST', headers: toFeishu.headers, body: toFeishu.rawBody })).status).toBe(200);
      const toDingTalk = signedRobotDelivery(robotTextMessage('设为督查群', { conversationId: 'cidDingTalkGroup', senderStaffId: 'staff_dt' }), { appSecret: dingtalk.appSecret });
      expect((await fetch(`${both.url}/webhooks/dingtalk`, { method: 'POST', headers: toDingTalk.headers, body: toDingTalk.rawBody })).status).toBe(200);
      await both.settle();
      expect(feishu.sent.filter((m) => m.chatId === 'oc_feishu_group')).toHaveLength(1);
      expect(dingtalk.sentTo('cidDingTalkGroup')).toHaveLength(1);
      const tenants = both.database.sqlite.prepare('select id, platform from tenants order by id').all();
      expect(tenants).toEqual([
        { id: `dingtalk:${DINGTALK_DEFAULT_CORP_ID}`, platform: 'dingtalk' },
        { id: 'feishu:feishu_hospital', platform: 'feishu' },
      ]);
      const health = (await (await fetch(`${both.url}/healthz`)).json()) as Record<string, string>;
      expect(health).toMatchObject({ feishu: 'configured', dingtalk: 'configured' });
    } finally {
      await both.close();
      await feishu.close();
      await dingtalk.close();
      rmSync(where, { recursive: true, force: true });
    }
  });
});

describe('a DingTalk app half set up', () => {
  it('is named at start-up with what is missing, and DingTalk stays off', async () => {
    const where = mkdtempSync(join(tmpdir(), 'duban-half-'));
    const log = memoryLogger();
    const half = await startNodeServer(parseConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(where, 'duban.sqlite'), DINGTALK_CLIENT_ID: 'dinghalfconfigured', DINGTALK_CLIENT_SECRET: 's' }), { log, pollMs: 0 });
    try {
      const warning = log.entries.find((e) => e.message.startsWith('钉钉配置不完整'));
      expect(warning?.message).toContain('DINGTALK_CARD_TEMPLATE_ID');
      expect(warning?.message).toContain('PUBLIC_URL');
      expect((await fetch(`${half.url}/webhooks/dingtalk`, { method: 'POST', body: '{}' })).status).toBe(503);
    } finally {
      await half.close();
      rmSync(where, { recursive: true, force: true });
    }
  });
});
