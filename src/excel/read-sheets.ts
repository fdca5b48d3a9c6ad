// An .xlsx file as plain text tables: every cell as the text a person sees, dates as YYYY-MM-DD,
// merged cells repeating their value so a merged 方面 belongs to every row it spans.
import ExcelJS from 'exceljs';
import { UnreadableFileError } from '../app/ports.js';
import type { SheetTable } from '../domain/problem-sheet.js';

/** More than this many rows in one sheet is not a problem list. */
export const MAX_SHEET_ROWS = 200_000;

function isoOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function textOf(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : isoOf(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('formula' in value || 'sharedFormula' in value) return textOf((value as ExcelJS.CellFormulaValue).result ?? null);
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('error' in value) return '';
  }
  return String(value);
}

export async function readSheets(bytes: Uint8Array): Promise<SheetTable[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes.slice().buffer as ArrayBuffer);
  } catch (error) {
    throw new UnreadableFileError(`不是有效的 .xlsx 文件（${error instanceof Error ? error.message : String(error)}）`);
  }
  const sheets: SheetTable[] = [];
  wb.eachSheet((ws) => {
    if (ws.rowCount > MAX_SHEET_ROWS) throw new UnreadableFileError(`「${ws.name}」超过${MAX_SHEET_ROWS}行`);
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, rowNumber) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = textOf(cell.isMerged ? cell.master.value : cell.value).trim();
      });
      rows[rowNumber - 1] = Array.from(cells, (c) => c ?? '');
    });
    sheets.push({ name: ws.name, rows: Array.from(rows, (r) => r ?? []) });
  });
  return sheets;
}
