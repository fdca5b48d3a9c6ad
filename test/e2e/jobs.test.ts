// Reminders, escalation and bulletins with a fixed clock across National Day 2026 (10-01..10-07
// off, Saturday 10-10 worked): quiet on holidays, one digest per person, escalation exactly once,
// every job idempotent for its period, and a bulletin whose figures match a hand count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS, runDueJobs } from '../../src/jobs/registry.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const li: Person = { openId: 'ou_insp_li', name: '李督查' };
const wang: Person = { openId: 'ou_lead_wang', name: '王主任' };
const zhang: Person = { openId: 'ou_lead_zhang', name: '张主任' };
const group: Chat = { id: 'oc_group_jobs', type: 'group' };

let h: FeishuHarness;
const at = (iso: string) => {
  h.now = Date.parse(iso);
};
const sentSince = (n: number) => h.stub.sent.slice(n);
const titles = (messages: { content: unknown }[]) => messages.map((m) => (m.content as FeishuCard).header?.title.content ?? 'text');

async function file(leader: Person, description: string, category: string, deadline: string): Promise<string> {
  await h.say(li, group, '@督办 督查');
  const form = h.lastCardTo(group.id).messageId;
  const body = (await h.click(li, form, button(h.currentCard(form), '提交并下发整改').value, { department_new: leader === wang ? '急诊科' : '药剂科', category, description, leader: leader.openId, deadline_date: `${deadline} +0800` })).body;
  expect(body.toast?.type).toBe('success');
  return h.lastCardTo(leader.openId).messageId;
}

async function act(who: Person, messageId: string, label: string, form: Record<string, unknown>) {
  const { body } = await h.act(who, messageId, label, form);
  expect(body.toast?.type, `${label}: ${body.toast?.content}`).toBe('success');
}

beforeAll(async () => {
  h = await FeishuHarness.start({ startAt: '2026-09-28T10:00:00+08:00' });
  await h.say(li, group, '@督办 设为督查群');
  // the hand-counted fixture (week of 09-28..10-04 for the first weekly bulletin):
  // #1 急诊科 服务态度, wang, due 09-30 → overdue after the holiday
  // #2 急诊科 服务态度, wang, due 10-09 → due soon on 10-08
  // #3 药剂科 服务环境, zhang, due 10-12, submitted → awaiting li's verification
  // #4 药剂科 服务流程, zhang, due 10-16, closed on 09-29 as 长期坚持
  await file(wang, '分诊台护士态度生硬', '服务态度', '2026-09-30');
  await file(wang, '候诊区叫号不清', '服务态度', '2026-10-09');
  const third = await file(zhang, '药房地面湿滑', '服务环境', '2026-10-12');
  await act(zhang, third, '签收整改', { measures: '放置警示牌' });
  await act(zhang, third, '提交整改完成', { note: '已放置警示牌', closure_kind: 'done' });
  const fourth = await file(zhang, '取药流程无指引', '服务流程', '2026-10-16');
  await act(zhang, fourth, '签收整改', { measures: '制作流程图' });
  await act(zhang, fourth, '提交整改完成', { note: '流程图已张贴，长期维护', closure_kind: 'long_term' });
  at('2026-09-29T15:00:00+08:00');
  const verify = h.lastCardTo(li.openId);
  await h.click(li, verify.messageId, button(verify.content as FeishuCard, '验收通过').value);
});
afterAll(async () => {
  await h?.close();
});

describe('scheduled jobs across National Day', () => {
  it('is quiet on a holiday, even when asked directly', async () => {
    at('2026-10-01T09:30:00+08:00');
    const before = h.stub.sent.length;
    // only the housekeeping, which sends nothing, runs on a holiday
    expect((await runDueJobs(h.server.deps)).map((r) => r.job)).toEqual(['housekeeping']);
    const forced = await JOBS.reminders(h.server.deps);
    expect(forced.summary['skipped']).toBe('holiday');
    expect(h.stub.sent.length).toBe(before);
  });

  it('sends nothing before 09:00 on the first working day', async () => {
    at('2026-10-08T08:59:00+08:00');
    expect(await runDueJobs(h.server.deps)).toEqual([]);
  });

  it('at 09:00 on 10-08 sends one digest per person, last week and last month\'s bulletins, and the 回头看 request', async () => {
    at('2026-10-08T09:00:00+08:00');
    const before = h.stub.sent.length;
    const results = await runDueJobs(h.server.deps);
    expect(results.map((r) => r.period)).toEqual(['reminders:2026-10-08', 'weekly:2026-09-28', 'monthly:2026-09', 'housekeeping:2026-10-08']);
    await h.server.settle();
    const sent = sentSince(before);

    const toWang = sent.filter((m) => m.receiveId === wang.openId);
    expect(titles(toWang)).toEqual(['今日督办提醒 · 10月8日']);
    const wangText = cardText(toWang[0]!.content as FeishuCard);
    expect(wangText).toContain('第1号问题');
    expect(wangText).toContain('逾期1个工作日'); // 09-30 → 10-08: only 10-08 is a working day
    expect(wangText).toContain('第2号问题');
    const toLi = sent.filter((m) => m.receiveId === li.openId);
    expect(titles(toLi)).toEqual(['今日督办提醒 · 10月8日']);
    expect(cardText(toLi[0]!.content as FeishuCard)).toContain('待您验收');
    const toZhang = sent.filter((m) => m.receiveId === zhang.openId);
    expect(titles(toZhang)).toEqual(['回头看 · 长期坚持事项进展']);

    const bulletins = sent.filter((m) => m.receiveId === group.id);
    expect(bulletins).toHaveLength(2);
    for (const b of bulletins) expect(checkFeishuCard(b.content)).toEqual([]);
    const weekly = cardText(bulletins[0]!.content as FeishuCard);
    // hand count for 09-28..10-04: 4 new, 1 closed; now 3 open of which 1 overdue; 1 of 4 closed = 25.0%
    expect(weekly).toContain('新发现问题4个');
    expect(weekly).toContain('销号1个');
    expect(weekly).toContain('在办3个');
    expect(weekly).toContain('逾期1个');
    expect(weekly).toContain('25.0%');
    expect(weekly).toContain(`<at id=${wang.openId}></at>`);
  });

  it('runs each job once per period: a second run sends nothing', async () => {
    const before = h.stub.sent.length;
    const again = await runDueJobs(h.server.deps);
    expect(again.map((r) => r.job)).toEqual(['reminders', 'weekly', 'monthly']); // housekeeping ran today: not listed
    expect(again.every((r) => r.summary['skipped'] === 'already_done')).toBe(true);
    await JOBS.reminders(h.server.deps);
    await JOBS.weekly(h.server.deps);
    await h.server.settle();
    expect(h.stub.sent.length).toBe(before);
  });

  it('reminds on the adjusted working Saturday without escalating at exactly the threshold', async () => {
    at('2026-10-10T09:05:00+08:00');
    const before = h.stub.sent.length;
    await runDueJobs(h.server.deps);
    await h.server.settle();
    const sent = sentSince(before);
    expect(titles(sent.filter((m) => m.receiveId === wang.openId))).toEqual(['今日督办提醒 · 10月10日']);
    expect(sent.filter((m) => m.receiveId === group.id)).toHaveLength(0); // 3 working days late: still yellow
  });

  it('escalates to the group @leader once the task is red, and never again', async () => {
    at('2026-10-12T09:00:00+08:00');
    let before = h.stub.sent.length;
    await runDueJobs(h.server.deps);
    await h.server.settle();
    const red = sentSince(before).filter((m) => m.receiveId === group.id && titles([m])[0]!.startsWith('红色督办'));
    expect(red).toHaveLength(1);
    expect(cardText(red[0]!.content as FeishuCard)).toContain(`<at id=${wang.openId}></at>`);
    expect(cardText(red[0]!.content as FeishuCard)).toContain('已逾期4个工作日');

    at('2026-10-13T09:00:00+08:00');
    before = h.stub.sent.length;
    await runDueJobs(h.server.deps);
    await h.server.settle();
    expect(sentSince(before).filter((m) => m.receiveId === group.id && titles([m])[0]!.startsWith('红色督办'))).toHaveLength(0);
    expect(h.server.database.sqlite.prepare("select count(*) n from escalations where threshold = 'overdue'").get()).toEqual({ n: 1 });
  });

  it('sends this week\'s bulletin on demand with 通报 in the supervision group only', async () => {
    await h.say(li, group, '@督办 通报');
    const card = h.lastCardTo(group.id).content as FeishuCard;
    expect(card.header.title.content).toContain('督查通报');
    expect(checkFeishuCard(card)).toEqual([]);
    await h.say(zhang, p2p(zhang), '通报');
    expect(JSON.stringify(h.messagesTo(p2p(zhang).id).at(-1)!.content)).toContain('请在督查群中发送「通报」');
  });

  it('draws a past week’s or month’s bulletin again on 上周通报 / 月报, and says when a month is not over', async () => {
    const figuresOf = (text: string) => /本月(新发现问题\d+个|未发现新问题)，(销号\d+个|无销号)/.exec(text)?.slice(1);
    const scheduled = h.stub.sent.find((m) => m.receiveId === group.id && titles([m])[0] === '督查通报 · 2026年9月')!;

    await h.say(li, group, '@督办 月报');
    const monthly = h.lastCardTo(group.id).content as FeishuCard;
    expect(monthly.header.title.content).toBe('督查通报 · 2026年9月');
    expect(checkFeishuCard(monthly)).toEqual([]);
    // the month's own figures are the scheduled bulletin's; what is open is counted today
    expect(figuresOf(cardText(monthly))).toEqual(figuresOf(cardText(scheduled.content as FeishuCard)));
    expect(figuresOf(cardText(monthly))).toBeDefined();
    expect(cardText(monthly)).toContain('往期通报：在办、逾期按10月13日统计');

    await h.say(li, group, '@督办 上周通报');
    const weekly = h.lastCardTo(group.id).content as FeishuCard;
    expect(weekly.header.title.content).toBe('督查通报 · 2026年第41周');
    expect(cardText(weekly)).toContain('10月5日—10月11日');

    const cards = h.cardsTo(group.id).length;
    await h.say(li, group, '@督办 通报 10月');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('2026年10月尚未结束');
    await h.say(li, group, '@督办 通报 2027年');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('2027年还没有到');
    expect(h.cardsTo(group.id)).toHaveLength(cards);
  });

  it('draws the year so far on 年度通报: every finding of the year, against the same days a year earlier', async () => {
    await h.say(li, group, '@督办 年度通报');
    const yearly = h.lastCardTo(group.id).content as FeishuCard;
    expect(yearly.header.title.content).toBe('督查通报 · 2026年度');
    expect(yearly.header.subtitle?.content).toContain('1月1日—10月13日');
    expect(checkFeishuCard(yearly)).toEqual([]);
    const filedThisYear = (h.server.database.sqlite.prepare("select count(*) n from tasks where found_on like '2026-%' and state != 'cancelled'").get() as { n: number }).n;
    expect(filedThisYear).toBeGreaterThan(0);
    expect(cardText(yearly)).toContain(`本年度新发现问题${filedThisYear}个`);
    expect(cardText(yearly)).not.toContain('往期通报'); // the year so far is counted today anyway
  });

  it('lets the leader report progress on a long-term item and the inspector reopen it (回头看)', async () => {
    const request = h.cardsTo(zhang.openId).filter((m) => titles([m])[0] === '回头看 · 长期坚持事项进展').at(-1)!;
    const open = await h.click(zhang, request.messageId, button(request.content as FeishuCard, '反馈进展').value);
    expect(open.body.toast?.content).toContain('已在私聊中打开任务卡片');
    expect(open.body.card).toBeUndefined(); // the list stays as it is
    const taskCard = h.lastCardTo(zhang.openId);
    const done = await h.click(zhang, taskCard.messageId, button(taskCard.content as FeishuCard, '提交：反馈进展').value, { note: '流程图有一处被撕毁，已补贴' });
    expect(done.body.toast?.content).toBe('进展已反馈给督查人。');
    const toLi = h.lastCardTo(li.openId);
    expect(cardText(toLi.content as FeishuCard)).toContain('流程图有一处被撕毁，已补贴');
    await act(li, toLi.messageId, '回头看：重新整改', { reason: '流程图再次缺失' });
    expect(h.server.database.sqlite.prepare("select state, closed_on from tasks t join findings f on f.id = t.finding_id where f.number = 4").get()).toEqual({ state: 'in_progress', closed_on: null });
  });
  it('prunes delivery records, sent messages and their workbooks past 30 days once a day, never the ledger or what the cards need', async () => {
    const sqlite = h.server.database.sqlite;
    const count = (sql: string, ...args: unknown[]) => (sqlite.prepare(sql).get(...args) as { n: number }).n;
    const ledger = () => ({ findings: count('select count(*) n from findings'), tasks: count('select count(*) n from tasks'), events: count('select count(*) n from task_events'), cards: count('select count(*) n from card_copies') });
    // a 台账 asked for that day: the workbook waits in the blob store for its message
    await h.say(li, group, '@督办 台账');
    await h.server.settle();
    const workbook = (sqlite.prepare("select json_extract(body, '$.blobKey') key, status from outbox where json_extract(body, '$.kind') = 'file'").get() as { key: string; status: string });
    expect(workbook.status).toBe('sent');
    expect(await h.server.deps.blobs.get(workbook.key)).not.toBeNull();
    const kept = ledger();
    at('2026-11-20T09:00:00+08:00'); // 41 days after this suite's last click
    const cutoff = h.now - 30 * 24 * 60 * 60 * 1000;
    const oldDeliveries = count('select count(*) n from inbound_deliveries where received_at < ?', cutoff);
    const oldMessages = count('select count(*) n from outbox where created_at < ?', cutoff);
    expect(oldDeliveries).toBeGreaterThan(20);
    expect(oldMessages).toBeGreaterThan(10);

    const results = await runDueJobs(h.server.deps);
    expect(results.find((r) => r.job === 'housekeeping')).toEqual({ job: 'housekeeping', period: 'housekeeping:2026-11-20', summary: { deliveries: oldDeliveries, messages: oldMessages, workbooks: 1 } });
    // gone with its message: it can be drawn again, today's figures in it
    expect(await h.server.deps.blobs.get(workbook.key)).toBeNull();
    expect(count('select count(*) n from inbound_deliveries where received_at < ?', cutoff)).toBe(0);
    expect(count('select count(*) n from outbox where created_at < ?', cutoff)).toBe(0);
    expect(ledger()).toEqual(kept);

    // a task card sent in September still works: its copy and its task are all it needs
    const firstTaskCard = h.cardsTo(wang.openId)[0]!;
    await act(wang, firstTaskCard.messageId, '签收整改', { measures: '加强服务礼仪培训' });
    await h.server.settle();
    // once a day: a second run the same day prunes nothing, and today's records stay
    const today = count('select count(*) n from inbound_deliveries');
    expect((await runDueJobs(h.server.deps)).map((r) => r.job)).not.toContain('housekeeping');
    expect(count('select count(*) n from inbound_deliveries')).toBe(today);
    expect(today).toBeGreaterThan(0);
  });

  it('escalates again when a new deadline (调整期限) turns red in its turn: a new deadline starts a new count', async () => {
    const sqlite = h.server.database.sqlite;
    const firstTask = (sqlite.prepare('select t.id from tasks t join findings f on f.id = t.finding_id where f.number = 1').get() as { id: string }).id;
    const marks = () => sqlite.prepare("select count(*) n from escalations where threshold = 'overdue' and task_id = ?").get(firstTask);
    expect(marks()).toEqual({ n: 1 }); // red since October

    await h.say(li, p2p(li), '第1号问题');
    await act(li, h.lastCardTo(li.openId).messageId, '调整期限', { deadline_date: '2026-11-23 +0800', reason: '王主任已签收，给一个新的期限' });
    expect(marks()).toEqual({ n: 0 });

    const redForFirst = (since: number) =>
      sentSince(since).filter((m) => m.receiveId === group.id && titles([m])[0]!.startsWith('红色督办') && cardText(m.content as FeishuCard).includes('第1号问题'));
    at('2026-11-26T09:00:00+08:00'); // 3 working days past the new deadline: still yellow
    let before = h.stub.sent.length;
    await runDueJobs(h.server.deps);
    await h.server.settle();
    expect(redForFirst(before)).toHaveLength(0);

    at('2026-11-27T09:00:00+08:00');
    before = h.stub.sent.length;
    await runDueJobs(h.server.deps);
    await h.server.settle();
    const red = redForFirst(before);
    expect(red).toHaveLength(1);
    expect(cardText(red[0]!.content as FeishuCard)).toContain('已逾期4个工作日');
    expect(marks()).toEqual({ n: 1 });
  });
});
