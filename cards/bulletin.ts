// The bulletin card (督查通报) for the supervision group: the headline in the words of a
// written progress report, the figures, tables by department and category, the overdue list
// with the leaders @-mentioned, repeat problems as 专项整治 candidates, 红黑榜 and a trend.
// Everything is already ranked and trimmed by src/domain/bulletin.ts; this only lays it out.
import type { BulletinRow, BulletinView, OverdueItem, RepeatItem } from '../src/domain/bulletin.js';
import { formatShortZh } from '../src/domain/deadline.js';
import type { IsoDate } from '../src/domain/model.js';
import { plain } from './format.js';
import { mention, type Card, type CardColour, type CardElement, type TableColumn } from './model.js';

export const LEDGER_POINTER = '完整数据请发送“台账”导出';

// Names and descriptions are typed by people and have no length limit of their own; clipped,
// ten rows of them cannot push the card past Feishu's 30 KB.
const NAME_MAX = 24;
const DESCRIPTION_MAX = 40;

const TABLE_COLUMNS = (first: string): TableColumn[] => [
  { name: 'name', label: first, kind: 'text' },
  { name: 'new', label: '新发现', kind: 'number' },
  { name: 'closed', label: '已销号', kind: 'number' },
  { name: 'open', label: '在办', kind: 'number' },
  { name: 'overdue', label: '逾期', kind: 'number' },
];

export interface BulletinCardOptions {
  /** a past period's bulletin drawn again today: its open and overdue figures are today's */
  redrawnOn?: IsoDate;
}

export function bulletinCard(view: BulletinView, options: BulletinCardOptions = {}): Card {
  const c = view.current;
  const elements: CardElement[] = [
    { kind: 'markdown', text: view.headline },
    { kind: 'fields', fields: kpiFields(view) },
    { kind: 'divider' },
    ...rowsTable('按科室', '科室', view.departments.items, view.departments.rest, '个科室'),
    ...rowsTable('按问题类别', '类别', view.categories.items, view.categories.rest, '个类别'),
    ...inspectionSection(view),
    ...overdueSection(view),
    ...repeatSection(view),
    ...honourRoll(view),
    ...trendChart(view),
  ];
  if (options.redrawnOn) elements.push({ kind: 'note', text: `往期通报：在办、逾期按${formatShortZh(options.redrawnOn)}统计。` });
  if (view.truncated) elements.push({ kind: 'note', text: LEDGER_POINTER });

  const tags: Card['tags'] = c.overdue > 0 ? [{ text: `逾期${c.overdue}`, colour: 'red' }] : [];
  return {
    title: `督查通报 · ${view.periodLabel}`,
    subtitle: `${clip(view.campaignName, NAME_MAX)} · ${view.rangeText}`,
    colour: colourOf(view),
    ...(tags.length > 0 ? { tags } : {}),
    elements,
    summary: `督查通报 · ${view.periodLabel}：在办${c.open}个，逾期${c.overdue}个`,
  };
}

// Red while anything is overdue; green once everything ever filed is closed; blue otherwise.
function colourOf(view: BulletinView): CardColour {
  const c = view.current;
  if (c.overdue > 0) return 'red';
  if (c.open === 0 && c.totalEver > 0) return 'green';
  return 'blue';
}

function kpiFields(view: BulletinView): { label: string; value: string }[] {
  const { current: c, previous: p, previousWord: was } = view;
  const withPrevious = (now: number, before: number) => `${now}个（${was}${before}个）`;
  const rate = view.rateText + (view.rateChangeText ? `（${view.rateChangeText}）` : '');
  return [
    { label: '新发现', value: withPrevious(c.new, p.new) },
    { label: '已销号', value: withPrevious(c.closed, p.closed) },
    { label: '在办', value: `${c.open}个` },
    { label: '逾期', value: c.overdue > 0 ? `<font color='red'>${c.overdue}个</font>` : '0个' },
    { label: '累计整改完成率', value: `${rate}（${view.current.closedEver}/${view.current.totalEver}）` },
  ];
}

function rowsTable(heading: string, first: string, rows: BulletinRow[], rest: number, unit: string): CardElement[] {
  if (rows.length === 0) return [{ kind: 'markdown', text: `**${heading}**\n本期无数据` }];
  const out: CardElement[] = [
    { kind: 'markdown', text: `**${heading}**` },
    {
      kind: 'table',
      columns: TABLE_COLUMNS(first),
      rows: rows.map((r) => ({ name: clip(r.name, NAME_MAX), new: r.new, closed: r.closed, open: r.open, overdue: r.overdue })),
      pageSize: Math.min(rows.length, 10),
    },
  ];
  if (rest > 0) out.push({ kind: 'note', text: `另有${rest}${unit}未列出。` });
  return out;
}

/** A bulletin names this many departments nobody inspected; 督查情况 lists them all. */
export const UNINSPECTED_NAMED = 15;

// 督查开展: the inspection work of the period, so a quiet week reads differently from an idle one.
function inspectionSection(view: BulletinView): CardElement[] {
  const s = view.inspections;
  if (!s) return [];
  const figures =
    s.inspections > 0
      ? `${view.periodWord}督查${s.inspections}次${s.clean ? `（其中未发现问题${s.clean}次）` : ''}`
      : `<font color='red'>${view.periodWord}没有督查记录</font>`;
  const coverage = s.activeDepartments ? `，覆盖科室${s.coveredDepartments}/${s.activeDepartments}个` : '';
  const lines = [`**督查开展**\n${figures}${coverage}。`];
  if (s.uncovered.length > 0 && s.coveredDepartments > 0) {
    const named = s.uncovered.slice(0, UNINSPECTED_NAMED).map((n) => plain(clip(n, NAME_MAX)));
    lines.push(`未督查：${named.join('、')}${s.uncovered.length > named.length ? `等${s.uncovered.length}个` : ''}（发送「督查情况」查看详情）`);
  }
  if (s.teams?.length) {
    const teams = s.teams.map((t) => (t.missed ? `<font color='red'>${plain(clip(t.name, NAME_MAX))} 0次</font>` : `${plain(clip(t.name, NAME_MAX))} ${t.inspections}次`));
    lines.push(`各督查组：${teams.join('、')}`);
  }
  return [{ kind: 'markdown', text: lines.join('\n') }];
}

function overdueSection(view: BulletinView): CardElement[] {
  const { items, rest } = view.overdue;
  if (items.length === 0) return [];
  const lines = items.map((item, i) => `${i + 1}. ${overdueLine(item)}`);
  if (rest > 0) lines.push(`……另有${rest}个逾期问题`);
  return [{ kind: 'divider' }, { kind: 'markdown', text: `**逾期问题**（共${items.length + rest}个）\n${lines.join('\n')}` }];
}

function overdueLine(item: OverdueItem): string {
  const where = plain(clip(item.departmentName ?? '未指定科室', NAME_MAX));
  const what = plain(clip(item.description, DESCRIPTION_MAX));
  return `第${item.findingNumber}号 · ${where}：${what} ${mention(item.leaderUserId)} <font color='red'>逾期${item.overdueDays}个工作日</font>`;
}

function repeatSection(view: BulletinView): CardElement[] {
  const { items, rest } = view.repeats;
  if (items.length === 0) return [];
  const lines = items.map((r: RepeatItem) => `- ${plain(clip(r.departmentName, NAME_MAX))} · ${plain(clip(r.category, NAME_MAX))}：90天内${r.count}次`);
  if (rest > 0) lines.push(`- ……另有${rest}项`);
  return [
    { kind: 'divider' },
    { kind: 'markdown', text: `**专项整治建议**\n以下问题在同一科室反复出现，建议列为专项整治对象：\n${lines.join('\n')}` },
  ];
}

function honourRoll(view: BulletinView): CardElement[] {
  const names = (rows: BulletinRow[], detail: (r: BulletinRow) => string) =>
    rows.length === 0 ? '暂无' : rows.map((r) => `${plain(clip(r.name, NAME_MAX))}（${detail(r)}）`).join('、');
  const best = names(view.best, (r) => `销号${r.closed}个`);
  const worst = names(view.worst, (r) => `逾期${r.overdue}个，在办${r.open}个`);
  return [
    { kind: 'divider' },
    { kind: 'markdown', text: `**红黑榜**\n<font color='green'>红榜</font>：${best}\n<font color='red'>黑榜</font>：${worst}` },
  ];
}

// A trend needs two points; one point would be a lone dot.
function trendChart(view: BulletinView): CardElement[] {
  if (view.trend.length < 2) return [];
  const unit = view.kind === 'monthly' || view.kind === 'yearly' ? '个月' : '周';
  return [
    {
      kind: 'chart',
      chartType: 'line',
      title: `近${view.trend.length}${unit}新发现与销号`,
      points: view.trend.flatMap((t) => [
        { x: t.label, series: '新发现', y: t.new },
        { x: t.label, series: '已销号', y: t.closed },
      ]),
    },
  ];
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}
