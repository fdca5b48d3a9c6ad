// The bot menu on Feishu (机器人自定义菜单, items that push an event): a tap reads as the person
// typing the item's command in their chat with the bot. Through the real HTTP route and the real
// Lark SDK, against the stub Feishu Open API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_menu_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_menu_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_menu_wang', name: '王主任' };
const stranger: Person = { openId: 'ou_menu_stranger', name: '路人丙' };
const group: Chat = { id: 'oc_menu_supervision', type: 'group' };

let h: FeishuHarness;
const title = (personOrChat: string) => (h.lastCardTo(personOrChat).content as FeishuCard).header.title.content;

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('the bot menu', () => {
  it('「登记问题」 (intake) sends the intake form to the inspector, who files from it', async () => {
    const { status } = await h.tapMenu(inspector, 'intake');
    expect(status).toBe(200);
    const form = h.lastCardTo(inspector.openId);
    expect((form.content as FeishuCard).header.title.content).toBe('督查登记');
    const filed = await h.click(inspector, form.messageId, button(h.currentCard(form.messageId), '提交并下发整改').value, {
      area: '门诊二楼',
      category: '服务质量',
      description: '候诊区叫号系统故障无人处理',
      leader: wang.openId,
      deadline_date: '2026-12-11 +0800',
    });
    expect(filed.body.toast).toEqual({ type: 'success', content: '已登记第1号问题，已通知责任领导。' });
    expect(title(wang.openId)).toBe('整改任务 · 第1号问题');
  });

  it('「我的任务」 lists the leader’s tasks; 「帮助」 and an unknown key show the instructions', async () => {
    await h.tapMenu(wang, 'my_tasks');
    expect(title(wang.openId)).toBe('我的任务（1）');
    await h.tapMenu(wang, 'help');
    expect(title(wang.openId)).toBe('督办 · 使用说明');
    await h.tapMenu(wang, '我的任务');
    expect(title(wang.openId)).toBe('我的任务（1）');
    await h.tapMenu(wang, 'no_such_item');
    expect(title(wang.openId)).toBe('督办 · 使用说明');
  });

  it('keeps the intake for inspectors, and a redelivered tap sends nothing twice', async () => {
    await h.tapMenu(stranger, 'intake');
    expect(JSON.stringify(h.messagesTo(stranger.openId).at(-1)!.content)).toContain('只有督查组成员可以登记问题');
    const sent = h.stub.sent.length;
    await h.tapMenu(wang, 'my_tasks', { eventId: 'evt_menu_once' });
    await h.tapMenu(wang, 'my_tasks', { eventId: 'evt_menu_once' });
    expect(h.stub.sent.length).toBe(sent + 1);
  });

  it('learns the name of whoever taps (operator_name): the ledger prints it', () => {
    // 王主任 was only ever chosen in a picker, never @-mentioned: his taps are where his name comes from
    const row = h.server.database.sqlite.prepare('select name from members where user_id = ?').get(wang.openId) as { name: string };
    expect(row.name).toBe(wang.name);
  });
});
