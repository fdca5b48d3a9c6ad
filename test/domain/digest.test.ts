import { describe, expect, it } from 'vitest';
import { buildDigests, escalationsDue, type Digest } from '../../src/domain/digest.js';
import type { TaskFacts } from '../../src/domain/task-facts.js';

// Dates around National Day 2026: 中秋 09-25..09-27 and 国庆 10-01..10-07 are off, Saturday 10-10
// is an adjusted working day, Sunday 10-11 is not. Working days from 09-21: 09-21..09-24,
// 09-28..09-30, 10-08, 10-09, 10-10, 10-12, 10-13 …
const LEADER = 'u-leader';
const INSPECTOR = 'u-inspector';
const SETTINGS = { dueSoonWorkingDays: 2, redAfterWorkingDays: 3 };
/** Friday after the holiday. */
const TODAY = '2026-10-09';

let seq = 0;
function facts(overrides: Partial<TaskFacts>): TaskFacts {
  seq += 1;
  return {
    taskId: `task-${seq}`,
    tenantId: 't-1',
    campaignId: 'c-1',
    findingNumber: seq,
    departmentName: '外科',
    area: '门诊大厅',
    category: '服务环境',
    description: '候诊区座椅破损',
    leaderUserId: LEADER,
    inspectorUserId: INSPECTOR,
    state: 'in_progress',
    deadline: '2026-12-31',
    returnsCount: 0,
    hasPendingExtension: false,
    closureKind: null,
    version: 3,
    ...overrides,
  };
}

function digestOf(digests: Digest[], userId: string): Digest {
  const d = digests.find((x) => x.userId === userId);
  if (!d) throw new Error(`no digest for ${userId}`);
  return d;
}

const ids = (items: { facts: TaskFacts }[]): string[] => items.map((i) => i.facts.taskId);

describe('buildDigests: the leader', () => {
  const overdue4 = facts({ taskId: 'overdue-4', deadline: '2026-09-28' }); // 09-29, 09-30, 10-08, 10-09
  const overdue2 = facts({ taskId: 'overdue-2', deadline: '2026-09-30', state: 'pending' }); // 10-08, 10-09
  const dueToday = facts({ taskId: 'due-today', deadline: '2026-10-09' });
  const dueIn2 = facts({ taskId: 'due-in-2', deadline: '2026-10-12' }); // 10-10 (Saturday), 10-12
  const dueIn3 = facts({ taskId: 'due-in-3', deadline: '2026-10-13' });
  const closed = facts({ taskId: 'closed', deadline: '2026-09-28', state: 'closed', closureKind: 'done' });
  const cancelled = facts({ taskId: 'cancelled', deadline: '2026-09-28', state: 'cancelled' });
  const submitted = facts({ taskId: 'submitted', deadline: '2026-09-28', state: 'submitted' });
  const declined = facts({ taskId: 'declined', deadline: '2026-09-28', state: 'declined' });
  const all = [dueIn3, dueIn2, overdue2, closed, dueToday, cancelled, submitted, overdue4, declined];
  const leader = digestOf(buildDigests(all, TODAY, SETTINGS), LEADER);

  it('lists open overdue tasks, longest overdue first, counting working days across the holiday', () => {
    expect(ids(leader.overdue)).toEqual(['overdue-4', 'overdue-2']);
    // 09-28 → 10-09 is 11 calendar days but only 4 working days; 4 > 3 is red, 2 is yellow.
    expect(leader.overdue.map((i) => [i.reason, i.overdueWorkingDays, i.dueInWorkingDays, i.colour])).toEqual([
      ['overdue', 4, null, 'red'],
      ['overdue', 2, null, 'yellow'],
    ]);
  });

  it('lists tasks due within two working days, the deadline day itself included', () => {
    expect(ids(leader.dueSoon)).toEqual(['due-today', 'due-in-2']);
    expect(leader.dueSoon.map((i) => [i.reason, i.dueInWorkingDays, i.overdueWorkingDays, i.colour])).toEqual([
      ['due_soon', 0, 0, 'yellow'],
      ['due_soon', 2, 0, 'yellow'],
    ]);
  });

  it('leaves out closed, cancelled, submitted and declined tasks: none waits on the leader', () => {
    expect(leader.awaiting).toEqual([]);
    const listed = [...ids(leader.overdue), ...ids(leader.dueSoon)];
    for (const id of ['closed', 'cancelled', 'submitted', 'declined', 'due-in-3']) expect(listed).not.toContain(id);
  });

  it('counts a whole holiday as no working day: due 09-30, seen on 10-08, is one working day late', () => {
    const [d] = buildDigests([facts({ deadline: '2026-09-30' })], '2026-10-08', SETTINGS);
    expect(d!.overdue.map((i) => [i.overdueWorkingDays, i.colour])).toEqual([[1, 'yellow']]);
  });

  it('counts the adjusted working Saturday as a working day left: due Monday 10-12, seen Friday 10-09', () => {
    // dueSoon 1 working day: Saturday 10-10 counts, Monday is the second, so 10-12 is out of the window.
    const [d] = buildDigests([facts({ deadline: '2026-10-12' })], TODAY, { dueSoonWorkingDays: 1, redAfterWorkingDays: 3 });
    expect(d).toBeUndefined();
    const [e] = buildDigests([facts({ deadline: '2026-10-10' })], TODAY, { dueSoonWorkingDays: 1, redAfterWorkingDays: 3 });
    expect(e!.dueSoon.map((i) => i.dueInWorkingDays)).toEqual([1]);
  });

  it('calls a task overdue the day after its deadline even if no working day has passed yet', () => {
    // Due Saturday 10-10, looked at on Sunday 10-11: late, but 0 working days late, so yellow.
    const [d] = buildDigests([facts({ deadline: '2026-10-10' })], '2026-10-11', SETTINGS);
    expect(d!.overdue.map((i) => [i.overdueWorkingDays, i.colour])).toEqual([[0, 'yellow']]);
  });

  it('shows a task returned twice as red, whatever its deadline says', () => {
    const [d] = buildDigests([facts({ deadline: '2026-10-12', returnsCount: 2 })], TODAY, SETTINGS);
    expect(d!.dueSoon.map((i) => i.colour)).toEqual(['red']);
  });
});

describe('buildDigests: the inspector', () => {
  it('lists what waits on the inspector: verification, an extension to decide, a declined task', () => {
    const list = [
      facts({ taskId: 'verify', state: 'submitted' }),
      facts({ taskId: 'extension', state: 'in_progress', hasPendingExtension: true }),
      facts({ taskId: 'reassign', state: 'declined' }),
      facts({ taskId: 'plain', state: 'in_progress' }),
      facts({ taskId: 'stale-extension', state: 'closed', hasPendingExtension: true, closureKind: 'done' }),
    ];
    const inspector = digestOf(buildDigests(list, TODAY, SETTINGS), INSPECTOR);
    expect(inspector.overdue).toEqual([]);
    expect(inspector.dueSoon).toEqual([]);
    expect(inspector.awaiting.map((i) => [i.facts.taskId, i.reason]).sort()).toEqual([
      ['extension', 'to_decide_extension'],
      ['reassign', 'to_reassign'],
      ['verify', 'to_verify'],
    ]);
  });

  it('orders what waits by urgency: most overdue first, then earliest deadline, then finding number', () => {
    const list = [
      facts({ taskId: 'late-2-holiday-deadline', state: 'submitted', deadline: '2026-10-01', findingNumber: 1 }),
      facts({ taskId: 'not-late', state: 'submitted', deadline: '2026-10-20', findingNumber: 2 }),
      facts({ taskId: 'late-2-no12', state: 'declined', deadline: '2026-09-30', findingNumber: 12 }),
      facts({ taskId: 'late-2-no5', state: 'submitted', deadline: '2026-09-30', findingNumber: 5 }),
      facts({ taskId: 'late-4', state: 'submitted', deadline: '2026-09-28', findingNumber: 99 }),
    ];
    const inspector = digestOf(buildDigests(list, TODAY, SETTINGS), INSPECTOR);
    // Deadlines 09-30 and 10-01 are both 2 working days late (10-08, 10-09); 09-30 is the earlier.
    expect(ids(inspector.awaiting)).toEqual(['late-4', 'late-2-no5', 'late-2-no12', 'late-2-holiday-deadline', 'not-late']);
  });
});

describe('buildDigests: people', () => {
  it('gives a person who is both leader and inspector each item once per reason', () => {
    const both = 'u-both';
    const list = [
      facts({ taskId: 'own', leaderUserId: both, inspectorUserId: both, deadline: '2026-09-29', hasPendingExtension: true }),
      facts({ taskId: 'own-submitted', leaderUserId: both, inspectorUserId: both, state: 'submitted', deadline: '2026-10-09' }),
    ];
    const digests = buildDigests(list, TODAY, SETTINGS);
    expect(digests.map((d) => d.userId)).toEqual([both]);
    const d = digests[0]!;
    expect(d.overdue.map((i) => [i.facts.taskId, i.reason, i.overdueWorkingDays])).toEqual([['own', 'overdue', 3]]);
    expect(d.dueSoon).toEqual([]);
    expect(d.awaiting.map((i) => [i.facts.taskId, i.reason])).toEqual([
      ['own', 'to_decide_extension'],
      ['own-submitted', 'to_verify'],
    ]);
  });

  it('gives digests only to people with something to do, sorted by user id', () => {
    const list = [
      facts({ leaderUserId: 'u-c', inspectorUserId: 'u-x', deadline: '2026-12-31' }), // nothing for anyone
      facts({ leaderUserId: 'u-b', inspectorUserId: 'u-y', deadline: '2026-09-30' }),
      facts({ leaderUserId: 'u-z', inspectorUserId: 'u-a', state: 'submitted' }),
    ];
    expect(buildDigests(list, TODAY, SETTINGS).map((d) => d.userId)).toEqual(['u-a', 'u-b']);
    expect(buildDigests([], TODAY, SETTINGS)).toEqual([]);
  });

  it('refuses to mix tenants: user ids are only unique within one', () => {
    const list = [facts({ tenantId: 't-1', deadline: '2026-09-30' }), facts({ tenantId: 't-2', deadline: '2026-09-30' })];
    expect(() => buildDigests(list, TODAY, SETTINGS)).toThrow(RangeError);
  });
});

describe('escalationsDue', () => {
  const list = [
    facts({ taskId: 'late-4', deadline: '2026-09-28' }), // 4 working days > 3
    facts({ taskId: 'late-3', deadline: '2026-09-29' }), // exactly 3: not yet
    facts({ taskId: 'late-7-pending', state: 'pending', deadline: '2026-09-22' }), // 09-23, 09-24, 09-28, 09-29, 09-30, 10-08, 10-09
    facts({ taskId: 'closed', state: 'closed', deadline: '2026-09-01', closureKind: 'done' }),
    facts({ taskId: 'submitted', state: 'submitted', deadline: '2026-09-01' }),
    facts({ taskId: 'declined', state: 'declined', deadline: '2026-09-01' }),
    facts({ taskId: 'on-time', deadline: '2026-10-09' }),
  ];

  it('escalates open tasks overdue by more than the threshold, longest overdue first', () => {
    const due = escalationsDue(list, new Set(), TODAY, SETTINGS);
    expect(due.map((e) => [e.facts.taskId, e.threshold, e.overdueWorkingDays])).toEqual([
      ['late-7-pending', 'overdue', 7],
      ['late-4', 'overdue', 4],
    ]);
  });

  it('escalates exactly once: a second sweep with the first one recorded finds nothing', () => {
    const first = escalationsDue(list, new Set(), TODAY, SETTINGS);
    const recorded = new Set(first.map((e) => `${e.facts.taskId}:overdue`));
    expect(recorded).toEqual(new Set(['late-7-pending:overdue', 'late-4:overdue']));
    expect(escalationsDue(list, recorded, TODAY, SETTINGS)).toEqual([]);
    // The next day (the working Saturday 10-10) the recorded ones stay quiet although later
    // still; only late-3, now 4 working days late, crosses the line.
    expect(escalationsDue(list, recorded, '2026-10-10', SETTINGS).map((e) => [e.facts.taskId, e.overdueWorkingDays])).toEqual([
      ['late-3', 4],
    ]);
  });

  it('escalates a task listed twice in one sweep once', () => {
    const twice = facts({ taskId: 'dup', deadline: '2026-09-01' });
    expect(escalationsDue([twice, twice], new Set(), TODAY, SETTINGS).map((e) => e.facts.taskId)).toEqual(['dup']);
  });

  it('does not count the holidays: due 09-24, seen on 10-08, is 4 working days late, not 14 days', () => {
    // (09-24, 10-08]: 09-25..09-27 中秋, then 09-28, 09-29, 09-30, 国庆, 10-08.
    const t = facts({ taskId: 'mid-autumn', deadline: '2026-09-24' });
    expect(escalationsDue([t], new Set(), '2026-10-08', SETTINGS).map((e) => e.overdueWorkingDays)).toEqual([4]);
    expect(escalationsDue([t], new Set(), '2026-10-08', { redAfterWorkingDays: 4 })).toEqual([]);
  });
});

// Speed is measured by `npm run bench` (docs/BENCHMARKS.md), not here: this checks the sweep at size.
describe('the sweep at a hospital group’s size', () => {
  it('takes 100,000 tasks through buildDigests and escalationsDue', () => {
    const states = ['pending', 'in_progress', 'in_progress', 'in_progress', 'submitted', 'declined', 'closed', 'cancelled'] as const;
    const all: TaskFacts[] = [];
    for (let i = 0; i < 100_000; i++) {
      const day = (i * 7919) % 300; // ~300 distinct deadlines, as in a real tenant
      const deadline = new Date(Date.UTC(2026, 3, 1 + day)).toISOString().slice(0, 10);
      all.push(facts({
        taskId: `p-${i}`,
        findingNumber: i,
        leaderUserId: `leader-${i % 500}`,
        inspectorUserId: `inspector-${i % 41}`, // 41 is coprime to the 8 states
        state: states[i % states.length]!,
        deadline,
        hasPendingExtension: i % 13 === 0,
        returnsCount: i % 17 === 0 ? 2 : 0,
      }));
    }
    const digests = buildDigests(all, TODAY, SETTINGS);
    const escalations = escalationsDue(all, new Set(), TODAY, SETTINGS);
    // Sanity that the work was real: all 41 inspectors have submitted tasks to verify, and
    // deadlines from April to late September are far enough behind 10-09 to escalate.
    expect(digests.filter((d) => d.userId.startsWith('inspector-'))).toHaveLength(41);
    expect(escalations.length).toBeGreaterThan(10_000);
  });
});
