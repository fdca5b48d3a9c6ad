// The task state machine (DESIGN.md §1). `decide` is the only way a task changes: it checks who
// may act, whether the card is current, whether the state allows the action and whether the
// input is good, in that order, and returns what to change — it changes nothing itself.
import { fail, ok, type Result } from './errors.js';
import {
  CLOSURE_KINDS,
  type Actor,
  type ClosureKind,
  type Finding,
  type IsoDate,
  type Task,
  type TaskContext,
  type TaskState,
} from './model.js';
import { mayActOnTask, type TaskAction } from './permissions.js';
import { clip } from './text.js';

export type TaskCommand =
  /** `responsiblePerson`: 责任人, who carries the measures out; may be empty */
  | { action: 'accept'; measures: string; responsiblePerson: string }
  | { action: 'decline'; reason: string }
  | { action: 'request_extension'; requestedDeadline: IsoDate; reason: string }
  | { action: 'submit'; note: string; closureKind: ClosureKind }
  | { action: 'reassign'; leaderUserId: string; deadline: IsoDate | null }
  | { action: 'approve_extension' }
  | { action: 'refuse_extension'; reason: string }
  | { action: 'verify_pass'; closureKind: ClosureKind | null }
  | { action: 'verify_fail'; reason: string }
  | { action: 'cancel'; reason: string }
  | { action: 'reopen'; reason: string }
  | { action: 'report_progress'; note: string }
  /** `departmentId`: the department chosen (the app has checked it exists); null keeps the finding's */
  /** `acceptance`: the task's 验收标准 as corrected (empty clears it); null when the form did not carry it */
  | { action: 'edit_finding'; area: string; category: string; description: string; departmentId: string | null; acceptance: string | null }
  /** `note`: what the leader should hear besides the push itself; may be empty. `lastUrgedOn`: the
   * business day of the task's latest 催办, which the caller reads from its record */
  | { action: 'urge'; note: string; lastUrgedOn: IsoDate | null }
  | { action: 'set_deadline'; deadline: IsoDate; reason: string }
  | { action: 'revise_measures'; measures: string; responsiblePerson: string };

export const FROM_STATES: Record<TaskAction, readonly TaskState[]> = {
  accept: ['pending'],
  decline: ['pending'],
  request_extension: ['pending', 'in_progress'],
  submit: ['in_progress'],
  reassign: ['pending', 'declined', 'in_progress', 'submitted'],
  approve_extension: ['pending', 'in_progress'],
  refuse_extension: ['pending', 'in_progress'],
  verify_pass: ['submitted'],
  verify_fail: ['submitted'],
  cancel: ['pending', 'declined', 'in_progress', 'submitted'],
  reopen: ['closed'],
  report_progress: ['closed'],
  // what was verified stays as it was verified
  edit_finding: ['pending', 'declined', 'in_progress'],
  // only while the leader owes the next step (签收 or 整改); a submission waits on its verifier
  urge: ['pending', 'in_progress'],
  // a declined task gets its new deadline with its new leader (重新指派); a submission is past deadlines
  set_deadline: ['pending', 'in_progress'],
  // measures are written on 签收 and change while the work goes on; what was submitted stays as submitted
  revise_measures: ['in_progress'],
};

/** Who must look at the task next: they get a fresh card in their direct chat. */
export type Attention = 'leader' | 'inspector';

export interface Decision {
  /** fields to change; version and updatedAt are the store's business */
  patch: Partial<Task>;
  /** what the task event records beyond who and when */
  eventData: Record<string, unknown>;
  extension:
    | { kind: 'open'; requestedDeadline: IsoDate; reason: string }
    | { kind: 'decide'; status: 'approved' | 'refused' | 'withdrawn' }
    | null;
  attention: Attention[];
  /** the supervision group must hear of it (returned twice) */
  escalate: boolean;
  /** what to correct in the finding itself (修改问题) */
  findingPatch?: FindingCorrection;
}

/** The parts of a finding its inspector may correct. */
export type FindingCorrection = Partial<Pick<Finding, 'area' | 'category' | 'description' | 'departmentId'>>;

export const MAX_AREA = 100;
export const MAX_CATEGORY = 20;

export const RETURNS_BEFORE_ESCALATION = 2;
export const MAX_URGE_NOTE = 200;
/** the detail of an `extension_pending` refusal that the person refused can answer themselves */
export const DECIDE_REQUEST_FIRST = 'decide_first';
/** 验收标准, set at filing */
export const MAX_ACCEPTANCE = 200;
/** 责任人: a name or two and a title, e.g. 「护士长 李某、保洁组 王某」 */
export const MAX_RESPONSIBLE_PERSON = 50;
export const MAX_DEADLINE_REASON = 200;
export const MAX_TEXT = 1000;

function text(value: string, field: string, max = MAX_TEXT): Result<string> {
  const trimmed = value.trim();
  if (!trimmed) return fail('invalid_input', field);
  if (trimmed.length > max) return fail('invalid_input', `${field}（不超过${max}字）`);
  return ok(trimmed);
}

function decision(patch: Partial<Task>, eventData: Record<string, unknown>, more: Partial<Decision> = {}): Result<Decision> {
  return ok({ patch, eventData, extension: null, attention: [], escalate: false, ...more });
}

/** Submitting, reassigning or cancelling ends an open extension request: nobody is left to decide it. */
function withdrawOpenExtension(ctx: TaskContext): Partial<Decision> {
  return ctx.pendingExtension ? { extension: { kind: 'decide', status: 'withdrawn' } } : {};
}

export function decide(
  ctx: TaskContext,
  actor: Actor,
  command: TaskCommand,
  cardVersion: number | null,
  today: IsoDate,
): Result<Decision> {
  const { task } = ctx;
  if (!mayActOnTask(actor, command.action, ctx)) return fail('forbidden');
  if (cardVersion !== null && cardVersion !== task.version) return fail('stale');
  if (!FROM_STATES[command.action].includes(task.state)) return fail('wrong_state', task.state);

  switch (command.action) {
    case 'accept': {
      const plan = measuresAndPerson(command);
      if (!plan.ok) return plan;
      const { measures, responsiblePerson } = plan.value;
      return decision(
        { state: 'in_progress', measures, responsiblePerson },
        { measures, ...(responsiblePerson ? { responsiblePerson } : {}) },
        { attention: [] },
      );
    }
    case 'revise_measures': {
      const plan = measuresAndPerson(command);
      if (!plan.ok) return plan;
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const field of ['measures', 'responsiblePerson'] as const) {
        if (plan.value[field] === task[field]) continue;
        before[field] = task[field];
        after[field] = plan.value[field];
      }
      if (Object.keys(after).length === 0) return fail('unchanged');
      return decision(plan.value, { before, after }, { attention: [] });
    }
    case 'decline': {
      const reason = text(command.reason, '原因', 500);
      if (!reason.ok) return reason;
      return decision({ state: 'declined' }, { reason: reason.value }, { attention: ['inspector'] });
    }
    case 'request_extension': {
      if (ctx.pendingExtension) return fail('extension_pending');
      if (today > task.deadline) return fail('deadline_passed');
      if (command.requestedDeadline <= task.deadline) return fail('invalid_input', '延期至（须晚于原整改完成时间）');
      const reason = text(command.reason, '延期理由', 500);
      if (!reason.ok) return reason;
      return decision(
        {},
        { requestedDeadline: command.requestedDeadline, reason: reason.value },
        { extension: { kind: 'open', requestedDeadline: command.requestedDeadline, reason: reason.value }, attention: ['inspector'] },
      );
    }
    case 'approve_extension': {
      const pending = ctx.pendingExtension;
      if (!pending) return fail('no_extension_pending');
      if (pending.requestedDeadline <= task.deadline) return fail('invalid_input', '延期至（须晚于当前整改完成时间）');
      return decision(
        { deadline: pending.requestedDeadline },
        { from: task.deadline, to: pending.requestedDeadline },
        { extension: { kind: 'decide', status: 'approved' }, attention: ['leader'] },
      );
    }
    case 'refuse_extension': {
      if (!ctx.pendingExtension) return fail('no_extension_pending');
      const reason = clip(command.reason.trim(), 500);
      return decision({}, { reason }, { extension: { kind: 'decide', status: 'refused' }, attention: ['leader'] });
    }
    case 'submit': {
      const note = text(command.note, '整改情况');
      if (!note.ok) return note;
      if (!CLOSURE_KINDS.includes(command.closureKind)) return fail('invalid_input', '完成情况');
      return decision(
        { state: 'submitted', completionNote: note.value, closureKind: command.closureKind },
        { note: note.value, closureKind: command.closureKind },
        { attention: ['inspector'], ...withdrawOpenExtension(ctx) },
      );
    }
    case 'reassign': {
      const leaderUserId = command.leaderUserId.trim();
      if (!leaderUserId) return fail('invalid_input', '新的责任领导');
      if (leaderUserId === task.leaderUserId) return fail('same_leader');
      if (command.deadline !== null && command.deadline < today) return fail('invalid_input', '整改完成时间（不能早于今天）');
      // A task the leader turned down waits for a new leader's 签收; one already under way (a
      // leader who moved on, 移交) keeps its measures and state and passes to the successor.
      return decision(
        { ...(task.state === 'declined' ? { state: 'pending' as const } : {}), leaderUserId, ...(command.deadline ? { deadline: command.deadline } : {}) },
        { from: task.leaderUserId, to: leaderUserId, deadline: command.deadline },
        { attention: ['leader'], ...withdrawOpenExtension(ctx) },
      );
    }
    case 'verify_pass': {
      const closureKind = command.closureKind ?? task.closureKind ?? 'done';
      if (!CLOSURE_KINDS.includes(closureKind)) return fail('invalid_input', '完成情况');
      return decision({ state: 'closed', closureKind }, { closureKind }, { attention: ['leader'] });
    }
    case 'verify_fail': {
      const reason = text(command.reason, '退回原因', 500);
      if (!reason.ok) return reason;
      const returnsCount = task.returnsCount + 1;
      return decision(
        { state: 'in_progress', returnsCount, closedAt: null, closedOn: null },
        { reason: reason.value, returnsCount },
        { attention: ['leader'], escalate: returnsCount === RETURNS_BEFORE_ESCALATION },
      );
    }
    case 'cancel': {
      const reason = text(command.reason, '撤销原因', 500);
      if (!reason.ok) return reason;
      return decision({ state: 'cancelled' }, { reason: reason.value }, { attention: ['leader'], ...withdrawOpenExtension(ctx) });
    }
    case 'report_progress': {
      if (task.closureKind !== 'long_term') return fail('wrong_state', task.state);
      const note = text(command.note, '进展情况');
      if (!note.ok) return note;
      return decision({}, { note: note.value }, { attention: ['inspector'] });
    }
    case 'edit_finding':
      return correction(ctx, command);
    case 'urge': {
      // while a request for more time waits on the deciders, the next step is theirs, not the leader's
      if (ctx.pendingExtension) return fail('extension_pending', DECIDE_REQUEST_FIRST);
      // once a day: the leader already has today's push; more would be noise, not pressure
      if (command.lastUrgedOn === today) return fail('already_urged');
      const note = command.note.trim();
      if (note.length > MAX_URGE_NOTE) return fail('invalid_input', `催办说明（不超过${MAX_URGE_NOTE}字）`);
      return decision({}, { note }, { attention: ['leader'] });
    }
    case 'set_deadline': {
      // a request for more time is answered first: 同意 sets its date, 不同意 keeps the old one
      if (ctx.pendingExtension) return fail('extension_pending', DECIDE_REQUEST_FIRST);
      if (command.deadline < today) return fail('invalid_input', '新的整改完成时间（不能早于今天）');
      if (command.deadline === task.deadline) return fail('unchanged');
      const reason = text(command.reason, '调整原因', MAX_DEADLINE_REASON);
      if (!reason.ok) return reason;
      return decision(
        { deadline: command.deadline },
        { from: task.deadline, to: command.deadline, reason: reason.value },
        { attention: ['leader'] },
      );
    }
    case 'reopen': {
      const reason = text(command.reason, '重新整改原因', 500);
      if (!reason.ok) return reason;
      return decision(
        { state: 'in_progress', closedAt: null, closedOn: null, closureKind: null },
        { reason: reason.value },
        { attention: ['leader'] },
      );
    }
  }
}

/** 整改措施 (required) and 责任人 (may be empty: null), as 签收 and 修改整改措施 take them. */
function measuresAndPerson(command: { measures: string; responsiblePerson: string }): Result<{ measures: string; responsiblePerson: string | null }> {
  const measures = text(command.measures, '整改措施');
  if (!measures.ok) return measures;
  const responsiblePerson = command.responsiblePerson.trim();
  if (responsiblePerson.length > MAX_RESPONSIBLE_PERSON) return fail('invalid_input', `责任人（不超过${MAX_RESPONSIBLE_PERSON}字）`);
  return ok({ measures: measures.value, responsiblePerson: responsiblePerson || null });
}

/** 修改问题: the fields that differ, each checked as at filing; the event keeps before and after. */
function correction(ctx: TaskContext, command: Extract<TaskCommand, { action: 'edit_finding' }>): Result<Decision> {
  const description = text(command.description, '主要问题');
  if (!description.ok) return description;
  const category = text(command.category, '问题类别', MAX_CATEGORY);
  if (!category.ok) return category;
  const area = command.area.trim();
  if (area.length > MAX_AREA) return fail('invalid_input', `督查区域（不超过${MAX_AREA}字）`);
  const departmentId = command.departmentId ?? ctx.finding.departmentId;
  // a finding is placed by its department or, without one, by the area written down
  if (!area && !departmentId) return fail('invalid_input', '督查区域');
  const wanted: Required<FindingCorrection> = { area, category: category.value, description: description.value, departmentId };
  const before: Record<string, unknown> = {};
  const after: FindingCorrection = {};
  for (const field of ['area', 'category', 'description', 'departmentId'] as const) {
    if (wanted[field] === ctx.finding[field]) continue;
    before[field] = ctx.finding[field];
    Object.assign(after, { [field]: wanted[field] });
  }
  // 验收标准 belongs to the task, and is corrected with the rest of what was written at filing
  const acceptance = command.acceptance === null ? ctx.task.acceptanceCriteria : command.acceptance.trim() || null;
  if (acceptance && acceptance.length > MAX_ACCEPTANCE) return fail('invalid_input', `验收标准（不超过${MAX_ACCEPTANCE}字）`);
  const criteriaChanged = acceptance !== ctx.task.acceptanceCriteria;
  if (Object.keys(after).length === 0 && !criteriaChanged) return fail('unchanged');
  const eventData = criteriaChanged
    ? { before: { ...before, acceptanceCriteria: ctx.task.acceptanceCriteria }, after: { ...after, acceptanceCriteria: acceptance } }
    : { before, after };
  return decision(criteriaChanged ? { acceptanceCriteria: acceptance } : {}, eventData, Object.keys(after).length ? { findingPatch: after } : {});
}

/** The actions a person could take on the task right now: the buttons their card shows. */
export function availableActions(ctx: TaskContext, actor: Actor, today: IsoDate): TaskAction[] {
  const { task } = ctx;
  const result: TaskAction[] = [];
  const candidates: TaskAction[] = [
    'accept',
    'submit',
    'request_extension',
    'revise_measures',
    'decline',
    'approve_extension',
    'refuse_extension',
    'verify_pass',
    'verify_fail',
    'reassign',
    'reopen',
    'report_progress',
    'urge',
    'set_deadline',
    'edit_finding',
    'cancel',
  ];
  for (const action of candidates) {
    if (!FROM_STATES[action].includes(task.state)) continue;
    if (!mayActOnTask(actor, action, ctx)) continue;
    if (action === 'request_extension' && (ctx.pendingExtension || today > task.deadline)) continue;
    if ((action === 'approve_extension' || action === 'refuse_extension') && !ctx.pendingExtension) continue;
    if (action === 'report_progress' && task.closureKind !== 'long_term') continue;
    // while a request for more time waits on the deciders, the next step is theirs, not the leader's
    if ((action === 'urge' || action === 'set_deadline') && ctx.pendingExtension) continue;
    // A task is reassigned from the inspector's card only after the leader says it is not theirs;
    // before that, and while it is being rectified, only a supervisor steps in (a leader who moved
    // on): the inspector's card stays uncluttered while the leader works. A submission waiting for
    // 验收 shows the verdict alone; 移交 moves it with the rest of a leader's tasks.
    if (action === 'reassign' && task.state === 'submitted') continue;
    if (action === 'reassign' && task.state !== 'declined' && !actor.roles.some((r) => r === 'supervisor' || r === 'admin')) continue;
    result.push(action);
  }
  return result;
}
