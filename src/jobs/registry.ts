// Job names (cron and the `job` command) → use cases. Each scheduled job runs for every tenant
// for the period that contains "now"; the period is its idempotency key.
import { deliverOutbox } from '../app/deliver-outbox.js';
import { PRUNE_JOB, pruneHistory, prunePeriodKey } from '../app/prune-history.js';
import type { Deps } from '../app/ports.js';
import { retryUnfinished } from '../app/receive.js';
import { runBulletin } from '../app/run-bulletin.js';
import { runReminders, type JobSummary } from '../app/run-reminders.js';
import { dueJobs, localTime, periodFor, type JobPeriod, type ScheduledJob } from '../domain/schedule.js';
import { calendarCovers } from '../domain/working-days.js';

export interface JobResult {
  job: string;
  period?: string;
  summary: Record<string, number | string>;
}

async function forEveryTenant(deps: Deps, period: JobPeriod, today: string): Promise<JobResult> {
  const year = Number(today.slice(0, 4));
  if (!calendarCovers(year)) {
    deps.log.warn(`节假日数据未覆盖${year}年：暂按周一至周五计算工作日，请升级 chinese-days`, { year });
  }
  const totals: Record<string, number | string> = { tenants: 0 };
  for (const tenant of await deps.store.listTenants()) {
    const summary: JobSummary =
      period.job === 'reminders' ? await runReminders(deps, tenant, period) : await runBulletin(deps, tenant, period, today);
    totals['tenants'] = Number(totals['tenants']) + 1;
    for (const [key, value] of Object.entries(summary)) {
      totals[key] = typeof value === 'number' ? Number(totals[key] ?? 0) + value : value;
    }
  }
  return { job: period.job, period: period.key, summary: totals };
}

async function scheduledJob(deps: Deps, job: ScheduledJob): Promise<JobResult> {
  const today = localTime(deps.clock.now(), deps.settings.timezone).date;
  return forEveryTenant(deps, periodFor(job, today), today);
}

export const JOBS = {
  /** the daily digest and escalations (working days) */
  reminders: (deps: Deps) => scheduledJob(deps, 'reminders'),
  /** 周调度: last week's bulletin */
  weekly: (deps: Deps) => scheduledJob(deps, 'weekly'),
  /** 月通报: last month's bulletin, and the 回头看 requests for long-term items */
  monthly: (deps: Deps) => scheduledJob(deps, 'monthly'),
  /** delete the delivery records and sent messages past their retention (domain/retention.ts) */
  async housekeeping(deps: Deps): Promise<JobResult> {
    return { job: PRUNE_JOB, period: prunePeriodKey(deps), summary: await pruneHistory(deps) };
  },
  /** deliver what the outbox holds, and finish deliveries a crash interrupted */
  async outbox(deps: Deps): Promise<JobResult> {
    const redone = await retryUnfinished(deps);
    const report = await deliverOutbox(deps);
    return { job: 'outbox', summary: { ...report, redoneDeliveries: redone } };
  },
} satisfies Record<string, (deps: Deps) => Promise<JobResult>>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];
export const isJobName = (name: string): name is JobName => name in JOBS;

/**
 * What the clock says should run now (09:00 on working days; the first working day of a week or a
 * month for the bulletins; housekeeping from the same hour every day). Called every minute on Node
 * and by the cron trigger on Workers; each run is idempotent for its period, so calling it often
 * is harmless.
 */
export async function runDueJobs(deps: Deps): Promise<JobResult[]> {
  const now = deps.clock.now();
  const today = localTime(now, deps.settings.timezone).date;
  const results: JobResult[] = [];
  for (const period of dueJobs(now, deps.settings.timezone, deps.settings.jobHour)) {
    results.push(await forEveryTenant(deps, period, today));
  }
  if (localTime(now, deps.settings.timezone).hour >= deps.settings.jobHour) {
    const housekeeping = await JOBS.housekeeping(deps);
    if (housekeeping.summary['skipped'] !== 'already_done') results.push(housekeeping);
  }
  return results;
}
