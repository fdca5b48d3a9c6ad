// 逾期 end to end on Feishu: the supervision group asks what is overdue now and gets the open tasks
// past their deadline (待签收, 整改中; not one waiting for 验收), most overdue first, each with its
// leader and a button to its card; a leader in a direct chat sees only theirs; a task given a new
// deadline (调整期限) leaves the list; an ordinary group gets no task details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_ol_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_ol_inspector', name: '督查员冯' };
const wang: Person = { openId: 'ou_ol_wang', name: '王主任' };
const zhang: Person = { openId: 'ou_ol_zhang', name: '张主任' };
const group: Chat = { id: 'oc_ol_supervision', type: 'group' };

let h: FeishuHarness;

async function file(leader: Person, description: string, deadline: string): Promise<string> {
  await h.fileFinding(inspector, group, { area: '门诊', category: '服务流程', description, leader: leader.openId, deadline_date: `${deadline} +0800` });
  return h.lastCardTo(leader.openId).messageId;
}

async function act(who: Person, messageId: string, label: string, form: Record<string, unknown>) {
  const { body } = await h.act(who, messageId, label, form);
  expect(body.toast?.type, `${label}: ${body.toast?.content}`).toBe('success');
}

const lastCard = (chat: string) => h.lastCardTo(chat).content as FeishuCard;

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector], { startAt: '2026-11-02T09:30:00+08:00' });
  await file(wang, '挂号窗口排队无人疏导', '2026-11-04');
  await file(zhang, '药房取药等候过长', '2026-11-10');
  await file(wang, '导诊标识不清', '2026-12-04');
  const submitted = await file(zhang, '自助机故障', '2026-11-05');
  await act(zhang, submitted, '签收整改', { measures: '联系厂家' });
  await act(zhang, submitted, '提交整改完成', { note: '已维修', closure_kind: 'done' });
  h.now = Date.parse('2026-11-24T10:00:00+08:00');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('逾期', () => {
  it('lists the overdue tasks of the supervision group, most overdue first, each with its leader and a button', async () => {
    await h.say(admin, group, '@督办 逾期');
    const card = lastCard(group.id);
    expect(card.header.title.content).toBe('逾期任务（2）');
    expect(card.header.template).toBe('red');
    expect(checkFeishuCard(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain('截至今日逾期未完成**2项**，其中红色督办2项。');
    const first = text.indexOf('挂号窗口排队无人疏导');
    const second = text.indexOf('药房取药等候过长');
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(text).not.toContain('导诊标识不清'); // not due yet
    expect(text).not.toContain('自助机故障'); // waiting for 验收
    expect(text).toContain('已逾期14个工作日');
    expect(text).toContain(`责任领导 <at id=${wang.openId}></at>`);
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['打开任务卡片', '打开任务卡片']);
  });

  it('shows a leader in a direct chat only their own, and an ordinary group nothing', async () => {
    await h.say(wang, p2p(wang), '逾期');
    const own = lastCard(wang.openId);
    expect(own.header.title.content).toBe('逾期任务（1）');
    expect(cardText(own)).toContain('挂号窗口排队无人疏导');
    expect(cardText(own)).toContain('只列出您负责或登记的任务。');
    const chatter: Chat = { id: 'oc_ol_chatter', type: 'group' };
    await h.say(admin, chatter, '@督办 逾期');
    expect(JSON.stringify(h.messagesTo(chatter.id).at(-1)!.content)).toContain('请在督查群中，或在与「督办」的私聊中查看逾期任务。');
  });

  it('drops a task given a new deadline (调整期限)', async () => {
    await h.say(inspector, p2p(inspector), '第1号问题');
    await act(inspector, h.lastCardTo(inspector.openId).messageId, '调整期限', { deadline_date: '2026-12-18 +0800', reason: '需改造排队系统，经院办同意' });
    await h.say(admin, group, '@督办 逾期清单');
    const card = lastCard(group.id);
    expect(card.header.title.content).toBe('逾期任务（1）');
    expect(cardText(card)).not.toContain('挂号窗口排队无人疏导');
  });
});
