// Routes a card click to its use case. A malformed payload gets a Chinese error toast.
import { z } from 'zod';
import { INTAKE_CAMPAIGN_FIELD } from '../../cards/intake-form.js';
import type { ActionPayload } from '../../cards/model.js';
import { DomainError } from '../domain/errors.js';
import type { Campaign, Department, TaskContext, Tenant } from '../domain/model.js';
import { mayActOnTask, TASK_ACTIONS, type TaskAction } from '../domain/permissions.js';
import { availableActions } from '../domain/task-machine.js';
import { actOnTask } from './act-on-task.js';
import { actorFor, campaignOfChat, today } from './context.js';
import { BAD_CARD_DATA, errorText } from './error-text.js';
import { fileFinding } from './file-finding.js';
import { onHandOverClick } from './hand-over.js';
import { onImportClick } from './import-chat.js';
import type { InboundCardAction } from './inbound.js';
import { findClickedCopy, sendCopyOps } from './outgoing.js';
import { nothing, toast, type Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { formString } from './task-form.js';
import { drawTaskCard } from './task-views.js';

const payloadSchema = z.object({
  a: z.string().min(1).max(40),
  t: z.string().min(1).max(64).optional(),
  v: z.number().int().nonnegative().optional(),
  x: z.record(z.string(), z.string().max(200)).optional(),
});

export function parseActionPayload(value: unknown): ActionPayload | null {
  let candidate = value;
  if (typeof value === 'string') {
    try {
      candidate = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const parsed = payloadSchema.safeParse(candidate);
  if (!parsed.success) return null;
  const { a, t, v, x } = parsed.data;
  return { a, ...(t !== undefined ? { t } : {}), ...(v !== undefined ? { v } : {}), ...(x !== undefined ? { x } : {}) };
}

const isTaskAction = (a: string): a is TaskAction => (TASK_ACTIONS as readonly string[]).includes(a);

export async function handleCardAction(deps: Deps, tenant: Tenant, campaign: Campaign, event: InboundCardAction): Promise<Outcome> {
  const payload = parseActionPayload(event.value);
  if (!payload) return nothing(toast('error', BAD_CARD_DATA));
  if (payload.a === 'file_finding') {
    const filedInto = await intakeCampaign(deps, tenant, campaign, event, payload);
    if (!filedInto) return nothing(toast('error', errorText(new DomainError('invalid_input', '督查专项'))));
    // a form drawn before its 专项 ended, submitted after
    if (filedInto.endedOn) return nothing(toast('error', `「${filedInto.name}」专项已结束，不再登记新问题。`));
    return fileFinding(deps, tenant, filedInto, event);
  }
  if (payload.a === 'mode' || payload.a === 'back') return showTask(deps, tenant, event, payload);
  if (payload.a === 'open') return openCopy(deps, tenant, event, payload);
  if (payload.a === 'import_confirm' || payload.a === 'import_cancel') return onImportClick(deps, tenant, event, payload);
  if (payload.a === 'hand_over_confirm' || payload.a === 'hand_over_cancel') return onHandOverClick(deps, tenant, event, payload);
  if (isTaskAction(payload.a)) return actOnTask(deps, tenant, campaign, event, payload, payload.a);
  return nothing(toast('error', BAD_CARD_DATA));
}

/**
 * The campaign an intake form files into: the 专项 it was drawn for, else the one chosen on a direct
 * chat's form, else its group's. A choice naming no campaign is null: filing it elsewhere would
 * put the finding in the wrong ledger.
 */
async function intakeCampaign(deps: Deps, tenant: Tenant, everyday: Campaign, event: InboundCardAction, payload: ActionPayload): Promise<Campaign | null> {
  const drawnFor = payload.x?.['c'];
  const chosen = formString(event.formValue, INTAKE_CAMPAIGN_FIELD);
  const wanted = drawnFor || chosen;
  if (!wanted) return campaignOfChat(deps, tenant, everyday, event.chatId);
  const named = (await deps.store.listCampaigns(tenant.id)).find((c) => c.id === wanted);
  if (named) return named;
  return drawnFor ? campaignOfChat(deps, tenant, everyday, event.chatId) : null;
}

/** Shows the form one action needs (mode), or the card again (back). Changes nothing. */
async function showTask(deps: Deps, tenant: Tenant, event: InboundCardAction, payload: ActionPayload): Promise<Outcome> {
  const ctx = payload.t ? await deps.store.getTaskContext(tenant.id, payload.t) : null;
  if (!ctx) return nothing(toast('error', errorText(new DomainError('not_found'))));
  const actor = await actorFor(deps, tenant.id, event.operatorUserId);
  const day = today(deps);
  const mode = payload.a === 'mode' ? payload.x?.['mode'] : undefined;
  if (mode !== undefined && !isTaskAction(mode)) return nothing(toast('error', BAD_CARD_DATA));
  if (mode && !mayActOnTask(actor, mode, ctx)) return nothing(toast('error', errorText(new DomainError('forbidden'))));
  const fresh = drawTaskCard(ctx, actor, day, deps.settings);
  if (payload.v !== undefined && payload.v !== ctx.task.version) return nothing(toast('warning', errorText(new DomainError('stale')), fresh));
  if (mode && !availableActions(ctx, actor, day).includes(mode)) {
    return nothing(toast('error', errorText(new DomainError('wrong_state', ctx.task.state)), fresh));
  }
  const card = drawTaskCard(ctx, actor, day, deps.settings, { mode: mode ?? null, ...(mode === 'edit_finding' ? await correctionChoices(deps, tenant, ctx) : {}) });
  const clicked = event.messageId ? await findClickedCopy(deps, tenant.id, event.messageId) : null;
  if (clicked?.taskId !== ctx.task.id) {
    // clicked on a list (digest, 回头看): keep the list, open the task's own card beside it
    const { ops } = sendCopyOps(deps, tenant, { taskId: ctx.task.id, purpose: 'task', viewerUserId: actor.userId, target: { kind: 'user', userId: actor.userId }, chatId: null, card });
    return { ops, reply: toast('info', '已在私聊中打开任务卡片，请在那里填写。') };
  }
  return nothing({ toast: { type: 'info', text: mode ? '请填写后提交' : '已返回' }, card });
}

/** What 修改问题's form offers: the finding's campaign's categories and the departments in use (and its own). */
async function correctionChoices(deps: Deps, tenant: Tenant, ctx: TaskContext): Promise<{ categories?: readonly string[]; departments: readonly Department[] }> {
  const campaign = (await deps.store.listCampaigns(tenant.id)).find((c) => c.id === ctx.finding.campaignId);
  const departments = (await deps.store.listDepartments(tenant.id)).filter((d) => !d.retiredOn || d.id === ctx.finding.departmentId);
  return { ...(campaign ? { categories: campaign.categories } : {}), departments };
}

/** Sends the clicker their own copy of the task card, with their buttons, in the direct chat. */
async function openCopy(deps: Deps, tenant: Tenant, event: InboundCardAction, payload: ActionPayload): Promise<Outcome> {
  const ctx = payload.t ? await deps.store.getTaskContext(tenant.id, payload.t) : null;
  if (!ctx) return nothing(toast('error', errorText(new DomainError('not_found'))));
  const actor = await actorFor(deps, tenant.id, event.operatorUserId);
  const card = drawTaskCard(ctx, actor, today(deps), deps.settings);
  const { ops } = sendCopyOps(deps, tenant, {
    taskId: ctx.task.id,
    purpose: 'task',
    viewerUserId: actor.userId,
    target: { kind: 'user', userId: actor.userId },
    chatId: null,
    card,
  });
  return { ops, reply: toast('info', '已在与「督办」的私聊中发送任务卡片。') };
}
