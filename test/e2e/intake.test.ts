// Intake in detail: who may file, each bad field named in Chinese with nothing created, the
// department's default leader, new departments typed in, custom categories, and which photos
// belong to a finding (the 10-minute window, or a reply to the intake card).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_admin_gao', name: '高组长' };
const inspector: Person = { openId: 'ou_inspector_zhou', name: '周督查' };
const leader: Person = { openId: 'ou_leader_sun', name: '孙主任' };
const stranger: Person = { openId: 'ou_stranger', name: '陌生人' };
const group: Chat = { id: 'oc_group_intake', type: 'group' };
const otherGroup: Chat = { id: 'oc_some_other_group', type: 'group' };
const PHOTO = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]);

let h: FeishuHarness;
const count = (table: string) => (h.server.database.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

beforeAll(async () => {
  h = await FeishuHarness.start({ startAt: '2026-11-24T10:00:00+08:00' });
  await h.say(admin, group, '@督办 设为督查群');
  await h.say(admin, group, '@督办 科室 新增 门诊部 @孙主任', { mentions: [leader] });
});
afterAll(async () => {
  await h?.close();
});

async function openForm(who: Person, chat: Chat, text = '@督办 督查') {
  await h.say(who, chat, text);
  return h.lastCardTo(chat.id);
}

async function submit(who: Person, messageId: string, form: Record<string, unknown>) {
  const value = button(h.currentCard(messageId), '提交并下发整改').value;
  return (await h.click(who, messageId, value, form)).body;
}

describe('intake', () => {
  it('answers @bot with no text with the intake form', async () => {
    const card = (await openForm(inspector, group, '@督办')).content as FeishuCard;
    expect(card.header.title.content).toBe('督查登记');
  });

  it('tells someone outside the supervision group who is not an inspector how to get access', async () => {
    await h.say(stranger, otherGroup, '@督办 督查');
    const reply = h.messagesTo(otherGroup.id).at(-1)!;
    expect(reply.msgType).toBe('text');
    expect(JSON.stringify(reply.content)).toContain('只有督查组成员可以登记问题');
  });

  it('names each missing or bad field and creates nothing', async () => {
    const form = await openForm(inspector, group);
    const good = { department: '', area: '挂号窗口', category: '服务流程', description: '挂号排队无人引导', leader: leader.openId, deadline_text: '2个工作日' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, description: '   ' }, '主要问题'],
      [{ ...good, category: '' }, '问题类别'],
      [{ ...good, category: '__other__', category_custom: '' }, '其他类别'],
      [{ ...good, area: '', department: '' }, '责任科室或督查区域'],
      [{ ...good, leader: '' }, '责任领导'],
      [{ ...good, deadline_text: '' }, '整改完成时间'],
      [{ ...good, deadline_text: '下下下个月' }, '整改完成时间'],
      [{ ...good, deadline_date: '2026-11-01 +0800', deadline_text: '' }, '不能早于今天'],
      [{ ...good, description: '问'.repeat(1001) }, '主要问题'],
    ];
    for (const [values, field] of cases) {
      const body = await submit(inspector, form.messageId, values);
      expect(body.toast?.type, field).toBe('error');
      expect(body.toast?.content, field).toContain(field);
    }
    expect(count('findings')).toBe(0);
    expect(count('tasks')).toBe(0);
  });

  it('uses the department default leader when none is picked, and accepts a custom category', async () => {
    const departmentId = (h.server.database.sqlite.prepare("select id from departments where name = '门诊部'").get() as { id: string }).id;
    const form = await openForm(inspector, group);
    const body = await submit(inspector, form.messageId, { department: departmentId, category: '__other__', category_custom: '医德医风', description: '候诊区有收受红包传言', deadline_text: '5天' });
    expect(body.toast?.type).toBe('success');
    const task = h.server.database.sqlite.prepare('select t.leader_user_id, f.category, f.area from tasks t join findings f on f.id = t.finding_id').get();
    expect(task).toEqual({ leader_user_id: leader.openId, category: '医德医风', area: '门诊部' });
    expect(buttonsOf(h.lastCardTo(leader.openId).content as FeishuCard).map((b) => b.label)).toContain('签收整改');
  });

  it('creates a department typed in as new, with the chosen leader as its default', async () => {
    const form = await openForm(inspector, group);
    await submit(inspector, form.messageId, { department_new: '药剂科', category: '服务环境', description: '药房窗口地面湿滑无警示', leader: leader.openId, deadline_text: '1个工作日' });
    expect(h.server.database.sqlite.prepare("select leader_user_id from departments where name = '药剂科'").get()).toEqual({ leader_user_id: leader.openId });
  });

  it('attaches photos from the last 10 minutes or sent as a reply to the form, and not older ones', async () => {
    await h.sendImage(inspector, group, PHOTO); // will be too old
    h.advance(11 * 60_000);
    await h.sendImage(inspector, group, PHOTO); // within the window
    const form = await openForm(inspector, group);
    expect(cardText(form.content as FeishuCard)).toContain('已收到 1 张现场照片');
    h.advance(20 * 60_000);
    await h.sendImage(inspector, group, PHOTO, { parentId: form.messageId }); // a reply to the form
    const body = await submit(inspector, form.messageId, { area: '输液室', category: '服务质量', description: '输液室呼叫铃无人应答', leader: leader.openId, deadline_text: '3个工作日' });
    expect(body.toast?.type).toBe('success');
    const attached = h.server.database.sqlite.prepare("select count(*) n from attachments a join findings f on f.id = a.finding_id where f.description = '输液室呼叫铃无人应答'").get();
    expect(attached).toEqual({ n: 1 });
  });

  it('handles a photo and 「督查」 sent back to back in the order they were sent', async () => {
    const quick: Person = { openId: 'ou_inspector_wu', name: '吴督查' };
    // the photo's download is a round trip to Feishu; the command must not overtake it
    await h.burst(async () => {
      await h.sendImage(quick, group, PHOTO);
      await h.say(quick, group, '@督办 督查');
    });
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain('已收到 1 张现场照片');
  });

  it('answers a malformed card payload with a Chinese toast and changes nothing', async () => {
    const before = count('task_events');
    const form = await openForm(inspector, group);
    for (const value of ['not json', { a: '' }, { a: 'accept', t: 'x'.repeat(500) }, { a: 'no_such_action' }, 42, null]) {
      const { status, body } = await h.click(inspector, form.messageId, value);
      expect(status).toBe(200);
      expect(body.toast?.type).toBe('error');
      expect(body.toast?.content).toMatch(/卡片数据无效|没有找到/);
    }
    expect(count('task_events')).toBe(before);
  });

  it('lists my tasks with what each waits for', async () => {
    await h.say(leader, p2p(leader), '我的任务');
    const card = h.lastCardTo(leader.openId).content as FeishuCard;
    expect(card.header.title.content).toBe('我的任务（3）');
    expect(cardText(card)).toContain('待您签收');
    await h.say(inspector, p2p(inspector), '我的任务');
    expect(cardText(h.lastCardTo(inspector.openId).content as FeishuCard)).toContain('跟踪中');
  });

  it('lets anyone in the group open their own copy from the group notice', async () => {
    const notice = h.cardsTo(group.id).filter((m) => (m.content as FeishuCard).header.title.content.startsWith('整改任务')).at(-1)!;
    const body = (await h.click(admin, notice.messageId, button(notice.content as FeishuCard, '查看 / 办理').value)).body;
    expect(body.toast?.content).toContain('私聊');
    const copy = h.lastCardTo(admin.openId).content as FeishuCard;
    // the admin may decide on any task, but rectification is the leader's alone
    expect(buttonsOf(copy).map((b) => b.label)).toEqual(['重新指派', '催办', '调整期限', '修改问题', '撤销']);
  });
});

describe('intake before any department exists', () => {
  it('asks for the department by name instead of offering an empty list', async () => {
    const fresh = await FeishuHarness.start({ startAt: '2026-11-24T10:00:00+08:00' });
    try {
      await fresh.say(admin, group, '@督办 设为督查群');
      await fresh.say(admin, group, '@督办 督查');
      const card = fresh.lastCardTo(group.id).content as FeishuCard;
      expect(cardText(card)).not.toContain('"name":"department"');
      expect(cardText(card)).toContain('"name":"department_new"');
    } finally {
      await fresh.close();
    }
  });
});
