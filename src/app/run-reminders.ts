// The daily reminder sweep for one tenant: one digest card per person (never one message per
// task), and a red card to the supervision group for each task newly overdue beyond the
// threshold. Everything — digests, escalations, escalation marks and "this day is done" — is one
// atomic write, so running the job twice for a day sends nothing twice.
import { digestCard } from '../../cards/digest.js';
import { escalationCard } from '../../cards/notices.js';
import { buildDigests, escalationsDue } from '../domain/digest.js';
import type { Tenant } from '../domain/model.js';
import type { JobPeriod } from '../domain/schedule.js';
import { isWorkingDay } from '../domain/working-days.js';
import { formatShortZh } from '../domain/deadline.js';
import { sendCopyOps, sendOps } from './outgoing.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';

export interface JobSummary {
  [figure: string]: number | string;
}

export async function runReminders(deps: Deps, tenant: Tenant, period: JobPeriod): Promise<JobSummary> {
  const today = period.start;
  if (!isWorkingDay(today)) return { skipped: 'holiday' };
  if (await deps.store.hasJobRun(tenant.id, period.job, period.key)) return { skipped: 'already_done' };

  const facts = await deps.store.listOpenTaskFacts(tenant.id);
  const digests = buildDigests(facts, today, deps.settings);
  const due = escalationsDue(facts, await deps.store.listEscalationKeys(tenant.id), today, deps.settings);
  const now = deps.clock.now();
  const ops: WriteOp[] = [];
  for (const digest of digests) {
    ops.push(...sendOps(deps, tenant, { kind: 'user', userId: digest.userId }, { kind: 'card', card: digestCard(digest, formatShortZh(today)) }));
  }

  const chats = new Map<string, string | null>();
  let escalated = 0;
  for (const { facts: task, overdueWorkingDays } of due) {
    if (!chats.has(task.campaignId)) chats.set(task.campaignId, await deps.store.getSupervisionChat(tenant.id, task.campaignId));
    const chatId = chats.get(task.campaignId);
    // without a supervision group the escalation waits (unmarked) until one is bound
    if (!chatId) continue;
    const why = `第${task.findingNumber}号问题已逾期${overdueWorkingDays}个工作日，请责任领导尽快整改，监督小组跟进督办。`;
    const card = escalationCard({ number: task.findingNumber, description: task.description }, task.leaderUserId, why);
    ops.push(...sendCopyOps(deps, tenant, { taskId: task.taskId, purpose: 'escalation', viewerUserId: null, target: { kind: 'chat', chatId }, chatId, card }).ops);
    ops.push({ op: 'insertEscalation', tenantId: tenant.id, taskId: task.taskId, threshold: 'overdue', at: now });
    escalated++;
  }
  const summary = { openTasks: facts.length, digests: digests.length, escalated };
  ops.push({ op: 'recordJobRun', tenantId: tenant.id, job: period.job, periodKey: period.key, at: now, summary });
  await deps.store.commit(ops);
  deps.kickOutbox();
  return summary;
}
