// How long Duban keeps the records of its own messaging. Only those: findings, tasks, their events
// and photos are the hospital's ledger and are never pruned.
//
// A received delivery's record (the event and our answer) is kept so that a platform's retry
// changes nothing; Feishu and DingTalk stop retrying within hours. A message's row in the outbox is
// kept until it is delivered. Both are kept far longer than that, so that a question about last
// month's messages can still be answered from them, and failures longer still. Without a limit the
// two tables grow by every click and message for as long as the hospital uses Duban: about 1 GB a
// year at a thousand interactions a day, against D1's 10 GB cap on a database (500 MB free).
const DAY_MS = 24 * 60 * 60 * 1000;

export const RETENTION_DAYS = {
  /** deliveries processed (or answered at once, as card clicks are) */
  finishedDeliveries: 30,
  /** deliveries given up after their retries: kept for investigation */
  failedDeliveries: 180,
  /** messages the platform accepted */
  sentMessages: 30,
  /** messages given up (reported in the group when they died) */
  deadMessages: 180,
} as const;

/** Epoch milliseconds: a record of each kind received or created before its cutoff is pruned. */
export type PruneCutoffs = { readonly [K in keyof typeof RETENTION_DAYS]: number };

export function pruneCutoffs(nowMs: number): PruneCutoffs {
  return {
    finishedDeliveries: nowMs - RETENTION_DAYS.finishedDeliveries * DAY_MS,
    failedDeliveries: nowMs - RETENTION_DAYS.failedDeliveries * DAY_MS,
    sentMessages: nowMs - RETENTION_DAYS.sentMessages * DAY_MS,
    deadMessages: nowMs - RETENTION_DAYS.deadMessages * DAY_MS,
  };
}

/** inbound_deliveries and the outbox */
export type HistoryTable = 'deliveries' | 'messages';
export const HISTORY_TABLES: readonly HistoryTable[] = ['deliveries', 'messages'];

/** The latest of one table's cutoffs: nothing received or created after it is pruned. */
export function newestPrunable(cutoffs: PruneCutoffs, table: HistoryTable): number {
  return table === 'deliveries' ? Math.max(cutoffs.finishedDeliveries, cutoffs.failedDeliveries) : Math.max(cutoffs.sentMessages, cutoffs.deadMessages);
}
