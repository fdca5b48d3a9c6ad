// The progress report as plain text, shaped like seed 003: a headline, one line per 方面 (or
// category), then the items still being rectified with their leaders and dates.
import { formatDateZh } from './deadline.js';
import type { Ledger, ProgressGroup } from './ledger.js';
import { progressHeadline } from './progress-report.js';

const ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

export function ordinal(i: number): string {
  if (i < 10) return ORDINALS[i]!;
  if (i < 20) return `十${i === 10 ? '' : ORDINALS[i - 10]!}`;
  return String(i + 1);
}

const NUMBERED = /^[(（]?[一二三四五六七八九十]+[)）、.．]/;

/** "（二）title", unless the title is numbered already. */
export function numberedTitle(i: number, title: string): string {
  return NUMBERED.test(title.normalize('NFKC')) ? title : `（${ordinal(i)}）${title}`;
}

export interface GroupCounts {
  title: string;
  problems: number;
  done: number;
  continuing: number;
}

/** 已完成 / 继续整改 per group, read from the wordings the ledger already wrote. */
export function groupCounts(group: ProgressGroup): GroupCounts {
  const problems = group.majors.flatMap((m) => m.problems);
  const continuing = problems.filter((p) => p.wording.startsWith('继续整改')).length;
  return { title: group.aspect, problems: problems.length, done: problems.length - continuing, continuing };
}

export function progressReportText(ledger: Ledger): string {
  const lines = [
    `${ledger.organisation ?? ''}${ledger.campaignName}整改进展情况（截至${formatDateZh(ledger.generatedOn)}）`,
    `${progressHeadline(ledger.summary)}。`,
  ];
  if (ledger.summary.overdue > 0) lines.push(`继续整改的${ledger.summary.continuing}项中，${ledger.summary.overdue}项已超过整改时限。`);
  ledger.progress.forEach((group, i) => {
    const c = groupCounts(group);
    const tail = c.continuing > 0 ? `继续整改${c.continuing}项` : '已全部完成整改';
    lines.push(`${numberedTitle(i, c.title)}：${c.problems}条问题，已完成${c.done}项，${tail}。`);
  });
  const continuing = ledger.progress.flatMap((g) => g.majors.flatMap((m) => m.problems)).filter((p) => p.wording.startsWith('继续整改'));
  if (continuing.length > 0) {
    lines.push('继续整改的问题：');
    for (const p of continuing) lines.push(`${p.number}. ${p.problem}（责任领导：${p.leader}；${p.wording}）`);
  }
  return lines.join('\n');
}
