// A click on a task card that changes the task: authorise, check the card is current, decide,
// and write the change, its event, the card updates and the notifications as one.
import { mention, type ActionPayload } from '../../cards/model.js';
import { plain, quote } from '../../cards/format.js';
import { escalationCard } from '../../cards/notices.js';
import { formatDateZh } from '../domain/deadline.js';
import { DomainError } from '../domain/errors.js';
import type { Actor, Campaign, Department, ExtensionRequest, IsoDate, TaskContext, Tenant } from '../domain/model.js';
import { mayActOnTask, type TaskAction } from '../domain/permissions.js';
import { decide, type Attention, type Decision, type FindingCorrection } from '../domain/task-machine.js';
import { actorFor, isoDateIn, today } from './context.js';
import { errorText } from './error-text.js';
import type { InboundCardAction } from './inbound.js';
import { findClickedCopy, refreshCopiesOps, sendCopyOps } from './outgoing.js';
import { nothing, toast, type Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import type { CardCopy, WriteOp } from './store-port.js';
import { taskCommandFromForm } from './task-form.js';
import { drawTaskCard } from './task-views.js';

const DONE_TOAST: Record<TaskAction, string> = {
  accept: '已签收，请按整改措施推进整改。',
  decline: '已反馈为非本科室问题，等待督查人重新指派。',
  request_extension: '延期申请已提交，等待审批。',
  submit: '已提交整改完成，等待验收。',
  reassign: '已重新指派，新的责任领导将收到任务卡片。',
  approve_extension: '已同意延期，整改完成时间已更新。',
  refuse_extension: '已不同意延期，责任领导将收到通知。',
  verify_pass: '验收通过，已销号。',
  verify_fail: '已退回整改，责任领导将收到通知。',
  cancel: '任务已撤销。',
  reopen: '已重新打开，责任领导将重新整改。',
  report_progress: '进展已反馈给督查人。',
  edit_finding: '问题已修改，各处的任务卡片将同步更新。',
  urge: '已催办，责任领导将收到提醒；催办记入处理记录。',
  set_deadline: '整改完成时间已调整，责任领导将收到通知。',
  revise_measures: '整改措施已更新，各处的任务卡片将同步更新。',
};

/** What the new leader reads at the top of a task handed to them, by the state it arrives in. */
export function reassignedHeadline(next: TaskContext, from: string | null): string {
  const before = from ? `（原责任领导 ${mention(from)}）` : '';
  if (next.task.state === 'in_progress') return `**您接手了一项整改中的任务${before}，请按整改措施继续整改。**`;
  if (next.task.state === 'submitted') return `**您接手了一项已提交整改、等待验收的任务${before}。**`;
  return `**您有一项新的整改任务（重新指派${from ? `，原责任领导 ${mention(from)}` : ''}），请签收。**`;
}

function headlineFor(action: TaskAction, who: Attention, data: Record<string, unknown>, next: TaskContext): string {
  // what people wrote is shown as text: a 「<@…>」 in a reason must not become a mention
  const reason = typeof data['reason'] === 'string' && data['reason'] ? `：${plain(data['reason'])}` : '';
  if (who === 'inspector') {
    if (action === 'decline') return `**责任领导反馈非本科室问题${reason}**\n请重新指派责任领导。`;
    if (action === 'request_extension') return '**责任领导申请延期，请审批。**';
    if (action === 'report_progress') return `**回头看：责任领导反馈了长期坚持事项的进展**\n${typeof data['note'] === 'string' ? quote(data['note']) : ''}\n如发现问题反弹，可点击「回头看：重新整改」。`;
    return '**整改已提交，请验收。**';
  }
  switch (action) {
    case 'reassign':
      return reassignedHeadline(next, typeof data['from'] === 'string' ? data['from'] : null);
    case 'verify_fail':
      return `**整改被退回${reason}**\n请继续整改后重新提交。`;
    case 'approve_extension':
      return '**延期申请已同意。**';
    case 'refuse_extension':
      return `**延期申请未获同意${reason}**\n请按原期限完成整改。`;
    case 'verify_pass':
      return '**整改已验收通过，已销号。**';
    case 'cancel':
      return `**该任务已撤销${reason}**`;
    case 'reopen':
      return `**回头看：问题反弹，需重新整改${reason}**`;
    case 'urge': {
      const note = typeof data['note'] === 'string' && data['note'] ? `\n${quote(data['note'])}` : '';
      return `**督办提醒：此项整改被催办，请尽快${next.task.state === 'pending' ? '签收并整改' : '整改并提交'}（整改完成时间 ${formatDateZh(next.task.deadline)}）。**${note}`;
    }
    case 'set_deadline': {
      const was = typeof data['from'] === 'string' ? `（原为 ${formatDateZh(data['from'])}）` : '';
      const why = typeof data['reason'] === 'string' ? `\n调整原因：${plain(data['reason'])}` : '';
      return `**整改完成时间已调整为 ${formatDateZh(next.task.deadline)}${was}，请按新的期限完成整改。**${why}`;
    }
    default:
      return '**任务有新进展。**';
  }
}

/** Among a correction's fields, those the task row keeps a copy of (the reports' indexes read them there). */
function copiedOnTask(corrected: FindingCorrection | undefined): { findingCopies?: { category?: string; departmentId?: string | null } } {
  const copies: { category?: string; departmentId?: string | null } = {};
  if (corrected?.category !== undefined) copies.category = corrected.category;
  if (corrected?.departmentId !== undefined) copies.departmentId = corrected.departmentId;
  return Object.keys(copies).length ? { findingCopies: copies } : {};
}

/** `department`: the department a correction moves the finding to (修改问题), looked up by the caller */
function applyDecision(deps: Deps, ctx: TaskContext, actor: Actor, decision: Decision, department?: Department | null): { next: TaskContext; ops: WriteOp[] } {
  const now = deps.clock.now();
  const { task } = ctx;
  const patch = decision.patch.state === 'closed' ? { ...decision.patch, closedAt: now, closedOn: today(deps) } : decision.patch;
  const nextTask = { ...task, ...patch, version: task.version + 1, updatedAt: now };
  const corrected = decision.findingPatch;
  const ops: WriteOp[] = [
    {
      op: 'updateTask',
      tenantId: task.tenantId,
      taskId: task.id,
      expectedVersion: task.version,
      patch,
      ...copiedOnTask(corrected),
      at: now,
    },
  ];
  if (corrected) ops.push({ op: 'correctFinding', tenantId: task.tenantId, findingId: ctx.finding.id, correction: corrected });
  let pendingExtension: ExtensionRequest | null = ctx.pendingExtension;
  if (decision.extension?.kind === 'open') {
    pendingExtension = {
      id: deps.newId(),
      tenantId: task.tenantId,
      taskId: task.id,
      requestedDeadline: decision.extension.requestedDeadline,
      previousDeadline: task.deadline,
      reason: decision.extension.reason,
      status: 'pending',
      requestedBy: actor.userId,
      decidedBy: null,
      decidedAt: null,
      createdAt: now,
    };
    ops.push({ op: 'insertExtension', extension: pendingExtension });
  } else if (decision.extension?.kind === 'decide' && ctx.pendingExtension) {
    ops.push({
      op: 'decideExtension',
      tenantId: task.tenantId,
      extensionId: ctx.pendingExtension.id,
      status: decision.extension.status,
      decidedBy: actor.userId,
      at: now,
    });
    pendingExtension = null;
  }
  const finding = corrected ? { ...ctx.finding, ...corrected } : ctx.finding;
  const nextDepartment = corrected?.departmentId !== undefined ? (department ?? null) : ctx.department;
  return { next: { ...ctx, task: nextTask, finding, department: nextDepartment, pendingExtension }, ops };
}

/** The people a use case draws cards for, each read once. */
export function actorCache(deps: Deps, tenantId: string, known: Actor): (userId: string | null) => Promise<Actor | null> {
  const actors = new Map<string, Actor>([[known.userId, known]]);
  return async (userId) => {
    if (userId === null) return null;
    if (!actors.has(userId)) actors.set(userId, await actorFor(deps, tenantId, userId));
    return actors.get(userId)!;
  };
}

/**
 * The writes a decision on one task makes: the task, its event, every copy of its card redrawn
 * (but the clicked one, which the click's answer updates), the new leader's role, the escalation.
 * Telling the people it concerns is the caller's: one card each for a click, one list for 移交.
 */
export async function recordDecision(
  deps: Deps,
  tenant: Tenant,
  ctx: TaskContext,
  actor: Actor,
  action: TaskAction,
  decision: Decision,
  view: { viewer: (userId: string | null) => Promise<Actor | null>; clickedCopyId: string | null; day: IsoDate; correctedDepartment?: Department | null },
): Promise<{ next: TaskContext; ops: WriteOp[] }> {
  const { next, ops } = applyDecision(deps, ctx, actor, decision, view.correctedDepartment);
  ops.push({
    op: 'appendEvent',
    event: {
      tenantId: tenant.id,
      taskId: ctx.task.id,
      seq: next.task.version,
      action,
      actorUserId: actor.userId,
      at: deps.clock.now(),
      data: decision.eventData,
    },
  });

  const viewers = new Map<string | null, Actor | null>();
  const copies = await deps.store.listCardCopies(tenant.id, ctx.task.id);
  for (const copy of copies) viewers.set(copy.viewerUserId, await view.viewer(copy.viewerUserId));
  const draw = (copy: CardCopy) => drawTaskCard(next, viewers.get(copy.viewerUserId) ?? null, view.day, deps.settings);
  ops.push(...refreshCopiesOps(deps, tenant, copies, draw, view.clickedCopyId));

  // a new deadline starts a new count: missing it is a new failure, escalated again if it turns red
  if (next.task.deadline !== ctx.task.deadline) {
    ops.push({ op: 'clearEscalation', tenantId: tenant.id, taskId: ctx.task.id, threshold: 'overdue' });
  }
  if (action === 'reassign') {
    ops.push({ op: 'grantRole', tenantId: tenant.id, userId: next.task.leaderUserId, role: 'leader', at: deps.clock.now() });
  }
  if (decision.escalate) {
    const chatId = await deps.store.getSupervisionChat(tenant.id, next.finding.campaignId);
    if (chatId) {
      const card = escalationCard(next.finding, next.task.leaderUserId, `整改已被退回${next.task.returnsCount}次，请监督小组督办。`);
      ops.push(...sendCopyOps(deps, tenant, { taskId: ctx.task.id, purpose: 'escalation', viewerUserId: null, target: { kind: 'chat', chatId }, chatId, card }).ops);
      ops.push({ op: 'insertEscalation', tenantId: tenant.id, taskId: ctx.task.id, threshold: 'returned', at: deps.clock.now() });
    } else {
      deps.log.warn('escalation has no supervision chat', { tenantId: tenant.id, taskId: ctx.task.id });
    }
  }
  return { next, ops };
}

/** The business day of the task's latest 催办, read from its events (only a 催办 click asks). */
async function lastUrgedOn(deps: Deps, ctx: TaskContext): Promise<IsoDate | null> {
  const urged = (await deps.store.listTaskEvents(ctx.task.tenantId, ctx.task.id)).filter((e) => e.action === 'urge').at(-1);
  return urged ? isoDateIn(deps.settings.timezone, urged.at) : null;
}

export async function actOnTask(
  deps: Deps,
  tenant: Tenant,
  _campaign: Campaign,
  event: InboundCardAction,
  payload: ActionPayload,
  action: TaskAction,
): Promise<Outcome> {
  const ctx = payload.t ? await deps.store.getTaskContext(tenant.id, payload.t) : null;
  if (!ctx) return nothing(toast('error', errorText(new DomainError('not_found'))));
  const day = today(deps);
  const actor = await actorFor(deps, tenant.id, event.operatorUserId);
  const clicked = event.messageId ? await findClickedCopy(deps, tenant.id, event.messageId) : null;
  const viewer = actorCache(deps, tenant.id, actor);
  const clickedViewer = await viewer(clicked ? clicked.viewerUserId : actor.userId);

  if (!mayActOnTask(actor, action, ctx)) return nothing(toast('error', errorText(new DomainError('forbidden'))));
  const fresh = () => drawTaskCard(ctx, clickedViewer, day, deps.settings);
  if (payload.v !== undefined && payload.v !== ctx.task.version) {
    return nothing(toast('warning', errorText(new DomainError('stale')), fresh()));
  }
  const command = taskCommandFromForm(action, event.formValue, payload.x, day);
  if (!command.ok) return nothing(toast('error', errorText(command.error)));
  // 修改问题 may move the finding to another department: one of this organisation's
  let correctedDepartment: Department | null | undefined;
  if (command.value.action === 'edit_finding' && command.value.departmentId) {
    const wanted = command.value.departmentId;
    correctedDepartment = (await deps.store.listDepartments(tenant.id)).find((d) => d.id === wanted) ?? null;
    if (!correctedDepartment) return nothing(toast('error', errorText(new DomainError('invalid_input', '责任科室'))));
    // a finding may stay in its department after it is retired, but none moves into a retired one
    if (correctedDepartment.retiredOn && wanted !== ctx.finding.departmentId) {
      return nothing(toast('error', `科室「${correctedDepartment.name}」已停用，请选择其他科室。`));
    }
  }
  if (command.value.action === 'urge') command.value.lastUrgedOn = await lastUrgedOn(deps, ctx);
  const decided = decide(ctx, actor, command.value, null, day);
  if (!decided.ok) {
    const refresh = ['wrong_state', 'no_extension_pending'].includes(decided.error.code);
    return nothing(toast('error', errorText(decided.error), refresh ? fresh() : undefined));
  }

  const decision = decided.value;
  const { next, ops } = await recordDecision(deps, tenant, ctx, actor, action, decision, { viewer, clickedCopyId: clicked?.id ?? null, day, correctedDepartment });
  for (const who of decision.attention) {
    const userId = who === 'leader' ? next.task.leaderUserId : next.finding.inspectorUserId;
    if (userId === actor.userId) continue;
    const card = drawTaskCard(next, await viewer(userId), day, deps.settings, { headline: headlineFor(action, who, decision.eventData, next) });
    ops.push(...sendCopyOps(deps, tenant, { taskId: ctx.task.id, purpose: 'task', viewerUserId: userId, target: { kind: 'user', userId }, chatId: null, card }).ops);
  }
  return { ops, reply: toast('success', DONE_TOAST[action], drawTaskCard(next, clickedViewer, day, deps.settings)) };
}
