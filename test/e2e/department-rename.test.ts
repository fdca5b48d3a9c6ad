// 科室更名 end to end on Feishu: a department renamed keeps its findings, tasks and leader, and
// every later card, list and bulletin names it by its new name; who may rename, and the names it
// refuses (unknown, taken, unchanged), change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_dr_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_dr_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_dr_wang', name: '王主任' };
const group: Chat = { id: 'oc_dr_supervision', type: 'group' };

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const departments = () => db().prepare('select id, name, leader_user_id from departments order by name').all() as { id: string; name: string; leader_user_id: string | null }[];
const lastText = () => JSON.stringify(h.messagesTo(group.id).at(-1)!.content);

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.say(admin, group, `@督办 科室 新增 门诊部 @${wang.name}`, { mentions: [wang] });
  await h.say(admin, group, '@督办 科室 新增 急诊科');
  await h.fileFinding(inspector, group, {
    department: departments().find((d) => d.name === '门诊部')!.id,
    area: '挂号窗口',
    category: '服务态度',
    description: '挂号窗口工作人员态度生硬',
    deadline_date: '2026-12-11 +0800',
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('科室 更名', () => {
  it('renames the department in place: same id, same leader, its finding and task still in it', async () => {
    const before = departments().find((d) => d.name === '门诊部')!;
    await h.say(admin, group, '@督办 科室 更名 门诊部 为 门诊办公室');
    expect(lastText()).toContain('已将科室「门诊部」更名为「门诊办公室」');
    expect(departments().find((d) => d.id === before.id)).toEqual({ ...before, name: '门诊办公室' });
    expect(departments().map((d) => d.name)).not.toContain('门诊部');
    expect(db().prepare('select department_id from findings').get()).toEqual({ department_id: before.id });
    expect(db().prepare('select department_id, leader_user_id from tasks').get()).toEqual({ department_id: before.id, leader_user_id: wang.openId });
  });

  it('names the department by its new name on the finding’s card, the department list and the bulletin', async () => {
    await h.say(admin, group, '@督办 第1号问题');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain('门诊办公室（挂号窗口）');
    await h.say(admin, group, '@督办 科室');
    const list = cardText(h.lastCardTo(group.id).content as FeishuCard);
    expect(list).toContain(`- 门诊办公室：<at id=${wang.openId}></at>`);
    expect(list).not.toContain('- 门诊部');
    await h.say(admin, group, '@督办 通报');
    const bulletin = cardText(h.lastCardTo(group.id).content as FeishuCard);
    expect(bulletin).toContain('门诊办公室');
    expect(bulletin).not.toContain('门诊部');
  });

  it('refuses an inspector, an unknown or taken name and a sentence it cannot read, changing nothing', async () => {
    const before = departments();
    await h.say(inspector, group, '@督办 科室 更名 急诊科 急诊医学科');
    expect(lastText()).toContain('只有管理员和监督小组成员可以维护科室');
    await h.say(admin, group, '@督办 科室 更名 门诊部 门诊中心');
    expect(lastText()).toContain('没有名为「门诊部」的科室');
    await h.say(admin, group, '@督办 科室 更名 急诊科→门诊办公室');
    expect(lastText()).toContain('已有名为「门诊办公室」的科室，不能重名');
    await h.say(admin, group, '@督办 科室 更名 急诊科');
    expect(lastText()).toContain('用法：科室 更名 原名称 新名称');
    await h.say(admin, group, '@督办 科室 更名 急诊科 急诊科');
    expect(lastText()).toContain('名称没有改变');
    expect(departments()).toEqual(before);
  });
});
