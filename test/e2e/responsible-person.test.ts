// 验收标准 and 责任人 end to end on Feishu (DESIGN's task: "responsible leader and person, …
// acceptance criteria"; seed 000's 整改清单: 整改措施、责任领导、责任人和整改完成时间): the inspector
// writes what will be verified when filing, the leader names who carries the measures out when
// accepting; both are on every card, the verifier sees them, the ledger lists the 责任人 and reads it
// back in. Text over its limit is refused with a toast and nothing changes.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSheets } from '../../src/excel/read-sheets.js';
import { readProblems } from '../../src/domain/problem-sheet.js';
import { button, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_rp_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_rp_inspector', name: '督查员韩' };
const wang: Person = { openId: 'ou_rp_wang', name: '王主任' };
const group: Chat = { id: 'oc_rp_supervision', type: 'group' };
const CRITERIA = '呼叫铃5秒内应答，连续一周巡查无故障';

let h: FeishuHarness;
let wangsCard = '';
const db = () => h.server.database.sqlite;
const task = () => db().prepare('select state, responsible_person, acceptance_criteria from tasks').get();

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector]);
  // the office names its departments' leaders, which is how the bot learns their names
  await h.say(admin, group, `@督办 科室 新增 住院部 @${wang.name}`, { mentions: [wang] });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('验收标准 and 责任人', () => {
  it('refuses criteria over 200 characters at filing, then files with them: the leader reads what will be verified', async () => {
    await h.say(inspector, group, '@督办 督查');
    const form = h.lastCardTo(group.id).messageId;
    const fields = { area: '住院部三病区', category: '服务质量', description: '夜间呼叫铃无人应答', leader: wang.openId, deadline_date: '2026-12-11 +0800' };
    const tooLong = await h.click(inspector, form, button(h.currentCard(form), '提交并下发整改').value, { ...fields, acceptance: '验'.repeat(201) });
    expect(tooLong.body.toast).toMatchObject({ type: 'error', content: '请检查「验收标准（不超过200字）」：未填写或格式不对。' });
    expect(db().prepare('select count(*) n from tasks').get()).toEqual({ n: 0 });

    const filed = await h.click(inspector, form, button(h.currentCard(form), '提交并下发整改').value, { ...fields, acceptance: CRITERIA });
    expect(filed.body.toast?.type).toBe('success');
    expect(task()).toEqual({ state: 'pending', responsible_person: null, acceptance_criteria: CRITERIA });
    wangsCard = h.lastCardTo(wang.openId).messageId;
    expect(cardText(h.currentCard(wangsCard))).toContain(`**验收标准**`);
    expect(cardText(h.currentCard(wangsCard))).toContain(CRITERIA);
  });

  it('lets the leader name the 责任人 on 签收 (refusing one over 50 characters); the card and the record show it', async () => {
    const tooLong = await h.act(wang, wangsCard, '签收整改', { measures: '调整夜班排班，增设巡视', responsible_person: '李'.repeat(51) });
    expect(tooLong.body.toast).toMatchObject({ type: 'error', content: '请检查「责任人（不超过50字）」：未填写或格式不对。' });
    expect(task()).toMatchObject({ state: 'pending', responsible_person: null });

    // the form stays open after the toast: corrected, it is submitted again
    const accepted = await h.click(wang, wangsCard, button(h.currentCard(wangsCard), '提交：签收整改').value, { measures: '调整夜班排班，增设巡视', responsible_person: '护士长 李某' });
    expect(accepted.body.toast?.type).toBe('success');
    expect(task()).toMatchObject({ state: 'in_progress', responsible_person: '护士长 李某' });
    expect(cardText(accepted.body.card!.data)).toContain('护士长 李某');
    expect(JSON.parse((db().prepare("select data from task_events where action = 'accept'").get() as { data: string }).data)).toEqual({
      measures: '调整夜班排班，增设巡视',
      responsiblePerson: '护士长 李某',
    });
  });

  it('lets the leader revise the measures and the 责任人 while rectifying; the record keeps before and after', async () => {
    const mode = await h.click(wang, wangsCard, button(h.currentCard(wangsCard), '修改整改措施').value);
    expect(JSON.stringify(mode.body.card!.data)).toContain('护士长 李某');
    const same = await h.click(wang, wangsCard, button(mode.body.card!.data, '提交：修改整改措施').value, { measures: '调整夜班排班，增设巡视', responsible_person: '护士长 李某' });
    expect(same.body.toast).toMatchObject({ type: 'error', content: '内容没有改动。' });
    const revised = await h.click(wang, wangsCard, button(h.currentCard(wangsCard), '提交：修改整改措施').value, {
      measures: '调整夜班排班，增设巡视；呼叫铃改接护士站分机',
      responsible_person: '护士长 李某、设备科 赵某',
    });
    expect(revised.body.toast).toMatchObject({ type: 'success', content: '整改措施已更新，各处的任务卡片将同步更新。' });
    expect(task()).toMatchObject({ state: 'in_progress', responsible_person: '护士长 李某、设备科 赵某' });
    expect(cardText(revised.body.card!.data)).toContain('呼叫铃改接护士站分机');
    await h.say(admin, group, '@督办 1号记录');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain('修改整改措施：整改措施：调整夜班排班，增设巡视；呼叫铃改接护士站分机；责任人 护士长 李某 → 护士长 李某、设备科 赵某');
  });

  it('lets the inspector correct the 验收标准 with 修改问题; every copy of the card shows the new one', async () => {
    await h.say(inspector, p2p(inspector), '第1号问题');
    const own = h.lastCardTo(inspector.openId).messageId;
    const mode = await h.click(inspector, own, button(h.currentCard(own), '修改问题').value);
    expect(JSON.stringify(mode.body.card!.data)).toContain(CRITERIA);
    const corrected = await h.click(inspector, own, button(mode.body.card!.data, '提交：修改问题').value, {
      area: '住院部三病区', category: '服务质量', description: '夜间呼叫铃无人应答', acceptance: `${CRITERIA}，夜班记录完整`,
    });
    expect(corrected.body.toast?.type).toBe('success');
    expect(task()).toMatchObject({ acceptance_criteria: `${CRITERIA}，夜班记录完整` });
    await h.server.settle();
    expect(cardText(h.currentCard(wangsCard))).toContain('夜班记录完整');
    await h.say(admin, group, '@督办 1号记录');
    expect(cardText(h.lastCardTo(group.id).content as FeishuCard)).toContain('修改问题：验收标准已改写');
  });

  it('shows the verifier both when the work is submitted', async () => {
    const submitted = await h.act(wang, wangsCard, '提交整改完成', { note: '已调整排班，一周内抽查10次均5秒内应答', closure_kind: 'done' });
    expect(submitted.body.toast?.type).toBe('success');
    const verify = cardText(h.lastCardTo(inspector.openId).content as FeishuCard);
    expect(verify).toContain('整改已提交，请验收');
    expect(verify).toContain(`${CRITERIA}，夜班记录完整`);
    expect(verify).toContain('护士长 李某、设备科 赵某');
  });

  it('lists the 责任人 in 附件2, and reads it back from the exported file', async () => {
    await h.say(admin, group, '@督办 台账');
    const message = h.messagesTo(group.id).filter((m) => m.msgType === 'file').at(-1)!;
    const bytes = h.stub.fileOf(message)!.bytes;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes.slice().buffer);
    const list = wb.getWorksheet('附件2 问题清单汇总表')!;
    expect(list.getCell('F3').value).toBe('责任人');
    expect(list.getCell('F4').value).toBe('护士长 李某、设备科 赵某');
    const read = readProblems(await readSheets(bytes));
    if (!read.ok) throw new Error(read.reason);
    expect(read.rows[0]).toMatchObject({ leader: '王主任', responsiblePerson: '护士长 李某、设备科 赵某' });
  });
});
