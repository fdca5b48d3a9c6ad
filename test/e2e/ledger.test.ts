// The ledger end to end on Feishu: a hand-kept 巡察 list built from seed 003 is sent to the bot,
// previewed, confirmed and imported with its history; 进展 gives back the seed's own headline;
// 台账 sends the workbook as a file message, read back with exceljs; the admin route and the
// command line give the same workbook; and an export imported into an empty tenant exports the
// same ledger again.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSheets } from '../../src/excel/read-sheets.js';
import { runCli } from '../../src/runtime/cli.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, buttonsOf, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';
import { LARGE_IMPORT_ROWS } from '../../cards/ledger.js';
import { SEED_003_LEADERS, seed003Workbook } from '../support/seed-003.js';

const admin: Person = { openId: 'ou_admin_zhou', name: '周主任' };
const leaders: Person[] = SEED_003_LEADERS.map((name, i) => ({ openId: `ou_leader_${i}`, name }));
const stranger: Person = { openId: 'ou_stranger', name: '路人甲' };
const group: Chat = { id: 'oc_supervision', type: 'group' };
const SEED_HEADLINE = '共反馈4个方面、11个大项、31条问题，已完成整改28项，继续整改3项；阶段性完成并长期推进11项';

/** A tenant with its supervision group bound and the seed's leaders known by name. */
async function preparedHarness(): Promise<FeishuHarness> {
  const h = await FeishuHarness.start({ startAt: '2026-11-23T10:00:00+08:00' });
  await h.say(admin, group, '@督办 设为督查群');
  await h.say(admin, group, `@督办 授权 ${leaders.map((l) => `@${l.name}`).join(' ')} 责任领导`, { mentions: leaders });
  return h;
}

function count(h: FeishuHarness, sql: string): number {
  return (h.server.database.sqlite.prepare(sql).get() as { n: number }).n;
}

async function importFile(h: FeishuHarness, name: string, bytes: Uint8Array): Promise<FeishuCard> {
  await h.sendFile(admin, p2p(admin), name, bytes);
  const preview = h.lastCardTo(admin.openId);
  return preview.content as FeishuCard;
}

async function ledgerFromChat(h: FeishuHarness): Promise<Uint8Array> {
  await h.say(admin, group, '@督办 台账');
  const fileMessage = h.messagesTo(group.id).filter((m) => m.msgType === 'file').at(-1);
  expect(fileMessage).toBeDefined();
  const file = h.stub.fileOf(fileMessage!);
  expect(file?.fileType).toBe('xls');
  expect(file?.fileName).toBe('整改台账-日常督查-2026-11-23.xlsx');
  return file!.bytes;
}

let h: FeishuHarness;
let exported: Uint8Array;

beforeAll(async () => {
  h = await preparedHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('importing seed 003 mid-campaign, with its history', () => {
  let previewId = '';
  let confirmValue: Record<string, unknown> = {};

  it('refuses a file from someone who may not import, and ignores spreadsheets in ordinary groups', async () => {
    const bytes = await seed003Workbook();
    await h.sendFile(stranger, p2p(stranger), '巡察台账.xlsx', bytes);
    expect(JSON.stringify(h.messagesTo(stranger.openId).at(-1)!.content)).toContain('只有管理员和监督小组成员可以导入问题清单');
    const before = h.stub.sent.length;
    await h.sendFile(admin, { id: 'oc_chit_chat', type: 'group' }, '巡察台账.xlsx', bytes);
    expect(h.stub.sent.length).toBe(before);
    expect(count(h, 'select count(*) n from imports')).toBe(0);
  });

  it('previews the 31 problems with their history and changes nothing yet', async () => {
    const card = await importFile(h, '兴城巡察整改台账.xlsx', await seed003Workbook());
    previewId = h.lastCardTo(admin.openId).messageId;
    confirmValue = button(card, '确认导入').value;
    const text = cardText(card);
    expect(card.header.title.content).toBe('导入预览 · 兴城巡察整改台账.xlsx');
    expect(text).toContain('31条');
    expect(text).toContain('28条（其中长期坚持11条）');
    expect(text).toContain('0行');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['确认导入31条', '取消']);
    expect(checkFeishuCard(card)).toEqual([]);
    expect(count(h, 'select count(*) n from findings')).toBe(0);
  });

  it('imports all 31 in one step on confirmation; the history decides each state', async () => {
    const click = await h.click(admin, previewId, confirmValue);
    expect(click.body.toast).toMatchObject({ type: 'success', content: '已导入31条' });
    expect(cardText(h.currentCard(previewId))).toContain('继续整改3条已下发给责任领导，按历史销号28条');
    expect(checkFeishuCard(h.currentCard(previewId))).toEqual([]);
    const states = h.server.database.sqlite
      .prepare("select t.state, coalesce(t.closure_kind, '') kind, count(*) n from tasks t group by 1, 2 order by 1, 2")
      .all();
    expect(states).toEqual([
      { state: 'closed', kind: 'done', n: 14 },
      { state: 'closed', kind: 'done_on_the_spot', n: 3 },
      { state: 'closed', kind: 'long_term', n: 11 },
      { state: 'in_progress', kind: '', n: 3 },
    ]);
    // the mixed wordings stay open with the date they name
    const open = h.server.database.sqlite.prepare("select f.number, t.deadline from tasks t join findings f on f.id = t.finding_id where t.state = 'in_progress' order by 1").all();
    expect(open).toEqual([
      { number: 14, deadline: '2025-12-31' },
      { number: 16, deadline: '2025-07-31' },
      { number: 31, deadline: '2025-12-31' },
    ]);
    // every task's event says it was imported, from which file and row
    const event = h.server.database.sqlite.prepare("select data from task_events where action = 'import' limit 1").get() as { data: string };
    expect(JSON.parse(event.data)).toMatchObject({ file: '兴城巡察整改台账.xlsx', sheet: '巡察反馈问题整改台账', row: 3, history: '已整改完成。' });
    expect(count(h, "select count(*) n from task_events where action = 'import'")).toBe(31);
    // the leader with open items is told once, not once per item
    expect(h.messagesTo(leaders[1]!.openId).filter((m) => JSON.stringify(m.content).includes('已导入督办'))).toHaveLength(1);
  });

  it('a second confirmation imports nothing more', async () => {
    const again = await h.click(admin, previewId, confirmValue);
    expect(again.body.toast?.content).toContain('已经导入过了');
    expect(count(h, 'select count(*) n from findings')).toBe(31);
  });

  it('进展 gives back seed 003’s own headline, and the command line prints the same report', async () => {
    await h.say(admin, group, '@督办 进展');
    const card = h.lastCardTo(group.id).content as FeishuCard;
    expect(cardText(card)).toContain(SEED_HEADLINE);
    expect(checkFeishuCard(card)).toEqual([]);
    const lines: string[] = [];
    const code = await runCli(['report', 'progress'], { DATABASE_PATH: join(h.dataDir, 'duban.sqlite') }, (l) => lines.push(l));
    expect(code).toBe(0);
    const report = lines.join('\n');
    expect(report).toContain(`${SEED_HEADLINE}。`);
    expect(report).toContain('（一）贯彻落实上级决策部署不够有力,在推动基层医院高质量发展上有差距：13条问题，已完成13项，已全部完成整改。');
    expect(report).toContain('14. 党风廉政建设抓而不实（责任领导：陈院长；继续整改、2025年12月31日前整改完成）');
  });

  it('台账 sends the workbook as a file: three sheets in the hospital’s forms', async () => {
    exported = await ledgerFromChat(h);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.slice().buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['附件1 督查反馈记录表', '附件2 问题清单汇总表', '整改进展']);

    const list = wb.getWorksheet('附件2 问题清单汇总表')!;
    expect(list.getCell('A1').value).toBe('问题清单汇总表');
    expect(list.model.merges).toContain('A1:J1');
    expect(list.getRow(3).values).toEqual([undefined, '序号', '问题', '责任领导', '整改措施', '整改完成时间', '责任人', '责任科室', '问题类别', '状态', '销号日期']);
    expect(list.getCell('A4').value).toBe(1);
    expect(list.getCell('B4').value).toBe('理论学习不主动');
    expect(list.getCell('C4').value).toBe('刘书记');
    expect(list.getCell('I4').value).toBe('已销号');
    expect(list.getCell('I17').value).toBe('整改中（已逾期）');
    expect(list.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1 });
    expect(list.getColumn(2).width).toBe(40);

    const progress = wb.getWorksheet('整改进展')!;
    expect(String(progress.getCell('A2').value)).toContain(SEED_HEADLINE);
    expect(progress.getRow(3).values).toEqual([undefined, '方面', '大项', '序号', '问题', '责任领导', '整改情况', '整改完成情况']);
    // 方面 (一) spans problems 1–13, its first 大项 problems 1–4; 方面 (四) holds problem 31 alone
    expect(progress.model.merges).toEqual(expect.arrayContaining(['A4:A16', 'B4:B7', 'A17:A27', 'A28:A33']));
    expect(progress.getCell('G4').value).toBe('已整改完成');
    expect(progress.getCell('G6').value).toBe('长期任务取得阶段性成效并长期坚持');
    expect(progress.getCell('G17').value).toBe('继续整改、2025年12月31日前整改完成');

    const records = wb.getWorksheet('附件1 督查反馈记录表')!;
    expect(records.getCell('A1').value).toBe('附件1');
    expect(records.getCell('A2').value).toBe('督查反馈记录表');
    expect(records.getColumn(1).values.slice(3, 9)).toEqual(['编号', '督查日期', '督查区域', '主要问题', '整改措施', '督查人']);
    expect(String(records.getCell('B6').value)).toContain('（1）【贯彻落实上级决策部署不够有力,在推动基层医院高质量发展上有差距】理论学习不主动');
    expect(records.pageSetup).toMatchObject({ paperSize: 9, orientation: 'portrait' });
  });

  it('keeps the ledger from people outside the supervision group without a role', async () => {
    await h.say(stranger, p2p(stranger), '台账');
    expect(JSON.stringify(h.messagesTo(stranger.openId).at(-1)!.content)).toContain('台账请在督查群中获取');
    expect(h.messagesTo(stranger.openId).some((m) => m.msgType === 'file')).toBe(false);
  });

  it('GET /admin/ledger.xlsx needs the bearer token and returns the same ledger', async () => {
    const url = `${h.server.url}/admin/ledger.xlsx`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const fromRoute = new Uint8Array(await res.arrayBuffer());
    expect(await readSheets(fromRoute)).toEqual(await readSheets(exported));
    expect((await fetch(`${url}?campaign=没有的专项`, { headers: { authorization: `Bearer ${h.adminToken}` } })).status).toBe(404);
  });

  it('`duban export ledger --out` writes the same ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-cli-'));
    try {
      const out = join(dir, 'ledger.xlsx');
      const lines: string[] = [];
      const env = { DATABASE_PATH: join(h.dataDir, 'duban.sqlite') };
      // the command line reads the clock of the machine; the harness's day is 2026-11-23
      const code = await runCli(['export', 'ledger', '--out', out], env, (l) => lines.push(l));
      expect(code, lines.join('\n')).toBe(0);
      const fromCli = await readSheets(new Uint8Array(readFileSync(out)));
      const fromChat = await readSheets(exported);
      // the date of the export is in the subtitles; everything else is the same
      const withoutDates = (sheets: typeof fromChat) => JSON.stringify(sheets).replace(/\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月\d{1,2}日/g, 'D').replace(/（已逾期）/g, '');
      expect(withoutDates(fromCli)).toBe(withoutDates(fromChat));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an export imported into an empty tenant', () => {
  it('exports the same ledger again', async () => {
    const fresh = await preparedHarness();
    try {
      const card = await importFile(fresh, '整改台账-日常督查-2026-11-23.xlsx', exported);
      expect(cardText(card)).toContain('确认导入31条');
      const previewId = fresh.lastCardTo(admin.openId).messageId;
      await fresh.click(admin, previewId, button(card, '确认导入').value);
      const again = await ledgerFromChat(fresh);
      expect(await readSheets(again)).toEqual(await readSheets(exported));
    } finally {
      await fresh.close();
    }
  });
});

describe('importing from the command line', () => {
  it('previews without --yes and imports everything with it', async () => {
    const fresh = await preparedHarness();
    const dir = mkdtempSync(join(tmpdir(), 'duban-cli-import-'));
    try {
      const file = join(dir, '巡察台账.xlsx');
      writeFileSync(file, await seed003Workbook());
      const env = { DATABASE_PATH: join(fresh.dataDir, 'duban.sqlite') };
      const lines: string[] = [];
      expect(await runCli(['import', 'findings', file], env, (l) => lines.push(l))).toBe(0);
      expect(lines[0]).toBe('读到31条问题：可以导入31条（按历史销号28条，其中长期坚持11条；继续整改3条），有误0行。');
      expect(lines.at(-1)).toContain('--yes');
      expect(count(fresh, 'select count(*) n from findings')).toBe(0);
      lines.length = 0;
      expect(await runCli(['import', 'findings', file, '--yes'], env, (l) => lines.push(l))).toBe(0);
      expect(lines.at(-1)).toContain('已导入31条：继续整改3条，按历史销号28条');
      expect(count(fresh, 'select count(*) n from findings')).toBe(31);
      // the importer is the tenant's admin, and the leaders' notes wait in the outbox
      expect(count(fresh, `select count(*) n from task_events where action = 'import' and actor_user_id = '${admin.openId}'`)).toBe(31);
      expect(count(fresh, "select count(*) n from outbox where status = 'pending' and body like '%已导入督办%'")).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await fresh.close();
    }
  });
});

describe('a large list', () => {
  it('warns before confirming, and sends the result as a message of its own as well as in the card', async () => {
    const fresh = await preparedHarness();
    try {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('问题清单');
      ws.addRow(['序号', '问题', '责任领导', '整改完成情况']);
      for (let i = 1; i <= LARGE_IMPORT_ROWS + 1; i++) ws.addRow([i, `第${i}条问题`, SEED_003_LEADERS[i % 4], '已整改完成']);
      const card = await importFile(fresh, '大清单.xlsx', new Uint8Array(await wb.xlsx.writeBuffer()));
      expect(cardText(card)).toContain('文件较大');
      const previewId = fresh.lastCardTo(admin.openId).messageId;
      const before = fresh.cardsTo(admin.openId).length;
      const click = await fresh.click(admin, previewId, button(card, '确认导入').value);
      expect(click.body.toast?.content).toBe(`已导入${LARGE_IMPORT_ROWS + 1}条`);
      const result = fresh.cardsTo(admin.openId).slice(before).map((m) => m.content as FeishuCard);
      expect(result.map((c) => c.header.title.content)).toEqual(['已导入 · 大清单.xlsx']);
      expect(count(fresh, 'select count(*) n from findings')).toBe(LARGE_IMPORT_ROWS + 1);
    } finally {
      await fresh.close();
    }
  }, 60_000);
});

describe('a list with mistakes', () => {
  it('names every bad row with its reason, offers no confirmation and imports nothing', async () => {
    const fresh = await preparedHarness();
    try {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('问题清单');
      ws.addRow(['序号', '问题', '责任领导', '整改措施', '整改完成时间']);
      ws.addRow([1, '门诊大厅导诊台无人', '刘书记', '', '2026-12-05']);
      ws.addRow([2, '', '刘书记', '', '2026-12-05']);
      ws.addRow([3, '候诊区座椅破损', '钱院长', '', '2026-12-05']);
      ws.addRow([4, '收费窗口排长队', '陈院长', '', '']);
      const card = await importFile(fresh, '清单.xlsx', new Uint8Array(await wb.xlsx.writeBuffer()));
      const text = cardText(card);
      expect(text).toContain('「问题清单」第3行：缺少问题描述');
      expect(text).toContain('「问题清单」第4行：责任领导「钱院长」不在成员中');
      expect(text).toContain('「问题清单」第5行：缺少整改时限');
      expect(text).toContain('未匹配的责任领导**：钱院长');
      expect(buttonsOf(card)).toEqual([]);
      expect(count(fresh, 'select count(*) n from findings')).toBe(0);
      expect(checkFeishuCard(card)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('answers a file that is not a workbook, and asks for .xlsx instead of .xls', async () => {
    const fresh = await preparedHarness();
    try {
      await fresh.sendFile(admin, p2p(admin), '清单.xlsx', new TextEncoder().encode('not a zip'));
      expect(JSON.stringify(fresh.messagesTo(admin.openId).at(-1)!.content)).toContain('无法读取文件');
      await fresh.sendFile(admin, p2p(admin), '清单.xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]));
      expect(JSON.stringify(fresh.messagesTo(admin.openId).at(-1)!.content)).toContain('另存为 .xlsx');
    } finally {
      await fresh.close();
    }
  });
});
