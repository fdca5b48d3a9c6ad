// Once a day, the delivery machinery's own records past their retention (domain/retention.ts) are
// deleted: in short stretches, each its own small transaction, so that the first run over years of
// records holds up neither requests nor the other jobs for long. A file message takes its workbook
// with it: drawn for that message alone, it would otherwise stay on the disk (or in R2) for good.
import { HISTORY_TABLES, pruneCutoffs } from '../domain/retention.js';
import { today } from './context.js';
import { WORKBOOK_BLOBS } from './workbook-blobs.js';
import type { Deps } from './ports.js';
import type { JobSummary } from './run-reminders.js';

/** job_runs is per tenant; this job is for the database as a whole */
export const WHOLE_DATABASE = '*';
export const PRUNE_JOB = 'housekeeping';
const STRETCH = 500;

export function prunePeriodKey(deps: Deps): string {
  return `${PRUNE_JOB}:${today(deps)}`;
}

export async function pruneHistory(deps: Deps): Promise<JobSummary> {
  const periodKey = prunePeriodKey(deps);
  if (await deps.store.hasJobRun(WHOLE_DATABASE, PRUNE_JOB, periodKey)) return { skipped: 'already_done' };
  const now = deps.clock.now();
  const cutoffs = pruneCutoffs(now);
  const summary = { deliveries: 0, messages: 0, workbooks: 0 };
  for (const table of HISTORY_TABLES) {
    for (let after: number | null = 0; after !== null; ) {
      const stretch = await deps.store.pruneHistory(table, cutoffs, after, STRETCH);
      summary[table] += stretch.pruned;
      // after the rows: a crash in between leaves a few files nothing needs, at worst
      for (const key of stretch.files.filter((file) => file.startsWith(WORKBOOK_BLOBS))) {
        await deps.blobs.delete(key);
        summary.workbooks++;
      }
      after = stretch.next;
    }
  }
  await deps.store.commit([{ op: 'recordJobRun', tenantId: WHOLE_DATABASE, job: PRUNE_JOB, periodKey, at: now, summary }]);
  return summary;
}
