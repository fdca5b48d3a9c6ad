// Reads problem lists out of spreadsheet tables: the 附件2 layout, a 巡察 feedback list
// (方面 / 大项 / 问题, 责任领导, 整改时限), a hand-kept ledger with 整改情况 and 整改完成情况, or Duban's
// own export (several sheets describing the same problems, joined by 序号). Cells arrive as text.

/** One sheet as plain text: rows[i] is spreadsheet row i + 1; merged cells repeat their value. */
export interface SheetTable {
  name: string;
  rows: string[][];
}

export type ProblemField =
  | 'number' | 'aspect' | 'majorItem' | 'problem' | 'category' | 'area' | 'department' | 'leader'
  | 'responsiblePerson' | 'inspector' | 'measures' | 'situation' | 'deadline' | 'wording' | 'status' | 'foundOn' | 'closedOn';

/** One problem as the file states it, before any matching or checking. */
export type ProblemRow = { sheet: string; rowNumber: number } & Record<ProblemField, string>;

// Header wordings seen in real forms, per field; compared after removing spaces and brackets.
const HEADERS: Record<ProblemField, readonly string[]> = {
  number: ['序号', '编号', '问题序号'],
  aspect: ['方面', '问题方面', '反馈方面'],
  majorItem: ['大项', '问题大项', '反馈大项'],
  problem: ['问题', '主要问题', '问题描述', '具体问题', '存在问题', '问题清单', '反馈问题', '问题表现'],
  category: ['问题类别', '类别', '问题类型', '问题分类'],
  area: ['督查区域', '检查区域', '区域'],
  department: ['责任科室', '责任部门', '科室', '责任单位'],
  leader: ['责任领导', '牵头领导', '分管领导'],
  // a list whose only person column is 责任人 names the leader by it (see findTable)
  responsiblePerson: ['责任人', '具体责任人', '落实责任人'],
  inspector: ['督查人', '检查人', '督查人员'],
  measures: ['整改措施'],
  situation: ['整改情况', '整改落实情况'],
  deadline: ['整改时限', '整改完成时间', '完成时限', '整改期限', '完成时间'],
  wording: ['整改完成情况', '完成情况', '整改进展', '整改进度'],
  status: ['状态', '整改状态'],
  foundOn: ['督查日期', '发现日期', '检查日期'],
  closedOn: ['销号日期', '销号时间'],
};

const FIELDS = Object.keys(HEADERS) as ProblemField[];

function headerKey(cell: string): string {
  return cell.normalize('NFKC').replace(/[(（][^)）]*[)）]/g, '').replace(/[\s*：:]/g, '');
}

function fieldOfHeader(cell: string): ProblemField | null {
  const key = headerKey(cell);
  if (!key) return null;
  return FIELDS.find((f) => HEADERS[f].includes(key)) ?? null;
}

interface Table {
  sheet: string;
  headerRow: number;
  columns: Map<ProblemField, number>;
}

/** The header row: the first of the top rows that names the problem column and at least one more. */
function findTable(sheet: SheetTable): Table | null {
  for (let r = 0; r < Math.min(sheet.rows.length, 15); r++) {
    const columns = new Map<ProblemField, number>();
    (sheet.rows[r] ?? []).forEach((cell, c) => {
      const field = fieldOfHeader(cell);
      // the first column wins: a merged header repeats its text across the columns it spans
      if (field && !columns.has(field)) columns.set(field, c);
    });
    if (columns.has('problem') && columns.size >= 2) {
      const person = columns.get('responsiblePerson');
      if (person !== undefined && !columns.has('leader')) {
        columns.set('leader', person);
        columns.delete('responsiblePerson');
      }
      return { sheet: sheet.name, headerRow: r, columns };
    }
  }
  return null;
}

const ASPECT_MARK = /^[(（]?[一二三四五六七八九十]+[)）、.．]/;
const MAJOR_MARK = /^\d+[、.．]/;

/** A banner row (one merged text across the row) heads a 方面 or a 大项 in hand-kept ledgers. */
function bannerOf(cells: string[]): string | null {
  const values = cells.map((c) => c.trim()).filter((c) => c !== '');
  if (values.length === 0) return null;
  return values.every((v) => v === values[0]) && values.length > 1 ? values[0]! : null;
}

function emptyRow(sheet: string, rowNumber: number): ProblemRow {
  const row = { sheet, rowNumber } as ProblemRow;
  for (const f of FIELDS) row[f] = '';
  return row;
}

function readTable(sheet: SheetTable, table: Table): ProblemRow[] {
  const out: ProblemRow[] = [];
  let aspect = '';
  let major = '';
  for (let r = table.headerRow + 1; r < sheet.rows.length; r++) {
    const cells = sheet.rows[r] ?? [];
    const banner = bannerOf(cells);
    if (banner !== null) {
      if (MAJOR_MARK.test(banner)) major = banner;
      else {
        aspect = banner;
        major = '';
      }
      continue;
    }
    const row = emptyRow(table.sheet, r + 1);
    for (const [field, c] of table.columns) row[field] = (cells[c] ?? '').trim();
    if (FIELDS.every((f) => row[f] === '')) continue;
    // 方面 and 大项 carry down: hand-kept ledgers write them once, on the first row of their group
    if (row.aspect && row.aspect !== aspect) {
      aspect = row.aspect;
      major = '';
    }
    if (row.majorItem) major = row.majorItem;
    // a row holding only a 方面 / 大项 opens a group for the rows below it
    if (FIELDS.every((f) => f === 'aspect' || f === 'majorItem' || row[f] === '')) continue;
    row.aspect = aspect;
    row.majorItem = major;
    out.push(row);
  }
  return out;
}

/**
 * 附件1's stacked record forms: label cells (编号, 督查日期, 督查区域, 督查人) with the value beside
 * them; 编号 lists the 序号 of every problem the visit found ("12、13、15").
 */
function readRecordForms(sheet: SheetTable): Map<string, Partial<Record<ProblemField, string>>> {
  const byNumber = new Map<string, Partial<Record<ProblemField, string>>>();
  let current: Partial<Record<ProblemField, string>> | null = null;
  for (const cells of sheet.rows) {
    for (let c = 0; c + 1 < cells.length; c++) {
      const field = fieldOfHeader(cells[c] ?? '');
      const value = (cells[c + 1] ?? '').trim();
      // a form without 编号 (an inspection that found nothing) belongs to no problem: its
      // 督查区域 and 督查人 must not fill in the form before it
      if (field === 'number' && value === '') current = null;
      if (!field || value === '' || fieldOfHeader(value)) continue;
      if (field === 'number') {
        current = {};
        for (const n of value.split(/[、,，\s]+/).filter(Boolean)) byNumber.set(n, current);
      } else if (current && !(field in current)) current[field] = value;
    }
  }
  return byNumber;
}

export type ReadProblems = { ok: true; rows: ProblemRow[] } | { ok: false; reason: string };

/**
 * The problems a workbook holds. One table: its rows. Several tables that all number their rows
 * (Duban's own export): one row per 序号, each field from the first table that fills it, and
 * 附件1's record forms add 督查区域, 督查人 and 督查日期.
 */
export function readProblems(sheets: readonly SheetTable[]): ReadProblems {
  const found = sheets.map((s) => ({ sheet: s, table: findTable(s) }));
  const tables = found.filter((f): f is { sheet: SheetTable; table: Table } => f.table !== null);
  if (tables.length === 0) {
    return { ok: false, reason: '没有找到问题清单：表头需要有「问题」列，以及「责任领导」「整改时限」等列中的至少一列。' };
  }
  if (tables.length === 1) return { ok: true, rows: readTable(tables[0]!.sheet, tables[0]!.table) };
  if (!tables.every((t) => t.table.columns.has('number'))) {
    const names = tables.map((t) => `「${t.sheet.name}」`).join('、');
    return { ok: false, reason: `工作簿里有${tables.length}张问题表（${names}），且没有共同的序号列：请只保留一张后重新发送。` };
  }
  const merged = new Map<string, ProblemRow>();
  for (const { sheet, table } of tables) {
    for (const row of readTable(sheet, table)) {
      const into = merged.get(row.number);
      if (!into) merged.set(row.number, row);
      else for (const f of FIELDS) if (!into[f] && row[f]) into[f] = row[f];
    }
  }
  const forms = found.filter((f) => f.table === null).map((f) => readRecordForms(f.sheet));
  for (const row of merged.values()) {
    for (const form of forms) {
      const extra = form.get(row.number);
      if (!extra) continue;
      for (const f of ['area', 'inspector', 'foundOn'] as const) if (!row[f] && extra[f]) row[f] = extra[f];
    }
  }
  return { ok: true, rows: [...merged.values()] };
}
