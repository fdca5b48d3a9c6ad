// 科室停用 end to end on Feishu: a merged department is offered for no new finding (the intake form,
// 修改问题), a stale form or its name typed as new is refused with a toast, its open task goes on and
// it is still counted; the list shows it apart; 启用 (or 新增 again) puts it back. Only admins and
// supervisors may do it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, cardText, FeishuHarness, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_dt_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_dt_inspector', name: '督查员郑' };
const wang: Person = { openId: 'ou_dt_wang', name: '王主任' };
const group: Chat = { id: 'oc_dt_supervision', type: 'group' };

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const departmentId = (name: string) => (db().prepare('select id from departments where name = ?').get(name) as { id: string }).id;
const retiredOn = (name: string) => (db().prepare('select retired_on from departments where name = ?').get(name) as { retired_on: string | null }).retired_on;
const lastText = () => JSON.stringify(h.messagesTo(group.id).at(-1)!.content);
/** The labels of a select on a card, by the field's name. */
function optionsOf(card: FeishuCard, name: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const element = value as Record<string, unknown>;
      if (element['name'] === name && Array.isArray(element['options'])) {
        for (const o of element['options'] as { text: { content: string } }[]) found.push(o.text.content);
      }
      Object.values(element).forEach(walk);
    }
  };
  walk(card);
  return found;
}

let staleForm = '';

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  await h.say(admin, group, `@督办 科室 新增 急诊二科 @${wang.name}`, { mentions: [wang] });
  await h.say(admin, group, `@督办 科室 新增 急诊科 @${wang.name}`, { mentions: [wang] });
  await h.fileFinding(inspector, group, { department: departmentId('急诊二科'), area: '留观室', category: '服务环境', description: '留观室呼叫铃损坏', deadline_date: '2026-12-11 +0800' });
  // a form drawn before the department is retired
  await h.say(inspector, group, '@督办 督查');
  staleForm = h.lastCardTo(group.id).messageId;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('科室 停用', () => {
  it('refuses an inspector, then retires the department for an admin, saying its open task goes on', async () => {
    await h.say(inspector, group, '@督办 科室 停用 急诊二科');
    expect(lastText()).toContain('只有管理员和监督小组成员可以维护科室');
    expect(retiredOn('急诊二科')).toBeNull();
    await h.say(admin, group, '@督办 科室 停用 急诊二科');
    expect(lastText()).toContain('已停用科室「急诊二科」：登记问题和修改问题时不再列出它。该科室还有1项未办结的整改任务，照常办理和提醒');
    expect(retiredOn('急诊二科')).toBe('2026-11-23');
    await h.say(admin, group, '@督办 科室 停用 急诊二科');
    expect(lastText()).toContain('科室「急诊二科」已于2026年11月23日停用');
    await h.say(admin, group, '@督办 科室 停用 儿科');
    expect(lastText()).toContain('没有名为「儿科」的科室');
  });

  it('offers it for no new finding: not on a new form, and a stale form or its name typed as new is refused', async () => {
    await h.say(inspector, group, '@督办 督查');
    expect(optionsOf(h.currentCard(h.lastCardTo(group.id).messageId), 'department')).toEqual(['急诊科']);
    const findings = () => (db().prepare('select count(*) n from findings').get() as { n: number }).n;
    const stale = await h.click(inspector, staleForm, button(h.currentCard(staleForm), '提交并下发整改').value, {
      department: departmentId('急诊二科'), category: '服务环境', description: '又一个问题', deadline_date: '2026-12-11 +0800',
    });
    expect(stale.body.toast).toMatchObject({ type: 'error', content: '科室「急诊二科」已停用，请选择其他科室；需要时由管理员发送「科室 启用 急诊二科」。' });
    const typed = await h.click(inspector, staleForm, button(h.currentCard(staleForm), '提交并下发整改').value, {
      department_new: '急诊二科', category: '服务环境', description: '又一个问题', leader: wang.openId, deadline_date: '2026-12-11 +0800',
    });
    expect(typed.body.toast?.type).toBe('error');
    expect(findings()).toBe(1);
  });

  it('keeps its finding: 修改问题 still shows it for that finding, but nothing moves into it', async () => {
    const task = db().prepare('select id, version from tasks').get() as { id: string; version: number };
    await h.click(inspector, h.cardsTo(group.id).find((m) => cardText(m.content as FeishuCard).includes('留观室呼叫铃损坏'))!.messageId, { a: 'open', t: task.id, v: task.version });
    const own = h.lastCardTo(inspector.openId).messageId;
    const mode = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    expect(optionsOf(mode.body.card!.data, 'department')).toEqual(['急诊二科', '急诊科']);
    const moved = await h.click(inspector, own, button(mode.body.card!.data, '提交：修改问题').value, {
      department: departmentId('急诊科'), area: '留观室', category: '服务环境', description: '留观室呼叫铃损坏',
    });
    expect(moved.body.toast?.type).toBe('success');
    // and back into the retired one is refused
    const again = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    expect(optionsOf(again.body.card!.data, 'department')).toEqual(['急诊科']);
    const back = await h.click(inspector, own, button(again.body.card!.data, '提交：修改问题').value, {
      department: departmentId('急诊二科'), area: '留观室', category: '服务环境', description: '留观室呼叫铃损坏',
    });
    expect(back.body.toast).toMatchObject({ type: 'error', content: '科室「急诊二科」已停用，请选择其他科室。' });
    expect(db().prepare('select department_id from findings').get()).toEqual({ department_id: departmentId('急诊科') });
  });

  it('lists it apart, and puts it back on 启用 or on 新增 again', async () => {
    await h.say(admin, group, '@督办 科室');
    const list = cardText(h.lastCardTo(group.id).content as FeishuCard);
    expect(list).toContain(`- 急诊科：<at id=${wang.openId}></at>`);
    expect(list).toContain('**已停用**（已登记的问题照常统计）');
    expect(list).toContain('- 急诊二科（11月23日停用）');
    expect(list).not.toContain('- 急诊二科：');
    await h.say(admin, group, '@督办 科室 启用 急诊二科');
    expect(lastText()).toContain('已重新启用科室「急诊二科」');
    expect(retiredOn('急诊二科')).toBeNull();
    await h.say(admin, group, '@督办 科室 停用 急诊二科');
    await h.say(admin, group, '@督办 科室 新增 急诊二科');
    expect(lastText()).toContain('已重新启用科室「急诊二科」，责任领导仍为');
    expect(retiredOn('急诊二科')).toBeNull();
  });
});
