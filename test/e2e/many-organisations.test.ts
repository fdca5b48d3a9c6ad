// Two hospitals on one deployment: hospital A's app is the environment's (/webhooks/feishu),
// hospital B's is kept in the database (/webhooks/feishu/hospital-b), each with its own keys and
// its own Feishu (two stubs). Neither ever sees the other's findings, people, bulletins or ledger,
// and neither app can act for the other's tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSheets } from '../../src/excel/read-sheets.js';
import { runCli } from '../../src/runtime/cli.js';
import { buttonsOf, FeishuConversation, type AppKeys, type Chat, type FeishuCard, type Person } from '../support/feishu-conversation.js';
import { FeishuHarness } from '../support/feishu-harness.js';
import { startFeishuStub, type FeishuStub } from '../support/feishu-stub.js';
import { buildFeishuWebhookRequest, cardActionEvent, messageEvent } from '../support/feishu-webhook.js';
import { join } from 'node:path';

const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
const B_KEYS: AppKeys = { encryptKey: 'hospital-b-encrypt-key', verificationToken: 'hospital-b-token' };
const B_APP = { id: 'hospital-b', appId: 'cli_b2c3d4e5f6071829', appSecret: 'hospital-b-app-secret' };

/** Hospital B's people, talking to the same server through B's own app path and keys. */
class HospitalB extends FeishuConversation {
  constructor(stub: FeishuStub, private readonly a: FeishuHarness) {
    super(stub, 'tenant_hospital_b', B_KEYS);
  }
  protected clockMs(): number {
    return this.a.now;
  }
  protected webhookUrl(): string {
    return `${this.a.server.url}/webhooks/feishu/${B_APP.id}`;
  }
  protected settle(): Promise<void> {
    return this.a.server.settle();
  }
}

const inspectorA: Person = { openId: 'ou_a_inspector', name: '赵督查' };
const leaderA: Person = { openId: 'ou_a_leader', name: '钱主任' };
const groupA: Chat = { id: 'oc_a_supervision', type: 'group' };
const inspectorB: Person = { openId: 'ou_b_inspector', name: '孙督查' };
const leaderB: Person = { openId: 'ou_b_leader', name: '李主任' };
const groupB: Chat = { id: 'oc_b_supervision', type: 'group' };

let a: FeishuHarness;
let stubB: FeishuStub;
let b: HospitalB;
let cliOutput: string[];

async function fileFinding(who: FeishuConversation, inspector: Person, group: Chat, leader: Person, description: string): Promise<void> {
  await who.say(inspector, group, '@督办 督查');
  const form = who.lastCardTo(group.id).messageId;
  const formElement = who.currentCard(form).body.elements.find((e) => e['tag'] === 'form') as { elements: Record<string, unknown>[] };
  const submit = formElement.elements.find((e) => e['tag'] === 'button')!;
  const value = (submit['behaviors'] as { value: unknown }[])[0]!.value;
  const result = await who.click(inspector, form, value, { area: '门诊', category: '服务态度', description, leader: leader.openId, deadline_text: '3个工作日' });
  expect(result.body.toast?.type).toBe('success');
}

const dbRows = <T>(sql: string) => a.server.database.sqlite.prepare(sql).all() as T[];

beforeAll(async () => {
  a = await FeishuHarness.start({ env: { APP_SECRETS_KEY: SECRETS_KEY } });
  stubB = await startFeishuStub({ appId: B_APP.appId, appSecret: B_APP.appSecret });
  cliOutput = [];
  const env = { DATABASE_PATH: join(a.dataDir, 'duban.sqlite'), APP_SECRETS_KEY: SECRETS_KEY };
  const code = await runCli(
    ['app', 'add', '--id', B_APP.id, '--app-id', B_APP.appId, '--app-secret', B_APP.appSecret, '--encrypt-key', B_KEYS.encryptKey,
      '--verification-token', B_KEYS.verificationToken, '--base-url', stubB.baseUrl, '--name', '第二人民医院'],
    env,
    (line) => cliOutput.push(line),
  );
  expect(code, cliOutput.join('\n')).toBe(0);
  b = new HospitalB(stubB, a);

  await a.say(inspectorA, groupA, '@督办 设为督查群');
  await b.say(inspectorB, groupB, '@督办 设为督查群');
  await fileFinding(a, inspectorA, groupA, leaderA, '甲院挂号窗口态度生硬');
  await fileFinding(b, inspectorB, groupB, leaderB, '乙院导诊台无人值守');
}, 60_000);

afterAll(async () => {
  await a.close();
  await stubB.close();
});

describe('one deployment, two hospitals', () => {
  it('adds hospital B with its own webhook path, and keeps its secrets sealed at rest', async () => {
    expect(cliOutput.join('\n')).toContain('/webhooks/feishu/hospital-b');
    const [row] = dbRows<{ sealed_secrets: string; app_key: string }>('select sealed_secrets, app_key from apps');
    expect(row!.app_key).toBe(B_APP.appId);
    for (const secret of [B_APP.appSecret, B_KEYS.encryptKey, B_KEYS.verificationToken]) expect(row!.sealed_secrets).not.toContain(secret);
    const listed: string[] = [];
    await runCli(['app', 'list'], { DATABASE_PATH: join(a.dataDir, 'duban.sqlite'), APP_SECRETS_KEY: SECRETS_KEY }, (line) => listed.push(line));
    expect(listed.join('\n')).toContain('hospital-b\tfeishu\tcli_b2c3d4e5f6071829\t第二人民医院\t/webhooks/feishu/hospital-b');
    expect(listed.join('\n')).not.toContain(B_APP.appSecret);
  });

  it('talks to each hospital through its own Feishu app only', () => {
    const chatsOf = (stub: FeishuStub) => new Set(stub.sent.map((m) => m.chatId ?? m.receiveId));
    expect([...chatsOf(a.stub)].some((id) => id === groupB.id || id === leaderB.openId)).toBe(false);
    expect([...chatsOf(stubB)].some((id) => id === groupA.id || id === leaderA.openId)).toBe(false);
    expect(b.cardsTo(leaderB.openId)).toHaveLength(1);
    expect(JSON.stringify(b.cardsTo(leaderB.openId)[0]!.content)).toContain('乙院导诊台无人值守');
    // B's calls used B's credentials: its token came from B's stub
    expect(stubB.tokenRequests()).toBeGreaterThan(0);
  });

  it('keeps tenants, findings and members apart in the database', () => {
    const tenants = dbRows<{ id: string; app_id: string | null }>('select id, app_id from tenants order by id');
    expect(tenants).toEqual([
      { id: 'feishu:tenant_hospital', app_id: null },
      { id: 'feishu:tenant_hospital_b', app_id: 'hospital-b' },
    ]);
    const findings = dbRows<{ tenant_id: string; description: string }>('select tenant_id, description from findings order by tenant_id');
    expect(findings).toEqual([
      { tenant_id: 'feishu:tenant_hospital', description: '甲院挂号窗口态度生硬' },
      { tenant_id: 'feishu:tenant_hospital_b', description: '乙院导诊台无人值守' },
    ]);
  });

  it('shows each hospital only its own people', async () => {
    await b.say(inspectorB, groupB, '@督办 角色');
    const roles = JSON.stringify(b.lastCardTo(groupB.id).content) + JSON.stringify(b.messagesTo(groupB.id).at(-1)?.content);
    expect(roles).toContain(inspectorB.openId);
    expect(roles).not.toContain(inspectorA.openId);
  });

  it('gives each hospital a bulletin of its own figures', async () => {
    await b.say(inspectorB, groupB, '@督办 通报');
    const bulletin = JSON.stringify(b.lastCardTo(groupB.id).content);
    expect(bulletin).toContain('服务态度');
    expect(bulletin).not.toContain('甲院');
    await a.say(inspectorA, groupA, '@督办 通报');
    expect(JSON.stringify(a.lastCardTo(groupA.id).content)).not.toContain('乙院');
  });

  it('sends each hospital a ledger of its own findings, in chat and from the admin route', async () => {
    await b.say(inspectorB, groupB, '@督办 台账');
    const file = stubB.sent.filter((m) => m.msgType === 'file').at(-1)!;
    const sheets = JSON.stringify(await readSheets(stubB.fileOf(file)!.bytes));
    expect(sheets).toContain('乙院导诊台无人值守');
    expect(sheets).not.toContain('甲院');
    const response = await fetch(`${a.server.url}/admin/ledger.xlsx?tenant=feishu:tenant_hospital`, { headers: { authorization: `Bearer ${a.adminToken}` } });
    const fromRoute = JSON.stringify(await readSheets(new Uint8Array(await response.arrayBuffer())));
    expect(fromRoute).toContain('甲院挂号窗口态度生硬');
    expect(fromRoute).not.toContain('乙院');
  });

  it("refuses B's app acting for A's tenant, and A's keys on B's path", async () => {
    const before = dbRows('select * from inbound_deliveries').length;
    const forged = messageEvent({ tenantKey: 'tenant_hospital', chatId: groupA.id, chatType: 'group', senderOpenId: inspectorB.openId, text: '@_user_1 设为督查群', mentions: [{ key: '@_user_1', openId: stubB.botOpenId, name: '督办' }], token: B_KEYS.verificationToken, createTimeMs: a.now });
    const signedByB = buildFeishuWebhookRequest({ body: forged, encryptKey: B_KEYS.encryptKey, nowMs: a.now });
    const viaB = await fetch(`${a.server.url}/webhooks/feishu/${B_APP.id}`, { method: 'POST', headers: signedByB.headers, body: signedByB.rawBody });
    expect(viaB.status).toBe(403);

    const signedByA = buildFeishuWebhookRequest({ body: forged, encryptKey: 'test-encrypt-key-0123456789', nowMs: a.now });
    const aKeysOnB = await fetch(`${a.server.url}/webhooks/feishu/${B_APP.id}`, { method: 'POST', headers: signedByA.headers, body: signedByA.rawBody });
    expect(aKeysOnB.status).toBe(401);
    await a.server.settle();
    expect(dbRows('select * from inbound_deliveries')).toHaveLength(before);
  });

  it("refuses a click in B on A's task: each tenant's tasks are out of the other's reach", async () => {
    const taskCardA = a.cardsTo(leaderA.openId)[0]!;
    const value = buttonsOf(a.currentCard(taskCardA.messageId) as FeishuCard)[0]?.value;
    expect(value).toBeDefined();
    const [taskA] = dbRows<{ state: string; version: number }>("select state, version from tasks where tenant_id = 'feishu:tenant_hospital'");
    const click = cardActionEvent({ tenantKey: 'tenant_hospital_b', operatorOpenId: leaderA.openId, messageId: taskCardA.messageId, value, token: B_KEYS.verificationToken });
    const signed = buildFeishuWebhookRequest({ body: click, encryptKey: B_KEYS.encryptKey, nowMs: a.now });
    const response = await fetch(`${a.server.url}/webhooks/feishu/${B_APP.id}`, { method: 'POST', headers: signed.headers, body: signed.rawBody });
    const body = (await response.json()) as { toast?: { type: string; content: string } };
    // B's tenant has no such task: the id names a task of A's, which B's reads never reach
    expect(body.toast).toEqual({ type: 'error', content: '没有找到该任务，可能已被撤销。' });
    await a.server.settle();
    expect(dbRows("select state, version from tasks where tenant_id = 'feishu:tenant_hospital'")).toEqual([taskA]);
  });

  it('answers 404 for an app that does not exist', async () => {
    const request = buildFeishuWebhookRequest({ body: { schema: '2.0' }, encryptKey: B_KEYS.encryptKey, nowMs: a.now });
    const response = await fetch(`${a.server.url}/webhooks/feishu/no-such-hospital`, { method: 'POST', headers: request.headers, body: request.rawBody });
    expect(response.status).toBe(404);
  });
});
