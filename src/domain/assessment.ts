// 科室考核: the inspection results each department is assessed on at the year's end (督查结果纳入科室
// 年度目标考核, seed 000): how many problems, how many closed and how many of those on time (限时办结,
// seed 002), what is still open and overdue, how often rectification was sent back, and which kinds of
// problem keep coming back. Pure: the store lists the tasks, this file judges and counts them.
import { formatDateZh, formatShortZh } from './deadline.js';
import { NO_DEPARTMENT } from './ledger.js';
import { TASK_STATE_LABELS, type IsoDate, type TaskState } from './model.js';

/** One task of the period (never a cancelled one), its names resolved. */
export interface AssessedTask {
  findingNumber: number;
  departmentName: string | null;
  category: string;
  description: string;
  leaderName: string;
  foundOn: IsoDate;
  deadline: IsoDate;
  state: Exclude<TaskState, 'cancelled'>;
  /** the day the last 提交整改完成 was sent, if ever (an imported item has none) */
  submittedOn: IsoDate | null;
  closedOn: IsoDate | null;
  returnsCount: number;
}

/**
 * How a task stands against its deadline. The department answers for the day it reported the work
 * done, not for the day the inspector got round to verifying it; an item closed without a report
 * (imported from an old ledger, or 即知即改 at filing) is judged by its closing day.
 */
export type Timeliness = 'on_time' | 'late' | 'awaiting_verification' | 'overdue' | 'not_due' | 'awaiting_reassignment';

export const TIMELINESS_LABELS: Record<Timeliness, string> = {
  on_time: '按期完成',
  late: '逾期完成',
  awaiting_verification: '已提交，待验收',
  overdue: '逾期未完成',
  not_due: '未到期',
  awaiting_reassignment: '待重新指派',
};

export function timelinessOf(task: AssessedTask, asOf: IsoDate): Timeliness {
  switch (task.state) {
    case 'closed':
      return (task.submittedOn ?? task.closedOn ?? task.foundOn) <= task.deadline ? 'on_time' : 'late';
    case 'submitted':
      return 'awaiting_verification';
    case 'declined':
      return 'awaiting_reassignment';
    case 'pending':
    case 'in_progress':
      // as the bulletins count it: the deadline day itself is on time
      return task.deadline < asOf ? 'overdue' : 'not_due';
  }
}

export interface RepeatedCategory {
  category: string;
  count: number;
}

export interface AssessmentRow {
  department: string;
  total: number;
  closed: number;
  onTime: number;
  late: number;
  /** not closed: 待签收, 待重新指派, 整改中, 待验收 */
  open: number;
  /** the part of `open` past its deadline and still the department's to do */
  overdue: number;
  returns: number;
  /** categories found at least `repeatMinCount` times in the period, most first */
  repeated: RepeatedCategory[];
  /** closed / total, 0–1; null without problems */
  closeRate: number | null;
  /** onTime / closed, 0–1; null while nothing is closed */
  onTimeRate: number | null;
}

export interface AssessmentDetail {
  number: number;
  department: string;
  category: string;
  problem: string;
  leader: string;
  foundOn: IsoDate;
  deadline: IsoDate;
  /** the day the work was reported done (or closed, for an item without a report) */
  completedOn: IsoDate | null;
  status: string;
  timeliness: string;
  returns: number;
}

export interface AssessmentSpan {
  /** inclusive; null from the campaign's first finding */
  start: IsoDate | null;
  /** inclusive; never after the day it is drawn */
  end: IsoDate;
  /** 「2025年度」「2026年（截至11月24日）」「专项全程（截至11月24日）」 */
  label: string;
}

export interface Assessment {
  organisation: string | null;
  campaignName: string;
  span: AssessmentSpan;
  generatedOn: IsoDate;
  repeatMinCount: number;
  /** departments in the order of the Chinese reading of their names, 未指定科室 last */
  rows: AssessmentRow[];
  /** every department together */
  total: AssessmentRow;
  /** in 序号 order */
  details: AssessmentDetail[];
}

/** Spans older than this are a typo, not a year the bot could have seen. */
const FIRST_YEAR = 2000;

/**
 * The span asked for: a year (this one up to today), or, without one, the whole campaign for a 专项
 * and this year so far for everyday inspection (日常督查 is assessed year by year). A string says
 * why the year cannot be assessed.
 */
export function assessmentSpan(year: number | null, wholeCampaign: boolean, today: IsoDate): AssessmentSpan | string {
  const thisYear = Number(today.slice(0, 4));
  const soFar = `（截至${formatShortZh(today)}）`;
  if (year === null && wholeCampaign) return { start: null, end: today, label: `专项全程${soFar}` };
  const asked = year ?? thisYear;
  const example = `可写今年或往年，如「考核 ${thisYear - 1}年」。`;
  if (asked > thisYear) return `${asked}年还没有开始，${example}`;
  if (asked < FIRST_YEAR) return `${asked}年没有督查记录，${example}`;
  const end = asked === thisYear ? today : `${asked}-12-31`;
  return { start: `${asked}-01-01`, end, label: asked === thisYear ? `${asked}年${soFar}` : `${asked}年度` };
}

const byReading = new Intl.Collator('zh-CN').compare;

export function buildAssessment(
  header: { organisation: string | null; campaignName: string; span: AssessmentSpan; generatedOn: IsoDate; repeatMinCount: number },
  tasks: readonly AssessedTask[],
): Assessment {
  const asOf = header.generatedOn;
  const byDepartment = new Map<string, AssessedTask[]>();
  for (const task of tasks) {
    const name = task.departmentName ?? NO_DEPARTMENT;
    let list = byDepartment.get(name);
    if (!list) byDepartment.set(name, (list = []));
    list.push(task);
  }
  const names = [...byDepartment.keys()].sort((a, b) => Number(a === NO_DEPARTMENT) - Number(b === NO_DEPARTMENT) || byReading(a, b));
  const rows = names.map((name) => rowOf(name, byDepartment.get(name)!, asOf, header.repeatMinCount));
  return {
    ...header,
    rows,
    total: totalOf(rows),
    details: [...tasks].sort((a, b) => a.findingNumber - b.findingNumber).map((task) => detailOf(task, asOf)),
  };
}

function rowOf(department: string, tasks: readonly AssessedTask[], asOf: IsoDate, repeatMinCount: number): AssessmentRow {
  const row = { department, total: tasks.length, closed: 0, onTime: 0, late: 0, open: 0, overdue: 0, returns: 0 };
  const categories = new Map<string, number>();
  for (const task of tasks) {
    const timeliness = timelinessOf(task, asOf);
    if (task.state === 'closed') row.closed++;
    else row.open++;
    if (timeliness === 'on_time') row.onTime++;
    if (timeliness === 'late') row.late++;
    if (timeliness === 'overdue') row.overdue++;
    row.returns += task.returnsCount;
    categories.set(task.category, (categories.get(task.category) ?? 0) + 1);
  }
  const repeated = [...categories]
    .filter(([, count]) => count >= repeatMinCount)
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || byReading(a.category, b.category));
  return { ...row, repeated, ...rates(row) };
}

function rates(row: { total: number; closed: number; onTime: number }): { closeRate: number | null; onTimeRate: number | null } {
  return { closeRate: row.total ? row.closed / row.total : null, onTimeRate: row.closed ? row.onTime / row.closed : null };
}

function totalOf(rows: readonly AssessmentRow[]): AssessmentRow {
  const sum = (pick: (r: AssessmentRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const counts = {
    total: sum((r) => r.total),
    closed: sum((r) => r.closed),
    onTime: sum((r) => r.onTime),
    late: sum((r) => r.late),
    open: sum((r) => r.open),
    overdue: sum((r) => r.overdue),
    returns: sum((r) => r.returns),
  };
  return { department: '合计', ...counts, repeated: [], ...rates(counts) };
}

function detailOf(task: AssessedTask, asOf: IsoDate): AssessmentDetail {
  return {
    number: task.findingNumber,
    department: task.departmentName ?? NO_DEPARTMENT,
    category: task.category,
    problem: task.description,
    leader: task.leaderName,
    foundOn: task.foundOn,
    deadline: task.deadline,
    completedOn: task.state === 'closed' ? (task.submittedOn ?? task.closedOn) : task.state === 'submitted' ? task.submittedOn : null,
    status: TASK_STATE_LABELS[task.state],
    timeliness: TIMELINESS_LABELS[timelinessOf(task, asOf)],
    returns: task.returnsCount,
  };
}

/** "87.5%", or "—" when there is nothing to divide. */
export function percentText(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** 「服务态度4次、服务流程3次」 */
export function repeatedText(repeated: readonly RepeatedCategory[]): string {
  return repeated.map((r) => `${r.category}${r.count}次`).join('、');
}

/** The one-line summary the chat shows beside the file. */
export function assessmentHeadline(a: Assessment): string {
  const t = a.total;
  if (t.total === 0) return `${a.span.label}没有登记问题。`;
  const departments = a.rows.filter((r) => r.department !== NO_DEPARTMENT).length;
  return [
    `${a.span.label}共${departments}个科室、${t.total}个问题`,
    `已销号${t.closed}个（按期完成${t.onTime}个，逾期完成${t.late}个），销号率${percentText(t.closeRate)}，按期完成率${percentText(t.onTimeRate)}`,
    `未办结${t.open}个，其中逾期${t.overdue}个`,
    t.returns ? `验收退回${t.returns}次` : '无验收退回',
  ].join('；') + '。';
}

/** 「2026年1月1日至11月24日」, for the sheet's subtitle */
export function spanRangeText(span: AssessmentSpan): string {
  return span.start ? `${formatDateZh(span.start)}至${formatDateZh(span.end)}` : `截至${formatDateZh(span.end)}`;
}
