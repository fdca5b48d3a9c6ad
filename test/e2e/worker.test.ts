// The product as a Cloudflare Worker, end to end: the bundle wrangler deploys, run in the real
// workerd (Miniflare) over a real local D1 (migrated by wrangler) and R2, talking to the stub Feishu
// Open API on 127.0.0.1 through the real Lark SDK. Each test is its own organisation (tenant key)
// with its own people and chats, so they share one Worker without seeing each other.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTime, periodFor } from '../../src/domain/schedule.js';
import { addWorkingDays, workingDaysBetween } from '../../src/domain/working-days.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-conversation.js';
import { WorkerHarness } from '../support/worker-harness.js';

const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);
const EVIDENCE = new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 9, 9, 8, 8, 7, 7]);
/** The Worker reads the real clock, so deadlines are counted from the real today in Shanghai. */
const today = () => localTime(Date.now(), 'Asia/Shanghai').date;

let world: WorkerHarness;

beforeAll(async () => {
  world = await WorkerHarness.start({ tenantKey: 'tenant_worker_loop' });
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** Clicks and insists on a 200: Feishu shows nothing for a failed callback. */
async function click(h: WorkerHarness, person: Person, messageId: string, value: Record<string, unknown>, form?: Record<string, unknown>, eventId?: string) {
  const result = await h.click(person, messageId, value, form, eventId);
  expect(result.status).toBe(200);
  return result.body;
}

/** Opens an action's form on the card in place, then submits it; the action must succeed. */
async function act(h: WorkerHarness, who: Person, messageId: string, label: string, form: Record<string, unknown>) {
  const mode = await click(h, who, messageId, button(h.currentCard(messageId), label).value);
  const body = await click(h, who, messageId, button(mode.card!.data, `提交：${label}`).value, form);
  expect(body.toast?.type, `${label}: ${body.toast?.content}`).toBe('success');
  return body;
}

/** Binds `group` as the supervision group (the inspector becomes admin) and files one finding. */
async function fileFinding(h: WorkerHarness, inspector: Person, group: Chat, leader: Person, description: string, deadline: string) {
  await h.say(inspector, group, '@督办 设为督查群');
  await h.say(inspector, group, '@督办 督查');
  const form = h.lastCardTo(group.id).messageId;
  const submit = button(h.currentCard(form), '提交并下发整改');
  const body = await click(h, inspector, form, submit.value, { department: '', area: '现场', category: '服务环境', description, leader: leader.openId, deadline_date: `${deadline} +0800` });
  expect(body.toast?.type, body.toast?.content).toBe('success');
  return h.lastCardTo(leader.openId).messageId;
}

async function taskOf(h: WorkerHarness) {
  const [task] = await h.query<Record<string, unknown>>('select * from tasks where tenant_id = ?', h.tenantId);
  return task!;
}

async function count(h: WorkerHarness, table: string): Promise<number> {
  const [row] = await h.query<{ n: number }>(`select count(*) n from ${table} where tenant_id = ?`, h.tenantId);
  return row!.n;
}

describe('the rectification loop in the Worker (workerd, D1, R2)', () => {
  const inspector: Person = { openId: 'ou_w_inspector_li', name: '李督查' };
  const wang: Person = { openId: 'ou_w_leader_wang', name: '王主任' };
  const group: Chat = { id: 'oc_w_supervision', type: 'group' };
  let h: WorkerHarness;
  let intakeId = '';
  let noticeId = '';
  let wangCardId = '';
  const clickCards: FeishuCard[] = [];

  async function loopClick(person: Person, messageId: string, value: Record<string, unknown>, form?: Record<string, unknown>, eventId?: string) {
    const body = await click(h, person, messageId, value, form, eventId);
    if (body.card) clickCards.push(body.card.data);
    return body;
  }

  beforeAll(() => {
    h = world;
  });

  it('binds the supervision group; the first user becomes admin', async () => {
    const { status } = await h.say(inspector, group, '@督办 设为督查群');
    expect(status).toBe(200);
    const reply = h.messagesTo(group.id).at(-1)!;
    expect(reply.msgType).toBe('text');
    expect(JSON.stringify(reply.content)).toContain('已成为管理员');
    expect(await h.query('select role, user_id from member_roles where tenant_id = ?', h.tenantId)).toEqual([{ role: 'admin', user_id: inspector.openId }]);
  }, 15_000);

  it('opens a pre-filled intake form that counts the photo sent just before; the photo is kept in R2', async () => {
    await h.sendImage(inspector, group, PHOTO);
    await h.say(inspector, group, '@督办 督查 #服务态度 急诊科分诊台护士态度生硬 @王主任 3个工作日', { mentions: [wang] });
    const intake = h.lastCardTo(group.id);
    intakeId = intake.messageId;
    const card = intake.content as FeishuCard;
    expect(card.header.title.content).toBe('督查登记');
    const text = cardText(card);
    expect(text).toContain('已收到 1 张现场照片');
    expect(text).toContain(`"initial_option":"${wang.openId}"`);
    expect(text).toContain(`"initial_date":"${addWorkingDays(today(), 3)}"`);

    const photos = await h.query<{ blob_key: string; platform_image_key: string }>("select blob_key, platform_image_key from attachments where tenant_id = ? and purpose = 'finding_photo'", h.tenantId);
    expect(photos).toHaveLength(1);
    expect(await h.blob(photos[0]!.blob_key)).toEqual(PHOTO);
    // downloaded from Feishu inside workerd, and uploaded again so cards can show it
    expect(h.stub.uploads.map((u) => u.imageKey)).toContain(photos[0]!.platform_image_key);
    expect(h.stub.uploads.find((u) => u.imageKey === photos[0]!.platform_image_key)!.bytes).toEqual(PHOTO);
  }, 15_000);

  it('files the finding: the group is told, the leader gets the task card; a redelivered submit changes nothing', async () => {
    const submit = button(h.currentCard(intakeId), '提交并下发整改');
    const deadline = addWorkingDays(today(), 3);
    const form = { department: '', area: '分诊台', category: '服务态度', description: '急诊科分诊台护士态度生硬', leader: wang.openId, deadline_date: `${deadline} +0800` };
    const body = await loopClick(inspector, intakeId, submit.value, form, 'evt_worker_submit_once');
    expect(body.toast).toEqual({ type: 'success', content: '已登记第1号问题，已通知责任领导。' });

    const notice = h.lastCardTo(group.id);
    noticeId = notice.messageId;
    expect(cardText(notice.content as FeishuCard)).toContain(`<at id=${wang.openId}></at>`);
    expect(cardText(notice.content as FeishuCard)).toContain('"tag":"img"');
    const dm = h.lastCardTo(wang.openId);
    wangCardId = dm.messageId;
    expect(dm.receiveIdType).toBe('open_id');
    expect(buttonsOf(dm.content as FeishuCard).map((b) => b.label)).toEqual(['签收整改', '申请延期', '非本科室问题']);
    expect(await taskOf(h)).toMatchObject({ state: 'pending', leader_user_id: wang.openId, deadline, version: 1 });

    const sentBefore = h.stub.sent.length;
    const again = await loopClick(inspector, intakeId, submit.value, form, 'evt_worker_submit_once');
    expect(again.toast?.content).toBe('已登记第1号问题，已通知责任领导。');
    expect(await count(h, 'findings')).toBe(1);
    expect(await count(h, 'tasks')).toBe(1);
    expect(h.stub.sent.length).toBe(sentBefore);
  }, 15_000);

  it('the leader accepts with measures', async () => {
    await act(h, wang, wangCardId, '签收整改', { measures: '组织分诊台护士服务礼仪培训，纳入科室考核' });
    expect(await taskOf(h)).toMatchObject({ state: 'in_progress', version: 2 });
    expect(buttonsOf(h.currentCard(wangCardId)).map((b) => b.label)).toEqual(['提交整改完成', '申请延期', '修改整改措施']);
  }, 15_000);

  it('keeps a photo replied to the task card as evidence: in R2, and uploaded to Feishu again', async () => {
    const uploadsBefore = h.stub.uploads.length;
    await h.sendImage(wang, p2p(wang), EVIDENCE, { parentId: wangCardId });
    const task = await taskOf(h);
    const evidence = await h.query<{ task_id: string; blob_key: string; platform_image_key: string }>(
      "select task_id, blob_key, platform_image_key from attachments where tenant_id = ? and purpose = 'evidence'",
      h.tenantId,
    );
    expect(evidence).toEqual([expect.objectContaining({ task_id: task['id'] })]);
    expect(await h.blob(evidence[0]!.blob_key)).toEqual(EVIDENCE);
    const uploaded = h.stub.uploads.slice(uploadsBefore);
    expect(uploaded.map((u) => u.imageKey)).toEqual([evidence[0]!.platform_image_key]);
    expect(uploaded[0]!.bytes).toEqual(EVIDENCE);
    expect(JSON.stringify(h.messagesTo(p2p(wang).id).at(-1)!.content)).toContain('整改佐证');
  }, 15_000);

  async function submitDone(note: string) {
    await act(h, wang, wangCardId, '提交整改完成', { note, closure_kind: 'done' });
    return h.lastCardTo(inspector.openId);
  }

  it('a submission fails verification with a reason, and the leader is told why', async () => {
    const verify = await submitDone('已培训一次');
    expect(buttonsOf(verify.content as FeishuCard).map((b) => b.label)).toEqual(['验收通过（销号）', '退回整改', '撤销']);
    const mode = await loopClick(inspector, verify.messageId, button(verify.content as FeishuCard, '退回整改').value);
    const body = await loopClick(inspector, verify.messageId, button(mode.card!.data, '提交：退回整改').value, { reason: '未见考核记录' });
    expect(body.toast?.type).toBe('success');
    expect(await taskOf(h)).toMatchObject({ state: 'in_progress', returns_count: 1, version: 4 });
    expect(cardText(h.lastCardTo(wang.openId).content as FeishuCard)).toContain('整改被退回：未见考核记录');
  }, 15_000);

  it('the resubmission passes verification: closed (销号), and every copy shows it', async () => {
    const verify = await submitDone('考核记录已签字归档');
    const body = await loopClick(inspector, verify.messageId, button(verify.content as FeishuCard, '验收通过').value);
    expect(body.toast).toEqual({ type: 'success', content: '验收通过，已销号。' });
    expect(await taskOf(h)).toMatchObject({ state: 'closed', closure_kind: 'done', returns_count: 1, version: 6 });
    expect(cardText(h.currentCard(noticeId))).toContain('已销号');
    expect(cardText(h.currentCard(wangCardId))).toContain('已销号');

    const events = await h.query<{ seq: number; action: string; actor_user_id: string }>(
      'select seq, action, actor_user_id from task_events where tenant_id = ? order by seq',
      h.tenantId,
    );
    expect(events).toEqual([
      { seq: 1, action: 'create', actor_user_id: inspector.openId },
      { seq: 2, action: 'accept', actor_user_id: wang.openId },
      { seq: 3, action: 'submit', actor_user_id: wang.openId },
      { seq: 4, action: 'verify_fail', actor_user_id: inspector.openId },
      { seq: 5, action: 'submit', actor_user_id: wang.openId },
      { seq: 6, action: 'verify_pass', actor_user_id: inspector.openId },
    ]);
    expect(await h.query("select count(*) n from outbox where tenant_id = ? and status != 'sent'", h.tenantId)).toEqual([{ n: 0 }]);
    expect(await h.query("select count(*) n from inbound_deliveries where tenant_id = ? and status != 'done'", h.tenantId)).toEqual([{ n: 0 }]);
  }, 20_000);

  it('produced only valid Card JSON 2.0', () => {
    const mine = new Set([group.id, `oc_p2p_${wang.openId}`, `oc_p2p_${inspector.openId}`]);
    const cards = [
      ...h.stub.sent.filter((m) => m.msgType === 'interactive' && mine.has(m.chatId)).map((m) => m.content),
      ...clickCards,
    ];
    expect(cards.length).toBeGreaterThan(10);
    for (const card of cards) expect(checkFeishuCard(card)).toEqual([]);
  });
});

describe('Feishu redelivering the same event to the Worker', () => {
  it('handles it once: one delivery row, one answer, however often and however close together it comes', async () => {
    const h = world.forTenant('tenant_worker_dup');
    const inspector: Person = { openId: 'ou_w_dup_inspector', name: '赵督查' };
    const group: Chat = { id: 'oc_w_dup_group', type: 'group' };
    await h.say(inspector, group, '@督办 设为督查群');
    const cardsBefore = h.cardsTo(group.id).length;

    const first = await h.say(inspector, group, '@督办 督查', { eventId: 'evt_worker_dup_intake' });
    expect(first.status).toBe(200);
    const deliveriesAfterFirst = await count(h, 'inbound_deliveries');
    // Feishu retries when our answer is late, so copies can also arrive while the first is running
    const copies = await Promise.all([h.deliver(first.event), h.deliver(first.event)]);
    const late = await h.deliver(first.event);
    for (const copy of [...copies, late]) expect(copy.status).toBe(200);

    expect(h.cardsTo(group.id).slice(cardsBefore).map((m) => (m.content as FeishuCard).header.title.content)).toEqual(['督查登记']);
    expect(await count(h, 'inbound_deliveries')).toBe(deliveriesAfterFirst);
    expect(await h.query("select status from inbound_deliveries where delivery_id = 'evt_worker_dup_intake'")).toEqual([{ status: 'done' }]);
  }, 15_000);
});

describe('two decisions clicked at once on the same card, on D1', () => {
  it('lets exactly one win; the other is told in Chinese and leaves no trace', async () => {
    const h = world.forTenant('tenant_worker_race');
    const inspector: Person = { openId: 'ou_w_race_inspector', name: '钱督查' };
    const leader: Person = { openId: 'ou_w_race_leader', name: '孙主任' };
    const group: Chat = { id: 'oc_w_race_group', type: 'group' };
    const taskCard = await fileFinding(h, inspector, group, leader, '药房地面湿滑', addWorkingDays(today(), 5));
    await act(h, leader, taskCard, '签收整改', { measures: '放置警示牌' });
    await act(h, leader, taskCard, '提交整改完成', { note: '已放置警示牌', closure_kind: 'done' });

    const verify = h.lastCardTo(inspector.openId);
    const pass = button(verify.content as FeishuCard, '验收通过').value;
    const returnForm = (await click(h, inspector, verify.messageId, button(verify.content as FeishuCard, '退回整改').value)).card!.data;
    const returnIt = button(returnForm, '提交：退回整改').value;
    const before = await taskOf(h);
    expect(before).toMatchObject({ state: 'submitted', version: 3 });
    const sentBefore = h.stub.sent.length;

    // both were rendered for version 3; they reach the Worker together
    const [a, b] = await Promise.all([
      click(h, inspector, verify.messageId, pass),
      click(h, inspector, verify.messageId, returnIt, { reason: '警示牌位置不醒目' }),
    ]);
    const toasts = [a.toast, b.toast];
    const winners = toasts.filter((t) => t?.type === 'success');
    const losers = toasts.filter((t) => t?.type !== 'success');
    expect(winners, JSON.stringify(toasts)).toHaveLength(1);
    expect(losers).toEqual([{ type: 'warning', content: expect.stringContaining('卡片已过期') }]);

    const after = await taskOf(h);
    expect(after['version']).toBe(4);
    const events = await h.query<{ seq: number; action: string }>('select seq, action from task_events where tenant_id = ? and seq > 3', h.tenantId);
    expect(events).toHaveLength(1);
    // the state is the winner's, and only the winner's
    const won = winners[0] === a.toast ? 'verify_pass' : 'verify_fail';
    expect(events[0]).toEqual({ seq: 4, action: won });
    expect(after).toMatchObject(won === 'verify_pass' ? { state: 'closed', returns_count: 0 } : { state: 'in_progress', returns_count: 1 });
    // nobody was told of the losing decision
    const told = h.stub.sent.slice(sentBefore).map((m) => JSON.stringify(m.content)).join('\n');
    if (won === 'verify_pass') expect(told).not.toContain('整改被退回');
    else expect(told).not.toContain('已销号');
  }, 30_000);
});

describe('cron triggers', () => {
  it('the daily trigger at 09:05 on a working day reminds the leader and escalates an overdue task to the supervision group', async () => {
    const h = world.forTenant('tenant_worker_jobs');
    const inspector: Person = { openId: 'ou_w_jobs_inspector', name: '周督查' };
    const leader: Person = { openId: 'ou_w_jobs_leader', name: '吴主任' };
    const group: Chat = { id: 'oc_w_jobs_group', type: 'group' };
    const deadline = addWorkingDays(today(), 1);
    await fileFinding(h, inspector, group, leader, '候诊区叫号不清', deadline);

    // five working days late is past the red threshold (3), whatever today is
    const day = addWorkingDays(deadline, 5);
    const sentBefore = h.stub.sent.length;
    await h.scheduled('0 1 * * *', Date.parse(`${day}T09:05:00+08:00`));
    const sent = h.stub.sent.slice(sentBefore);

    const red = sent.filter((m) => m.chatId === group.id && (m.content as FeishuCard).header?.title.content.startsWith('红色督办'));
    expect(red).toHaveLength(1);
    const redText = cardText(red[0]!.content as FeishuCard);
    expect(redText).toContain(`<at id=${leader.openId}></at>`);
    expect(redText).toContain(`已逾期${workingDaysBetween(deadline, day)}个工作日`);
    const digest = sent.filter((m) => m.receiveId === leader.openId);
    expect(digest).toHaveLength(1);
    expect((digest[0]!.content as FeishuCard).header.title.content).toMatch(/^今日督办提醒 · /);
    expect(cardText(digest[0]!.content as FeishuCard)).toContain('第1号问题');

    expect(await h.query('select job, period_key from job_runs where tenant_id = ? and job = ?', h.tenantId, 'reminders')).toEqual([{ job: 'reminders', period_key: `reminders:${day}` }]);
    expect(await count(h, 'escalations')).toBe(1);
    // the same trigger runs the day's housekeeping on D1, once for the whole database
    expect(await h.query("select period_key from job_runs where tenant_id = '*' and job = 'housekeeping'")).toEqual([{ period_key: `housekeeping:${day}` }]);
  }, 30_000);

  it('the every-minute trigger delivers a message that a rate limit left in the outbox', async () => {
    const h = world.forTenant('tenant_worker_outbox');
    const nurse: Person = { openId: 'ou_w_outbox_nurse', name: '郑护士' };
    // Feishu refuses the next send and asks us to wait ten minutes: it stays in the outbox
    h.stub.failNext(1, { status: 429, retryAfterSeconds: 600 });
    await h.say(nurse, p2p(nurse), '帮助');
    expect(h.messagesTo(p2p(nurse).id)).toEqual([]);
    const [parked] = await h.query<{ status: string; attempts: number; next_attempt_at: number }>('select status, attempts, next_attempt_at from outbox where tenant_id = ?', h.tenantId);
    expect(parked).toMatchObject({ status: 'pending', attempts: 1 });
    expect(parked!.next_attempt_at).toBeGreaterThan(Date.now() + 500_000);

    await h.scheduled('* * * * *', parked!.next_attempt_at + 1000);
    const delivered = h.messagesTo(p2p(nurse).id);
    expect(delivered).toHaveLength(1);
    expect((delivered[0]!.content as FeishuCard).header.title.content).toContain('使用说明');
    expect(await h.query('select status, attempts from outbox where tenant_id = ?', h.tenantId)).toEqual([{ status: 'sent', attempts: 2 }]); // the refused try and the one that went
  }, 20_000);
});

describe('a 专项 group, 修改问题 and 移交 on D1', () => {
  it('files into the group’s campaign, corrects the finding, and hands the leader’s task over', async () => {
    const h = world.forTenant('tenant_worker_campaign');
    const inspector: Person = { openId: 'ou_w_cp_inspector', name: '周督查' };
    const wang: Person = { openId: 'ou_w_cp_wang', name: '王主任' };
    const zhao: Person = { openId: 'ou_w_cp_zhao', name: '赵主任' };
    const group: Chat = { id: 'oc_w_cp_group', type: 'group' };
    await h.say(inspector, group, '@督办 设为督查群 2025年作风建设专项督查 #医德医风');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('问题类别：医德医风');
    await h.say(inspector, group, '@督办 督查');
    const form = h.lastCardTo(group.id);
    const filed = await click(h, inspector, form.messageId, button(form.content as FeishuCard, '提交并下发整改').value, {
      area: '住院部',
      category: '医德医风',
      description: '收受患者礼品',
      leader: wang.openId,
      deadline_date: `${addWorkingDays(today(), 5)} +0800`,
    });
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    const findingRows = () => h.query<Record<string, unknown>>('select f.area, f.description, c.name from findings f join campaigns c on c.id = f.campaign_id where f.tenant_id = ?', h.tenantId);
    expect(await findingRows()).toEqual([{ area: '住院部', description: '收受患者礼品', name: '2025年作风建设专项督查' }]);

    const [{ id: taskId }] = (await h.query<{ id: string }>('select id from tasks where tenant_id = ?', h.tenantId)) as [{ id: string }];
    const [{ message_id: notice }] = (await h.query<{ message_id: string }>("select message_id from card_copies where tenant_id = ? and purpose = 'group_notice'", h.tenantId)) as [{ message_id: string }];
    await click(h, inspector, notice, { a: 'open', t: taskId, v: 1 });
    await act(h, inspector, h.lastCardTo(inspector.openId).messageId, '修改问题', { area: '住院部三病区', category: '医德医风', description: '收受患者礼品' });
    expect(await findingRows()).toEqual([{ area: '住院部三病区', description: '收受患者礼品', name: '2025年作风建设专项督查' }]);

    await h.say(inspector, group, `@督办 移交 @${wang.name} @${zhao.name}`, { mentions: [wang, zhao] });
    const preview = h.lastCardTo(group.id);
    const moved = await click(h, inspector, preview.messageId, button(preview.content as FeishuCard, '确认移交').value);
    expect(moved.toast).toEqual({ type: 'success', content: '已移交1项任务' });
    expect(await h.query('select leader_user_id, version from tasks where tenant_id = ?', h.tenantId)).toEqual([{ leader_user_id: zhao.openId, version: 3 }]);
    expect((h.lastCardTo(zhao.openId).content as FeishuCard).header.title.content).toBe('您接手了1项整改任务');

    // 处理记录 reads the task's events back from D1, in order
    await h.say(inspector, group, '@督办 1号记录');
    const history = h.lastCardTo(group.id).content as FeishuCard;
    expect(history.header.title.content).toBe('处理记录 · 第1号问题');
    const story = cardText(history);
    const steps = ['登记问题', '修改问题：督查区域 住院部 → 住院部三病区', `重新指派：<at id=${wang.openId}></at> → <at id=${zhao.openId}></at>`].map((step) => story.indexOf(step));
    expect(steps.every((i) => i >= 0), story).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);

    // 科室更名 updates the row in place
    await h.say(inspector, group, '@督办 科室 新增 住院部');
    const [{ id: ward }] = (await h.query<{ id: string }>("select id from departments where tenant_id = ? and name = '住院部'", h.tenantId)) as [{ id: string }];
    await h.say(inspector, group, '@督办 科室 更名 住院部 住院一部');
    expect(await h.query('select id, name from departments where tenant_id = ?', h.tenantId)).toEqual([{ id: ward, name: '住院一部' }]);
    // 科室停用 marks it on D1; 新增 again puts it back
    await h.say(inspector, group, '@督办 科室 停用 住院一部');
    expect(await h.query('select retired_on from departments where tenant_id = ?', h.tenantId)).toEqual([{ retired_on: today() }]);
    await h.say(inspector, group, '@督办 科室 新增 住院一部');
    expect(await h.query('select retired_on from departments where tenant_id = ?', h.tenantId)).toEqual([{ retired_on: null }]);

    // 督查记录 written to D1, and 督查情况 read from it (the finding filed above counts too)
    await h.say(inspector, group, '@督办 督查 住院一部 未发现问题');
    expect(await h.query('select visited_on from inspection_visits where tenant_id = ?', h.tenantId)).toEqual([{ visited_on: today() }]);
    await h.say(inspector, group, '@督办 督查情况');
    const coverage = h.lastCardTo(group.id).content as FeishuCard;
    expect(coverage.header.title.content).toContain('督查情况 · ');
    expect(cardText(coverage)).toContain('（其中未发现问题1次）');

    // 往期通报: last month's bulletin drawn from D1
    await h.say(inspector, group, '@督办 月报');
    expect((h.lastCardTo(group.id).content as FeishuCard).header.title.content).toBe(`督查通报 · ${periodFor('monthly', today()).label}`);

    // 结束专项 marks the campaign on D1, and its group takes no new finding
    await h.say(inspector, group, '@督办 结束专项');
    expect(await h.query('select ended_on from campaigns where tenant_id = ? and is_default = 0', h.tenantId)).toEqual([{ ended_on: today() }]);
    await h.say(inspector, group, '@督办 督查');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('不再登记新问题');
  }, 30_000);
});

describe('the workbooks from D1 through R2', () => {
  it('sends 台账 and 科室考核 as files that open in Excel with the task in them', async () => {
    const h = world.forTenant('tenant_worker_workbooks');
    const inspector: Person = { openId: 'ou_w_wb_inspector', name: '吴督查' };
    const wang: Person = { openId: 'ou_w_wb_wang', name: '王主任' };
    const group: Chat = { id: 'oc_w_wb_group', type: 'group' };
    await fileFinding(h, inspector, group, wang, '输液室座椅破损', addWorkingDays(today(), 5));
    const workbook = async () => {
      const message = h.messagesTo(group.id).filter((m) => m.msgType === 'file').at(-1)!;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(h.stub.fileOf(message)!.bytes.slice().buffer);
      return wb;
    };

    await h.say(inspector, group, '@督办 台账');
    const ledger = await workbook();
    expect(ledger.worksheets.map((ws) => ws.name)).toEqual(['附件1 督查反馈记录表', '附件2 问题清单汇总表', '整改进展']);
    expect(ledger.getWorksheet('附件2 问题清单汇总表')!.getCell('B4').value).toBe('输液室座椅破损');

    await h.say(inspector, group, '@督办 考核');
    const assessment = await workbook();
    const summary = assessment.getWorksheet('科室考核汇总')!;
    // one problem, no department, open and not yet due
    expect([4, 5].map((r) => [2, 3, 4, 7, 8].map((c) => summary.getRow(r).getCell(c).value))).toEqual([
      ['未指定科室', 1, 0, 1, 0],
      ['合计', 1, 0, 1, 0],
    ]);
    expect(assessment.getWorksheet('问题明细')!.getCell('D3').value).toBe('输液室座椅破损');

    // the ledger read back in by another organisation: the import's preview on D1
    const other = world.forTenant('tenant_worker_import');
    const admin: Person = { openId: 'ou_w_im_admin', name: '郑主任' };
    const theirGroup: Chat = { id: 'oc_w_im_group', type: 'group' };
    await other.say(admin, theirGroup, '@督办 设为督查群');
    const ledgerMessage = h.messagesTo(group.id).filter((m) => m.msgType === 'file').at(-2)!;
    await other.sendFile(admin, p2p(admin), '整改台账.xlsx', h.stub.fileOf(ledgerMessage)!.bytes);
    const preview = other.lastCardTo(admin.openId).content as FeishuCard;
    expect(preview.header.title.content).toBe('导入预览 · 整改台账.xlsx');
    // read sheet by sheet: the problem is found in its row of 附件2; its leader is not one of theirs
    expect(cardText(preview)).toContain('**读到的问题**：1条');
    expect(cardText(preview)).toContain('「附件2 问题清单汇总表」第4行：责任领导「ou_w_wb_wang」不在成员中');
    expect(cardText(preview)).not.toContain('将新建科室');
  }, 30_000);
});

describe('health', () => {
  it('answers with the database reachable and Feishu configured', async () => {
    const response = await fetch(`${world.url}/healthz`);
    expect(response.status).toBe(200);
    // the delivery figures come from D1 (its queries: test/store/delivery-facts.test.ts)
    expect(await response.json()).toEqual({
      ok: true,
      database: 'ok',
      feishu: 'configured',
      dingtalk: 'not_configured',
      delivery: { state: 'ok', pending: 0, retrying: 0, overdueMinutes: 0, dead: expect.any(Number), recentlyDead: 0, stuckDeliveries: 0, lastError: null },
    });
  });
});

describe('housekeeping on D1 and R2', () => {
  it('a month on, prunes the workbooks sent with their messages and keeps every photo', async () => {
    // runs last: the month it jumps ahead prunes every tenant's records in this world
    const h = world.forTenant('tenant_worker_workbooks');
    const workbooks = (await h.query<{ key: string }>("select json_extract(body, '$.blobKey') key from outbox where tenant_id = ? and json_extract(body, '$.kind') = 'file'", h.tenantId)).map((r) => r.key);
    expect(workbooks).toHaveLength(2); // 台账 and 考核, sent by the test above
    for (const key of workbooks) expect(await h.blob(key)).not.toBeNull();
    const photos = (await h.query<{ blob_key: string }>('select blob_key from attachments')).map((r) => r.blob_key);
    expect(photos.length).toBeGreaterThan(0);

    // housekeeping runs every day, holidays too
    const day = localTime(Date.now() + 31 * 24 * 60 * 60 * 1000, 'Asia/Shanghai').date;
    await h.scheduled('0 1 * * *', Date.parse(`${day}T09:05:00+08:00`));
    for (const key of workbooks) expect(await h.blob(key)).toBeNull();
    for (const key of photos) expect(await h.blob(key)).not.toBeNull();
  }, 30_000);
});
