// The daily digest (one message per person per working day, never one per task) and the
// overdue escalations to the supervision group. Both run over every open task of a tenant in the
// reminder sweep, so they are written as single passes with per-deadline caches: a hundred
// thousand tasks share a few hundred deadlines, and the working-day arithmetic is the only
// costly part.
import type { IsoDate, TaskState } from './model.js';
import type { TaskFacts } from './task-facts.js';
import { RED_AFTER_RETURNS, warningColour, type WarningColour } from './warning-colour.js';
import { workingDaysBetween } from './working-days.js';

export type DigestReason = 'due_soon' | 'overdue' | 'to_verify' | 'to_decide_extension' | 'to_reassign';

export interface DigestItem {
  facts: TaskFacts;
  reason: DigestReason;
  colour: WarningColour;
  /** working days in (deadline, today]; 0 when not overdue */
  overdueWorkingDays: number;
  /** working days in (today, deadline]; 0 when due today; null once overdue */
  dueInWorkingDays: number | null;
}

export interface Digest {
  userId: string;
  /** the person's own tasks past their deadline */
  overdue: DigestItem[];
  /** the person's own tasks due within the warning window */
  dueSoon: DigestItem[];
  /** what waits for the person as the finding's inspector: verify, decide an extension, reassign */
  awaiting: DigestItem[];
}

export interface DigestSettings {
  /** deadlines this many working days ahead (or fewer) are 临期 */
  dueSoonWorkingDays: number;
  /** overdue by more than this many working days is 严重逾期 */
  redAfterWorkingDays: number;
}

/** What one deadline means today; shared by every task with that deadline. */
interface DeadlineFacts {
  overdue: boolean;
  overdueWorkingDays: number;
  dueInWorkingDays: number | null;
  /** the colour of an open task with this deadline and fewer than RED_AFTER_RETURNS returns */
  colour: WarningColour;
}

function isOpenForLeader(state: TaskState): boolean {
  return state === 'pending' || state === 'in_progress';
}

/**
 * One digest per person with anything to do today, sorted by userId. `facts` must be one
 * tenant's: user ids are only unique within a tenant, and a digest that mixed two would show one
 * hospital's problems to another, so mixed input is refused.
 */
export function buildDigests(facts: Iterable<TaskFacts>, today: IsoDate, settings: DigestSettings): Digest[] {
  const { dueSoonWorkingDays, redAfterWorkingDays } = settings;
  const byDeadline = new Map<IsoDate, DeadlineFacts>();
  const deadlineFacts = (deadline: IsoDate): DeadlineFacts => {
    let d = byDeadline.get(deadline);
    if (!d) {
      const overdue = today > deadline;
      d = {
        overdue,
        overdueWorkingDays: overdue ? workingDaysBetween(deadline, today) : 0,
        dueInWorkingDays: overdue ? null : workingDaysBetween(today, deadline),
        // Every state that reaches a digest is open, so warningColour's state branches do not
        // apply and only the returns count can change the colour (see colourOf).
        colour: warningColour({ state: 'in_progress', deadline, returnsCount: 0, today, dueSoonWorkingDays, redAfterWorkingDays }),
      };
      byDeadline.set(deadline, d);
    }
    return d;
  };
  const colourOf = (f: TaskFacts, d: DeadlineFacts): WarningColour =>
    f.returnsCount >= RED_AFTER_RETURNS
      ? warningColour({ state: f.state, deadline: f.deadline, returnsCount: f.returnsCount, today, dueSoonWorkingDays, redAfterWorkingDays })
      : d.colour;

  const digests = new Map<string, Digest>();
  const digestOf = (userId: string): Digest => {
    let digest = digests.get(userId);
    if (!digest) {
      digest = { userId, overdue: [], dueSoon: [], awaiting: [] };
      digests.set(userId, digest);
    }
    return digest;
  };
  const item = (f: TaskFacts, reason: DigestReason, d: DeadlineFacts): DigestItem => ({
    facts: f,
    reason,
    colour: colourOf(f, d),
    overdueWorkingDays: d.overdueWorkingDays,
    dueInWorkingDays: d.dueInWorkingDays,
  });

  let tenantId: string | null = null;
  for (const f of facts) {
    if (tenantId === null) tenantId = f.tenantId;
    else if (f.tenantId !== tenantId) {
      throw new RangeError(`buildDigests got tasks of two tenants (${tenantId}, ${f.tenantId}); call it once per tenant`);
    }
    const open = isOpenForLeader(f.state);
    // The leader's side.
    if (open) {
      const d = deadlineFacts(f.deadline);
      if (d.overdue) digestOf(f.leaderUserId).overdue.push(item(f, 'overdue', d));
      else if (d.dueInWorkingDays! <= dueSoonWorkingDays) digestOf(f.leaderUserId).dueSoon.push(item(f, 'due_soon', d));
    }
    // The inspector's side: at most one of these per task, as the states exclude each other.
    let reason: DigestReason | null = null;
    if (f.state === 'submitted') reason = 'to_verify';
    else if (f.state === 'declined') reason = 'to_reassign';
    else if (open && f.hasPendingExtension) reason = 'to_decide_extension';
    if (reason) digestOf(f.inspectorUserId).awaiting.push(item(f, reason, deadlineFacts(f.deadline)));
  }

  const out = [...digests.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  for (const digest of out) {
    digest.overdue.sort(mostUrgentFirst);
    digest.dueSoon.sort(mostUrgentFirst);
    digest.awaiting.sort(mostUrgentFirst);
  }
  return out;
}

/** Longest overdue first; then the earliest deadline; then the lower finding number. */
function mostUrgentFirst(a: DigestItem, b: DigestItem): number {
  return (
    b.overdueWorkingDays - a.overdueWorkingDays ||
    (a.facts.deadline < b.facts.deadline ? -1 : a.facts.deadline > b.facts.deadline ? 1 : 0) ||
    a.facts.findingNumber - b.facts.findingNumber ||
    (a.facts.taskId < b.facts.taskId ? -1 : a.facts.taskId > b.facts.taskId ? 1 : 0)
  );
}

export interface EscalationDue {
  facts: TaskFacts;
  threshold: 'overdue';
  overdueWorkingDays: number;
}

/** The key an escalation is recorded under: once per task per threshold. */
export function escalationKey(taskId: string, threshold: EscalationDue['threshold']): string {
  return `${taskId}:${threshold}`;
}

/**
 * Open tasks overdue by more than `redAfterWorkingDays` working days (the same line that turns a
 * task red) whose escalation is not yet in `alreadyEscalated` (`${taskId}:overdue`). Longest
 * overdue first. Runs over every task of the sweep: one pass, and nothing is allocated except
 * for tasks that actually escalate.
 */
export function escalationsDue(
  facts: Iterable<TaskFacts>,
  alreadyEscalated: ReadonlySet<string>,
  today: IsoDate,
  settings: { redAfterWorkingDays: number },
): EscalationDue[] {
  // Working days overdue per deadline; 0 for deadlines not yet passed.
  const overdueByDeadline = new Map<IsoDate, number>();
  const out: EscalationDue[] = [];
  let emitted: Set<string> | null = null;
  for (const f of facts) {
    if (f.state !== 'pending' && f.state !== 'in_progress') continue;
    if (f.deadline >= today) continue; // not overdue: the deadline day itself is on time
    let days = overdueByDeadline.get(f.deadline);
    if (days === undefined) {
      days = workingDaysBetween(f.deadline, today);
      overdueByDeadline.set(f.deadline, days);
    }
    if (days <= settings.redAfterWorkingDays) continue;
    const key = escalationKey(f.taskId, 'overdue');
    if (alreadyEscalated.has(key)) continue;
    // A task listed twice in one sweep must still escalate once.
    emitted ??= new Set();
    if (emitted.has(key)) continue;
    emitted.add(key);
    out.push({ facts: f, threshold: 'overdue', overdueWorkingDays: days });
  }
  return out.sort(
    (a, b) => b.overdueWorkingDays - a.overdueWorkingDays || a.facts.findingNumber - b.facts.findingNumber,
  );
}
