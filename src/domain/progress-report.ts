// The progress report's headline, in the words of seed 003's opening: "共反馈4个方面、11个大项、31条问题，
// 已完成整改28项，继续整改3项；阶段性完成并长期推进11项".
import type { ClosureKind, IsoDate, TaskState } from './model.js';

export interface ProgressItem {
  state: TaskState;
  closureKind: ClosureKind | null;
  deadline: IsoDate;
  /** the 方面 / 大项 the item was fed back under; null for an ordinary inspection finding */
  aspect: string | null;
  majorItem: string | null;
}

export interface ProgressSummary {
  problems: number;
  /** closed, whatever the closure kind (long-term items count: their rectification is in place) */
  done: number;
  continuing: number;
  overdue: number;
  longTerm: number;
  onTheSpot: number;
  /** only when the items came with a 方面 → 大项 hierarchy (a 巡察 feedback list) */
  aspects: number | null;
  majorItems: number | null;
}

/**
 * Counts live items (cancelled ones were withdrawn, not rectified). A 方面 whose problems name no
 * 大项 is itself one 大项, as in seed 003, where 方面 (四) holds problem 31 directly.
 */
export function summarise(items: readonly ProgressItem[], today: IsoDate): ProgressSummary {
  const live = items.filter((i) => i.state !== 'cancelled');
  const closed = live.filter((i) => i.state === 'closed');
  const open = live.filter((i) => i.state !== 'closed');
  const withHierarchy = live.filter((i) => i.aspect);
  const hasHierarchy = withHierarchy.length > 0;
  return {
    problems: live.length,
    done: closed.length,
    continuing: open.length,
    overdue: open.filter((i) => i.deadline < today).length,
    longTerm: closed.filter((i) => i.closureKind === 'long_term').length,
    onTheSpot: closed.filter((i) => i.closureKind === 'done_on_the_spot').length,
    aspects: hasHierarchy ? new Set(withHierarchy.map((i) => i.aspect)).size : null,
    majorItems: hasHierarchy ? new Set(withHierarchy.map((i) => `${i.aspect}\u0000${i.majorItem ?? ''}`)).size : null,
  };
}

/** Seed 003's sentence, word for word in shape; overdue items are reported beside it, not inside. */
export function progressHeadline(s: ProgressSummary): string {
  const scope =
    s.aspects !== null && s.majorItems !== null
      ? `共反馈${s.aspects}个方面、${s.majorItems}个大项、${s.problems}条问题`
      : `共发现${s.problems}条问题`;
  return `${scope}，已完成整改${s.done}项，继续整改${s.continuing}项；阶段性完成并长期推进${s.longTerm}项`;
}

export function completionRate(s: ProgressSummary): string {
  return s.problems === 0 ? '—' : `${Math.round((s.done / s.problems) * 1000) / 10}%`;
}
