// The daily reminder sweep for one tenant: one digest card per person (never one message per
// task), and one red card per supervision group listing the tasks that turned red today, each
// escalated once per deadline (a new deadline clears the mark: act-on-task). Everything — digests, the red card, the escalation marks and "this day is
// done" — is one atomic write, so running the job twice for a day sends nothing twice.
import { DIGEST_CARD_LIMIT, digestCard } from '../../cards/digest.js';
import { redEscalationCard } from '../../cards/notices.js';
import { formatShortZh } from '../domain/deadline.js';
import { buildDigests, escalationsDue, type Digest, type EscalationDue } from '../domain/digest.js';
import type { Tenant } from '../domain/model.js';
import type { JobPeriod } from '../domain/schedule.js';
import type { TaskFacts } from '../domain/task-facts.js';
import { isWorkingDay } from '../domain/working-days.js';
import { sendOps } from './outgoing.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';

export interface JobSummary {
  [figure: string]: number | string;
}

/** Only the items a card shows need their description read from the findings. */
async function describeShown(deps: Deps, tenant: Tenant, digests: Digest[], red: EscalationDue[]) {
  const shown = new Map<string, TaskFacts>();
  for (const d of digests) for (const item of [...d.overdue, ...d.dueSoon, ...d.awaiting].slice(0, DIGEST_CARD_LIMIT)) shown.set(item.facts.taskId, item.facts);
  for (const r of red.slice(0, 50)) shown.set(r.facts.taskId, r.facts);
  return new Map((await deps.store.describeTasks(tenant.id, [...shown.values()])).map((f) => [f.taskId, f]));
}

export async function runReminders(deps: Deps, tenant: Tenant, period: JobPeriod): Promise<JobSummary> {
  const today = period.start;
  if (!isWorkingDay(today)) return { skipped: 'holiday' };
  if (await deps.store.hasJobRun(tenant.id, period.job, period.key)) return { skipped: 'already_done' };

  const facts = await deps.store.listOpenTaskFacts(tenant.id);
  const digests = buildDigests(facts, today, deps.settings);
  const due = escalationsDue(facts, await deps.store.listEscalationKeys(tenant.id), today, deps.settings);
  const described = await describeShown(deps, tenant, digests, due);
  const withText = (f: TaskFacts) => described.get(f.taskId) ?? f;
  const dayLabel = formatShortZh(today);
  const now = deps.clock.now();
  const ops: WriteOp[] = [];

  for (const digest of digests) {
    const full: Digest = {
      ...digest,
      overdue: digest.overdue.map((i) => ({ ...i, facts: withText(i.facts) })),
      dueSoon: digest.dueSoon.map((i) => ({ ...i, facts: withText(i.facts) })),
      awaiting: digest.awaiting.map((i) => ({ ...i, facts: withText(i.facts) })),
    };
    ops.push(...sendOps(deps, tenant, { kind: 'user', userId: digest.userId }, { kind: 'card', card: digestCard(full, dayLabel) }));
  }

  let escalated = 0;
  const byCampaign = new Map<string, EscalationDue[]>();
  for (const d of due) {
    const list = byCampaign.get(d.facts.campaignId);
    if (list) list.push(d);
    else byCampaign.set(d.facts.campaignId, [d]);
  }
  for (const [campaignId, items] of byCampaign) {
    const chatId = await deps.store.getSupervisionChat(tenant.id, campaignId);
    // without a supervision group the escalation waits, unmarked, until one is bound
    if (!chatId) continue;
    const card = redEscalationCard(
      items.map(({ facts: f, overdueWorkingDays }) => ({ ...withText(f), overdueWorkingDays })),
      dayLabel,
    );
    ops.push(...sendOps(deps, tenant, { kind: 'chat', chatId }, { kind: 'card', card }));
    ops.push({ op: 'insertEscalations', tenantId: tenant.id, taskIds: items.map((i) => i.facts.taskId), threshold: 'overdue', at: now });
    escalated += items.length;
  }
  const summary = { openTasks: facts.length, digests: digests.length, escalated };
  ops.push({ op: 'recordJobRun', tenantId: tenant.id, job: period.job, periodKey: period.key, at: now, summary });
  await deps.store.commit(ops);
  deps.kickOutbox();
  return summary;
}
