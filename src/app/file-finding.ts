// The intake form was submitted: validate it field by field (a Chinese toast names the first bad
// one, and nothing is created), then record the finding and its task, attach the photos, and
// send the group notice and the leader's task card — all in one write.
import { filedCard } from '../../cards/notices.js';
import { mention } from '../../cards/model.js';
import { parseDeadline } from '../domain/deadline.js';
import { MAX_ACCEPTANCE } from '../domain/task-machine.js';
import { DomainError } from '../domain/errors.js';
import type { Campaign, Department, Finding, Task, TaskContext, Tenant } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { actorFor, today } from './context.js';
import { errorText } from './error-text.js';
import type { InboundCardAction } from './inbound.js';
import { findClickedCopy, sendCopyOps } from './outgoing.js';
import { nothing, toast, type Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';
import { categoryFromForm, formString } from './task-form.js';
import { drawTaskCard } from './task-views.js';
import { clip } from '../domain/text.js';

const invalid = (field: string) => nothing(toast('error', errorText(new DomainError('invalid_input', field))));

export async function fileFinding(deps: Deps, tenant: Tenant, campaign: Campaign, event: InboundCardAction): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, event.operatorUserId);
  const inSupervisionGroup = event.chatId ? (await deps.store.getChatBinding(tenant.id, event.chatId)) !== null : false;
  if (!mayActInTenant(actor.roles, 'file_finding') && !inSupervisionGroup) {
    return nothing(toast('error', '只有督查组成员可以登记问题：请在督查群中登记，或请管理员发送「授权 @您 督查组」。'));
  }
  const intakeCard = event.messageId ? await findClickedCopy(deps, tenant.id, event.messageId) : null;
  const intakeCardId = intakeCard?.purpose === 'intake' ? intakeCard.id : null;
  if (intakeCardId) {
    const already = await deps.store.findFindingByIntakeCard(tenant.id, intakeCardId);
    if (already) return nothing(toast('info', `该登记表已提交过（第${already.number}号问题），无需重复提交。`));
  }

  const form = event.formValue;
  const description = formString(form, 'description');
  if (!description) return invalid('主要问题');
  if (description.length > 1000) return invalid('主要问题（不超过1000字）');
  const { category, typedOther } = categoryFromForm(form);
  if (!category) return invalid(typedOther && formString(form, 'category') ? '其他类别' : '问题类别');
  if (category.length > 20) return invalid('问题类别（不超过20字）');

  const departments = await deps.store.listDepartments(tenant.id);
  const newName = formString(form, 'department_new');
  const pickedId = formString(form, 'department');
  let department: Department | null = pickedId ? (departments.find((d) => d.id === pickedId) ?? null) : null;
  if (pickedId && !department && !newName) return invalid('责任科室');
  if (newName) {
    if (newName.length > 50) return invalid('新科室（不超过50字）');
    department = departments.find((d) => d.name === newName) ?? null;
  }
  // a form drawn before the department was retired, or its name typed as new
  if (department?.retiredOn) return nothing(toast('error', `科室「${department.name}」已停用，请选择其他科室；需要时由管理员发送「科室 启用 ${department.name}」。`));
  const acceptance = formString(form, 'acceptance');
  if (acceptance.length > MAX_ACCEPTANCE) return invalid(`验收标准（不超过${MAX_ACCEPTANCE}字）`);
  const area = clip(formString(form, 'area'), 100);
  if (!department && !newName && !area) return invalid('责任科室或督查区域');

  const leaderUserId = formString(form, 'leader') || department?.leaderUserId || '';
  if (!leaderUserId) return invalid('责任领导（所选科室没有默认责任领导，请选择）');

  const day = today(deps);
  const deadlineRaw = formString(form, 'deadline_date') || formString(form, 'deadline_text');
  if (!deadlineRaw) return invalid('整改完成时间');
  const deadline = parseDeadline(deadlineRaw, day);
  if (!deadline.ok) return invalid(`整改完成时间：${deadline.reason}`);

  const now = deps.clock.now();
  const ops: WriteOp[] = [{ op: 'upsertMember', member: { tenantId: tenant.id, userId: actor.userId, name: null }, at: now }];
  if (!department && newName) {
    department = { id: deps.newId(), tenantId: tenant.id, name: newName, leaderUserId, retiredOn: null };
    ops.push({ op: 'upsertDepartment', department, at: now });
  }
  const finding: Finding = {
    id: deps.newId(),
    tenantId: tenant.id,
    campaignId: campaign.id,
    number: await deps.store.nextFindingNumber(tenant.id),
    departmentId: department?.id ?? null,
    area: area || department?.name || '',
    category,
    description,
    inspectorUserId: actor.userId,
    foundOn: day,
    source: '日常督查',
    chatId: event.chatId,
    intakeCardId,
    aspect: null,
    majorItem: null,
    importId: null,
    importRow: null,
    createdAt: now,
  };
  const task: Task = {
    id: deps.newId(),
    tenantId: tenant.id,
    findingId: finding.id,
    state: 'pending',
    leaderUserId,
    measures: null,
    responsiblePerson: null,
    acceptanceCriteria: acceptance || null,
    deadline: deadline.deadline,
    completionNote: null,
    closureKind: null,
    returnsCount: 0,
    version: 1,
    closedAt: null,
    closedOn: null,
    createdAt: now,
    updatedAt: now,
  };
  ops.push(
    { op: 'insertFinding', finding },
    { op: 'insertTask', task, finding },
    { op: 'appendEvent', event: { tenantId: tenant.id, taskId: task.id, seq: 1, action: 'create', actorUserId: actor.userId, at: now, data: { leaderUserId, deadline: task.deadline, deadlineInput: deadlineRaw } } },
    { op: 'grantRole', tenantId: tenant.id, userId: leaderUserId, role: 'leader', at: now },
  );
  if (!mayActInTenant(actor.roles, 'file_finding')) ops.push({ op: 'grantRole', tenantId: tenant.id, userId: actor.userId, role: 'inspector', at: now });

  const windowStart = now - deps.settings.photoWindowMinutes * 60_000;
  const photos = event.chatId
    ? (await deps.store.listLooseAttachments(tenant.id, event.chatId, actor.userId)).filter(
        (a) => a.purpose === 'finding_photo' && (a.createdAt >= windowStart || (event.messageId !== null && a.replyToMessageId === event.messageId)),
      )
    : [];
  for (const photo of photos) ops.push({ op: 'linkAttachment', tenantId: tenant.id, attachmentId: photo.id, findingId: finding.id, taskId: null });

  const ctx: TaskContext = { task, finding, department, pendingExtension: null, attachments: photos.map((p) => ({ ...p, findingId: finding.id })) };
  const leader = await actorFor(deps, tenant.id, leaderUserId);
  if (event.chatId) {
    const card = drawTaskCard(ctx, null, day, deps.settings, { headline: `${mention(leaderUserId)} 请签收整改任务（已私信发送任务卡片）。` });
    ops.push(...sendCopyOps(deps, tenant, { taskId: task.id, purpose: 'group_notice', viewerUserId: null, target: { kind: 'chat', chatId: event.chatId }, chatId: event.chatId, card }).ops);
  }
  const leaderCard = drawTaskCard(ctx, { userId: leaderUserId, roles: [...leader.roles, 'leader'] }, day, deps.settings, { headline: '**您有一项新的整改任务，请签收。**' });
  ops.push(...sendCopyOps(deps, tenant, { taskId: task.id, purpose: 'task', viewerUserId: leaderUserId, target: { kind: 'user', userId: leaderUserId }, chatId: null, card: leaderCard }).ops);

  return { ops, reply: toast('success', `已登记第${finding.number}号问题，已通知责任领导。`, filedCard(finding, leaderUserId, task.deadline)) };
}
