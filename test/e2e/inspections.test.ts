// 督查记录 and 督查情况 end to end on Feishu: an inspector records an inspection that found nothing
// with 「督查 门诊部 未发现问题」 (once a day per department, a redelivered message records nothing
// more); the supervision group asks 督查情况 and sees the month's inspections — findings filed and
// inspections that found nothing — the weeks without any, who inspected, and the departments
// nobody visited; a leader in a direct chat and an ordinary group are told where to ask.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_in_admin', name: '纪检监察室刘主任' };
const feng: Person = { openId: 'ou_in_feng', name: '督查员冯' };
const chen: Person = { openId: 'ou_in_chen', name: '督查员陈' };
const wang: Person = { openId: 'ou_in_wang', name: '王主任' };
const group: Chat = { id: 'oc_in_supervision', type: 'group' };

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const departmentId = (name: string) => (db().prepare('select id from departments where name = ?').get(name) as { id: string }).id;
const visits = () => db().prepare('select d.name, v.visited_on as day, v.note from inspection_visits v join departments d on d.id = v.department_id order by v.visited_on, d.name').all();
const lastTextTo = (chat: string) => JSON.stringify(h.messagesTo(chat).at(-1)!.content);
const lastCard = (chat: string) => h.lastCardTo(chat).content as FeishuCard;

async function file(inspector: Person, department: string, description: string) {
  await h.fileFinding(inspector, group, { department: departmentId(department), category: '服务环境', description, leader: wang.openId, deadline_date: '2026-12-31 +0800' });
}

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [feng, chen], { startAt: '2026-10-20T09:30:00+08:00' });
  for (const name of ['门诊部', '急诊科', '检验科', '药剂科', '病案室']) await h.say(admin, group, `@督办 科室 新增 ${name} @${wang.name}`, { mentions: [wang] });
  await h.say(feng, group, '@督办 督查 药剂科 未发现问题');
  await h.say(admin, group, '@督办 科室 停用 病案室');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('督查记录', () => {
  it('records an inspection that found nothing, with what the inspector added, and answers in the chat', async () => {
    h.now = Date.parse('2026-11-03T10:00:00+08:00');
    const event = 'ev_in_visit_1103';
    await h.say(feng, group, '@督办 督查 门诊部 未发现问题，候诊区整洁有序', { eventId: event });
    expect(lastTextTo(group.id)).toContain('已记录督查：11月3日 门诊部，未发现问题（候诊区整洁有序）。计入「督查情况」和督查通报');
    const sent = h.messagesTo(group.id).length;
    // Feishu delivers the same event again: nothing more is recorded or said
    await h.say(feng, group, '@督办 督查 门诊部 未发现问题，候诊区整洁有序', { eventId: event });
    expect(h.messagesTo(group.id).length).toBe(sent);
    // the inspector says it again: the same inspection, recorded once
    await h.say(feng, group, '督查 门诊部 无问题');
    expect(visits()).toEqual([
      { name: '药剂科', day: '2026-10-20', note: null },
      { name: '门诊部', day: '2026-11-03', note: '候诊区整洁有序' },
    ]);
    await file(feng, '急诊科', '急诊留观区地面湿滑无警示');
  });

  it('lets the inspector take a record made in error back (撤销督查记录), only their own', async () => {
    await h.say(feng, group, '督查 检验科 未发现问题');
    expect(lastTextTo(group.id)).toContain('记错了请发送「撤销督查记录 检验科」。');
    expect(visits()).toHaveLength(3);
    await h.say(chen, group, '撤销督查记录 检验科');
    expect(lastTextTo(group.id)).toContain('没有您对检验科的督查记录，无需撤销。');
    await h.say(feng, group, '@督办 撤销督查记录 检验科');
    expect(lastTextTo(group.id)).toContain('已撤销您11月3日对检验科的督查记录（未发现问题）。');
    expect(visits()).toHaveLength(2);
    await h.say(feng, group, '撤销督查记录 检验科');
    expect(lastTextTo(group.id)).toContain('没有您对检验科的督查记录，无需撤销。');
    await h.say(feng, group, '撤销督查记录');
    expect(lastTextTo(group.id)).toContain('请写明撤销哪个科室的督查记录，例如「撤销督查记录 门诊部」。');
  });

  it('asks which department when it cannot tell, and records nothing', async () => {
    await h.say(feng, p2p(feng), '督查 住院三病区 未发现问题');
    expect(lastTextTo(feng.openId)).toContain('没有认出督查的科室，未记录。请写明科室全称，例如「督查 门诊部 未发现问题」。已登记的科室：');
    expect(lastTextTo(feng.openId)).toContain('门诊部');
    expect(lastTextTo(feng.openId)).not.toContain('病案室'); // retired
    expect(visits()).toHaveLength(2);
  });

  it('leaves a problem that mentions 无问题 in passing to the intake form', async () => {
    await h.say(feng, group, '@督办 督查 检验科 护士称设备无问题但自助机仍然故障');
    const form = lastCard(group.id);
    expect(form.header.title.content).toContain('督查登记');
    // the form itself says how an inspection that found nothing is recorded
    expect(cardText(form)).toContain('督查未发现问题时不必填表：发送「督查 科室名称 未发现问题」即记一次督查。');
    expect(visits()).toHaveLength(2);
  });
});

describe('督查情况', () => {
  beforeAll(async () => {
    h.now = Date.parse('2026-11-17T10:00:00+08:00');
    await h.say(feng, group, '督查 检验科 无问题');
    await file(chen, '门诊部', '导诊台无人值守');
    await file(chen, '门诊部', '自助机旁无引导');
    h.now = Date.parse('2026-11-24T10:00:00+08:00');
  }, 60_000);

  it('shows the supervision group the month so far: inspections, the week without any, who inspected, the departments nobody visited', async () => {
    await h.say(admin, group, '@督办 督查情况');
    const card = lastCard(group.id);
    expect(checkFeishuCard(card)).toEqual([]);
    expect(card.header.title.content).toBe('督查情况 · 2026年11月（截至今日）');
    expect(card.header.template).toBe('red');
    const text = cardText(card);
    // 冯: 门诊部 11-03 (nothing found), 急诊科 11-03 (1), 检验科 11-17 (nothing); 陈: 门诊部 11-17 (2)
    expect(text).toContain('11月1日—11月24日督查**4次**（其中未发现问题2次），发现问题**3个**；覆盖科室**3/4**个。');
    expect(text).toContain('- 11月2日—11月8日：2次');
    expect(text).toContain("- 11月9日—11月15日：<font color='red'>**0次，未督查**</font>");
    expect(text).toContain('- 11月16日—11月22日：2次');
    expect(text).toContain('- 11月23日—今日（本周）：0次');
    expect(text).toContain('药剂科（上次10月20日）');
    expect(text).not.toContain('病案室');
    const table = JSON.stringify(card);
    expect(table.indexOf(feng.openId)).toBeGreaterThan(-1);
    expect(table.indexOf(feng.openId)).toBeLessThan(table.indexOf(chen.openId)); // 3 inspections before 1
  });

  it('shows a month that has ended, and refuses one that has not come', async () => {
    await h.say(admin, group, '@督办 10月督查情况');
    const card = lastCard(group.id);
    expect(card.header.title.content).toBe('督查情况 · 2026年10月');
    const text = cardText(card);
    expect(text).toContain('10月1日—10月31日督查**1次**（其中未发现问题1次），发现问题**0个**；覆盖科室**1/4**个。');
    expect(text).toContain('当月未督查的科室（3）');
    expect(text).toContain('门诊部（从未督查）');
    await h.say(admin, group, '@督办 督查情况 2027年1月');
    expect(lastTextTo(group.id)).toContain('2027年1月还没有到。');
  });

  it('puts the period’s inspection work in the bulletins: last week’s, and this week’s with none yet', async () => {
    await h.say(admin, group, '@督办 上周通报');
    const lastWeek = cardText(lastCard(group.id));
    expect(lastWeek).toContain('**督查开展**\\n本周督查2次（其中未发现问题1次），覆盖科室2/4个。\\n未督查：急诊科、药剂科（发送「督查情况」查看详情）');
    await h.say(admin, group, '@督办 通报');
    expect(cardText(lastCard(group.id))).toContain("<font color='red'>本周截至今日没有督查记录</font>，覆盖科室0/4个。");
  });

  it('keeps a record older than a week: it has been in a bulletin', async () => {
    await h.say(feng, group, '撤销督查记录 药剂科');
    expect(lastTextTo(group.id)).toContain('您对药剂科最近的督查记录是10月20日的，已超过7天并计入通报，不能撤销。');
    expect(visits()).toContainEqual({ name: '药剂科', day: '2026-10-20', note: null });
  });

  it('lets an inspector see every campaign in a direct chat, and tells a leader and an ordinary group where to ask', async () => {
    await h.say(feng, p2p(feng), '督查情况');
    expect(lastCard(feng.openId).header.title.content).toBe('督查情况 · 2026年11月（截至今日）');
    // the bot menu's 「督查情况」 item (event key `inspections`) asks the same
    const before = h.cardsTo(feng.openId).length;
    await h.tapMenu(feng, 'inspections');
    expect(h.cardsTo(feng.openId)).toHaveLength(before + 1);
    expect(lastCard(feng.openId).header.title.content).toBe('督查情况 · 2026年11月（截至今日）');
    await h.say(wang, p2p(wang), '督查情况');
    expect(lastTextTo(wang.openId)).toContain('督查情况供督查组、监督小组和管理员查看。');
    const chatter: Chat = { id: 'oc_in_chatter', type: 'group' };
    await h.say(admin, chatter, '@督办 督查情况');
    expect(lastTextTo(chatter.id)).toContain('请在督查群中，或在与「督办」的私聊中查看督查情况。');
  });
});

describe('督查记录 in the ledger', () => {
  /** 附件1's forms as [编号, 督查日期, 督查区域, 主要问题, 督查人], read from the sheet's label column. */
  function recordForms(sheet: ExcelJS.Worksheet): string[][] {
    const forms: string[][] = [];
    const text = (v: ExcelJS.CellValue) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? ''));
    sheet.eachRow((row) => {
      const label = text(row.getCell(1).value);
      if (label === '编号') forms.push([]);
      if (['编号', '督查日期', '督查区域', '主要问题', '督查人'].includes(label)) forms.at(-1)!.push(text(row.getCell(2).value));
    });
    return forms;
  }

  it('prints each inspection that found nothing as a 附件1 form without 编号, among its day’s forms; importing the file back reads only the problems', async () => {
    await h.say(admin, group, '@督办 台账');
    const file = h.stub.fileOf(h.messagesTo(group.id).filter((m) => m.msgType === 'file').at(-1)!);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file!.bytes.slice().buffer);
    const forms = recordForms(wb.getWorksheet('附件1 督查反馈记录表')!);
    expect(forms.map(([number, day, area, , who]) => [number, day, area, who])).toEqual([
      ['', '2026-10-20', '药剂科', feng.name],
      ['1', '2026-11-03', '急诊科', feng.name],
      ['', '2026-11-03', '门诊部', feng.name],
      ['2、3', '2026-11-17', '门诊部', chen.name],
      ['', '2026-11-17', '检验科', feng.name],
    ]);
    expect(forms[2]![3]).toBe('未发现问题（候诊区整洁有序）');
    expect(wb.getWorksheet('附件2 问题清单汇总表')!.getCell('A7').value).toBeNull(); // three problems, rows 4–6

    await h.sendFile(admin, p2p(admin), file!.fileName, file!.bytes);
    const preview = lastCard(admin.openId);
    expect(cardText(preview)).toContain('**读到的问题**：3条');
    const confirm = buttonsOf(preview).find((b) => b.label === '确认导入3条')!;
    expect((await h.click(admin, h.lastCardTo(admin.openId).messageId, confirm.value)).body.toast?.content).toBe('已导入3条');
    // each problem keeps its own form's 督查区域; the forms without 编号 gave nothing to any
    expect(db().prepare('select area, found_on as day from findings where import_id is not null order by number').all()).toEqual([
      { area: '急诊科', day: '2026-11-03' },
      { area: '门诊部', day: '2026-11-17' },
      { area: '门诊部', day: '2026-11-17' },
    ]);
  });
});
