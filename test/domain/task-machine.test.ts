// The task state machine against DESIGN.md §1. The transition table is written by hand, not read
// from FROM_STATES, so a change to the code's table has to be made here too, on purpose.
import { describe, expect, it } from 'vitest';
import { ROLES, TASK_STATES, type Actor, type TaskContext, type TaskState } from '../../src/domain/model.js';
import { TASK_ACTIONS, type TaskAction } from '../../src/domain/permissions.js';
import { availableActions, decide, type TaskCommand } from '../../src/domain/task-machine.js';
import {
  DEADLINE, INSPECTOR, LEADER, OTHER_LEADER, STANDINGS, STRANGER, SUPERVISOR, TODAY,
  actor, addDays, allRoleSets, makeContext, place, validCommand,
} from './fixtures.js';

const X = 'refused';
const SAME = 'unchanged';
type Outcome = TaskState | typeof X | typeof SAME;

// One row per action, one column per state: where the task ends up, or X when `decide` must
// answer 'wrong_state'. Extension decisions are tried with a request pending.
//                     pending        declined       in_progress    submitted      closed         cancelled
const TRANSITIONS: Record<TaskAction, [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]> = {
  accept:            ['in_progress', X,             X,             X,             X,             X],
  decline:           ['declined',    X,             X,             X,             X,             X],
  reassign:          [SAME,          'pending',     SAME,          SAME,          X,             X],
  request_extension: [SAME,          X,             SAME,          X,             X,             X],
  approve_extension: [SAME,          X,             SAME,          X,             X,             X],
  refuse_extension:  [SAME,          X,             SAME,          X,             X,             X],
  submit:            [X,             X,             'submitted',   X,             X,             X],
  verify_pass:       [X,             X,             X,             'closed',      X,             X],
  verify_fail:       [X,             X,             X,             'in_progress', X,             X],
  cancel:            ['cancelled',   'cancelled',   'cancelled',   'cancelled',   X,             X],
  reopen:            [X,             X,             X,             X,             'in_progress', X],
  // tried on a 长期坚持 item; any other closed item refuses it (see the 回头看 test below)
  report_progress:   [X,             X,             X,             X,             SAME,          X],
  // corrects the finding, not the task's state; what was verified stays as it was verified
  edit_finding:      [SAME,          SAME,          SAME,          X,             X,             X],
  // presses the leader while they owe the next step; the state stays
  urge:              [SAME,          X,             SAME,          X,             X,             X],
  // a new deadline while the leader works on it; a declined task gets one with its new leader
  set_deadline:      [SAME,          X,             SAME,          X,             X,             X],
  // the leader's own plan, while the work goes on
  revise_measures:   [X,             X,             SAME,          X,             X,             X],
};
const COLUMNS: readonly TaskState[] = ['pending', 'declined', 'in_progress', 'submitted', 'closed', 'cancelled'];

const LEADER_ACTIONS: readonly TaskAction[] = ['accept', 'decline', 'request_extension', 'submit', 'report_progress', 'revise_measures'];
const leader = actor(LEADER, 'leader');
const supervisor = actor(SUPERVISOR, 'supervisor');
const inspector = actor(INSPECTOR, 'inspector');

function contextFor(action: TaskAction, state: TaskState, extra: Partial<Parameters<typeof makeContext>[0]> = {}) {
  const withExtension = action === 'approve_extension' || action === 'refuse_extension';
  const longTerm = action === 'report_progress' ? { closureKind: 'long_term' as const } : {};
  return makeContext({ state, pendingExtension: withExtension, ...longTerm, ...extra });
}
function whoActs(action: TaskAction): Actor {
  return LEADER_ACTIONS.includes(action) ? leader : supervisor;
}
function run(ctx: TaskContext, who: Actor, command: TaskCommand, today = TODAY, cardVersion: number | null = ctx.task.version) {
  return decide(ctx, who, command, cardVersion, today);
}
function refusal(code: string, detail?: string) {
  return { ok: false, error: detail === undefined ? { code } : { code, detail } };
}

describe('transition table', () => {
  it('covers every action and every state', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...TASK_ACTIONS].sort());
    expect([...COLUMNS].sort()).toEqual([...TASK_STATES].sort());
  });

  const cases = TASK_ACTIONS.flatMap((action) => COLUMNS.map((state, i) => [action, state, TRANSITIONS[action][i]!] as const));
  it.each(cases)('%s on %s → %s', (action, state, outcome) => {
    const ctx = contextFor(action, state);
    const result = run(ctx, whoActs(action), validCommand(action, ctx));
    if (outcome === X) {
      expect(result).toMatchObject(refusal('wrong_state', state));
    } else if (outcome === SAME) {
      expect(result.ok && result.value.patch.state).toBe(undefined);
    } else {
      expect(result.ok && result.value.patch.state).toBe(outcome);
    }
  });
});

describe('what each transition changes', () => {
  it('accept records the trimmed measures, and the 责任人 when one is named', () => {
    const ctx = makeContext({ state: 'pending' });
    const result = run(ctx, leader, { action: 'accept', measures: '  更换座椅  ', responsiblePerson: '' });
    expect(result).toMatchObject({ ok: true, value: { patch: { state: 'in_progress', measures: '更换座椅', responsiblePerson: null }, eventData: { measures: '更换座椅' } } });
    const named = run(ctx, leader, { action: 'accept', measures: '更换座椅', responsiblePerson: '  护士长 李某 ' });
    expect(named).toMatchObject({ ok: true, value: { patch: { responsiblePerson: '护士长 李某' }, eventData: { measures: '更换座椅', responsiblePerson: '护士长 李某' } } });
    expect(run(ctx, leader, { action: 'accept', measures: '更换座椅', responsiblePerson: '李'.repeat(51) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', detail: '责任人（不超过50字）' },
    });
  });

  it('reassign hands the task to the new leader and keeps the deadline unless a new one is given', () => {
    const ctx = makeContext({ state: 'declined' });
    const kept = run(ctx, supervisor, { action: 'reassign', leaderUserId: OTHER_LEADER, deadline: null });
    expect(kept).toMatchObject({ ok: true, value: { patch: { state: 'pending', leaderUserId: OTHER_LEADER }, attention: ['leader'] } });
    expect(kept.ok && 'deadline' in kept.value.patch).toBe(false);
    const moved = run(ctx, supervisor, { action: 'reassign', leaderUserId: OTHER_LEADER, deadline: '2026-12-20' });
    expect(moved).toMatchObject({ ok: true, value: { patch: { deadline: '2026-12-20' } } });
  });

  it.each(['in_progress', 'submitted'] as const)('reassign (移交) passes a task that is %s to the successor as it stands', (state) => {
    const ctx = makeContext({ state });
    const result = run(ctx, supervisor, { action: 'reassign', leaderUserId: OTHER_LEADER, deadline: null });
    expect(result).toEqual({
      ok: true,
      value: { patch: { leaderUserId: OTHER_LEADER }, eventData: { from: LEADER, to: OTHER_LEADER, deadline: null }, extension: null, attention: ['leader'], escalate: false },
    });
  });

  it('edit_finding corrects only the fields that differ, keeping before and after, and tells nobody', () => {
    const ctx = makeContext({ state: 'in_progress' });
    const result = run(ctx, inspector, { action: 'edit_finding', area: ctx.finding.area, category: '服务态度', description: '  候诊区座椅破损两处  ', departmentId: null, acceptance: null });
    expect(result).toEqual({
      ok: true,
      value: {
        patch: {},
        eventData: { before: { category: '服务环境', description: '候诊区座椅破损' }, after: { category: '服务态度', description: '候诊区座椅破损两处' } },
        extension: null,
        attention: [],
        escalate: false,
        findingPatch: { category: '服务态度', description: '候诊区座椅破损两处' },
      },
    });
  });

  it('edit_finding corrects the task’s 验收标准 with the rest, clears it when emptied, and keeps it when the form has none', () => {
    const ctx = makeContext({ state: 'in_progress' });
    ctx.task.acceptanceCriteria = '座椅全部更换';
    const same = { action: 'edit_finding', area: ctx.finding.area, category: ctx.finding.category, description: ctx.finding.description, departmentId: null } as const;
    expect(run(ctx, inspector, { ...same, acceptance: '  座椅全部更换，扶手无松动 ' })).toEqual({
      ok: true,
      value: {
        patch: { acceptanceCriteria: '座椅全部更换，扶手无松动' },
        eventData: { before: { acceptanceCriteria: '座椅全部更换' }, after: { acceptanceCriteria: '座椅全部更换，扶手无松动' } },
        extension: null,
        attention: [],
        escalate: false,
      },
    });
    expect(run(ctx, inspector, { ...same, acceptance: ' ' })).toMatchObject({ ok: true, value: { patch: { acceptanceCriteria: null } } });
    expect(run(ctx, inspector, { ...same, acceptance: null })).toMatchObject(refusal('unchanged'));
    expect(run(ctx, inspector, { ...same, acceptance: '验'.repeat(201) })).toMatchObject(refusal('invalid_input', '验收标准（不超过200字）'));
  });

  it('edit_finding refuses an edit that changes nothing, an empty description or category, and a finding left with no place', () => {
    const ctx = makeContext({ state: 'pending' });
    const same = { action: 'edit_finding', area: ctx.finding.area, category: ctx.finding.category, description: ctx.finding.description, departmentId: null, acceptance: null } as const;
    expect(run(ctx, inspector, same)).toMatchObject(refusal('unchanged'));
    expect(run(ctx, inspector, { ...same, description: '  ' })).toMatchObject(refusal('invalid_input', '主要问题'));
    expect(run(ctx, inspector, { ...same, category: '' })).toMatchObject(refusal('invalid_input', '问题类别'));
    expect(run(ctx, inspector, { ...same, category: '类'.repeat(21) })).toMatchObject(refusal('invalid_input', '问题类别（不超过20字）'));
    const placedByArea = makeContext({ state: 'pending' });
    placedByArea.finding.departmentId = null;
    expect(run(placedByArea, inspector, { ...same, area: '' })).toMatchObject(refusal('invalid_input', '督查区域'));
    // the same department named again is no change either
    expect(run(ctx, inspector, { ...same, departmentId: ctx.finding.departmentId })).toMatchObject(refusal('unchanged'));
  });

  it('edit_finding moves the finding to another department, and places one that had none', () => {
    const ctx = makeContext({ state: 'in_progress' });
    const moved = run(ctx, inspector, { action: 'edit_finding', area: ctx.finding.area, category: ctx.finding.category, description: ctx.finding.description, departmentId: 'd-other', acceptance: null });
    expect(moved).toMatchObject({ ok: true, value: { findingPatch: { departmentId: 'd-other' }, eventData: { before: { departmentId: ctx.finding.departmentId }, after: { departmentId: 'd-other' } } } });
    const placedByArea = makeContext({ state: 'pending' });
    placedByArea.finding.departmentId = null;
    const placed = run(placedByArea, inspector, { action: 'edit_finding', area: '', category: placedByArea.finding.category, description: placedByArea.finding.description, departmentId: 'd-other', acceptance: null });
    expect(placed).toMatchObject({ ok: true, value: { findingPatch: { area: '', departmentId: 'd-other' } } });
  });

  it('request_extension opens a request and asks the inspector, leaving state and deadline alone', () => {
    const ctx = makeContext({ state: 'in_progress' });
    const result = run(ctx, leader, { action: 'request_extension', requestedDeadline: '2026-12-24', reason: '需采购' });
    expect(result).toMatchObject({
      ok: true,
      value: { patch: {}, extension: { kind: 'open', requestedDeadline: '2026-12-24', reason: '需采购' }, attention: ['inspector'] },
    });
  });

  it('approve_extension moves the deadline to the requested date; refuse_extension does not', () => {
    const ctx = makeContext({ state: 'in_progress', pendingExtension: { requestedDeadline: '2026-12-31' } });
    expect(run(ctx, inspector, { action: 'approve_extension' })).toMatchObject({
      ok: true,
      value: { patch: { deadline: '2026-12-31' }, extension: { kind: 'decide', status: 'approved' }, attention: ['leader'] },
    });
    const refused = run(ctx, inspector, { action: 'refuse_extension', reason: '可以按期完成' });
    expect(refused).toMatchObject({ ok: true, value: { patch: {}, extension: { kind: 'decide', status: 'refused' } } });
  });

  it('verify_pass keeps the closure kind the leader chose unless the verifier overrides it', () => {
    const ctx = makeContext({ state: 'submitted', closureKind: 'long_term' });
    expect(run(ctx, inspector, { action: 'verify_pass', closureKind: null })).toMatchObject({ ok: true, value: { patch: { closureKind: 'long_term' } } });
    expect(run(ctx, inspector, { action: 'verify_pass', closureKind: 'done' })).toMatchObject({ ok: true, value: { patch: { closureKind: 'done' } } });
  });

  // "Two fails escalate": exactly once, on the second return, not on every one after it.
  it.each([
    [0, 1, false],
    [1, 2, true],
    [2, 3, false],
    [5, 6, false],
  ])('verify_fail with %i earlier returns counts %i, escalate=%s', (before, after, escalate) => {
    const ctx = makeContext({ state: 'submitted', returnsCount: before });
    const result = run(ctx, inspector, { action: 'verify_fail', reason: '未整改到位' });
    expect(result).toMatchObject({ ok: true, value: { patch: { state: 'in_progress', returnsCount: after }, escalate } });
  });
});

describe('input rules', () => {
  const textFields: [TaskAction, TaskState, (t: string) => TaskCommand, string][] = [
    ['accept', 'pending', (t) => ({ action: 'accept', measures: t, responsiblePerson: '' }), '整改措施'],
    ['decline', 'pending', (t) => ({ action: 'decline', reason: t }), '原因'],
    ['request_extension', 'in_progress', (t) => ({ action: 'request_extension', requestedDeadline: '2026-12-20', reason: t }), '延期理由'],
    ['submit', 'in_progress', (t) => ({ action: 'submit', note: t, closureKind: 'done' }), '整改情况'],
    ['verify_fail', 'submitted', (t) => ({ action: 'verify_fail', reason: t }), '退回原因'],
    ['cancel', 'in_progress', (t) => ({ action: 'cancel', reason: t }), '撤销原因'],
    ['reopen', 'closed', (t) => ({ action: 'reopen', reason: t }), '重新整改原因'],
  ];
  const limits: Partial<Record<TaskAction, number>> = { accept: 1000, submit: 1000 };

  const blanks = textFields.flatMap(([action, state, make, label]) =>
    ['', '   ', '\n\t\u3000'].map((blank) => [action, JSON.stringify(blank), state, make(blank), label] as const),
  );
  it.each(blanks)('%s with %s is invalid_input naming the field', (action, _blank, state, command, label) => {
    expect(run(makeContext({ state }), whoActs(action), command)).toMatchObject(refusal('invalid_input', label));
  });

  const lengths = textFields.map(([action, state, make, label]) => [action, limits[action] ?? 500, state, make, label] as const);
  it.each(lengths)('%s accepts %i characters after trimming and refuses one more', (action, max, state, make, label) => {
    const ctx = makeContext({ state });
    expect(run(ctx, whoActs(action), make(` ${'字'.repeat(max)} `)).ok).toBe(true);
    expect(run(ctx, whoActs(action), make('字'.repeat(max + 1)))).toMatchObject(refusal('invalid_input', `${label}（不超过${max}字）`));
  });

  it('submit refuses a closure kind that does not exist', () => {
    const command = { action: 'submit', note: '已完成', closureKind: 'half_done' } as unknown as TaskCommand;
    expect(run(makeContext({ state: 'in_progress' }), leader, command)).toMatchObject(refusal('invalid_input', '完成情况'));
  });

  it.each([
    ['before the deadline', addDays(DEADLINE, -1), false],
    ['on the deadline', DEADLINE, false],
    ['the day after', addDays(DEADLINE, 1), true],
  ])('an extension to %s is %s', (_when, requestedDeadline, allowed) => {
    const result = run(makeContext({ state: 'in_progress' }), leader, { action: 'request_extension', requestedDeadline, reason: '需采购' });
    if (allowed) expect(result.ok).toBe(true);
    else expect(result).toMatchObject(refusal('invalid_input'));
  });

  // "Extension requests must be made before the deadline": the deadline day itself still counts.
  it('an extension is refused once the deadline has passed, but not on the deadline day', () => {
    const ctx = makeContext({ state: 'in_progress' });
    const command = validCommand('request_extension', ctx);
    expect(run(ctx, leader, command, DEADLINE).ok).toBe(true);
    expect(run(ctx, leader, command, addDays(DEADLINE, 1))).toMatchObject(refusal('deadline_passed'));
  });

  it('a second extension while one is pending is refused', () => {
    const ctx = makeContext({ state: 'in_progress', pendingExtension: true });
    expect(run(ctx, leader, validCommand('request_extension', ctx))).toMatchObject(refusal('extension_pending'));
  });

  it.each([['approve_extension'], ['refuse_extension']] as const)('%s without a pending request is refused', (action) => {
    const ctx = makeContext({ state: 'in_progress' });
    expect(run(ctx, inspector, validCommand(action, ctx))).toMatchObject(refusal('no_extension_pending'));
  });

  // Pins today's behaviour: a refusal's reason is optional and cut, not rejected (see report).
  it('refuse_extension takes an empty reason and cuts a long one to 500 characters', () => {
    const ctx = makeContext({ state: 'in_progress', pendingExtension: true });
    expect(run(ctx, inspector, { action: 'refuse_extension', reason: '  ' })).toMatchObject({ ok: true, value: { eventData: { reason: '' } } });
    const long = run(ctx, inspector, { action: 'refuse_extension', reason: '字'.repeat(600) });
    expect(long.ok && (long.value.eventData['reason'] as string).length).toBe(500);
  });

  it('reassign refuses the same leader, a missing leader and a deadline in the past', () => {
    const ctx = makeContext({ state: 'declined' });
    expect(run(ctx, supervisor, { action: 'reassign', leaderUserId: LEADER, deadline: null })).toMatchObject(refusal('same_leader'));
    expect(run(ctx, supervisor, { action: 'reassign', leaderUserId: '', deadline: null })).toMatchObject(refusal('invalid_input', '新的责任领导'));
    const past = { action: 'reassign', leaderUserId: OTHER_LEADER, deadline: addDays(TODAY, -1) } as const;
    expect(run(ctx, supervisor, past)).toMatchObject(refusal('invalid_input'));
    expect(run(ctx, supervisor, { ...past, deadline: TODAY }).ok).toBe(true);
  });
});

describe('stale cards', () => {
  const ctx = makeContext({ state: 'pending', version: 7 });

  it('a card drawn from an older version changes nothing', () => {
    expect(run(ctx, leader, validCommand('accept', ctx), TODAY, 6)).toMatchObject(refusal('stale'));
  });

  it('a command without a card version skips the check', () => {
    expect(run(ctx, leader, validCommand('accept', ctx), TODAY, null).ok).toBe(true);
  });

  it('permission is checked first: a wrong person with a stale card is forbidden', () => {
    expect(run(ctx, actor(STRANGER, 'leader'), validCommand('accept', ctx), TODAY, 6)).toMatchObject(refusal('forbidden'));
  });

  it('staleness is checked before state: the card, not the task, is what is out of date', () => {
    expect(run(ctx, leader, validCommand('submit', ctx), TODAY, 6)).toMatchObject(refusal('stale'));
  });
});

describe('availableActions', () => {
  it.each<[string, TaskContext, Actor, string, TaskAction[]]>([
    ['leader on pending', makeContext({ state: 'pending' }), leader, TODAY, ['accept', 'request_extension', 'decline']],
    ['leader on in_progress', makeContext({ state: 'in_progress' }), leader, TODAY, ['submit', 'request_extension', 'revise_measures']],
    ['leader after the deadline', makeContext({ state: 'in_progress' }), leader, addDays(DEADLINE, 1), ['submit', 'revise_measures']],
    ['leader with a request pending', makeContext({ state: 'in_progress', pendingExtension: true }), leader, TODAY, ['submit', 'revise_measures']],
    ['leader on submitted', makeContext({ state: 'submitted' }), leader, TODAY, []],
    ['inspector on pending', makeContext({ state: 'pending' }), inspector, TODAY, ['urge', 'set_deadline', 'edit_finding', 'cancel']],
    ['supervisor on pending', makeContext({ state: 'pending' }), supervisor, TODAY, ['reassign', 'urge', 'set_deadline', 'edit_finding', 'cancel']],
    ['supervisor on in_progress', makeContext({ state: 'in_progress' }), supervisor, TODAY, ['reassign', 'urge', 'set_deadline', 'edit_finding', 'cancel']],
    ['supervisor on submitted', makeContext({ state: 'submitted' }), supervisor, TODAY, ['verify_pass', 'verify_fail', 'cancel']],
    ['inspector on in_progress', makeContext({ state: 'in_progress' }), inspector, TODAY, ['urge', 'set_deadline', 'edit_finding', 'cancel']],
    ['inspector on declined', makeContext({ state: 'declined' }), inspector, TODAY, ['reassign', 'edit_finding', 'cancel']],
    ['inspector with a request pending', makeContext({ state: 'in_progress', pendingExtension: true }), inspector, TODAY, ['approve_extension', 'refuse_extension', 'edit_finding', 'cancel']],
    ['inspector on submitted', makeContext({ state: 'submitted' }), inspector, TODAY, ['verify_pass', 'verify_fail', 'cancel']],
    ['inspector on closed', makeContext({ state: 'closed' }), inspector, TODAY, ['reopen']],
    ['admin on cancelled', makeContext({ state: 'cancelled' }), actor('u-admin', 'admin'), TODAY, []],
    ['a stranger on submitted', makeContext({ state: 'submitted' }), actor(STRANGER, 'leader', 'inspector'), TODAY, []],
  ])('%s', (_name, ctx, who, today, expected) => {
    expect(availableActions(ctx, who, today)).toEqual(expected);
  });

  // Every combination of state, standing, roles, pending request and date: a button shown must
  // be one `decide` accepts with ordinary input, and a hidden one must have a reason to be hidden.
  const combos = TASK_STATES.flatMap((state) =>
    STANDINGS.flatMap((standing) =>
      allRoleSets(ROLES).flatMap((roles) =>
        [false, true].flatMap((pendingExtension) =>
          [TODAY, addDays(DEADLINE, 1)].map((today) => ({ ...place(standing, roles, { state, pendingExtension }), today })),
        ),
      ),
    ),
  );

  it('nobody sees a button decide would refuse', () => {
    const refused: string[] = [];
    for (const { ctx, actor: who, today } of combos) {
      for (const action of availableActions(ctx, who, today)) {
        const result = decide(ctx, who, validCommand(action, ctx), ctx.task.version, today);
        if (!result.ok) refused.push(`${action} by ${who.roles.join('+') || 'none'} on ${ctx.task.state}: ${result.error.code}`);
      }
    }
    expect(combos).toHaveLength(6 * 4 * 16 * 2 * 2);
    expect(refused).toEqual([]);
  });

  it('every action decide accepts is shown, except reassigning a submission, or a task the leader has not declined without supervisor or admin', () => {
    const hidden = new Set<string>();
    for (const { ctx, actor: who, today } of combos) {
      const shown = availableActions(ctx, who, today);
      for (const action of TASK_ACTIONS) {
        if (shown.includes(action) || !decide(ctx, who, validCommand(action, ctx), ctx.task.version, today).ok) continue;
        hidden.add(`${action} on ${ctx.task.state} by ${who.roles.some((r) => r === 'supervisor' || r === 'admin') ? 'supervisor/admin' : 'others'}`);
      }
    }
    // The inspector's card stays uncluttered while the leader decides and works, and a submission
    // shows the verdict alone (task-machine.ts); 移交 reaches these.
    expect([...hidden].sort()).toEqual([
      'reassign on in_progress by others',
      'reassign on pending by others',
      'reassign on submitted by others',
      'reassign on submitted by supervisor/admin',
    ]);
  });
});

describe('催办 (urge)', () => {
  const inspector = actor(INSPECTOR, 'inspector');

  it('presses the leader on the record, the state unchanged, with what the inspector wrote', () => {
    const result = decide(makeContext({ state: 'in_progress' }), inspector, { action: 'urge', note: '  本周五院领导检查  ', lastUrgedOn: null }, null, TODAY);
    expect(result).toEqual({ ok: true, value: { patch: {}, eventData: { note: '本周五院领导检查' }, extension: null, attention: ['leader'], escalate: false } });
    const bare = decide(makeContext({ state: 'pending' }), inspector, { action: 'urge', note: '', lastUrgedOn: addDays(TODAY, -1) }, null, TODAY);
    expect(bare.ok && bare.value.eventData).toEqual({ note: '' });
  });

  it('waits while a request for more time is undecided, and refuses a note over 200 characters', () => {
    expect(decide(makeContext({ state: 'in_progress', pendingExtension: true }), inspector, { action: 'urge', note: '', lastUrgedOn: null }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'extension_pending' } });
    expect(decide(makeContext({ state: 'in_progress' }), inspector, { action: 'urge', note: '催'.repeat(201), lastUrgedOn: null }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('presses once a day: a second 催办 the same day is refused, the next day is allowed', () => {
    const ctx = makeContext({ state: 'in_progress' });
    expect(decide(ctx, inspector, { action: 'urge', note: '', lastUrgedOn: TODAY }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'already_urged' } });
    expect(decide(ctx, inspector, { action: 'urge', note: '', lastUrgedOn: TODAY }, null, addDays(TODAY, 1)).ok).toBe(true);
  });
});

describe('修改整改措施 (revise_measures)', () => {
  it('keeps the fields that changed, before and after, and refuses no change or an empty plan', () => {
    const ctx = makeContext({ state: 'in_progress' });
    ctx.task.responsiblePerson = '护士长 李某';
    const result = decide(ctx, leader, { action: 'revise_measures', measures: ` ${ctx.task.measures} `, responsiblePerson: '护士长 王某' }, null, TODAY);
    expect(result).toEqual({
      ok: true,
      value: {
        patch: { measures: ctx.task.measures, responsiblePerson: '护士长 王某' },
        eventData: { before: { responsiblePerson: '护士长 李某' }, after: { responsiblePerson: '护士长 王某' } },
        extension: null,
        attention: [],
        escalate: false,
      },
    });
    expect(decide(ctx, leader, { action: 'revise_measures', measures: ctx.task.measures!, responsiblePerson: '护士长 李某' }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'unchanged' } });
    expect(decide(ctx, leader, { action: 'revise_measures', measures: ' ', responsiblePerson: '' }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'invalid_input', detail: '整改措施' } });
  });
});

describe('调整期限 (set_deadline)', () => {
  const inspector = actor(INSPECTOR, 'inspector');
  const later = addDays(DEADLINE, 14);

  it('sets the new deadline on the record, from and to, and tells the leader; the state stays', () => {
    const result = decide(makeContext({ state: 'in_progress' }), inspector, { action: 'set_deadline', deadline: later, reason: '  需采购设备  ' }, null, TODAY);
    expect(result).toEqual({
      ok: true,
      value: { patch: { deadline: later }, eventData: { from: DEADLINE, to: later, reason: '需采购设备' }, extension: null, attention: ['leader'], escalate: false },
    });
  });

  it('may bring a deadline forward or set one on an overdue task, but never before today', () => {
    const earlier = decide(makeContext({ state: 'pending' }), inspector, { action: 'set_deadline', deadline: addDays(TODAY, 1), reason: '院领导检查提前' }, null, TODAY);
    expect(earlier.ok && earlier.value.patch).toEqual({ deadline: addDays(TODAY, 1) });
    const overdueToday = addDays(DEADLINE, 3);
    const rescued = decide(makeContext({ state: 'in_progress' }), inspector, { action: 'set_deadline', deadline: addDays(overdueToday, 5), reason: '电话沟通后同意' }, null, overdueToday);
    expect(rescued.ok).toBe(true);
    expect(decide(makeContext({ state: 'in_progress' }), inspector, { action: 'set_deadline', deadline: addDays(TODAY, -1), reason: '写错' }, null, TODAY)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', detail: '新的整改完成时间（不能早于今天）' },
    });
  });

  it('refuses the same deadline, a missing or overlong reason, and waits while a request for more time is undecided', () => {
    const ctx = makeContext({ state: 'in_progress' });
    expect(decide(ctx, inspector, { action: 'set_deadline', deadline: DEADLINE, reason: '不变' }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'unchanged' } });
    expect(decide(ctx, inspector, { action: 'set_deadline', deadline: later, reason: '  ' }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'invalid_input', detail: '调整原因' } });
    expect(decide(ctx, inspector, { action: 'set_deadline', deadline: later, reason: '因'.repeat(201) }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(decide(makeContext({ state: 'in_progress', pendingExtension: true }), inspector, { action: 'set_deadline', deadline: later, reason: '同意' }, null, TODAY)).toMatchObject({
      ok: false,
      error: { code: 'extension_pending' },
    });
  });
});
