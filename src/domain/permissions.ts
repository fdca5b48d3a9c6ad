// Who may do what: ONE table, enforced in one place (`authorize`), tested exhaustively.
//
// A task action is allowed when the actor stands in one of the listed relations to the task.
// Leaders act only on their own tasks; inspectors decide on the findings they filed; supervisors
// (监督小组 / 纪检监察室) and admins may take every deciding action on every task. Rectification
// itself (签收, 整改, 申请延期, 提交) is the leader's alone: nobody rectifies on a leader's behalf.
import type { Actor, Role, TaskContext } from './model.js';

export type TaskAction =
  | 'accept'
  | 'decline'
  | 'request_extension'
  | 'submit'
  | 'reassign'
  | 'approve_extension'
  | 'refuse_extension'
  | 'verify_pass'
  | 'verify_fail'
  | 'cancel'
  | 'reopen'
  /** 回头看: the leader reports how a long-term (长期坚持) item is holding up */
  | 'report_progress'
  /** 修改问题: the inspector corrects what was recorded (area, category, description) */
  | 'edit_finding'
  /** 催办: the inspector or the supervisory group presses the leader, on the record */
  | 'urge'
  /** 调整期限: the inspector or the supervisory group sets a new deadline themselves, with a reason */
  | 'set_deadline'
  /** 修改整改措施: the leader revises the measures (and the 责任人) while rectifying */
  | 'revise_measures';

export const TASK_ACTIONS: readonly TaskAction[] = [
  'accept',
  'decline',
  'request_extension',
  'submit',
  'reassign',
  'approve_extension',
  'refuse_extension',
  'verify_pass',
  'verify_fail',
  'cancel',
  'reopen',
  'report_progress',
  'edit_finding',
  'urge',
  'set_deadline',
  'revise_measures',
];

export const TASK_ACTION_LABELS: Record<TaskAction, string> = {
  accept: '签收整改',
  decline: '非本科室问题',
  request_extension: '申请延期',
  submit: '提交整改完成',
  reassign: '重新指派',
  approve_extension: '同意延期',
  refuse_extension: '不同意延期',
  verify_pass: '验收通过（销号）',
  verify_fail: '退回整改',
  cancel: '撤销',
  reopen: '回头看：重新整改',
  report_progress: '反馈进展',
  edit_finding: '修改问题',
  urge: '催办',
  set_deadline: '调整期限',
  revise_measures: '修改整改措施',
};

/** How a person stands to a task. */
export type Relation = 'task_leader' | 'finding_inspector' | 'supervisor' | 'admin';

const DECIDERS: readonly Relation[] = ['finding_inspector', 'supervisor', 'admin'];

export const WHO_MAY: Record<TaskAction, readonly Relation[]> = {
  accept: ['task_leader'],
  decline: ['task_leader'],
  request_extension: ['task_leader'],
  submit: ['task_leader'],
  reassign: DECIDERS,
  approve_extension: DECIDERS,
  refuse_extension: DECIDERS,
  verify_pass: DECIDERS,
  verify_fail: DECIDERS,
  cancel: DECIDERS,
  reopen: DECIDERS,
  report_progress: ['task_leader'],
  edit_finding: DECIDERS,
  urge: DECIDERS,
  set_deadline: DECIDERS,
  revise_measures: ['task_leader'],
};

/** Actions that are not about one task. */
export type TenantAction = 'file_finding' | 'manage_departments' | 'manage_teams' | 'manage_roles' | 'bind_chat' | 'export_ledger' | 'import_findings' | 'hand_over_tasks';

export const ROLES_MAY: Record<TenantAction, readonly Role[]> = {
  file_finding: ['inspector', 'supervisor', 'admin'],
  manage_departments: ['supervisor', 'admin'],
  /** 督查组: who inspects together (its people become 督查组 members, as a department's leader becomes a 责任领导) */
  manage_teams: ['supervisor', 'admin'],
  manage_roles: ['admin'],
  bind_chat: ['admin'],
  export_ledger: ['inspector', 'supervisor', 'admin'],
  import_findings: ['supervisor', 'admin'],
  /** 移交: a leader's open tasks to a successor, all at once */
  hand_over_tasks: ['supervisor', 'admin'],
};

export function relationsOf(actor: Actor, ctx: TaskContext): Set<Relation> {
  const relations = new Set<Relation>();
  if (ctx.task.leaderUserId === actor.userId) relations.add('task_leader');
  if (ctx.finding.inspectorUserId === actor.userId) relations.add('finding_inspector');
  if (actor.roles.includes('supervisor')) relations.add('supervisor');
  if (actor.roles.includes('admin')) relations.add('admin');
  return relations;
}

export function mayActOnTask(actor: Actor, action: TaskAction, ctx: TaskContext): boolean {
  const relations = relationsOf(actor, ctx);
  return WHO_MAY[action].some((r) => relations.has(r));
}

export function mayActInTenant(roles: readonly Role[], action: TenantAction): boolean {
  return ROLES_MAY[action].some((r) => roles.includes(r));
}
