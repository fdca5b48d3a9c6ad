// What every workbook Duban writes looks like: 宋体, thin borders, wrapped text, titles across the
// table and A4 print settings, so a sheet prints as the hospital's own forms do. Also the streaming
// writer both the ledger and 科室考核 are written with.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

const FONT = '宋体';
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const WRAP: Partial<ExcelJS.Alignment> = { wrapText: true, vertical: 'middle' };
const CENTRE: Partial<ExcelJS.Alignment> = { wrapText: true, vertical: 'middle', horizontal: 'center' };
const DATE_FORMAT = 'yyyy"年"m"月"d"日"';
const POINTS_PER_LINE = 15;

// Whole style objects, shared by every cell that looks alike and never mutated: exceljs recognises
// a style object it has seen before, so 100,000 cells cost a handful of style look-ups.
const STYLE = {
  body: { font: { name: FONT, size: 10.5 }, border: THIN, alignment: WRAP },
  bodyCentred: { font: { name: FONT, size: 10.5 }, border: THIN, alignment: CENTRE },
  bodyDate: { font: { name: FONT, size: 10.5 }, border: THIN, alignment: CENTRE, numFmt: DATE_FORMAT },
  formDate: { font: { name: FONT, size: 10.5 }, border: THIN, alignment: WRAP, numFmt: DATE_FORMAT },
  bodyPercent: { font: { name: FONT, size: 10.5 }, border: THIN, alignment: CENTRE, numFmt: '0.0%' },
  totalCentred: { font: { name: FONT, size: 10.5, bold: true }, border: THIN, alignment: CENTRE },
  totalPercent: { font: { name: FONT, size: 10.5, bold: true }, border: THIN, alignment: CENTRE, numFmt: '0.0%' },
  label: { font: { name: FONT, size: 11, bold: true }, border: THIN, alignment: CENTRE },
  header: {
    font: { name: FONT, size: 11, bold: true },
    border: THIN,
    alignment: CENTRE,
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } },
  },
  title: { font: { name: FONT, size: 16, bold: true }, alignment: CENTRE },
  /** centred across the form's width rather than merged: thousands of merges make exceljs crawl */
  formTitle: { font: { name: FONT, size: 16, bold: true }, alignment: { horizontal: 'centerContinuous', vertical: 'middle' } },
  subtitle: { font: { name: FONT, size: 10.5 }, alignment: { wrapText: true, vertical: 'middle', horizontal: 'left' } },
  plain: { font: { name: FONT, size: 11 } },
} satisfies Record<string, Partial<ExcelJS.Style>>;

export type CellStyle = keyof typeof STYLE;

/** An Excel date cell for an ISO date; Excel dates carry no zone, so it is written as UTC midnight. */
export function excelDate(iso: string | null): Date | string {
  if (!iso) return '';
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : d;
}

/** A row tall enough for its longest wrapped cell: `text.length / charsPerLine` lines of CJK. */
export function fitHeight(cells: readonly [string, number][], minLines = 1): number {
  let lines = minLines;
  for (const [text, width] of cells) {
    const perLine = Math.max(4, Math.floor(width / 2));
    const wrapped = text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(part.length / perLine)), 0);
    lines = Math.max(lines, wrapped);
  }
  return Math.min(409, lines * POINTS_PER_LINE + 6);
}

/** Writes out every row above `row` (committing a row commits those before it). */
export function commitUpTo(ws: ExcelJS.Worksheet, row: number): void {
  if (row > 1) ws.getRow(row - 1).commit();
}

export function put(ws: ExcelJS.Worksheet, row: number, column: number, value: ExcelJS.CellValue, style: CellStyle): void {
  const cell = ws.getCell(row, column);
  cell.value = value;
  cell.style = STYLE[style];
}

/** A title or subtitle across the table: merged, as the hospital's own sheets have it. */
export function titleRow(ws: ExcelJS.Worksheet, row: number, lastColumn: number, text: string, kind: 'title' | 'subtitle'): void {
  ws.mergeCells(row, 1, row, lastColumn);
  put(ws, row, 1, text, kind);
  ws.getRow(row).height = kind === 'title' ? 30 : fitHeight([[text, 150]]);
}

export function headerRow(ws: ExcelJS.Worksheet, row: number, labels: readonly string[]): void {
  labels.forEach((label, i) => put(ws, row, i + 1, label, 'header'));
  ws.getRow(row).height = 24;
}

/** One table row: a value and a style per column. */
export function tableRow(ws: ExcelJS.Worksheet, row: number, cells: readonly [ExcelJS.CellValue, CellStyle][]): void {
  cells.forEach(([value, style], i) => put(ws, row, i + 1, value, style));
}

export function a4(ws: ExcelJS.Worksheet, orientation: 'portrait' | 'landscape', titleRows?: string): void {
  ws.pageSetup = {
    paperSize: 9,
    orientation,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    ...(titleRows ? { printTitlesRow: titleRows } : {}),
  };
  ws.headerFooter = { oddFooter: '第 &P 页，共 &N 页' };
}

/** What the sheet writers use of a workbook, whichever writer is behind it. */
export type SheetBook = Pick<ExcelJS.Workbook, 'addWorksheet'>;

/**
 * A workbook written with exceljs's streaming writer, each row committed once finished: at 10,000
 * problems it takes a third of the in-memory writer's time and a fraction of its memory. Where only
 * exceljs's browser build is bundled (Workers: wrangler takes the package's `browser` entry), there
 * is no streaming writer, and the same sheets are built in memory instead.
 */
export async function writeWorkbook(createdOn: string, fill: (wb: SheetBook) => void): Promise<Uint8Array> {
  if (!ExcelJS.stream?.xlsx) return writeInMemory(createdOn, fill);
  const chunks: Uint8Array[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Uint8Array) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  // no shared-strings table (each cell holds its text): the writer then needs no second pass;
  // deflate level 1: a third of the default's time for a file a tenth larger
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
  wb.creator = 'Duban 督办';
  wb.created = new Date(`${createdOn}T00:00:00Z`);
  fill(wb);
  await wb.commit();
  await finished;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function writeInMemory(createdOn: string, fill: (wb: SheetBook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Duban 督办';
  wb.created = new Date(`${createdOn}T00:00:00Z`);
  fill({
    addWorksheet(name, options) {
      const ws = wb.addWorksheet(name, options);
      // a streamed sheet is committed when written; one in memory is complete as it stands
      if (typeof (ws as { commit?: unknown }).commit !== 'function') Object.assign(ws, { commit: () => undefined });
      return ws;
    },
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
