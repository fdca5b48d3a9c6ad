// Small builders for domain tests. Every field a rule does not look at gets a fixed, boring value,
// so a test only spells out what matters to it.
import type { Actor, ClosureKind, ExtensionRequest, IsoDate, Role, TaskContext, TaskState } from '../../src/domain/model.js';
import type { TaskAction } from '../../src/domain/permissions.js';
import type { TaskCommand } from '../../src/domain/task-machine.js';

export const TENANT_ID = 't-1';
export const LEADER = 'u-leader';
export const INSPECTOR = 'u-inspector';
export const SUPERVISOR = 'u-supervisor';
export const OTHER_LEADER = 'u-other-leader';
export const STRANGER = 'u-stranger';

export const DEADLINE: IsoDate = '2026-12-10';
/** A day well before DEADLINE, so nothing is overdue unless a test says so. */
export const TODAY: IsoDate = '2026-12-01';

export interface ContextOptions {
  state: TaskState;
  leaderUserId?: string;
  inspectorUserId?: string;
  deadline?: IsoDate;
  /** `true` opens a pending request for a week after the deadline; an object overrides its fields. */
  pendingExtension?: boolean | Partial<ExtensionRequest> | null;
  returnsCount?: number;
  version?: number;
  closureKind?: ClosureKind | null;
}

export function makeExtension(taskDeadline: IsoDate, overrides: Partial<ExtensionRequest> = {}): ExtensionRequest {
  return {
    id: 'ext-1',
    tenantId: TENANT_ID,
    taskId: 'task-1',
    requestedDeadline: addDays(taskDeadline, 7),
    previousDeadline: taskDeadline,
    reason: '设备到货延迟',
    status: 'pending',
    requestedBy: LEADER,
    decidedBy: null,
    decidedAt: null,
    createdAt: 0,
    ...overrides,
  };
}

export function makeContext(options: ContextOptions): TaskContext {
  const deadline = options.deadline ?? DEADLINE;
  const leaderUserId = options.leaderUserId ?? LEADER;
  const pending = options.pendingExtension;
  return {
    task: {
      id: 'task-1',
      tenantId: TENANT_ID,
      findingId: 'finding-1',
      state: options.state,
      leaderUserId,
      measures: options.state === 'pending' || options.state === 'declined' ? null : '每日巡查并登记',
      responsiblePerson: null,
      acceptanceCriteria: null,
      deadline,
      completionNote: null,
      closureKind: options.closureKind ?? null,
      returnsCount: options.returnsCount ?? 0,
      version: options.version ?? 3,
      closedAt: options.state === 'closed' ? 1 : null,
      closedOn: options.state === 'closed' ? TODAY : null,
      createdAt: 0,
      updatedAt: 0,
    },
    finding: {
      id: 'finding-1',
      tenantId: TENANT_ID,
      campaignId: 'campaign-1',
      number: 12,
      departmentId: 'dept-1',
      area: '门诊大厅',
      category: '服务环境',
      description: '候诊区座椅破损',
      inspectorUserId: options.inspectorUserId ?? INSPECTOR,
      foundOn: '2026-11-20',
      source: '日常督查',
      chatId: 'chat-1',
      intakeCardId: null,
      aspect: null,
      majorItem: null,
      importId: null,
      importRow: null,
      createdAt: 0,
    },
    department: { id: 'dept-1', tenantId: TENANT_ID, name: '门诊部', leaderUserId, retiredOn: null },
    pendingExtension: pending ? makeExtension(deadline, pending === true ? {} : pending) : null,
    attachments: [],
  };
}

export function actor(userId: string, ...roles: Role[]): Actor {
  return { userId, roles };
}

/** Calendar arithmetic on `YYYY-MM-DD`, in UTC so the host's zone cannot shift the date. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** How the acting person stands to the task, apart from any role they hold. */
export type Standing = 'own_task' | 'own_finding' | 'neither' | 'both';
export const STANDINGS: readonly Standing[] = ['own_task', 'own_finding', 'neither', 'both'];

const ME = 'u-me';

/** A context and an actor who stands to it as `standing` says and holds `roles`. */
export function place(
  standing: Standing,
  roles: readonly Role[],
  options: ContextOptions,
): { ctx: TaskContext; actor: Actor } {
  const leads = standing === 'own_task' || standing === 'both';
  const inspects = standing === 'own_finding' || standing === 'both';
  const ctx = makeContext({
    ...options,
    leaderUserId: leads ? ME : LEADER,
    inspectorUserId: inspects ? ME : INSPECTOR,
  });
  return { ctx, actor: { userId: ME, roles } };
}

/** Every subset of the four roles, the empty one ("none") first. */
export function allRoleSets(all: readonly Role[]): Role[][] {
  return Array.from({ length: 1 << all.length }, (_, mask) => all.filter((_, i) => mask & (1 << i)));
}

/**
 * A command for `action` whose input is good for `ctx`, so that whatever `decide` refuses is
 * refused for who, when or which state, never for what was typed.
 */
export function validCommand(action: TaskAction, ctx: TaskContext): TaskCommand {
  switch (action) {
    case 'accept':
      return { action, measures: '更换破损座椅，每日巡查', responsiblePerson: '' };
    case 'decline':
      return { action, reason: '该区域归后勤保障部管理' };
    case 'request_extension':
      return { action, requestedDeadline: addDays(ctx.task.deadline, 7), reason: '座椅需招标采购' };
    case 'submit':
      return { action, note: '已更换全部破损座椅', closureKind: 'done' };
    case 'reassign':
      return { action, leaderUserId: ctx.task.leaderUserId === OTHER_LEADER ? STRANGER : OTHER_LEADER, deadline: null };
    case 'approve_extension':
      return { action };
    case 'refuse_extension':
      return { action, reason: '期限内可以完成' };
    case 'verify_pass':
      return { action, closureKind: null };
    case 'verify_fail':
      return { action, reason: '仍有两把座椅破损' };
    case 'cancel':
      return { action, reason: '重复登记' };
    case 'reopen':
      return { action, reason: '回头看发现问题反弹' };
    case 'report_progress':
      return { action, note: '制度已执行三个月，未见反弹' };
    case 'edit_finding':
      return { action, area: `${ctx.finding.area}东侧`, category: ctx.finding.category, description: `${ctx.finding.description}（已核实）`, departmentId: null, acceptance: null };
    case 'urge':
      return { action, note: '本周五院领导检查，请周四前完成', lastUrgedOn: null };
    case 'revise_measures':
      return { action, measures: `${ctx.task.measures ?? ''}；增加夜间巡查`, responsiblePerson: '' };
    case 'set_deadline':
      return { action, deadline: addDays(ctx.task.deadline, 14), reason: '需采购设备，经督查组同意' };
  }
}
