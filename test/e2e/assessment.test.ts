// 科室考核 end to end on Feishu: a month of real clicks (on time, late after a 退回, overdue, cancelled),
// then 「考核」 in the supervision group answers a summary line and the workbook, read back with
// exceljs; the figures are the hand count. People without the right are refused, and so is a year
// not begun.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSESSMENT_SHEETS } from '../../src/excel/assessment-workbook.js';
import { runCli } from '../../src/runtime/cli.js';
import { FeishuHarness, p2p, type Chat, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_as_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_as_inspector', name: '督查员周' };
const wang: Person = { openId: 'ou_as_wang', name: '王主任' };
const zhang: Person = { openId: 'ou_as_zhang', name: '张主任' };
const group: Chat = { id: 'oc_as_supervision', type: 'group' };

let h: FeishuHarness;
const at = (iso: string) => {
  h.now = Date.parse(iso);
};

async function file(leader: Person, department: string, description: string, deadline: string): Promise<string> {
  await h.fileFinding(inspector, group, { department_new: department, category: '服务态度', description, leader: leader.openId, deadline_date: `${deadline} +0800` });
  return h.lastCardTo(leader.openId).messageId;
}

async function act(who: Person, messageId: string, label: string, form?: Record<string, unknown>) {
  const { body } = await h.act(who, messageId, label, form);
  expect(body.toast?.type, `${label}: ${body.toast?.content}`).toBe('success');
}

/** The inspector's card for the task that was just submitted to them. */
const verification = () => h.lastCardTo(inspector.openId).messageId;

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, group, [inspector], { startAt: '2026-11-02T09:30:00+08:00' });
  // the office sets up its departments and their leaders, which is how the bot learns their names
  await h.say(admin, group, '@督办 科室 新增 急诊科 @王主任', { mentions: [wang] });
  await h.say(admin, group, '@督办 科室 新增 药剂科 @张主任', { mentions: [zhang] });
  const onTime = await file(wang, '急诊科', '分诊台护士态度生硬', '2026-11-06');
  const late = await file(wang, '急诊科', '候诊区叫号不清', '2026-11-06');
  await file(zhang, '药剂科', '取药窗口无人解释', '2026-11-13');
  await file(wang, '急诊科', '重复登记的问题', '2026-11-20');

  await act(wang, onTime, '签收整改', { measures: '服务礼仪培训' });
  await act(wang, late, '签收整改', { measures: '更换叫号系统' });
  at('2026-11-05T10:00:00+08:00');
  await act(wang, onTime, '提交整改完成', { note: '已培训', closure_kind: 'done' });
  await act(wang, late, '提交整改完成', { note: '已调试', closure_kind: 'done' });
  await act(inspector, verification(), '退回整改', { reason: '叫号仍然听不清' });
  at('2026-11-09T10:00:00+08:00');
  // verified after the deadline, but reported done before it: on time
  await act(inspector, h.cardsTo(inspector.openId).find((m) => JSON.stringify(m.content).includes('分诊台护士态度生硬'))!.messageId, '验收通过');
  at('2026-11-10T10:00:00+08:00');
  await act(wang, late, '提交整改完成', { note: '叫号系统已更换', closure_kind: 'done' });
  await act(inspector, verification(), '验收通过');

  await h.say(inspector, p2p(inspector), '第4号问题');
  await act(inspector, h.lastCardTo(inspector.openId).messageId, '撤销', { reason: '与第1号重复' });
  at('2026-11-24T10:00:00+08:00');
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function workbookIn(chat: string): Promise<ExcelJS.Workbook> {
  const message = h.messagesTo(chat).filter((m) => m.msgType === 'file').at(-1);
  const file = h.stub.fileOf(message!);
  expect(file?.fileName).toBe('科室考核-日常督查-2026年-2026-11-24.xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file!.bytes.slice().buffer);
  return wb;
}

/** A row's cells as read back, an empty cell as '' (exceljs drops empty trailing cells). */
const rowValues = (sheet: ExcelJS.Worksheet, row: number) => Array.from({ length: sheet.columnCount }, (_, i) => sheet.getRow(row).getCell(i + 1).value ?? '');

describe('科室考核', () => {
  it('answers 「考核」 in the supervision group with the figures in one line and the workbook', async () => {
    await h.say(admin, group, '@督办 考核');
    const texts = h.messagesTo(group.id).filter((m) => m.msgType === 'text').map((m) => JSON.stringify(m.content));
    expect(texts.at(-1)).toContain(
      '日常督查科室考核：2026年（截至11月24日）共2个科室、3个问题；已销号2个（按期完成1个，逾期完成1个），销号率66.7%，按期完成率50.0%；未办结1个，其中逾期1个；验收退回1次。',
    );

    const wb = await workbookIn(group.id);
    expect(wb.worksheets.map((s) => s.name)).toEqual([ASSESSMENT_SHEETS.summary, ASSESSMENT_SHEETS.details]);
    const summary = wb.getWorksheet(ASSESSMENT_SHEETS.summary)!;
    expect(String(summary.getCell('A1').value)).toBe('日常督查科室考核汇总表（2026年（截至11月24日））');
    expect(rowValues(summary, 3)).toEqual(['序号', '科室', '问题数', '已销号', '按期完成', '逾期完成', '未办结', '其中逾期', '验收退回次数', '销号率', '按期完成率', '反复出现的问题']);
    // 急诊科 (jí) before 药剂科 (yào); the cancelled finding is not counted
    expect(rowValues(summary, 4)).toEqual([1, '急诊科', 2, 2, 1, 1, 0, 0, 1, 1, 0.5, '']);
    expect(rowValues(summary, 5)).toEqual([2, '药剂科', 1, 0, 0, 0, 1, 1, 0, 0, '—', '']);
    expect(rowValues(summary, 6)).toEqual(['', '合计', 3, 2, 1, 1, 1, 1, 1, 2 / 3, 0.5, '']);
    expect(summary.getCell('J4').numFmt).toBe('0.0%');
    expect(summary.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape' });

    const details = wb.getWorksheet(ASSESSMENT_SHEETS.details)!;
    const row = (n: number) => rowValues(details, n).map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v));
    expect(row(3)).toEqual([1, '急诊科', '服务态度', '分诊台护士态度生硬', '王主任', '2026-11-02', '2026-11-06', '2026-11-05', '已销号', '按期完成', 0]);
    expect(row(4)).toEqual([2, '急诊科', '服务态度', '候诊区叫号不清', '王主任', '2026-11-02', '2026-11-06', '2026-11-10', '已销号', '逾期完成', 1]);
    expect(row(5)).toEqual([3, '药剂科', '服务态度', '取药窗口无人解释', '张主任', '2026-11-02', '2026-11-13', '', '待签收', '逾期未完成', 0]);
    expect(details.rowCount).toBe(5);
  });

  it('refuses a leader in a direct chat, and a year not begun', async () => {
    await h.say(wang, p2p(wang), '考核');
    expect(JSON.stringify(h.messagesTo(wang.openId).at(-1)!.content)).toContain('科室考核请在督查群中获取');
    expect(h.messagesTo(wang.openId).some((m) => m.msgType === 'file')).toBe(false);
    const files = h.messagesTo(group.id).filter((m) => m.msgType === 'file').length;
    await h.say(admin, group, '@督办 考核 2027年');
    expect(JSON.stringify(h.messagesTo(group.id).at(-1)!.content)).toContain('2027年还没有开始，可写今年或往年，如「考核 2025年」。');
    expect(h.messagesTo(group.id).filter((m) => m.msgType === 'file')).toHaveLength(files);
  });

  it('gives an inspector last year\'s, empty here, in a direct chat', async () => {
    await h.say(inspector, p2p(inspector), '2025年度科室考核');
    const texts = h.messagesTo(inspector.openId).filter((m) => m.msgType === 'text');
    expect(JSON.stringify(texts.at(-1)!.content)).toContain('日常督查科室考核：2025年度没有登记问题。');
    const file = h.stub.fileOf(h.messagesTo(inspector.openId).filter((m) => m.msgType === 'file').at(-1)!);
    expect(file?.fileName).toBe('科室考核-日常督查-2025年-2026-11-24.xlsx');
  });

  it('`duban export assessment --year 2026 --out` writes the same figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-cli-'));
    try {
      const out = join(dir, 'assessment.xlsx');
      const lines: string[] = [];
      const code = await runCli(['export', 'assessment', '--year', '2026', '--out', out], { DATABASE_PATH: join(h.dataDir, 'duban.sqlite') }, (l) => lines.push(l));
      expect(code, lines.join('\n')).toBe(0);
      expect(lines.join('\n')).toContain('3个问题；已销号2个（按期完成1个，逾期完成1个）');
      const fromCli = new ExcelJS.Workbook();
      await fromCli.xlsx.load(new Uint8Array(readFileSync(out)).buffer);
      const fromChat = await workbookIn(group.id);
      // the command line dates the file by the machine's clock; the figures are the same
      const figures = (wb: ExcelJS.Workbook) => [4, 5, 6].map((r) => rowValues(wb.getWorksheet(ASSESSMENT_SHEETS.summary)!, r));
      expect(figures(fromCli)).toEqual(figures(fromChat));
      expect(await runCli(['export', 'assessment', '--year', '去年', '--out', out], { DATABASE_PATH: join(h.dataDir, 'duban.sqlite') }, (l) => lines.push(l))).toBe(2);
      expect(lines.at(-1)).toBe('--year 不是年份：去年（例如 --year 2025）');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
