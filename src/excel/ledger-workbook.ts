// The ledger as an .xlsx file in the hospital's own forms: titles, merged headers, column widths,
// wrapped text and A4 print settings, so it prints as is. Layout only: the rows come from the domain.
import type { Ledger } from '../domain/ledger.js';
import { progressHeadline } from '../domain/progress-report.js';
import { a4, commitUpTo, excelDate, fitHeight, headerRow, put, tableRow, titleRow, writeWorkbook, type SheetBook } from './sheet-layout.js';

export const SHEET_NAMES = {
  records: '附件1 督查反馈记录表',
  list: '附件2 问题清单汇总表',
  progress: '整改进展',
} as const;

const RECORD_WIDTHS = [16, 72];

/** 附件1: one record form per inspection visit, one to a page, as the hospital fills them in on paper. */
function writeRecords(wb: SheetBook, ledger: Ledger): void {
  const ws = wb.addWorksheet(SHEET_NAMES.records);
  ws.columns = RECORD_WIDTHS.map((width) => ({ width }));
  a4(ws, 'portrait');
  const title = `${ledger.organisation ?? ''}督查反馈记录表`;
  const records = ledger.records.length > 0 ? ledger.records : [null];
  let row = 1;
  for (const record of records) {
    put(ws, row, 1, '附件1', 'plain');
    put(ws, row + 1, 1, title, 'formTitle');
    put(ws, row + 1, 2, null, 'formTitle');
    ws.getRow(row + 1).height = 30;
    const lines: [string, string | Date, number][] = [
      ['编号', record?.numbers.join('、') ?? '', 1],
      ['督查日期', excelDate(record?.foundOn ?? null), 1],
      ['督查区域', record?.area ?? '', 2],
      ['主要问题', record ? record.problems.join('\n') : '包括但不限于服务态度、服务流程、服务质量、服务环境等', 6],
      ['整改措施', record?.measures.join('\n') ?? '', 6],
      ['督查人', record?.inspector ?? '', 2],
    ];
    let r = row + 2;
    for (const [label, value, minLines] of lines) {
      tableRow(ws, r, [[label, 'label'], [value, value instanceof Date ? 'formDate' : 'body']]);
      ws.getRow(r).height = fitHeight([[String(value), RECORD_WIDTHS[1]!]], minLines);
      r++;
    }
    ws.getRow(r - 1).addPageBreak();
    row = r + 1;
    commitUpTo(ws, row);
  }
  ws.commit();
}

const LIST_COLUMNS: [string, number][] = [
  ['序号', 6], ['问题', 40], ['责任领导', 10], ['整改措施', 40], ['整改完成时间', 14],
  ['责任人', 10], ['责任科室', 12], ['问题类别', 10], ['状态', 12], ['销号日期', 14],
];

/** 附件2: the hospital's five columns, then 责任人, 责任科室, 问题类别, 状态 and 销号日期. */
function writeList(wb: SheetBook, ledger: Ledger): void {
  const ws = wb.addWorksheet(SHEET_NAMES.list, { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.columns = LIST_COLUMNS.map(([, width]) => ({ width }));
  a4(ws, 'landscape', '3:3');
  titleRow(ws, 1, LIST_COLUMNS.length, `${ledger.organisation ?? ''}问题清单汇总表`, 'title');
  titleRow(ws, 2, LIST_COLUMNS.length, `${ledger.campaignName}　　导出日期：${ledger.generatedOn}　　${progressHeadline(ledger.summary)}`, 'subtitle');
  headerRow(ws, 3, LIST_COLUMNS.map(([label]) => label));
  ledger.list.forEach((item, i) => {
    tableRow(ws, 4 + i, [
      [item.number, 'bodyCentred'],
      [item.problem, 'body'],
      [item.leader, 'bodyCentred'],
      [item.measures, 'body'],
      [excelDate(item.deadline), 'bodyDate'],
      [item.responsiblePerson, 'bodyCentred'],
      [item.department, 'bodyCentred'],
      [item.category, 'bodyCentred'],
      [item.status, 'bodyCentred'],
      [excelDate(item.closedOn), 'bodyDate'],
    ]);
    ws.getRow(4 + i).height = fitHeight([[item.problem, 40], [item.measures, 40]]);
    ws.getRow(4 + i).commit();
  });
  ws.commit();
}

/** 整改进展: 方面 → 大项 → 问题 with 整改情况 and 整改完成情况; the groups are merged cells. */
function writeProgress(wb: SheetBook, ledger: Ledger): void {
  const columns: [string, number][] = [
    [ledger.grouping.aspect, 22], [ledger.grouping.major, 22], ['序号', 6], ['问题', 34],
    ['责任领导', 10], ['整改情况', 52], ['整改完成情况', 22],
  ];
  const ws = wb.addWorksheet(SHEET_NAMES.progress, { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.columns = columns.map(([, width]) => ({ width }));
  a4(ws, 'landscape', '3:3');
  titleRow(ws, 1, columns.length, `${ledger.organisation ?? ''}${ledger.campaignName}整改进展情况`, 'title');
  titleRow(ws, 2, columns.length, `${progressHeadline(ledger.summary)}。（${ledger.generatedOn}）`, 'subtitle');
  headerRow(ws, 3, columns.map(([label]) => label));
  let row = 4;
  for (const group of ledger.progress) {
    const aspectStart = row;
    for (const major of group.majors) {
      const majorStart = row;
      for (const p of major.problems) {
        tableRow(ws, row, [
          [group.aspect, 'bodyCentred'],
          [major.title, 'bodyCentred'],
          [p.number, 'bodyCentred'],
          [p.problem, 'body'],
          [p.leader, 'bodyCentred'],
          [p.situation, 'body'],
          [p.wording, 'body'],
        ]);
        ws.getRow(row).height = fitHeight([[p.problem, 34], [p.situation, 52], [p.wording, 22]]);
        row++;
      }
      if (row - 1 > majorStart) ws.mergeCells(majorStart, 2, row - 1, 2);
    }
    if (row - 1 > aspectStart) ws.mergeCells(aspectStart, 1, row - 1, 1);
    // merges need their cells uncommitted; once a 方面 is merged its rows are final
    commitUpTo(ws, row);
  }
  ws.commit();
}

export async function writeLedgerWorkbook(ledger: Ledger): Promise<Uint8Array> {
  return writeWorkbook(ledger.generatedOn, (wb) => {
    writeRecords(wb, ledger);
    writeList(wb, ledger);
    writeProgress(wb, ledger);
  });
}
