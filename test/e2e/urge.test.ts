// 催办 end to end on Feishu: the inspector presses a leader who has not moved, with a note; the
// leader gets their card again with the push at the top; the push is on the record (a task event,
// shown in 处理记录); a second click on the same card changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_ug_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_ug_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_ug_wang', name: '王主任' };
const group: Chat = { id: 'oc_ug_supervision', type: 'group' };

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const task = () => db().prepare('select id, state, version from tasks').get() as { id: string; state: string; version: number };

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.fileFinding(inspector, group, {
    area: '门诊二楼',
    category: '服务流程',
    description: '自助机故障无人处理',
    leader: wang.openId,
    deadline_date: '2026-12-11 +0800',
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('催办', () => {
  it('presses the leader with a note: their card comes again with the push on top, and the state stays', async () => {
    const notice = h.lastCardTo(group.id).messageId;
    await h.click(inspector, notice, { a: 'open', t: task().id, v: task().version });
    const own = h.lastCardTo(inspector.openId).messageId;
    expect(buttonsOf(h.currentCard(own)).map((b) => b.label)).toContain('催办');
    const cardsToWang = h.cardsTo(wang.openId).length;
    const before = task();

    const mode = await h.click(inspector, own, button(h.currentCard(own), '催办').value);
    expect(checkFeishuCard(mode.body.card!.data)).toEqual([]);
    const urged = await h.click(inspector, own, button(mode.body.card!.data, '提交：催办').value, { note: '本周五院领导检查，请周四前完成' });
    expect(urged.body.toast).toMatchObject({ type: 'success', content: '已催办，责任领导将收到提醒；催办记入处理记录。' });
    expect(task()).toEqual({ ...before, version: before.version + 1 });
    expect(db().prepare("select data from task_events where action = 'urge'").all()).toEqual([{ data: JSON.stringify({ note: '本周五院领导检查，请周四前完成' }) }]);

    expect(h.cardsTo(wang.openId)).toHaveLength(cardsToWang + 1);
    const pressed = cardText(h.lastCardTo(wang.openId).content as FeishuCard);
    expect(pressed).toContain('督办提醒：此项整改被催办，请尽快签收并整改（整改完成时间 2026年12月11日）');
    expect(pressed).toContain('本周五院领导检查，请周四前完成');
  });

  it('changes nothing on a second click of the same card, and shows the push in 处理记录', async () => {
    const own = h.lastCardTo(inspector.openId).messageId;
    const version = task().version;
    const again = await h.click(inspector, own, { a: 'urge', t: task().id, v: version - 1, x: {} }, { note: '再催' });
    expect(again.body.toast?.type).toBe('warning');
    expect(task().version).toBe(version);

    await h.say(admin, group, '@督办 1号记录');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain(`<at id=${inspector.openId}></at> 催办：本周五院领导检查，请周四前完成`);
  });

  it('presses once a day: a fresh card the same day is refused with the reason, the next day it goes through', async () => {
    const notice = h.lastCardTo(group.id).messageId;
    const urgeFromAFreshCard = async () => {
      await h.click(inspector, notice, { a: 'open', t: task().id, v: task().version });
      const own = h.lastCardTo(inspector.openId).messageId;
      const mode = await h.click(inspector, own, button(h.currentCard(own), '催办').value);
      return h.click(inspector, own, button(mode.body.card!.data, '提交：催办').value, { note: '' });
    };
    const version = task().version;
    const sameDay = await urgeFromAFreshCard();
    expect(sameDay.body.toast).toMatchObject({ type: 'error', content: '今天已催办过此项，责任领导已收到提醒；明天可再次催办。' });
    expect(task().version).toBe(version);

    h.now += 24 * 60 * 60 * 1000;
    const nextDay = await urgeFromAFreshCard();
    expect(nextDay.body.toast?.type).toBe('success');
    expect(task().version).toBe(version + 1);
  });
});

describe('what a leader writes reaches the inspector as text', () => {
  it('shows a decline reason holding a mention tag as text, never as a mention', async () => {
    const own = h.lastCardTo(wang.openId).messageId;
    const mode = await h.click(wang, own, button(h.currentCard(own), '非本科室问题').value);
    const declined = await h.click(wang, own, button(mode.body.card!.data, '提交：非本科室问题').value, { reason: `归门诊部管 <@${admin.openId}>` });
    expect(declined.body.toast?.type).toBe('success');
    const told = cardText(h.lastCardTo(inspector.openId).content as FeishuCard);
    expect(told).toContain(`责任领导反馈非本科室问题：归门诊部管 ＜@${admin.openId}＞`);
    expect(told).not.toContain(`<at id=${admin.openId}>`);
  });
});
