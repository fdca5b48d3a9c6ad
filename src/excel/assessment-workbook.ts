// 科室考核 as an .xlsx file: the summary the office hands to the annual assessment (one row per
// department and a 合计), and every problem behind the figures, so each count can be checked by hand.
// Layout only: the figures come from the domain.
import type ExcelJS from 'exceljs';
import { percentText, repeatedText, spanRangeText, type Assessment, type AssessmentRow } from '../domain/assessment.js';
import { excelDate, fitHeight, headerRow, a4, tableRow, titleRow, writeWorkbook, type CellStyle, type SheetBook } from './sheet-layout.js';

export const ASSESSMENT_SHEETS = {
  summary: '科室考核汇总',
  details: '问题明细',
} as const;

const SUMMARY_COLUMNS: [string, number][] = [
  ['序号', 6], ['科室', 16], ['问题数', 8], ['已销号', 8], ['按期完成', 9], ['逾期完成', 9], ['未办结', 8],
  ['其中逾期', 9], ['验收退回次数', 10], ['销号率', 9], ['按期完成率', 10], ['反复出现的问题', 28],
];

/** A rate as an Excel percentage, or 「—」 when there is nothing to divide. */
function rateCell(rate: number | null, style: CellStyle): [ExcelJS.CellValue, CellStyle] {
  return rate === null ? [percentText(rate), style === 'totalPercent' ? 'totalCentred' : 'bodyCentred'] : [rate, style];
}

function summaryCells(row: AssessmentRow, number: number | null, total: boolean): [ExcelJS.CellValue, CellStyle][] {
  const count: CellStyle = total ? 'totalCentred' : 'bodyCentred';
  const percent: CellStyle = total ? 'totalPercent' : 'bodyPercent';
  return [
    [number ?? '', count],
    [row.department, count],
    [row.total, count],
    [row.closed, count],
    [row.onTime, count],
    [row.late, count],
    [row.open, count],
    [row.overdue, count],
    [row.returns, count],
    rateCell(row.closeRate, percent),
    rateCell(row.onTimeRate, percent),
    [repeatedText(row.repeated), total ? 'totalCentred' : 'body'],
  ];
}

function writeSummary(wb: SheetBook, a: Assessment): void {
  const ws = wb.addWorksheet(ASSESSMENT_SHEETS.summary, { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.columns = SUMMARY_COLUMNS.map(([, width]) => ({ width }));
  a4(ws, 'landscape', '3:3');
  const last = SUMMARY_COLUMNS.length;
  titleRow(ws, 1, last, `${a.organisation ?? ''}${a.campaignName}科室考核汇总表（${a.span.label}）`, 'title');
  titleRow(ws, 2, last, `统计范围：${spanRangeText(a.span)}登记的问题（不含已撤销）；状态截至${a.generatedOn}。`, 'subtitle');
  headerRow(ws, 3, SUMMARY_COLUMNS.map(([label]) => label));
  a.rows.forEach((row, i) => {
    tableRow(ws, 4 + i, summaryCells(row, i + 1, false));
    ws.getRow(4 + i).height = fitHeight([[row.department, 16], [repeatedText(row.repeated), 28]]);
    ws.getRow(4 + i).commit();
  });
  let next = 4 + a.rows.length;
  tableRow(ws, next, summaryCells(a.total, null, true));
  ws.getRow(next).commit();
  next += 1;
  const notes = [
    '说明：按期完成＝整改完成（提交验收）之日不晚于整改完成时间（含经批准的延期）；导入或即知即改、没有提交记录的，按销号日期计。',
    '逾期完成＝销号的问题中提交晚于整改完成时间的；其中逾期＝待签收、整改中且已过整改完成时间的（待验收、待重新指派的不计）。',
    `销号率＝已销号÷问题数；按期完成率＝按期完成÷已销号；反复出现＝同一科室同一类别在统计范围内出现${a.repeatMinCount}次及以上。`,
  ];
  for (const note of notes) {
    titleRow(ws, next, last, note, 'subtitle');
    ws.getRow(next).commit();
    next++;
  }
  ws.commit();
}

const DETAIL_COLUMNS: [string, number][] = [
  ['序号', 6], ['责任科室', 14], ['问题类别', 10], ['主要问题', 40], ['责任领导', 10], ['督查日期', 14],
  ['整改完成时间', 14], ['完成日期', 14], ['状态', 10], ['按期情况', 14], ['退回次数', 8],
];

function writeDetails(wb: SheetBook, a: Assessment): void {
  const ws = wb.addWorksheet(ASSESSMENT_SHEETS.details, { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.columns = DETAIL_COLUMNS.map(([, width]) => ({ width }));
  a4(ws, 'landscape', '2:2');
  titleRow(ws, 1, DETAIL_COLUMNS.length, `${a.campaignName}科室考核问题明细（${a.span.label}）`, 'title');
  headerRow(ws, 2, DETAIL_COLUMNS.map(([label]) => label));
  a.details.forEach((d, i) => {
    tableRow(ws, 3 + i, [
      [d.number, 'bodyCentred'],
      [d.department, 'bodyCentred'],
      [d.category, 'bodyCentred'],
      [d.problem, 'body'],
      [d.leader, 'bodyCentred'],
      [excelDate(d.foundOn), 'bodyDate'],
      [excelDate(d.deadline), 'bodyDate'],
      [excelDate(d.completedOn), 'bodyDate'],
      [d.status, 'bodyCentred'],
      [d.timeliness, 'bodyCentred'],
      [d.returns, 'bodyCentred'],
    ]);
    ws.getRow(3 + i).height = fitHeight([[d.problem, 40]]);
    ws.getRow(3 + i).commit();
  });
  ws.commit();
}

export async function writeAssessmentWorkbook(assessment: Assessment): Promise<Uint8Array> {
  return writeWorkbook(assessment.generatedOn, (wb) => {
    writeSummary(wb, assessment);
    writeDetails(wb, assessment);
  });
}
