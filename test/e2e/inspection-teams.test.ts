// 督查组 end to end on Feishu: the office sets up 督查一组 and 督查二组 (组长 first), moves a person
// between them, and winds one up; 督查情况 counts each group's weeks by who was in it that day, a
// week a group let pass in red; the bulletins name each group's figure; only admins and the
// supervisory group may set groups up, and chatter that starts with 督查组 is left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_tm_admin', name: '纪检监察室刘主任' };
const feng: Person = { openId: 'ou_tm_feng', name: '督查员冯' };
const chen: Person = { openId: 'ou_tm_chen', name: '督查员陈' };
const li: Person = { openId: 'ou_tm_li', name: '督查员李' };
const zhou: Person = { openId: 'ou_tm_zhou', name: '督查员周' };
const wang: Person = { openId: 'ou_tm_wang', name: '王主任' };
const group: Chat = { id: 'oc_tm_supervision', type: 'group' };

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const lastText = () => JSON.stringify(h.messagesTo(group.id).at(-1)!.content);
const lastCard = () => h.lastCardTo(group.id).content as FeishuCard;
const departmentId = (name: string) => (db().prepare('select id from departments where name = ?').get(name) as { id: string }).id;
const at = (isoTime: string) => {
  h.now = Date.parse(isoTime);
};

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [feng, chen, zhou], { startAt: '2026-10-26T09:30:00+08:00' });
  for (const name of ['门诊部', '急诊科', '检验科']) await h.say(admin, group, `@督办 科室 新增 ${name} @${wang.name}`, { mentions: [wang] });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('setting up 督查组', () => {
  it('sets a group up with its 组长 first, and makes everyone in it an inspector', async () => {
    at('2026-11-02T09:00:00+08:00');
    await h.say(admin, group, `@督办 督查组 督查一组 组长 @${feng.name} 成员 @${chen.name}`, { mentions: [feng, chen] });
    expect(lastText()).toContain(`已成立督查组「督查一组」：组长 <at user_id=\\"${feng.openId}\\"></at>，成员 <at user_id=\\"${chen.openId}\\"></at>（共2人）。`);
    await h.say(admin, group, `@督办 督查组 督查二组 @${li.name}`, { mentions: [li] });
    expect(lastText()).toContain('已成立督查组「督查二组」');
    // 李 had no role: being in a group makes him an inspector
    expect(db().prepare("select role from member_roles where user_id = ?").all(li.openId)).toEqual([{ role: 'inspector' }]);
  });

  it('lists the groups, and the inspectors in none of them', async () => {
    await h.say(chen, group, '督查组');
    const card = lastCard();
    expect(checkFeishuCard(card)).toEqual([]);
    expect(card.header.title.content).toBe('督查组');
    const text = cardText(card);
    expect(text).toContain(`- **督查一组**（2人）：组长 <at id=${feng.openId}></at>；成员 <at id=${chen.openId}></at>`);
    expect(text).toContain(`- **督查二组**（1人）：组长 <at id=${li.openId}></at>`);
    expect(text).toContain(`**未编入督查组的督查人**：<at id=${zhou.openId}></at>`);
  });

  it('refuses anyone but an admin or the supervisory group, asks for people, and leaves chatter alone', async () => {
    const before = db().prepare('select count(*) as n from team_memberships').get();
    await h.say(feng, group, `@督办 督查组 督查三组 @${zhou.name}`, { mentions: [zhou] });
    expect(lastText()).toContain('只有管理员和监督小组成员可以设置督查组。');
    await h.say(admin, group, '@督办 督查组 督查三组');
    expect(lastText()).toContain('请@组长和成员。用法：督查组 督查一组 @组长 @成员1 @成员2 …（第一位@的人为组长）');
    const said = h.messagesTo(group.id).length;
    await h.say(admin, group, `督查组 下午到 @${zhou.name}`, { mentions: [zhou] });
    expect(h.messagesTo(group.id)).toHaveLength(said);
    expect(db().prepare('select count(*) as n from team_memberships').get()).toEqual(before);
    expect(db().prepare("select count(*) as n from inspection_teams where name in ('督查三组', '下午到')").get()).toEqual({ n: 0 });
  });
});

describe('督查情况 by 督查组', () => {
  beforeAll(async () => {
    at('2026-11-03T10:00:00+08:00');
    await h.say(feng, group, '督查 门诊部 未发现问题'); // 一组, week of 11-02; 二组 lets that week pass
    at('2026-11-10T10:00:00+08:00');
    await h.say(li, group, '督查 急诊科 未发现问题'); // 二组, week of 11-09; 一组 lets it pass
    at('2026-11-16T09:00:00+08:00');
    await h.say(admin, group, `@督办 督查组 督查二组 @${li.name} @${chen.name}`, { mentions: [li, chen] });
    at('2026-11-17T10:00:00+08:00');
    await h.fileFinding(chen, group, { department: departmentId('门诊部'), category: '服务环境', description: '导诊台无人值守', leader: wang.openId, deadline_date: '2026-12-31 +0800' });
    await h.say(feng, group, '督查 检验科 未发现问题');
    await h.say(zhou, group, '督查 急诊科 未发现问题'); // in no group
    at('2026-11-24T10:00:00+08:00');
  }, 60_000);

  it('tells the office who moved', async () => {
    const moved = JSON.stringify(h.messagesTo(group.id).filter((m) => JSON.stringify(m.content).includes('已调整督查组「督查二组」')).at(-1)!.content);
    expect(moved).toContain(`<at user_id=\\"${chen.openId}\\"></at> 原在「督查一组」，今天起调入本组。`);
  });

  it('says so when a 组长 moves, and lists the group he left without one', async () => {
    const temp: Chat = { id: 'oc_tm_other', type: 'group' };
    await h.say(admin, temp, `@督办 督查组 临时组 @${zhou.name}`, { mentions: [zhou] });
    await h.say(admin, temp, `@督办 督查组 督查三组 @${zhou.name}`, { mentions: [zhou] });
    expect(JSON.stringify(h.messagesTo(temp.id).at(-1)!.content)).toContain('原在「临时组」，今天起调入本组（原为该组组长，请重新设置「临时组」）。');
    await h.say(admin, temp, '督查组');
    expect(cardText(h.lastCardTo(temp.id).content as FeishuCard)).toContain('- **临时组**（0人）：未设组长');
    await h.say(admin, temp, '@督办 撤销督查组 临时组');
    await h.say(admin, temp, '@督办 撤销督查组 督查三组');
    expect(db().prepare('select count(*) as n from team_memberships where user_id = ? and until_on is null').get(zhou.openId)).toEqual({ n: 0 });
  });

  it('counts each group’s weeks by who was in it that day, a week it let pass in red', async () => {
    await h.say(admin, group, '@督办 督查情况');
    const card = lastCard();
    expect(checkFeishuCard(card)).toEqual([]);
    expect(card.header.template).toBe('red');
    const text = cardText(card);
    const red = "<font color='red'>**0**</font>";
    expect(text).toContain('**各督查组**（每组每周至少1次，各周顺序同上）');
    // 陈's finding on 11-17 counts for 二组, where he was by then; 周's inspection for no group
    expect(text).toContain(`- **督查一组**（组长 <at id=${feng.openId}></at>）：本月2次，发现问题0个；各周 1 · ${red} · 1 · 0（本周）`);
    expect(text).toContain(`- **督查二组**（组长 <at id=${li.openId}></at>）：本月2次，发现问题1个；各周 ${red} · 1 · 1 · 0（本周）`);
    expect(text).toContain('11月1日—11月24日督查**5次**');
  });

  it('names each group’s figure in the bulletin, a group that let the week pass in red', async () => {
    await h.say(admin, group, '@督办 上周通报');
    expect(cardText(lastCard())).toContain('各督查组：督查一组 1次、督查二组 1次');
    at('2026-11-30T10:00:00+08:00'); // Monday: last week, 11-23 to 11-29, had no inspection at all
    await h.say(admin, group, '@督办 上周通报');
    expect(cardText(lastCard())).toContain("各督查组：<font color='red'>督查一组 0次</font>、<font color='red'>督查二组 0次</font>");
    // October, before any group was set up, names none
    await h.say(admin, group, '@督办 通报 10月');
    expect(cardText(lastCard())).not.toContain('各督查组');
    at('2026-11-24T10:00:00+08:00');
  });

  it('winds a group up: gone from the list, its people still inspectors, its month still counted', async () => {
    await h.say(admin, group, '@督办 撤销督查组 督查一组');
    expect(lastText()).toContain('已撤销督查组「督查一组」：其成员仍可登记问题（角色不变），此前的督查照常计入该组的统计。');
    await h.say(admin, group, '@督办 撤销督查组 督查一组');
    expect(lastText()).toContain('没有名为「督查一组」的督查组。发送「督查组」查看各组。');
    await h.say(admin, group, '督查组');
    const list = cardText(lastCard());
    expect(list).not.toContain('**督查一组**');
    expect(list).toContain('- **督查二组**（2人）');
    expect(list).toContain(`**未编入督查组的督查人**：<at id=${feng.openId}></at> <at id=${zhou.openId}></at>`);
    expect(db().prepare("select count(*) as n from member_roles where user_id = ? and role = 'inspector'").get(feng.openId)).toEqual({ n: 1 });
    await h.say(admin, group, '@督办 督查情况');
    expect(cardText(lastCard())).toContain('- **督查一组**');
  });
});
