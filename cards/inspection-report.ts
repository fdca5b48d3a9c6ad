// 督查情况: the supervisory group's check on the inspection work itself — how many inspections a
// month, whether any week went without one, who inspected, and which departments nobody visited.
import { formatShortZh } from '../src/domain/deadline.js';
import type { CoverageReport } from '../src/domain/inspection-coverage.js';
import { clip } from '../src/domain/text.js';
import { plain } from './format.js';
import { mention, type Card, type CardElement } from './model.js';

/** A card is read on a phone: the busiest ten inspectors, thirty departments. */
export const INSPECTORS_SHOWN = 10;
export const UNCOVERED_SHOWN = 30;

export interface InspectionReportView {
  report: CoverageReport;
  /** the 专项 a group works on; null for everyday work or every campaign */
  campaignName: string | null;
}

function headline(r: CoverageReport): string {
  const clean = r.clean ? `（其中未发现问题${r.clean}次）` : '';
  const coverage = r.activeDepartments ? `；覆盖科室**${r.coveredDepartments}/${r.activeDepartments}**个` : '';
  return `${r.rangeText}督查**${r.inspections}次**${clean}，发现问题**${r.problems}个**${coverage}。`;
}

function weekLines(r: CoverageReport): string {
  if (r.weeks.length === 0) return '本月的第一周还没有开始（一周从星期一算起）。';
  return r.weeks
    .map((w) => {
      const figure = w.missed ? "<font color='red'>**0次，未督查**</font>" : `${w.inspections}次`;
      return `- ${w.label}${w.current ? '（本周）' : ''}：${figure}`;
    })
    .join('\n');
}

// 每组每周至少1次: a group's weeks in the order of the weekly list above, a missed one in red
function teamSection(r: CoverageReport): CardElement[] {
  if (r.teams.length === 0) return [];
  const lines = r.teams.map((t) => {
    const lead = t.leadUserId ? `（组长 ${mention(t.leadUserId)}）` : '';
    const weeks = t.weeks.map((w) => (w.absent ? '—' : w.missed ? "<font color='red'>**0**</font>" : `${w.inspections}${w.current ? '（本周）' : ''}`));
    const perWeek = weeks.length ? `；各周 ${weeks.join(' · ')}` : '';
    return `- **${plain(clip(t.name, 20))}**${lead}：${r.toDate ? '本月' : '当月'}${t.inspections}次，发现问题${t.problems}个${perWeek}`;
  });
  return [{ kind: 'markdown', text: `**各督查组**（每组每周至少1次，各周顺序同上）\n${lines.join('\n')}` }];
}

function inspectorSection(r: CoverageReport): CardElement[] {
  if (r.inspectors.length === 0) return [];
  const shown = r.inspectors.slice(0, INSPECTORS_SHOWN);
  const out: CardElement[] = [
    { kind: 'markdown', text: '**督查人**' },
    {
      kind: 'table',
      columns: [
        { name: 'who', label: '督查人', kind: 'markdown' },
        { name: 'inspections', label: '督查次数', kind: 'number' },
        { name: 'days', label: '天数', kind: 'number' },
        { name: 'problems', label: '发现问题', kind: 'number' },
      ],
      rows: shown.map((t) => ({ who: mention(t.userId), inspections: t.inspections, days: t.days, problems: t.problems })),
      pageSize: shown.length,
    },
  ];
  if (r.inspectors.length > shown.length) out.push({ kind: 'note', text: `另有${r.inspectors.length - shown.length}名督查人未列出。` });
  return out;
}

function uncoveredSection(r: CoverageReport): CardElement[] {
  if (r.activeDepartments === 0) return [{ kind: 'note', text: '还没有登记科室，无法统计覆盖情况：请管理员发送「科室 新增 科室名称」。' }];
  if (r.uncovered.length === 0) return [{ kind: 'markdown', text: `**${r.toDate ? '本月' : '当月'}每个科室都已督查。**` }];
  const shown = r.uncovered.slice(0, UNCOVERED_SHOWN);
  const names = shown.map((d) => `${plain(clip(d.name, 20))}（${d.lastOn ? `上次${formatShortZh(d.lastOn)}` : '从未督查'}）`);
  const more = r.uncovered.length > shown.length ? `等${r.uncovered.length}个` : '';
  return [{ kind: 'markdown', text: `**${r.toDate ? '本月' : '当月'}未督查的科室（${r.uncovered.length}）**\n${names.join('、')}${more}` }];
}

export function inspectionReportCard(view: InspectionReportView): Card {
  const r = view.report;
  const scope = view.campaignName ? ` · ${plain(view.campaignName)}` : '';
  const missed = r.weeks.filter((w) => w.missed).length + r.teams.flatMap((t) => t.weeks).filter((w) => w.missed).length;
  const elements: CardElement[] = [
    { kind: 'markdown', text: headline(r) },
    { kind: 'markdown', text: `**每周督查**（每周至少1次）\n${weekLines(r)}` },
    ...teamSection(r),
    ...inspectorSection(r),
    ...uncoveredSection(r),
    { kind: 'note', text: '一次督查＝一名督查人当天到一个科室，不论发现几个问题。督查未发现问题时，请发送「督查 科室名称 未发现问题」记录。' },
  ];
  return {
    title: `督查情况 · ${r.label}${r.toDate ? '（截至今日）' : ''}${scope}`,
    colour: missed ? 'red' : r.uncovered.length ? 'orange' : 'green',
    summary: `督查情况：${r.label}督查${r.inspections}次`,
    elements,
  };
}
