// The rectification loop on Feishu, end to end: real HTTP routes, real Lark SDK, real SQLite file,
// against the stub Feishu Open API on 127.0.0.1. From 设为督查群 and 督查 to 销号, with a failed
// verification, an approved extension, a decline and reassignment, a stale click, a wrong-person
// click and a duplicate delivery. Every card the bot produced is checked against Card JSON 2.0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const inspector: Person = { openId: 'ou_inspector_li', name: '李督查' };
const wang: Person = { openId: 'ou_leader_wang', name: '王主任' };
const zhang: Person = { openId: 'ou_leader_zhang', name: '张主任' };
const outsider: Person = { openId: 'ou_someone_else', name: '路人甲' };
const group: Chat = { id: 'oc_supervision_group', type: 'group' };
const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);

let h: FeishuHarness;
const clickResponses: FeishuCard[] = [];

async function click(person: Person, messageId: string, value: Record<string, unknown>, form?: Record<string, unknown>, eventId?: string) {
  const result = await h.click(person, messageId, value, form, eventId);
  expect(result.status).toBe(200);
  if (result.body.card) clickResponses.push(result.body.card.data);
  return result.body;
}

function taskRow() {
  return h.server.database.sqlite.prepare('select * from tasks').get() as Record<string, unknown>;
}

function count(table: string): number {
  return (h.server.database.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
}

beforeAll(async () => {
  h = await FeishuHarness.start({ startAt: '2026-11-23T09:30:00+08:00' });
});
afterAll(async () => {
  await h?.close();
});

describe('the rectification loop on Feishu', () => {
  let intakeMessageId = '';
  let wangCardId = '';
  let zhangCardId = '';
  let groupNoticeId = '';

  it('binds the supervision group; the first user becomes admin and the chat is told', async () => {
    const { status } = await h.say(inspector, group, '@督办 设为督查群');
    expect(status).toBe(200);
    const reply = h.messagesTo(group.id).at(-1)!;
    expect(reply.msgType).toBe('text');
    expect(JSON.stringify(reply.content)).toContain('已成为管理员');
    expect(JSON.stringify(reply.content)).toContain(`<at user_id=\\"${inspector.openId}\\">`);
  });

  it('adds a department with its default leader', async () => {
    await h.say(inspector, group, '@督办 科室 新增 急诊科 @王主任', { mentions: [wang] });
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('已新增科室「急诊科」');
    await h.say(inspector, group, '@督办 科室');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain('急诊科');
  });

  it('opens a pre-filled intake form and counts the photo sent just before', async () => {
    await h.sendImage(inspector, group, PHOTO);
    await h.say(inspector, group, '@督办 督查 #服务态度 急诊科分诊台护士态度生硬 @王主任 3个工作日', { mentions: [wang] });
    const intake = h.lastCardTo(group.id);
    intakeMessageId = intake.messageId;
    const card = intake.content as FeishuCard;
    const text = cardText(card);
    expect(card.header.title.content).toBe('督查登记');
    expect(text).toContain('已收到 1 张现场照片');
    expect(text).toContain('急诊科分诊台护士态度生硬');
    expect(text).toContain('"initial_option":"服务态度"');
    expect(text).toContain(`"initial_option":"${wang.openId}"`);
    expect(text).toContain('"initial_date":"2026-11-26"');
    expect(button(card, '提交并下发整改').formName).toBe('intake');
  });

  it('refuses a form with a missing field, naming it, and creates nothing', async () => {
    const sentBefore = h.stub.sent.length;
    const submit = button(h.currentCard(intakeMessageId), '提交并下发整改');
    const body = await click(inspector, intakeMessageId, submit.value, { category: '服务态度', leader: wang.openId, deadline_text: '3个工作日' });
    expect(body.toast?.type).toBe('error');
    expect(body.toast?.content).toContain('主要问题');
    expect(count('findings')).toBe(0);
    expect(h.stub.sent.length).toBe(sentBefore);
  });

  it('files the finding: group notice @-mentions the leader, the leader gets the task card by DM', async () => {
    const submit = button(h.currentCard(intakeMessageId), '提交并下发整改');
    const form = { department: '', area: '分诊台', category: '服务态度', description: '急诊科分诊台护士态度生硬', leader: wang.openId, deadline_date: '2026-11-26 +0800' };
    const body = await click(inspector, intakeMessageId, submit.value, form, 'evt_submit_once');
    expect(body.toast).toEqual({ type: 'success', content: '已登记第1号问题，已通知责任领导。' });
    expect(body.card?.data.header.title.content).toBe('已登记 · 第1号问题');

    const notice = h.lastCardTo(group.id);
    groupNoticeId = notice.messageId;
    const noticeCard = notice.content as FeishuCard;
    expect(cardText(noticeCard)).toContain(`<at id=${wang.openId}></at>`);
    expect(buttonsOf(noticeCard).map((b) => b.label)).toEqual(['查看 / 办理']);
    expect(cardText(noticeCard)).toContain('"tag":"img"');
    expect(h.stub.uploads).toHaveLength(1);
    expect(h.stub.uploads[0]!.bytes).toEqual(PHOTO);

    const dm = h.lastCardTo(wang.openId);
    expect(dm.receiveIdType).toBe('open_id');
    wangCardId = dm.messageId;
    expect(buttonsOf(dm.content as FeishuCard).map((b) => b.label)).toEqual(['签收整改', '申请延期', '非本科室问题']);
    expect(taskRow()).toMatchObject({ state: 'pending', leader_user_id: wang.openId, deadline: '2026-11-26', version: 1 });

    // a redelivery of the same event changes nothing and gets the same answer
    const sentBefore = h.stub.sent.length;
    const again = await click(inspector, intakeMessageId, submit.value, form, 'evt_submit_once');
    expect(again.toast?.content).toBe('已登记第1号问题，已通知责任领导。');
    expect(count('findings')).toBe(1);
    expect(h.stub.sent.length).toBe(sentBefore);

    // a second click on the same form (a new event) files nothing either
    const twice = await click(inspector, intakeMessageId, submit.value, form);
    expect(twice.toast?.content).toContain('已提交过');
    expect(count('findings')).toBe(1);
  });

  it('refuses the wrong person with a toast and no change', async () => {
    const accept = button(h.currentCard(wangCardId), '签收整改');
    const body = await click(outsider, wangCardId, accept.value);
    expect(body.toast?.type).toBe('error');
    expect(body.toast?.content).toContain('无权');
    expect(body.card).toBeUndefined();
    expect(taskRow()['version']).toBe(1);
  });

  it('lets the leader decline; the inspector reassigns to another leader', async () => {
    const mode = await click(wang, wangCardId, button(h.currentCard(wangCardId), '非本科室问题').value);
    const declineForm = mode.card!.data;
    const submit = button(declineForm, '提交：非本科室问题');
    const body = await click(wang, wangCardId, submit.value, { reason: '分诊台归护理部管理' });
    expect(body.toast?.type).toBe('success');
    expect(taskRow()).toMatchObject({ state: 'declined', version: 2 });

    const inspectorCard = h.lastCardTo(inspector.openId);
    expect(cardText(inspectorCard.content as FeishuCard)).toContain('分诊台归护理部管理');
    const reassignMode = await click(inspector, inspectorCard.messageId, button(inspectorCard.content as FeishuCard, '重新指派').value);
    const reassign = button(reassignMode.card!.data, '提交：重新指派');
    const done = await click(inspector, inspectorCard.messageId, reassign.value, { new_leader: zhang.openId });
    expect(done.toast?.type).toBe('success');
    expect(taskRow()).toMatchObject({ state: 'pending', leader_user_id: zhang.openId, version: 3 });

    zhangCardId = h.lastCardTo(zhang.openId).messageId;
    expect(buttonsOf(h.currentCard(zhangCardId)).map((b) => b.label)).toContain('签收整改');
    // wang's copy was updated in place and no longer offers him anything
    expect(h.stub.patches.some((p) => p.messageId === wangCardId)).toBe(true);
    expect(buttonsOf(h.currentCard(wangCardId))).toEqual([]);
  });

  it('accepts with measures; a double click is answered as stale and changes nothing', async () => {
    const mode = await click(zhang, zhangCardId, button(h.currentCard(zhangCardId), '签收整改').value);
    const submit = button(mode.card!.data, '提交：签收整改');
    const measures = { measures: '组织分诊台护士服务礼仪培训，纳入科室考核' };
    const first = await click(zhang, zhangCardId, submit.value, measures);
    expect(first.toast?.type).toBe('success');
    expect(taskRow()).toMatchObject({ state: 'in_progress', version: 4 });

    const second = await click(zhang, zhangCardId, submit.value, measures);
    expect(second.toast?.type).toBe('warning');
    expect(second.toast?.content).toContain('卡片已过期');
    expect(buttonsOf(second.card!.data).map((b) => b.label)).toEqual(['提交整改完成', '申请延期', '修改整改措施']);
    expect(taskRow()['version']).toBe(4);
  });

  it('requests an extension; the inspector approves and the deadline moves', async () => {
    const mode = await click(zhang, zhangCardId, button(h.currentCard(zhangCardId), '申请延期').value);
    const submit = button(mode.card!.data, '提交：申请延期');
    const asked = await click(zhang, zhangCardId, submit.value, { requested_date: '2026-12-04 +0800', reason: '培训需协调排班' });
    expect(asked.toast?.type).toBe('success');
    const decisionCard = h.lastCardTo(inspector.openId);
    expect(cardText(decisionCard.content as FeishuCard)).toContain('申请延期至 2026年12月4日');
    const approved = await click(inspector, decisionCard.messageId, button(decisionCard.content as FeishuCard, '同意延期').value);
    expect(approved.toast?.type).toBe('success');
    expect(taskRow()).toMatchObject({ deadline: '2026-12-04', version: 6 });
    const row = h.server.database.sqlite.prepare('select status, decided_by from extension_requests').get();
    expect(row).toEqual({ status: 'approved', decided_by: inspector.openId });
    expect(cardText(h.lastCardTo(zhang.openId).content as FeishuCard)).toContain('延期申请已同意');
  });

  it('attaches a photo replied to the task card as evidence', async () => {
    await h.sendImage(zhang, p2p(zhang), PHOTO, { parentId: zhangCardId });
    const evidence = h.server.database.sqlite.prepare("select task_id from attachments where purpose = 'evidence'").all();
    expect(evidence).toHaveLength(1);
    expect(JSON.stringify(h.messagesTo(p2p(zhang).id).at(-1)!.content)).toContain('整改佐证');
  });

  async function submitDone(note: string) {
    const mode = await click(zhang, zhangCardId, button(h.currentCard(zhangCardId), '提交整改完成').value);
    const submit = button(mode.card!.data, '提交：提交整改完成');
    const body = await click(zhang, zhangCardId, submit.value, { note, closure_kind: 'done' });
    expect(body.toast?.type).toBe('success');
    return h.lastCardTo(inspector.openId);
  }

  async function returnIt(verifyCard: { messageId: string; content: unknown }, reason: string) {
    const mode = await click(inspector, verifyCard.messageId, button(verifyCard.content as FeishuCard, '退回整改').value);
    const body = await click(inspector, verifyCard.messageId, button(mode.card!.data, '提交：退回整改').value, { reason });
    expect(body.toast?.type).toBe('success');
  }

  it('returns a submission twice, which escalates to the supervision group', async () => {
    const verify1 = await submitDone('已培训一次');
    expect(buttonsOf(verify1.content as FeishuCard).map((b) => b.label)).toEqual(['验收通过（销号）', '退回整改', '撤销']);
    await returnIt(verify1, '未见考核记录');
    expect(taskRow()).toMatchObject({ state: 'in_progress', returns_count: 1 });
    expect(cardText(h.lastCardTo(zhang.openId).content as FeishuCard)).toContain('整改被退回：未见考核记录');

    const groupCardsBefore = h.cardsTo(group.id).length;
    const verify2 = await submitDone('补充了考核记录');
    await returnIt(verify2, '考核记录未签字');
    const escalation = h.cardsTo(group.id).slice(groupCardsBefore);
    expect(escalation).toHaveLength(1);
    expect((escalation[0]!.content as FeishuCard).header.title.content).toBe('红色督办 · 第1号问题');
    expect(cardText(escalation[0]!.content as FeishuCard)).toContain(`<at id=${zhang.openId}></at>`);
  });

  it('passes verification: the item is closed (销号) and every copy shows it', async () => {
    const verify3 = await submitDone('考核记录已签字归档');
    const body = await click(inspector, verify3.messageId, button(verify3.content as FeishuCard, '验收通过').value);
    expect(body.toast).toEqual({ type: 'success', content: '验收通过，已销号。' });
    expect(taskRow()).toMatchObject({ state: 'closed', closure_kind: 'done', returns_count: 2 });
    expect(cardText(h.currentCard(groupNoticeId))).toContain('已销号');
    expect(cardText(h.currentCard(zhangCardId))).toContain('已销号');

    const events = h.server.database.sqlite.prepare('select seq, action, actor_user_id from task_events order by seq').all() as { action: string }[];
    expect(events.map((e) => e.action)).toEqual([
      'create', 'decline', 'reassign', 'accept', 'request_extension', 'approve_extension',
      'submit', 'verify_fail', 'submit', 'verify_fail', 'submit', 'verify_pass',
    ]);
  });

  it('lists my tasks, and nothing is left in the outbox', async () => {
    await h.say(zhang, p2p(zhang), '我的任务');
    expect((h.lastCardTo(zhang.openId).content as FeishuCard).header.title.content).toBe('我的任务（0）');
    expect(h.server.database.sqlite.prepare("select count(*) n from outbox where status != 'sent'").get()).toEqual({ n: 0 });
  });

  it('refuses a delivery with a bad signature: 401, a log line, no state change', async () => {
    const before = count('inbound_deliveries');
    const response = await fetch(`${h.server.url}/webhooks/feishu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': String(Math.floor(h.now / 1000)), 'x-lark-request-nonce': 'n', 'x-lark-signature': 'f'.repeat(64) },
      body: JSON.stringify({ encrypt: 'AAAA' }),
    });
    expect(response.status).toBe(401);
    expect(count('inbound_deliveries')).toBe(before);
  });

  it('produced only valid Card JSON 2.0', () => {
    const cards = [
      ...h.stub.sent.filter((m) => m.msgType === 'interactive').map((m) => m.content),
      ...h.stub.patches.map((p) => p.content),
      ...clickResponses,
    ];
    expect(cards.length).toBeGreaterThan(20);
    for (const card of cards) expect(checkFeishuCard(card)).toEqual([]);
  });
});
