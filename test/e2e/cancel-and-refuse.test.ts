// The less travelled paths through the app: refusing an extension (the leader keeps the old
// deadline and hears why) and cancelling a task with an open request (the request is withdrawn,
// the leader is told, no button is left on any copy).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, buttonsOf, cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const inspector: Person = { openId: 'ou_insp_wu', name: '吴督查' };
const leader: Person = { openId: 'ou_lead_zheng', name: '郑主任' };
const group: Chat = { id: 'oc_group_cancel', type: 'group' };

let h: FeishuHarness;
beforeAll(async () => {
  h = await FeishuHarness.start({ startAt: '2026-11-25T09:00:00+08:00' });
  await h.say(inspector, group, '@督办 设为督查群');
});
afterAll(async () => {
  await h?.close();
});

async function fileAndAccept(description: string): Promise<string> {
  await h.say(inspector, group, '@督办 督查');
  const form = h.lastCardTo(group.id).messageId;
  await h.click(inspector, form, button(h.currentCard(form), '提交并下发整改').value, { area: '住院部', category: '服务环境', description, leader: leader.openId, deadline_text: '5个工作日' });
  const card = h.lastCardTo(leader.openId).messageId;
  await h.click(leader, card, button(h.currentCard(card), '签收整改').value);
  await h.click(leader, card, button(h.currentCard(card), '提交：签收整改').value, { measures: '增设指示牌' });
  await h.click(leader, card, button(h.currentCard(card), '申请延期').value);
  await h.click(leader, card, button(h.currentCard(card), '提交：申请延期').value, { requested_date: '2026-12-15 +0800', reason: '指示牌需定制' });
  return card;
}

const task = (description: string) =>
  h.server.database.sqlite.prepare('select t.state, t.deadline, e.status from tasks t join findings f on f.id = t.finding_id left join extension_requests e on e.task_id = t.id where f.description = ?').get(description);

describe('refuse and cancel', () => {
  it('refuses an extension: the deadline stays, the leader hears why', async () => {
    await fileAndAccept('病区走廊指示不清');
    const decision = h.lastCardTo(inspector.openId);
    await h.click(inspector, decision.messageId, button(decision.content as FeishuCard, '不同意延期').value);
    const body = (await h.click(inspector, decision.messageId, button(h.currentCard(decision.messageId), '提交：不同意延期').value, { reason: '本周内可完成' })).body;
    expect(body.toast?.type).toBe('success');
    expect(task('病区走廊指示不清')).toEqual({ state: 'in_progress', deadline: '2026-12-02', status: 'refused' });
    expect(cardText(h.lastCardTo(leader.openId).content as FeishuCard)).toContain('延期申请未获同意：本周内可完成');
  });

  it('cancels with a reason: the open request is withdrawn and no copy offers a button', async () => {
    const leaderCard = await fileAndAccept('病区开水间无标识');
    const decision = h.lastCardTo(inspector.openId);
    await h.click(inspector, decision.messageId, button(decision.content as FeishuCard, '撤销').value);
    const empty = (await h.click(inspector, decision.messageId, button(h.currentCard(decision.messageId), '提交：撤销').value, { reason: ' ' })).body;
    expect(empty.toast?.content).toContain('撤销原因');
    const body = (await h.click(inspector, decision.messageId, button(h.currentCard(decision.messageId), '提交：撤销').value, { reason: '与第1号问题重复' })).body;
    expect(body.toast?.content).toBe('任务已撤销。');
    expect(task('病区开水间无标识')).toMatchObject({ state: 'cancelled', status: 'withdrawn' });
    expect(cardText(h.lastCardTo(leader.openId).content as FeishuCard)).toContain('该任务已撤销：与第1号问题重复');
    expect(buttonsOf(h.currentCard(leaderCard))).toEqual([]);
  });
});
