// Reads for the scheduled jobs. They run over every task of a tenant (100,000 in the benchmark),
// so they read the tasks table alone through covering indexes (see db/schema/work.ts) and fetch
// descriptions only for the few rows a card will show.
import { sql } from 'drizzle-orm';
import type { BulletinFigures, BulletinQuery, FigureCounts } from '../app/store-port.js';
import type { ClosureKind, IsoDate, TaskState } from '../domain/model.js';
import type { TaskFacts } from '../domain/task-facts.js';
import type { AppDatabase } from './database.js';

const DESCRIPTION_CHARS = 80;
export const NO_DEPARTMENT = '未指定科室';
const OPEN_STATES = sql`('pending', 'declined', 'in_progress', 'submitted')`;

interface LightRow {
  taskId: string;
  campaignId: string;
  findingNumber: number;
  leaderUserId: string;
  inspectorUserId: string;
  state: TaskState;
  deadline: string;
  returnsCount: number;
  closureKind: ClosureKind | null;
  version: number;
}

async function departmentNames(db: AppDatabase, tenantId: string): Promise<Map<string, string>> {
  const rows = await db.all<{ id: string; name: string }>(sql`select id, name from departments where tenant_id = ${tenantId}`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Only what the rules need (state, dates, people); what a card shows comes from describeTasks. */
async function lightFacts(db: AppDatabase, tenantId: string, where: ReturnType<typeof sql>, closureKind: boolean): Promise<TaskFacts[]> {
  const [rows, extensions] = await Promise.all([
    db.all<LightRow>(sql`
      select id as taskId, campaign_id as campaignId, finding_number as findingNumber,
             leader_user_id as leaderUserId, inspector_user_id as inspectorUserId, state, deadline,
             returns_count as returnsCount, ${closureKind ? sql`closure_kind` : sql`null`} as closureKind, version
      from tasks where tenant_id = ${tenantId} and ${where}`),
    db.all<{ taskId: string }>(sql`select task_id as taskId from extension_requests where tenant_id = ${tenantId} and status = 'pending'`),
  ]);
  const pending = new Set(extensions.map((e) => e.taskId));
  return rows.map((r) => ({
    taskId: r.taskId,
    tenantId,
    campaignId: r.campaignId,
    findingNumber: r.findingNumber,
    departmentName: null,
    area: '',
    category: '',
    description: '',
    leaderUserId: r.leaderUserId,
    inspectorUserId: r.inspectorUserId,
    state: r.state,
    deadline: r.deadline,
    returnsCount: r.returnsCount,
    hasPendingExtension: pending.has(r.taskId),
    closureKind: r.closureKind,
    version: r.version,
  }));
}

export function listOpenTaskFacts(db: AppDatabase, tenantId: string): Promise<TaskFacts[]> {
  return lightFacts(db, tenantId, sql`state in ${OPEN_STATES}`, false);
}

export async function listLongTermFacts(db: AppDatabase, tenantId: string): Promise<TaskFacts[]> {
  return describeTasks(db, tenantId, await lightFacts(db, tenantId, sql`state = 'closed' and closure_kind = 'long_term'`, true));
}

/** Fills department, category, area and description for the facts a card is about to show. */
export async function describeTasks(db: AppDatabase, tenantId: string, facts: TaskFacts[]): Promise<TaskFacts[]> {
  if (facts.length === 0) return facts;
  // the ids travel as one JSON array: one bound value however many rows
  const rows = await db.all<{ taskId: string; area: string; description: string; category: string; departmentName: string | null }>(sql`
    select t.id as taskId, f.area as area, substr(f.description, 1, ${DESCRIPTION_CHARS}) as description,
           t.category as category, d.name as departmentName
    from tasks t join findings f on f.id = t.finding_id left join departments d on d.id = t.department_id
    where t.tenant_id = ${tenantId} and t.id in (select value from json_each(${JSON.stringify(facts.map((f) => f.taskId))}))`);
  const details = new Map(rows.map((r) => [r.taskId, r]));
  return facts.map((f) => ({ ...f, ...details.get(f.taskId) }));
}

type Group = { department: string; category: string; previous: FigureCounts } & FigureCounts;

function groups(names: Map<string, string>) {
  const byKey = new Map<string, Group>();
  return {
    at(departmentId: string | null, category: string): Group {
      const key = `${departmentId ?? ''}\u0000${category}`;
      let group = byKey.get(key);
      if (!group) {
        const zero = (): FigureCounts => ({ new: 0, closed: 0, open: 0, overdue: 0 });
        group = { department: (departmentId && names.get(departmentId)) || NO_DEPARTMENT, category, ...zero(), previous: zero() };
        byKey.set(key, group);
      }
      return group;
    },
    all: () => [...byKey.values()],
  };
}

type Row<T> = T & { departmentId: string | null; category: string };

/**
 * Narrow index range scans rather than one pass with many conditional sums: evaluating a dozen
 * expressions per row over every task costs more than reading the few index ranges each figure
 * needs (measured: ~200 ms against ~95 ms on 100,000 tasks).
 */
export async function bulletinFigures(db: AppDatabase, tenantId: string, campaignId: string, q: BulletinQuery): Promise<BulletinFigures> {
  const scope = sql`tenant_id = ${tenantId} and campaign_id = ${campaignId}`;
  const names = await departmentNames(db, tenantId);
  const g = groups(names);

  // open now, and which of them were already open / overdue at the previous period's end
  const open = await db.all<Row<{ open: number; overdue: number; prevOpen: number; prevOverdue: number; foundByEnd: number }>>(sql`
    select department_id as departmentId, category, count(*) as open, sum(found_on <= ${q.end}) as foundByEnd,
      sum(state in ('pending', 'in_progress') and deadline < ${q.today}) as overdue,
      sum(found_on <= ${q.previousEnd}) as prevOpen,
      sum(found_on <= ${q.previousEnd} and state in ('pending', 'in_progress') and deadline < ${q.previousEnd}) as prevOverdue
    from tasks where ${scope} and state in ${OPEN_STATES} group by department_id, category`);
  let openFoundByEnd = 0;
  let openFoundByPrevEnd = 0;
  for (const r of open) {
    openFoundByEnd += r.foundByEnd;
    openFoundByPrevEnd += r.prevOpen;
    const group = g.at(r.departmentId, r.category);
    group.open = r.open;
    group.overdue = r.overdue;
    group.previous.open += r.prevOpen;
    group.previous.overdue += r.prevOverdue;
  }

  const found = await db.all<Row<{ new: number; prevNew: number }>>(sql`
    select department_id as departmentId, category, sum(found_on >= ${q.start}) as new, sum(found_on <= ${q.previousEnd}) as prevNew
    from tasks where ${scope} and found_on between ${q.previousStart} and ${q.end} and state != 'cancelled'
    group by department_id, category`);
  for (const r of found) {
    const group = g.at(r.departmentId, r.category);
    group.new += r.new;
    group.previous.new += r.prevNew;
  }

  // closed since the previous period began: closures in each period, and items that were still
  // open (or overdue) at the previous period's end because they closed after it; a deadline moved
  // by an extension since then is read as it stands now. INDEXED BY: the planner otherwise walks
  // tasks_by_group for its GROUP BY order and reads every task row of the campaign for closed_on
  // (129 ms against 4 ms on the stress data); it began to once migration 0009 made the rows wider
  const closed = await db.all<Row<{ closed: number; prevClosed: number; openAtPrevEnd: number; overdueAtPrevEnd: number }>>(sql`
    select department_id as departmentId, category,
      sum(closed_on between ${q.start} and ${q.end}) as closed,
      sum(closed_on between ${q.previousStart} and ${q.previousEnd}) as prevClosed,
      sum(closed_on > ${q.previousEnd} and found_on <= ${q.previousEnd}) as openAtPrevEnd,
      sum(closed_on > ${q.previousEnd} and found_on <= ${q.previousEnd} and deadline < ${q.previousEnd}) as overdueAtPrevEnd
    from tasks indexed by tasks_closed_on where ${scope} and closed_on >= ${q.previousStart} group by department_id, category`);
  for (const r of closed) {
    const group = g.at(r.departmentId, r.category);
    group.closed += r.closed;
    group.previous.closed += r.prevClosed;
    group.previous.open += r.openAtPrevEnd;
    group.previous.overdue += r.overdueAtPrevEnd;
  }

  // everything ever filed (not cancelled) = open + closed; both halves come from covering scans,
  // so no pass over the whole table is needed for the completion rate
  const [everClosed] = await db.all<{ closedByEnd: number; closedByPrevEnd: number; foundByEnd: number; foundByPrevEnd: number }>(sql`
    select sum(closed_on <= ${q.end}) as closedByEnd, sum(closed_on <= ${q.previousEnd}) as closedByPrevEnd,
           sum(found_on <= ${q.end}) as foundByEnd, sum(found_on <= ${q.previousEnd}) as foundByPrevEnd
    from tasks where ${scope} and closed_on is not null`); // closed_on is set only while a task is closed
  const repeats = await db.all<{ departmentId: string | null; category: string; count: number }>(sql`
    select department_id as departmentId, category, count(*) as count
    from tasks where ${scope} and found_on between ${q.repeatSince} and ${q.today} and state != 'cancelled'
    group by department_id, category having count(*) >= ${q.repeatMinCount} order by count(*) desc`);
  const name = (id: string | null) => (id && names.get(id)) || NO_DEPARTMENT;
  const totals = {
    current: { totalEver: openFoundByEnd + (everClosed?.foundByEnd ?? 0), closedEver: everClosed?.closedByEnd ?? 0 },
    previous: { totalEver: openFoundByPrevEnd + (everClosed?.foundByPrevEnd ?? 0), closedEver: everClosed?.closedByPrevEnd ?? 0 },
  };

  const overdueRows = await db.all<{ taskId: string; findingNumber: number; departmentId: string | null; leaderUserId: string; deadline: IsoDate }>(sql`
    select id as taskId, finding_number as findingNumber, department_id as departmentId, leader_user_id as leaderUserId, deadline
    from tasks where tenant_id = ${tenantId} and state in ('pending', 'in_progress') and campaign_id = ${campaignId} and deadline < ${q.today}
    order by deadline, finding_number limit ${q.overdueLimit}`);
  const described = new Map(
    (await describeTasks(db, tenantId, overdueRows.map((r) => ({ taskId: r.taskId }) as TaskFacts))).map((f) => [f.taskId, f.description]),
  );

  const foundByDate = await db.all<{ date: string; n: number }>(sql`
    select found_on as date, count(*) as n from tasks where ${scope} and found_on >= ${q.trendSince} group by found_on`);
  const closedByDate = await db.all<{ date: string; n: number }>(sql`
    select closed_on as date, count(*) as n from tasks where ${scope} and closed_on >= ${q.trendSince} group by closed_on`);

  return {
    groups: g.all(),
    totals,
    overdue: overdueRows.map((r) => ({
      findingNumber: r.findingNumber,
      departmentName: r.departmentId ? name(r.departmentId) : null,
      description: described.get(r.taskId) ?? '',
      leaderUserId: r.leaderUserId,
      deadline: r.deadline,
    })),
    repeats: repeats.map((r) => ({ departmentName: name(r.departmentId), category: r.category, count: r.count })),
    foundByDate,
    closedByDate,
  };
}
