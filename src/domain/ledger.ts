// The ledger (整改台账) as the hospital's own forms lay it out: 附件1 督查反馈记录表 (one record per
// finding), 附件2 问题清单汇总表 (the list), and 整改进展 (方面 → 大项 → 问题, as seed 003 reports it).
// Pure rows; the Excel adapter decides cells, merges and print settings.
import { wordingFor } from './completion-wording.js';
import type { ClosureKind, IsoDate, TaskState } from './model.js';
import { TASK_STATE_LABELS } from './model.js';
import { summarise, type ProgressSummary } from './progress-report.js';

/** One task with its finding, as the ledger needs it (names already resolved). */
export interface LedgerEntry {
  findingNumber: number;
  foundOn: IsoDate;
  area: string;
  category: string;
  description: string;
  aspect: string | null;
  majorItem: string | null;
  departmentName: string | null;
  inspectorName: string;
  leaderName: string;
  measures: string | null;
  responsiblePerson: string | null;
  completionNote: string | null;
  deadline: IsoDate;
  state: TaskState;
  closureKind: ClosureKind | null;
  closedOn: IsoDate | null;
}

/**
 * 附件1: one record per inspection visit, as the form is filled in on site — the same day, area and
 * inspector — listing its problems and their measures, each marked with the problem's 序号.
 */
export interface FeedbackRecord {
  numbers: number[];
  foundOn: IsoDate;
  area: string;
  problems: string[];
  measures: string[];
  inspector: string;
}

/** 督查记录 as 附件1 prints it: an inspection that found nothing is still a record form. */
export interface LedgerVisit {
  visitedOn: IsoDate;
  departmentName: string;
  inspectorName: string;
  note: string | null;
}

/** What 附件1 says where an inspection found nothing. */
export const NOTHING_FOUND_TEXT = '未发现问题';

/** 附件2: 序号, 问题, 责任领导, 整改措施, 整改完成时间, and 责任科室, 问题类别, 状态, 销号日期. */
export interface ProblemListRow {
  number: number;
  problem: string;
  leader: string;
  measures: string;
  deadline: IsoDate;
  responsiblePerson: string;
  department: string;
  category: string;
  status: string;
  closedOn: IsoDate | null;
}

export interface ProgressProblem {
  number: number;
  problem: string;
  leader: string;
  /** 整改情况: what was done (the completion note), else what is planned (the measures) */
  situation: string;
  /** 整改完成情况, in the real wordings */
  wording: string;
}

export interface ProgressGroup {
  aspect: string;
  majors: { title: string; problems: ProgressProblem[] }[];
}

export interface Ledger {
  organisation: string | null;
  campaignName: string;
  generatedOn: IsoDate;
  records: FeedbackRecord[];
  list: ProblemListRow[];
  /**
   * Labels of the two grouping levels: 方面 / 大项 when the items came with that hierarchy (a 巡察
   * feedback list); otherwise the ledger groups by 问题类别 / 责任科室 and says so.
   */
  grouping: { aspect: '方面' | '问题类别'; major: '大项' | '责任科室' };
  progress: ProgressGroup[];
  summary: ProgressSummary;
}

export const NO_DEPARTMENT = '未指定科室';

/** A record form holds this many problems, and stays well inside a spreadsheet cell's 32,767 characters. */
export const PROBLEMS_PER_RECORD = 20;
const RECORD_TEXT_LIMIT = 30_000;

function roomFor(record: FeedbackRecord, problem: string, measures: string | null): boolean {
  const length = (parts: string[], next: string | null) => parts.reduce((n, p) => n + p.length + 1, next?.length ?? 0);
  return (
    record.numbers.length < PROBLEMS_PER_RECORD &&
    length(record.problems, problem) <= RECORD_TEXT_LIMIT &&
    length(record.measures, measures) <= RECORD_TEXT_LIMIT
  );
}

function statusOf(e: LedgerEntry, today: IsoDate): string {
  const label = TASK_STATE_LABELS[e.state];
  return e.state !== 'closed' && e.state !== 'cancelled' && e.deadline < today ? `${label}（已逾期）` : label;
}

/**
 * The visits' forms among the findings' (`visits` in date order): each before the first form of a
 * later day, so the findings' forms keep their 序号 order and a visit sits among its days.
 */
function withVisits(records: FeedbackRecord[], visits: readonly LedgerVisit[]): FeedbackRecord[] {
  if (visits.length === 0) return records;
  const out: FeedbackRecord[] = [];
  let next = 0;
  for (const record of records) {
    while (next < visits.length && visits[next]!.visitedOn < record.foundOn) out.push(visitRecord(visits[next++]!));
    out.push(record);
  }
  while (next < visits.length) out.push(visitRecord(visits[next++]!));
  return out;
}

function visitRecord(v: LedgerVisit): FeedbackRecord {
  return { numbers: [], foundOn: v.visitedOn, area: v.departmentName, problems: [v.note ? `${NOTHING_FOUND_TEXT}（${v.note}）` : NOTHING_FOUND_TEXT], measures: [], inspector: v.inspectorName };
}

export function buildLedger(
  meta: { organisation: string | null; campaignName: string; today: IsoDate },
  allEntries: readonly LedgerEntry[],
  visits: readonly LedgerVisit[] = [],
): Ledger {
  const entries = allEntries.filter((e) => e.state !== 'cancelled').sort((a, b) => a.findingNumber - b.findingNumber);
  const explicit = entries.some((e) => e.aspect);
  const records: FeedbackRecord[] = [];
  const openVisits = new Map<string, FeedbackRecord>();
  for (const e of entries) {
    const area = e.area || e.departmentName || '';
    const key = `${e.foundOn}\u0000${area}\u0000${e.inspectorName}`;
    const problem = `（${e.findingNumber}）【${e.category}】${e.description}`;
    const measures = e.measures ? `（${e.findingNumber}）${e.measures}` : null;
    let record = openVisits.get(key);
    if (!record || !roomFor(record, problem, measures)) {
      // a full form continues on a new one, as a paper form would
      record = { numbers: [], foundOn: e.foundOn, area, problems: [], measures: [], inspector: e.inspectorName };
      openVisits.set(key, record);
      records.push(record);
    }
    record.numbers.push(e.findingNumber);
    record.problems.push(problem);
    if (measures) record.measures.push(measures);
  }
  const list = entries.map(
    (e): ProblemListRow => ({
      number: e.findingNumber,
      problem: e.description,
      leader: e.leaderName,
      measures: e.measures ?? '',
      deadline: e.deadline,
      responsiblePerson: e.responsiblePerson ?? '',
      department: e.departmentName ?? '',
      category: e.category,
      status: statusOf(e, meta.today),
      closedOn: e.state === 'closed' ? e.closedOn : null,
    }),
  );

  const groups = new Map<string, Map<string, ProgressProblem[]>>();
  for (const e of entries) {
    const aspect = explicit ? (e.aspect ?? e.category) : e.category;
    const major = explicit ? (e.majorItem ?? '') : (e.departmentName ?? NO_DEPARTMENT);
    const majors = groups.get(aspect) ?? new Map<string, ProgressProblem[]>();
    groups.set(aspect, majors);
    const problems = majors.get(major) ?? [];
    majors.set(major, problems);
    problems.push({
      number: e.findingNumber,
      problem: e.description,
      leader: e.leaderName,
      situation: e.completionNote || e.measures || '',
      wording: wordingFor(e, meta.today),
    });
  }
  const progress = [...groups].map(([aspect, majors]): ProgressGroup => ({
    aspect,
    majors: [...majors].map(([title, problems]) => ({ title, problems })),
  }));

  return {
    organisation: meta.organisation,
    campaignName: meta.campaignName,
    generatedOn: meta.today,
    records: withVisits(records, visits),
    list,
    grouping: explicit ? { aspect: '方面', major: '大项' } : { aspect: '问题类别', major: '责任科室' },
    progress,
    summary: summarise(entries, meta.today),
  };
}
