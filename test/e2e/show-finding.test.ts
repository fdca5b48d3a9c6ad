// 「第12号问题」 end to end on Feishu: a finding's task card on demand, in the supervision group
// (the group's copy, kept in step like the first notice) and in a direct chat (the asker's own copy
// with their buttons, for those the task concerns or who oversee), and silence where a bare 「1号」
// is only a date in chatter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_sf_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_sf_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_sf_wang', name: '王主任' };
const sun: Person = { openId: 'ou_sf_sun', name: '孙主任' };
const group: Chat = { id: 'oc_sf_supervision', type: 'group' };
const ward: Chat = { id: 'oc_sf_ward_chat', type: 'group' };

let h: FeishuHarness;
let taskId = '';
const db = () => h.server.database.sqlite;
const groupCopies = () => (db().prepare("select count(*) n from card_copies where task_id = ? and purpose = 'group_notice' and chat_id = ? and viewer_user_id is null").get(taskId, group.id) as { n: number }).n;

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.say(admin, group, `@督办 授权 @${sun.name} 责任领导`, { mentions: [sun] });
  await h.fileFinding(inspector, group, {
    area: '住院部二楼',
    category: '服务环境',
    description: '护士站呼叫铃无人应答',
    leader: wang.openId,
    deadline_date: '2026-12-11 +0800',
  });
  taskId = (db().prepare('select id from tasks').get() as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('第N号问题: a finding’s card on demand', () => {
  it('in the supervision group, sends the group’s copy, which later changes keep in step', async () => {
    const before = groupCopies();
    await h.say(admin, group, '@督办 第1号问题');
    const sent = h.lastCardTo(group.id);
    const card = sent.content as FeishuCard;
    expect(card.header.title.content).toBe('整改任务 · 第1号问题');
    expect(cardText(card)).toContain('护士站呼叫铃无人应答');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['查看 / 办理']);
    expect(checkFeishuCard(card)).toEqual([]);
    expect(groupCopies()).toBe(before + 1);

    // 王主任 accepts from his own card: the copy sent on demand is redrawn too
    const own = h.lastCardTo(wang.openId).messageId;
    const mode = await h.click(wang, own, button(h.currentCard(own), '签收整改').value);
    await h.click(wang, own, button(mode.body.card!.data, '提交：签收整改').value, { measures: '呼叫铃接入护士站大屏' });
    expect(cardText(h.currentCard(sent.messageId))).toContain('整改中');
    // a card points to the finding's 处理记录 once there is more to it than its filing
    expect(cardText(card)).not.toContain('号记录');
    expect(cardText(h.currentCard(sent.messageId))).toContain('处理记录：发送「1号记录」查看每一步');
  });

  it('answers 「查看 1」 in a direct chat with the asker’s own card and buttons', async () => {
    await h.say(wang, p2p(wang), '查看 1');
    const mine = h.lastCardTo(wang.openId).content as FeishuCard;
    expect(buttonsOf(mine).map((b) => b.label)).toEqual(['提交整改完成', '申请延期', '修改整改措施']);
    await h.say(inspector, p2p(inspector), '1号问题');
    const inspectors = h.lastCardTo(inspector.openId).content as FeishuCard;
    expect(inspectors.header.title.content).toBe('整改任务 · 第1号问题');
    expect(buttonsOf(inspectors).map((b) => b.label)).toEqual(['催办', '调整期限', '修改问题', '撤销']);
  });

  it('refuses a leader the task does not concern, and says when there is no such finding', async () => {
    const cards = h.cardsTo(sun.openId).length;
    await h.say(sun, p2p(sun), '第1号问题');
    expect(JSON.stringify(h.messagesTo(sun.openId).at(-1)!.content)).toContain('您无权查看第1号问题');
    expect(h.cardsTo(sun.openId)).toHaveLength(cards);
    await h.say(admin, group, '@督办 第99号问题');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('没有找到第99号问题');
  });

  it('stays silent on a bare 「1号」 nobody addressed to it, and keeps findings out of other groups', async () => {
    const sent = h.stub.sent.length;
    await h.say(admin, group, '1号');
    expect(h.stub.sent.length).toBe(sent);
    await h.say(admin, group, '@督办 1号');
    expect((h.lastCardTo(group.id).content as FeishuCard).header.title.content).toBe('整改任务 · 第1号问题');
    await h.say(admin, ward, '@督办 第1号问题');
    expect(JSON.stringify(h.messagesTo(ward.id).at(-1)!.content)).toContain('请在督查群中，或在与「督办」的私聊中查看问题');
    expect(h.cardsTo(ward.id)).toHaveLength(0);
  });
});

describe('「1号记录」: a finding’s history on demand', () => {
  const historyIn = (chatId: string) => h.lastCardTo(chatId).content as FeishuCard;

  it('tells the supervision group every step so far, oldest first, with who acted and what they wrote', async () => {
    // 王主任 (who accepted above) reports it done; the inspector returns it with a reason
    const own = h.lastCardTo(wang.openId).messageId;
    const mode = await h.click(wang, own, button(h.currentCard(own), '提交整改完成').value);
    await h.click(wang, own, button(mode.body.card!.data, '提交：提交整改完成').value, { note: '已安排专人值守', closure_kind: 'done' });
    const verify = h.lastCardTo(inspector.openId);
    const failMode = await h.click(inspector, verify.messageId, button(verify.content as FeishuCard, '退回整改').value);
    const returned = await h.click(inspector, verify.messageId, button(failMode.body.card!.data, '提交：退回整改').value, { reason: '夜班仍无人应答' });
    expect(returned.body.toast?.type).toBe('success');

    await h.say(admin, group, '@督办 1号记录');
    const card = historyIn(group.id);
    expect(card.header.title.content).toBe('处理记录 · 第1号问题');
    expect(checkFeishuCard(card)).toEqual([]);
    const text = cardText(card);
    const steps = [
      `<at id=${inspector.openId}></at> 登记问题，责任领导 <at id=${wang.openId}></at>，整改完成时间 2026年12月11日`,
      `<at id=${wang.openId}></at> 签收，整改措施：呼叫铃接入护士站大屏`,
      `<at id=${wang.openId}></at> 提交整改完成（已整改完成）：已安排专人值守`,
      `<at id=${inspector.openId}></at> 验收不通过，退回整改（第1次）：夜班仍无人应答`,
    ];
    const at = steps.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0), text).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain('**2026年11月23日 09:30**');
    expect(text).toContain('共 4 条记录');
    // an answer, not a copy of the task card: nothing keeps it in step
    const copies = h.server.database.sqlite.prepare('select count(*) n from card_copies where message_id = ?').get(h.lastCardTo(group.id).messageId) as { n: number };
    expect(copies.n).toBe(0);
  });

  it('answers the task’s leader in a direct chat, and refuses a leader it does not concern', async () => {
    await h.say(wang, p2p(wang), '处理记录 1');
    expect(historyIn(wang.openId).header.title.content).toBe('处理记录 · 第1号问题');
    const cards = h.cardsTo(sun.openId).length;
    await h.say(sun, p2p(sun), '第1号问题的处理记录');
    expect(JSON.stringify(h.messagesTo(sun.openId).at(-1)!.content)).toContain('您无权查看第1号问题');
    expect(h.cardsTo(sun.openId)).toHaveLength(cards);
    await h.say(admin, ward, '@督办 1号记录');
    expect(h.cardsTo(ward.id)).toHaveLength(0);
  });
});

describe('「查找 呼叫铃」: findings by what people remember of them', () => {
  const titleIn = (chatId: string) => (h.lastCardTo(chatId).content as FeishuCard).header.title.content;

  it('lists the matching findings in the supervision group, each with a button to its card', async () => {
    await h.say(admin, group, '@督办 查找 呼叫铃 二楼');
    const card = h.lastCardTo(group.id).content as FeishuCard;
    expect(card.header.title.content).toBe('查找「呼叫铃」「二楼」（1）');
    expect(checkFeishuCard(card)).toEqual([]);
    expect(cardText(card)).toContain('第1号问题');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['打开任务卡片']);
    await h.say(admin, group, '@督办 查找 呼叫铃 三楼');
    expect(titleIn(group.id)).toBe('查找「呼叫铃」「三楼」（0）');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain('没有找到包含「呼叫铃」「三楼」的问题');
  });

  it('answers a leader in a direct chat with their own findings only', async () => {
    await h.say(wang, p2p(wang), '查找 呼叫铃');
    expect(titleIn(wang.openId)).toBe('查找「呼叫铃」（1）');
    await h.say(sun, p2p(sun), '搜索 呼叫铃');
    expect(titleIn(sun.openId)).toBe('查找「呼叫铃」（0）');
    expect(cardText(h.lastCardTo(sun.openId).content as FeishuCard)).toContain('只列出您负责或登记的问题');
  });

  it('stays silent on 「查询…」 chatter nobody addressed to it, and keeps findings out of other groups', async () => {
    const sent = h.stub.sent.length;
    await h.say(admin, group, '查询 明天的排班');
    expect(h.stub.sent.length).toBe(sent);
    await h.say(admin, group, '@督办 查找，、');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('用法：查找 关键词');
    await h.say(admin, ward, '@督办 查找 呼叫铃');
    expect(JSON.stringify(h.messagesTo(ward.id).at(-1)!.content)).toContain('请在督查群中，或在与「督办」的私聊中查找问题');
    expect(h.cardsTo(ward.id)).toHaveLength(0);
  });
});
