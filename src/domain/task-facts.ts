// A task as the sweeps (reminders, escalation) see it: one flat row, cheap to load by the
// hundred thousand.
import type { ClosureKind, IsoDate, TaskState } from './model.js';

export interface TaskFacts {
  taskId: string;
  tenantId: string;
  campaignId: string;
  findingNumber: number;
  departmentName: string | null;
  area: string;
  category: string;
  /** the finding's description, possibly shortened */
  description: string;
  leaderUserId: string;
  inspectorUserId: string;
  state: TaskState;
  deadline: IsoDate;
  returnsCount: number;
  hasPendingExtension: boolean;
  closureKind: ClosureKind | null;
  version: number;
}
