// Job names (cron and the `job` command) → use cases. Later issues add reminders, weekly, monthly.
import { deliverOutbox } from '../app/deliver-outbox.js';
import type { Deps } from '../app/ports.js';
import { retryUnfinished } from '../app/receive.js';

export interface JobResult {
  job: string;
  summary: Record<string, number>;
}

export const JOBS = {
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
