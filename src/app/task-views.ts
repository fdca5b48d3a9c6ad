// Draws a task's card for one viewer: their buttons, the colour, how the deadline stands.
import type { Card } from '../../cards/model.js';
import { taskCard } from '../../cards/task-card.js';
import type { Actor, Department, IsoDate, Task, TaskContext } from '../domain/model.js';
import type { TaskAction } from '../domain/permissions.js';
import { availableActions } from '../domain/task-machine.js';
import { isOverdue, overdueWorkingDays, warningColour } from '../domain/warning-colour.js';
import { workingDaysBetween } from '../domain/working-days.js';
import type { Settings } from './ports.js';

export function deadlineNote(ctx: TaskContext, today: IsoDate): string | null {
  const { state, deadline } = ctx.task;
  if (state === 'closed' || state === 'cancelled') return null;
  if (isOverdue(deadline, today)) {
    const days = overdueWorkingDays(deadline, today);
    return days > 0 ? `已逾期${days}个工作日` : '已逾期';
  }
  if (deadline === today) return '今天到期';
  return `剩余${workingDaysBetween(today, deadline)}个工作日`;
}

export interface DrawOptions {
  mode?: TaskAction | null;
  headline?: string;
  /** the campaign's categories and the departments, for 修改问题's form */
  categories?: readonly string[];
  departments?: readonly Department[];
}

/** 三色督办 for one task today, with the office's thresholds. */
export function colourOf(ctx: TaskContext, today: IsoDate, settings: Settings) {
  return colourFor(ctx.task, today, settings);
}

/** The same, from what the sweeps read of a task. */
export function colourFor(task: Pick<Task, 'state' | 'deadline' | 'returnsCount'>, today: IsoDate, settings: Settings) {
  return warningColour({
    state: task.state,
    deadline: task.deadline,
    returnsCount: task.returnsCount,
    today,
    dueSoonWorkingDays: settings.dueSoonWorkingDays,
    redAfterWorkingDays: settings.redAfterWorkingDays,
  });
}

export function drawTaskCard(
  ctx: TaskContext,
  viewer: Actor | null,
  today: IsoDate,
  settings: Settings,
  options: DrawOptions = {},
): Card {
  const colour = colourOf(ctx, today, settings);
  return taskCard({
    ctx,
    viewerUserId: viewer?.userId ?? null,
    actions: viewer ? availableActions(ctx, viewer, today) : [],
    mode: options.mode ?? null,
    colour,
    deadlineNote: deadlineNote(ctx, today),
    ...(options.headline ? { headline: options.headline } : {}),
    ...(options.categories ? { categories: options.categories } : {}),
    ...(options.departments ? { departments: options.departments } : {}),
  });
}
