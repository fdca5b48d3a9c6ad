// Builds an Excel fixture from seed 003 itself (a community health centre's public report on
// rectifying a 巡察's findings): its 4 方面, 11 大项 and 31 problems with their 整改情况 and
// 整改完成情况, laid out as an office keeps such a list by hand — 方面 merged down the rows it
// spans. The report names no leaders, so each 方面 is given one (the people the tests register).
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';

export const SEED_003_PATH = new URL('../fixtures/seed-003-xingcheng-rectification-report.txt', import.meta.url);

/** One leader per 方面, in order. */
export const SEED_003_LEADERS = ['刘书记', '陈院长', '赵副院长', '孙副院长'] as const;

export interface SeedProblem {
  number: number;
  aspect: string;
  majorItem: string;
  problem: string;
  situation: string;
  wording: string;
}

const nfkc = (s: string) => s.normalize('NFKC').trim();

/** The quoted problem inside 针对“…”问题, or the line as it stands. */
function problemText(line: string): string {
  const quoted = /[“"](.+)[”"]/.exec(line);
  return (quoted?.[1] ?? line).trim();
}

export function readSeed003(): SeedProblem[] {
  const text = readFileSync(SEED_003_PATH, 'utf8');
  const lines = text.split('\n').map(nfkc);
  const start = lines.findIndex((l) => l.startsWith('二、'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('三、'));
  const problems: SeedProblem[] = [];
  let aspect = '';
  let major = '';
  let current: SeedProblem | null = null;
  for (const line of lines.slice(start + 1, end)) {
    const aspectLine = /^\(([一二三四五六七八九十]+)\)(.+)$/.exec(line);
    const majorLine = /^(\d+)\s*[.、]\s*(.+)$/.exec(line);
    const problemLine = /^\((\d+)\)\s*(.+)$/.exec(line);
    if (aspectLine) {
      aspect = problemText(aspectLine[2]!);
      major = '';
    } else if (majorLine) {
      major = problemText(majorLine[2]!);
    } else if (problemLine) {
      current = { number: Number(problemLine[1]), aspect, majorItem: major, problem: problemText(problemLine[2]!), situation: '', wording: '' };
      problems.push(current);
    } else if (current && /^整改(情况|措施):/.test(line)) {
      current.situation = line.replace(/^整改(情况|措施):/, '').trim();
    } else if (current && line.startsWith('整改完成情况:')) {
      current.wording = line.replace('整改完成情况:', '').trim();
    }
  }
  return problems;
}

/** The seed's problems as a hand-kept 巡察 rectification list (.xlsx). */
export async function seed003Workbook(): Promise<Uint8Array> {
  const problems = readSeed003();
  const aspects = [...new Set(problems.map((p) => p.aspect))];
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('巡察反馈问题整改台账');
  ws.mergeCells(1, 1, 1, 8);
  ws.getCell(1, 1).value = '兴城社区卫生服务中心巡察反馈问题整改台账';
  ws.getRow(2).values = ['序号', '方面', '大项', '问题', '责任领导', '整改时限', '整改情况', '整改完成情况'];
  problems.forEach((p, i) => {
    const leader = SEED_003_LEADERS[aspects.indexOf(p.aspect)] ?? SEED_003_LEADERS[0];
    ws.getRow(3 + i).values = [p.number, p.aspect, p.majorItem, p.problem, leader, '', p.situation, p.wording];
  });
  // 方面 merged down its rows, as offices lay such lists out
  let from = 3;
  for (let r = 4; r <= problems.length + 3; r++) {
    if (r === problems.length + 3 || problems[r - 3]!.aspect !== problems[from - 3]!.aspect) {
      if (r - 1 > from) ws.mergeCells(from, 2, r - 1, 2);
      from = r;
    }
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
