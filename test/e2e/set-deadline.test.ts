// 调整期限 end to end on Feishu: the inspector sets a new deadline with a reason (the leader asked by
// phone, or the date was typed wrong); the task, every card copy and the leader follow; the change
// is on the record (from, to, why) and in 处理记录. Bad dates and a missing reason are refused with
// a toast and change nothing; while the leader's own request for more time waits, that is answered first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_sd_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_sd_inspector', name: '督查员孙' };
const wang: Person = { openId: 'ou_sd_wang', name: '王主任' };
const group: Chat = { id: 'oc_sd_supervision', type: 'group' };

let h: FeishuHarness;
let groupCopy: string;
const db = () => h.server.database.sqlite;
const task = () => db().prepare('select id, state, version, deadline from tasks').get() as { id: string; state: string; version: number; deadline: string };

/** The inspector's own card for the task, freshly opened from the group's copy. */
async function inspectorsCard(): Promise<string> {
  await h.click(inspector, groupCopy, { a: 'open', t: task().id, v: task().version });
  return h.lastCardTo(inspector.openId).messageId;
}

/** Opens 调整期限 on the inspector's card and submits `form`; returns the click's answer. */
async function setDeadline(form: Record<string, unknown>) {
  return h.act(inspector, await inspectorsCard(), '调整期限', form);
}

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.fileFinding(inspector, group, {
    area: '门诊一楼',
    category: '服务环境',
    description: '候诊区座椅破损',
    leader: wang.openId,
    deadline_date: '2026-12-11 +0800',
  });
  groupCopy = h.lastCardTo(group.id).messageId;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('调整期限', () => {
  it('offers the current deadline and sets the new one: the task, the group copy and the leader follow', async () => {
    const own = await inspectorsCard();
    expect(buttonsOf(h.currentCard(own)).map((b) => b.label)).toEqual(['催办', '调整期限', '修改问题', '撤销']);
    const mode = await h.click(inspector, own, button(h.currentCard(own), '调整期限').value);
    expect(checkFeishuCard(mode.body.card!.data)).toEqual([]);
    expect(JSON.stringify(mode.body.card!.data)).toContain('"initial_date":"2026-12-11"');
    const cardsToWang = h.cardsTo(wang.openId).length;
    const before = task();

    const set = await h.click(inspector, own, button(mode.body.card!.data, '提交：调整期限').value, {
      deadline_date: '2026-12-18 +0800',
      reason: '座椅需采购，王主任电话说明，同意延后一周',
    });
    expect(set.body.toast).toMatchObject({ type: 'success', content: '整改完成时间已调整，责任领导将收到通知。' });
    expect(task()).toEqual({ ...before, version: before.version + 1, deadline: '2026-12-18' });
    expect(db().prepare("select data from task_events where action = 'set_deadline'").all()).toEqual([
      { data: JSON.stringify({ from: '2026-12-11', to: '2026-12-18', reason: '座椅需采购，王主任电话说明，同意延后一周' }) },
    ]);

    expect(h.cardsTo(wang.openId)).toHaveLength(cardsToWang + 1);
    const told = cardText(h.lastCardTo(wang.openId).content as FeishuCard);
    expect(told).toContain('整改完成时间已调整为 2026年12月18日（原为 2026年12月11日），请按新的期限完成整改。');
    expect(told).toContain('调整原因：座椅需采购，王主任电话说明，同意延后一周');
    const copy = cardText(h.currentCard(groupCopy));
    expect(copy).toContain('2026年12月18日');
    expect(copy).not.toContain('2026年12月11日');
  });

  it('refuses a date before today, no date and no reason with a toast naming the field, and changes nothing', async () => {
    const before = task();
    const past = await setDeadline({ deadline_date: '2026-11-20 +0800', reason: '写错了' });
    expect(past.body.toast?.type).toBe('error');
    expect(past.body.toast?.content).toContain('新的整改完成时间');
    expect(past.body.toast?.content).toContain('不能早于今天');
    const none = await setDeadline({ reason: '写错了' });
    expect(none.body.toast).toMatchObject({ type: 'error', content: '请检查「新的整改完成时间」：未填写或格式不对。' });
    const unexplained = await setDeadline({ deadline_date: '2026-12-25 +0800', reason: '  ' });
    expect(unexplained.body.toast).toMatchObject({ type: 'error', content: '请检查「调整原因」：未填写或格式不对。' });
    expect(task()).toEqual(before);
  });

  it('waits while the leader asks for more time: the button is gone and a crafted click is refused', async () => {
    const leaders = h.lastCardTo(wang.openId).messageId;
    const ask = await h.click(wang, leaders, button(h.currentCard(leaders), '申请延期').value);
    const asked = await h.click(wang, leaders, button(ask.body.card!.data, '提交：申请延期').value, {
      requested_date: '2026-12-31 +0800',
      reason: '座椅招标需要时间',
    });
    expect(asked.body.toast?.type).toBe('success');

    const own = await inspectorsCard();
    expect(buttonsOf(h.currentCard(own)).map((b) => b.label)).not.toContain('调整期限');
    const before = task();
    const crafted = await h.click(inspector, own, { a: 'set_deadline', t: before.id, v: before.version, x: {} }, {
      deadline_date: '2026-12-25 +0800',
      reason: '直接改',
    });
    expect(crafted.body.toast?.content).toBe('责任领导的延期申请正在等待审批：请先在卡片上同意或不同意延期，再催办或调整期限。');
    expect(task()).toEqual(before);
  });

  it('shows the change in 处理记录', async () => {
    await h.say(admin, group, '@督办 1号记录');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain(
      `<at id=${inspector.openId}></at> 调整整改完成时间 12月11日 → 12月18日：座椅需采购，王主任电话说明，同意延后一周`,
    );
  });
});
