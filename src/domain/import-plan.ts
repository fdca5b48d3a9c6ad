// Turns the rows of an imported problem list into findings and tasks, or says exactly which rows
// are wrong and why. Nothing is opened unless every row is right, so the plan is all or nothing.
// Rows with a history (整改情况 / 整改完成情况) come in with it: mid-campaign adoption.
import { readWording } from './completion-wording.js';
import { parseDeadline } from './deadline.js';
import { NO_DEPARTMENT } from './ledger.js';
import { MAX_RESPONSIBLE_PERSON } from './task-machine.js';
import { clip } from './text.js';
import type { ClosureKind, IsoDate } from './model.js';
import type { ProblemRow } from './problem-sheet.js';
import { calendarDaysBetween, toIsoDate, ymd } from './working-days.js';

export const MAX_PROBLEM_LENGTH = 2000;
export const MAX_IMPORT_ROWS = 20_000;

export interface ImportContext {
  today: IsoDate;
  importerUserId: string;
  members: readonly { userId: string; name: string | null }[];
  departments: readonly { id: string; name: string; leaderUserId: string | null }[];
}

export type PlannedOutcome =
  | { state: 'pending' | 'in_progress' }
  | { state: 'closed'; closureKind: ClosureKind; closedOn: IsoDate };

export interface PlannedFinding {
  sheet: string;
  rowNumber: number;
  description: string;
  category: string;
  area: string;
  aspect: string | null;
  majorItem: string | null;
  /** an existing department's id, or null with `newDepartment` set, or neither */
  departmentId: string | null;
  newDepartment: string | null;
  leaderUserId: string;
  inspectorUserId: string;
  foundOn: IsoDate;
  deadline: IsoDate;
  measures: string | null;
  /** 责任人 as written (clipped to what a task keeps), or null */
  responsiblePerson: string | null;
  completionNote: string | null;
  outcome: PlannedOutcome;
  /** the row's own 整改完成情况, kept in the task event as the imported history */
  wording: string;
}

export interface RowError {
  sheet: string;
  rowNumber: number;
  reason: string;
}

export interface ImportPlan {
  findings: PlannedFinding[];
  errors: RowError[];
  unmatchedLeaders: string[];
  newDepartments: string[];
  /** things that will happen that the importer may not expect; none of them stops the import */
  notes: string[];
}

const NAME_SEPARATORS = /[、，,；;/\\\s]+/;

/** A date cell or typed date: 2025-12-05, 2025/12/5, 2025年12月5日, 2025.12.05 (time parts ignored). */
export function readDateCell(text: string): IsoDate | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/.exec(text.normalize('NFKC').trim());
  const d = m ? ymd(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  return d ? toIsoDate(d) : null;
}

function byName(members: ImportContext['members']): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const m of members) {
    const name = m.name?.normalize('NFKC').trim();
    if (!name) continue;
    map.set(name, [...(map.get(name) ?? []), m.userId]);
  }
  return map;
}

export function planImport(rows: readonly ProblemRow[], ctx: ImportContext): ImportPlan {
  const plan: ImportPlan = { findings: [], errors: [], unmatchedLeaders: [], newDepartments: [], notes: [] };
  if (rows.length > MAX_IMPORT_ROWS) {
    plan.errors.push({ sheet: rows[0]?.sheet ?? '', rowNumber: 0, reason: `一次最多导入${MAX_IMPORT_ROWS}条，请分批导入` });
    return plan;
  }
  const people = byName(ctx.members);
  const departments = new Map(ctx.departments.map((d) => [d.name.normalize('NFKC').trim(), d]));
  const unmatched = new Set<string>();
  const newDepartments = new Set<string>();
  const unmatchedInspectors = new Set<string>();
  let coLeaders = 0;

  for (const row of rows) {
    const reasons: string[] = [];
    const description = row.problem.trim();
    if (!description) reasons.push('缺少问题描述');
    else if (description.length > MAX_PROBLEM_LENGTH) reasons.push(`问题描述超过${MAX_PROBLEM_LENGTH}字`);

    const written = row.department.normalize('NFKC').trim();
    // our own ledger groups findings without a department under 「未指定科室」: that is none, not a name
    const departmentName = written === NO_DEPARTMENT ? '' : written;
    const department = departmentName ? (departments.get(departmentName) ?? null) : null;
    if (departmentName && !department) newDepartments.add(departmentName);

    let leaderUserId: string | null = null;
    const leaderNames = row.leader.normalize('NFKC').split(NAME_SEPARATORS).filter(Boolean);
    const leaderName = leaderNames[0];
    if (leaderNames.length > 1) coLeaders++;
    if (leaderName) {
      const ids = people.get(leaderName) ?? [];
      if (ids.length === 1) leaderUserId = ids[0]!;
      else if (ids.length > 1) reasons.push(`责任领导「${leaderName}」有${ids.length}位同名成员，无法确定是谁`);
      else {
        unmatched.add(leaderName);
        reasons.push(`责任领导「${leaderName}」不在成员中`);
      }
    } else if (department?.leaderUserId) leaderUserId = department.leaderUserId;
    else reasons.push(departmentName ? `缺少责任领导（科室「${departmentName}」也没有设定责任领导）` : '缺少责任领导');

    let inspectorUserId = ctx.importerUserId;
    const inspectorName = row.inspector.normalize('NFKC').split(NAME_SEPARATORS).filter(Boolean)[0];
    if (inspectorName) {
      const ids = people.get(inspectorName) ?? [];
      if (ids.length === 1) inspectorUserId = ids[0]!;
      else unmatchedInspectors.add(inspectorName);
    }

    const history = readHistory(row, ctx.today);
    if ('reason' in history) reasons.push(history.reason);

    if (reasons.length > 0 || !leaderUserId || 'reason' in history) {
      plan.errors.push({ sheet: row.sheet, rowNumber: row.rowNumber, reason: reasons.join('；') });
      continue;
    }
    // 整改情况 on an open item is its plan so far; on a closed one, what was done
    const situation = row.situation.trim();
    const measures = row.measures.trim() || (history.outcome.state === 'closed' ? null : situation || null);
    plan.findings.push({
      sheet: row.sheet,
      rowNumber: row.rowNumber,
      description,
      category: row.category.trim() || row.aspect.trim() || '未分类',
      area: row.area.trim() || departmentName,
      aspect: row.aspect.trim() || null,
      majorItem: row.aspect.trim() ? row.majorItem.trim() || null : null,
      departmentId: department?.id ?? null,
      newDepartment: departmentName && !department ? departmentName : null,
      leaderUserId,
      inspectorUserId,
      foundOn: readDateCell(row.foundOn) ?? ctx.today,
      deadline: history.deadline,
      measures,
      responsiblePerson: clip(row.responsiblePerson.trim(), MAX_RESPONSIBLE_PERSON) || null,
      completionNote: situation && situation !== measures ? situation : null,
      // measures already written means the leader has taken it on: the task is under way
      outcome: measures && history.outcome.state === 'pending' ? { state: 'in_progress' } : history.outcome,
      wording: row.wording.trim(),
    });
  }
  plan.unmatchedLeaders = [...unmatched];
  plan.newDepartments = [...newDepartments];
  if (newDepartments.size > 0) plan.notes.push(`将新建科室：${[...newDepartments].join('、')}`);
  if (unmatchedInspectors.size > 0) plan.notes.push(`督查人未匹配到成员，记为导入人：${[...unmatchedInspectors].join('、')}`);
  if (coLeaders > 0) plan.notes.push(`${coLeaders}行写了多位责任领导：以第一位为准`);
  return plan;
}

type History = { outcome: PlannedOutcome; deadline: IsoDate } | { reason: string };

/** What the row says happened so far, and the deadline that applies. */
function readHistory(row: ProblemRow, today: IsoDate): History {
  const given = row.deadline.trim();
  let deadline: IsoDate | null = null;
  if (given) {
    deadline = readDateCell(given);
    if (!deadline) {
      const typed = parseDeadline(given, today);
      if (!typed.ok) return { reason: typed.reason.replace('整改完成时间', '整改时限') };
      deadline = typed.deadline;
    }
  }
  const wording = readWording(row.wording || statusAsWording(row.status), today);
  switch (wording.kind) {
    case 'unknown':
      return { reason: `无法识别的整改完成情况「${row.wording || row.status}」（可写：已整改完成 / 即知即改并已整改完成 / 长期任务取得阶段性成效并长期坚持 / 继续整改、X月X日前整改完成）` };
    case 'closed': {
      const closedOn = readDateCell(row.closedOn) ?? (deadline && deadline <= today ? deadline : today);
      return { outcome: { state: 'closed', closureKind: wording.closureKind, closedOn }, deadline: deadline ?? closedOn };
    }
    case 'open':
    case 'blank': {
      // a mixed wording names the date it now runs to; it overrides an older 整改时限
      const due = (wording.kind === 'open' ? wording.deadline : null) ?? deadline;
      if (!due) return { reason: '缺少整改时限（继续整改的问题需要写明完成时间）' };
      if (calendarDaysBetween(today, due) > 366 * 3) return { reason: `整改时限 ${due} 太远了` };
      return { outcome: { state: 'pending' }, deadline: due };
    }
  }
}

/** Duban's own 附件2 writes 状态; a list without 整改完成情况 still says which items are closed. */
function statusAsWording(status: string): string {
  return /已销号/.test(status) ? '已整改完成' : '';
}
