// 移交 end to end on Feishu: a responsible leader moves on, and a supervisor passes their open
// tasks and departments to a successor — through the real HTTP route, the real Lark SDK and a
// real SQLite file, against the stub Feishu Open API. Also 重新指派 on a task under way, from the
// supervisor's own card.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_ho_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_ho_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_ho_wang', name: '王主任' };
const zhao: Person = { openId: 'ou_ho_zhao', name: '赵主任' };
const sun: Person = { openId: 'ou_ho_sun', name: '孙主任' };
const group: Chat = { id: 'oc_ho_supervision', type: 'group' };
const DEADLINE = '2026-12-11';

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const cardsSeen: FeishuCard[] = [];

interface Filed {
  id: string;
  number: number;
  notice: string;
}

function task(id: string) {
  return db().prepare('select state, leader_user_id, measures, deadline, version from tasks where id = ?').get(id) as {
    state: string;
    leader_user_id: string;
    measures: string | null;
    deadline: string;
    version: number;
  };
}

function snapshotAll() {
  return {
    tasks: db().prepare('select * from tasks order by id').all(),
    events: db().prepare('select count(*) n from task_events').get(),
    departments: db().prepare('select * from departments order by id').all(),
    sent: h.stub.sent.length,
    patches: h.stub.patches.length,
  };
}

async function file(leader: Person, description: string): Promise<Filed> {
  await h.say(inspector, group, '@督办 督查');
  const form = h.lastCardTo(group.id).messageId;
  const filed = await h.click(inspector, form, button(h.currentCard(form), '提交并下发整改').value, {
    area: '门诊大厅',
    category: '服务流程',
    description,
    leader: leader.openId,
    deadline_date: `${DEADLINE} +0800`,
  });
  expect(filed.body.toast?.type).toBe('success');
  const row = db().prepare('select t.id, f.number from tasks t join findings f on f.id = t.finding_id where f.description = ?').get(description) as { id: string; number: number };
  const { message_id: notice } = db().prepare("select message_id from card_copies where task_id = ? and purpose = 'group_notice'").get(row.id) as { message_id: string };
  return { ...row, notice };
}

async function act(person: Person, filed: Filed, action: string, form?: Record<string, unknown>) {
  const result = await h.click(person, filed.notice, { a: action, t: filed.id, v: task(filed.id).version }, form);
  expect(result.body.toast?.type, `${action} by ${person.name}: ${result.body.toast?.content}`).toBe('success');
}

const pending: Filed[] = [];
let underWay: Filed;
let submitted: Filed;
let declined: Filed;
let closed: Filed;
let sunsTask: Filed;
let wangsCardForUnderWay = '';

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.say(admin, group, '@督办 科室 新增 急诊科 @王主任', { mentions: [wang] });
  await h.say(admin, group, '@督办 科室 新增 门诊部 @孙主任', { mentions: [sun] });

  pending.push(await file(wang, '急诊挂号窗口排队无人引导'));
  underWay = await file(wang, '急诊候诊区座椅破损');
  await act(wang, underWay, 'accept', { measures: '更换候诊区座椅，每周巡查' });
  wangsCardForUnderWay = h.cardsTo(wang.openId).find((m) => cardText(m.content as FeishuCard).includes('急诊候诊区座椅破损'))!.messageId;
  submitted = await file(wang, '急诊分诊台无叫号屏');
  await act(wang, submitted, 'accept', { measures: '安装叫号屏' });
  await act(wang, submitted, 'submit', { note: '叫号屏已安装', closure_kind: 'done' });
  declined = await file(wang, '药房取药窗口标识不清');
  await act(wang, declined, 'decline', { reason: '药房归药剂科管理' });
  closed = await file(wang, '急诊卫生间无扶手');
  await act(wang, closed, 'accept', { measures: '加装扶手' });
  await act(wang, closed, 'submit', { note: '扶手已加装', closure_kind: 'done' });
  await act(inspector, closed, 'verify_pass');
  sunsTask = await file(sun, '门诊导诊台无人值守');
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('移交: a leader who moved on, their open tasks passed to a successor', () => {
  let preview = '';
  /** what 确认移交 sends: the button is gone once the card shows the result */
  let confirm: Record<string, unknown> = {};

  it('is refused to an inspector, and explains its usage when the people are missing', async () => {
    const before = snapshotAll();
    await h.say(inspector, group, `@督办 移交 @${wang.name} @${zhao.name}`, { mentions: [wang, zhao] });
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('只有管理员和监督小组成员可以移交任务');
    await h.say(admin, group, `@督办 移交 @${wang.name}`, { mentions: [wang] });
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('用法：移交 @原责任领导 @新责任领导');
    expect({ ...snapshotAll(), sent: 0 }).toEqual({ ...before, sent: 0 });
  });

  it('previews the open tasks and the departments that would move, changing nothing', async () => {
    const before = snapshotAll();
    await h.say(admin, group, `@督办 移交 @${wang.name} 给 @${zhao.name}`, { mentions: [wang, zhao] });
    const sent = h.lastCardTo(group.id);
    preview = sent.messageId;
    const card = sent.content as FeishuCard;
    cardsSeen.push(card);
    const text = cardText(card);
    expect(card.header.title.content).toBe('移交整改任务');
    expect(text).toContain(`将 <at id=${wang.openId}></at> 名下 **4项** 未办结的整改任务移交给 <at id=${zhao.openId}></at>`);
    for (const f of [...pending, underWay, submitted, declined]) expect(text).toContain(`第${f.number}号问题`);
    expect(text).not.toContain(`第${closed.number}号问题`);
    expect(text).not.toContain(`第${sunsTask.number}号问题`);
    expect(text).toContain('默认责任领导改为');
    expect(text).toContain('急诊科');
    expect(text).not.toContain('门诊部');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['确认移交', '取消']);
    confirm = button(card, '确认移交').value;
    expect(confirm).toEqual({ a: 'hand_over_confirm', x: { from: wang.openId, to: zhao.openId } });
    const after = snapshotAll();
    expect({ ...after, sent: 0 }).toEqual({ ...before, sent: 0 });
    expect(after.sent).toBe(before.sent + 1);
  });

  it('refuses a confirmation from someone who may not hand over, changing nothing', async () => {
    const before = snapshotAll();
    const result = await h.click(inspector, preview, button(h.currentCard(preview), '确认移交').value);
    expect(result.status).toBe(200);
    expect(result.body.toast).toEqual({ type: 'error', content: '只有管理员和监督小组成员可以移交任务。' });
    expect(snapshotAll()).toEqual(before);
  });

  it('moves every open task as it stands, the departments and the role, on confirmation', async () => {
    const cardsToZhao = h.cardsTo(zhao.openId).length;
    const result = await h.click(admin, preview, button(h.currentCard(preview), '确认移交').value, undefined, 'evt_hand_over_once');
    expect(result.body.toast).toEqual({ type: 'success', content: '已移交4项任务' });
    const done = result.body.card!.data;
    cardsSeen.push(done);
    expect(done.header.title.content).toBe('已移交整改任务');
    expect(buttonsOf(done)).toEqual([]);

    expect(task(pending[0]!.id)).toMatchObject({ state: 'pending', leader_user_id: zhao.openId });
    expect(task(underWay.id)).toMatchObject({ state: 'in_progress', leader_user_id: zhao.openId, measures: '更换候诊区座椅，每周巡查', deadline: DEADLINE });
    expect(task(submitted.id)).toMatchObject({ state: 'submitted', leader_user_id: zhao.openId });
    expect(task(declined.id)).toMatchObject({ state: 'pending', leader_user_id: zhao.openId });
    expect(task(closed.id)).toMatchObject({ state: 'closed', leader_user_id: wang.openId });
    expect(task(sunsTask.id)).toMatchObject({ state: 'pending', leader_user_id: sun.openId });

    for (const f of [...pending, underWay, submitted, declined]) {
      const last = db().prepare('select action, actor_user_id, data, seq from task_events where task_id = ? order by seq desc limit 1').get(f.id) as Record<string, unknown>;
      expect(last).toMatchObject({ action: 'reassign', actor_user_id: admin.openId, seq: task(f.id).version });
      expect(JSON.parse(last['data'] as string)).toEqual({ from: wang.openId, to: zhao.openId, deadline: null });
    }
    expect(db().prepare("select leader_user_id from departments where name = '急诊科'").get()).toEqual({ leader_user_id: zhao.openId });
    expect(db().prepare("select leader_user_id from departments where name = '门诊部'").get()).toEqual({ leader_user_id: sun.openId });
    expect(db().prepare('select role from member_roles where user_id = ?').all(zhao.openId)).toEqual([{ role: 'leader' }]);

    // the successor gets one list, not a card per task
    const toZhao = h.cardsTo(zhao.openId);
    expect(toZhao).toHaveLength(cardsToZhao + 1);
    const list = toZhao.at(-1)!.content as FeishuCard;
    cardsSeen.push(list);
    expect(list.header.title.content).toBe('您接手了4项整改任务');
    expect(cardText(list)).toContain('急诊科');
    expect(buttonsOf(list).map((b) => b.label)).toEqual(['打开任务卡片', '打开任务卡片', '打开任务卡片', '打开任务卡片']);

    // the old leader's card for the task under way is redrawn without his buttons
    const wangsCard = h.currentCard(wangsCardForUnderWay);
    expect(buttonsOf(wangsCard)).toEqual([]);
    expect(cardText(wangsCard)).toContain(`<at id=${zhao.openId}></at>`);
  });

  it('a redelivered confirmation changes nothing; a second click finds nothing left to move', async () => {
    const before = snapshotAll();
    const again = await h.click(admin, preview, confirm, undefined, 'evt_hand_over_once');
    expect(again.body.toast).toEqual({ type: 'success', content: '已移交4项任务' });
    expect(snapshotAll()).toEqual(before);
    const stale = await h.click(admin, preview, confirm);
    expect(stale.body.toast).toEqual({ type: 'info', content: '没有需要移交的任务：可能已经移交过了。' });
    expect(snapshotAll()).toEqual(before);
  });

  it('the successor takes the task under way from where it stood', async () => {
    const list = h.lastCardTo(zhao.openId);
    const open = buttonsOf(list.content as FeishuCard).find((b) => b.value['t'] === underWay.id)!;
    await h.click(zhao, list.messageId, open.value);
    const card = h.lastCardTo(zhao.openId);
    cardsSeen.push(card.content as FeishuCard);
    expect(buttonsOf(card.content as FeishuCard).map((b) => b.label)).toEqual(['提交整改完成', '申请延期', '修改整改措施']);
    const mode = await h.click(zhao, card.messageId, button(h.currentCard(card.messageId), '提交整改完成').value);
    const submit = button(mode.body.card!.data, '提交：提交整改完成');
    const result = await h.click(zhao, card.messageId, submit.value, { note: '座椅已全部更换', closure_kind: 'done' });
    expect(result.body.toast?.type).toBe('success');
    expect(task(underWay.id)).toMatchObject({ state: 'submitted', leader_user_id: zhao.openId });
    await h.say(wang, p2p(wang), '我的任务');
    expect((h.lastCardTo(wang.openId).content as FeishuCard).header.title.content).toBe('我的任务（0）');
  });

  it('a cancelled hand-over changes nothing', async () => {
    await h.say(admin, group, `@督办 移交 @${sun.name} @${zhao.name}`, { mentions: [sun, zhao] });
    const second = h.lastCardTo(group.id).messageId;
    const before = snapshotAll();
    const result = await h.click(admin, second, button(h.currentCard(second), '取消').value);
    expect(result.body.toast).toEqual({ type: 'info', content: '已取消移交' });
    expect(result.body.card!.data.header.title.content).toBe('已取消移交');
    cardsSeen.push(result.body.card!.data);
    expect(snapshotAll()).toEqual(before);
  });

  it('says so when the leader has nothing to hand over', async () => {
    await h.say(admin, group, `@督办 移交 @${wang.name} @${zhao.name}`, { mentions: [wang, zhao] });
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('名下没有未办结的整改任务，也不是任何科室的默认责任领导');
  });
});

describe('重新指派 on a task under way, from a supervisor’s card', () => {
  it('passes the task as it stands, and tells the successor they take it over', async () => {
    await act(sun, sunsTask, 'accept', { measures: '导诊台排班到人' });
    await h.click(admin, sunsTask.notice, { a: 'open', t: sunsTask.id, v: task(sunsTask.id).version });
    const own = h.lastCardTo(admin.openId);
    expect(buttonsOf(own.content as FeishuCard).map((b) => b.label)).toEqual(['重新指派', '催办', '调整期限', '修改问题', '撤销']);
    const mode = await h.click(admin, own.messageId, button(h.currentCard(own.messageId), '重新指派').value);
    const submit = button(mode.body.card!.data, '提交：重新指派');
    const result = await h.click(admin, own.messageId, submit.value, { new_leader: zhao.openId });
    expect(result.body.toast?.type).toBe('success');
    expect(task(sunsTask.id)).toMatchObject({ state: 'in_progress', leader_user_id: zhao.openId, measures: '导诊台排班到人' });
    const toZhao = h.lastCardTo(zhao.openId).content as FeishuCard;
    cardsSeen.push(toZhao);
    expect(cardText(toZhao)).toContain(`您接手了一项整改中的任务（原责任领导 <at id=${sun.openId}></at>），请按整改措施继续整改。`);
    expect(buttonsOf(toZhao).map((b) => b.label)).toEqual(['提交整改完成', '申请延期', '修改整改措施']);
  });

  it('every card drawn here is valid Card JSON 2.0', () => {
    expect(cardsSeen.length).toBeGreaterThan(5);
    for (const card of cardsSeen) expect(checkFeishuCard(card)).toEqual([]);
  });
});
