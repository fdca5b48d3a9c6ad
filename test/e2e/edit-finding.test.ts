// 修改问题 end to end on Feishu: the inspector corrects what was recorded (a typo, the wrong
// category) from their own card; the finding and the task's copy of its category change in one
// write with an event that keeps before and after, and every copy of the card shows the correction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_ef_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_ef_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_ef_wang', name: '王主任' };
const group: Chat = { id: 'oc_ef_supervision', type: 'group' };

let h: FeishuHarness;
let taskId = '';
let notice = '';
const db = () => h.server.database.sqlite;
const finding = () => db().prepare('select area, category, description from findings').get() as Record<string, string>;
const task = () => db().prepare('select category, state, version from tasks').get() as Record<string, unknown>;

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.say(inspector, group, '@督办 督查');
  const form = h.lastCardTo(group.id).messageId;
  await h.click(inspector, form, button(h.currentCard(form), '提交并下发整改').value, {
    area: '门诊大听',
    category: '服务态度',
    description: '挂号窗口排队秩序混乱',
    leader: wang.openId,
    deadline_date: '2026-12-11 +0800',
  });
  taskId = (db().prepare('select id from tasks').get() as { id: string }).id;
  notice = (db().prepare("select message_id from card_copies where purpose = 'group_notice'").get() as { message_id: string }).message_id;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('修改问题', () => {
  let own = '';

  it('is on the inspector’s own card, and opens a form holding what was recorded and the campaign’s categories', async () => {
    await h.click(inspector, notice, { a: 'open', t: taskId, v: 1 });
    own = h.lastCardTo(inspector.openId).messageId;
    expect(buttonsOf(h.currentCard(own)).map((b) => b.label)).toEqual(['催办', '调整期限', '修改问题', '撤销']);
    const mode = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    const form = mode.body.card!.data;
    expect(checkFeishuCard(form)).toEqual([]);
    const text = cardText(form);
    expect(text).toContain('"default_value":"门诊大听"');
    expect(text).toContain('"initial_option":"服务态度"');
    for (const category of ['服务态度', '服务流程', '服务质量', '服务环境']) expect(text).toContain(`"value":"${category}"`);
    expect(text).toContain('"default_value":"挂号窗口排队秩序混乱"');
  });

  it('corrects the finding and the task’s copy of its category in one write, and redraws every copy', async () => {
    const submit = button(h.currentCard(own), '提交：修改问题');
    const result = await h.click(inspector, own, submit.value, { area: '门诊大厅', category: '服务流程', description: '挂号窗口排队秩序混乱' });
    expect(result.body.toast).toEqual({ type: 'success', content: '问题已修改，各处的任务卡片将同步更新。' });
    expect(finding()).toEqual({ area: '门诊大厅', category: '服务流程', description: '挂号窗口排队秩序混乱' });
    expect(task()).toMatchObject({ category: '服务流程', state: 'pending', version: 2 });
    const event = db().prepare("select actor_user_id, data from task_events where action = 'edit_finding'").get() as { actor_user_id: string; data: string };
    expect(event.actor_user_id).toBe(inspector.openId);
    expect(JSON.parse(event.data)).toEqual({ before: { area: '门诊大听', category: '服务态度' }, after: { area: '门诊大厅', category: '服务流程' } });
    // the group's notice and the leader's card show the correction; the leader is not messaged again
    expect(cardText(h.currentCard(notice))).toContain('门诊大厅');
    const wangs = h.cardsTo(wang.openId);
    expect(wangs).toHaveLength(1);
    expect(cardText(h.currentCard(wangs[0]!.messageId))).toContain('服务流程');
    expect(buttonsOf(h.currentCard(wangs[0]!.messageId)).map((b) => b.label)).toEqual(['签收整改', '申请延期', '非本科室问题']);
  });

  it('says so when nothing was changed, and refuses the leader, changing nothing', async () => {
    const mode = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    const again = await h.click(inspector, own, button(mode.body.card!.data, '提交：修改问题').value, finding());
    expect(again.body.toast).toEqual({ type: 'error', content: '内容没有改动。' });
    const forged = await h.click(wang, notice, { a: 'edit_finding', t: taskId, v: 2 }, { area: '别处', category: '服务质量', description: '改掉' });
    expect(forged.body.toast?.type).toBe('error');
    expect(forged.body.toast?.content).toContain('无权');
    expect(finding()).toEqual({ area: '门诊大厅', category: '服务流程', description: '挂号窗口排队秩序混乱' });
    expect(task()).toMatchObject({ version: 2 });
  });

  it('takes a category of the inspector’s own under 「其他」, as the intake form does', async () => {
    // the refused edit above left the form open: back to the buttons first
    await h.click(inspector, own, button(h.currentCard(own), '返回').value);
    const mode = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    expect(cardText(mode.body.card!.data)).toContain('其他（在下方填写）');
    const result = await h.click(inspector, own, button(mode.body.card!.data, '提交：修改问题').value, { ...finding(), category: '__other__', category_custom: '医德医风' });
    expect(result.body.toast?.type).toBe('success');
    expect(finding()).toMatchObject({ category: '医德医风' });
    expect(task()).toMatchObject({ category: '医德医风', version: 3 });
  });

  it('moves the finding to the department it belongs to, in the reports too, and leaves its leader', async () => {
    await h.say(admin, group, '@督办 科室 新增 急诊科');
    await h.say(admin, group, '@督办 科室 新增 门诊部');
    const outpatient = (db().prepare("select id from departments where name = '门诊部'").get() as { id: string }).id;
    const mode = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    const text = cardText(mode.body.card!.data);
    expect(text).toContain('责任科室');
    expect(text).toContain('"content":"门诊部"');
    const result = await h.click(inspector, own, button(mode.body.card!.data, '提交：修改问题').value, { ...finding(), department: outpatient });
    expect(result.body.toast?.type).toBe('success');
    expect(db().prepare('select department_id from findings').get()).toEqual({ department_id: outpatient });
    expect(db().prepare('select department_id, leader_user_id from tasks').get()).toEqual({ department_id: outpatient, leader_user_id: wang.openId });
    expect(cardText(h.currentCard(notice))).toContain('门诊部（门诊大厅）');
    // a department that is not this organisation's is refused, and changes nothing
    await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    const forged = await h.click(inspector, own, button(h.currentCard(own), '提交：修改问题').value, { ...finding(), department: 'no-such-department' });
    expect(forged.body.toast).toEqual({ type: 'error', content: '请检查「责任科室」：未填写或格式不对。' });
    expect(db().prepare('select department_id from findings').get()).toEqual({ department_id: outpatient });
  });
});
