// Whether the bot's messages are getting out, for /healthz. When sending breaks (an app secret
// reset, the bot removed from a chat) the bot cannot say so in the chat: only a monitor reading the
// health check can notice.

/** What the outbox and the inbox hold right now. */
export interface DeliveryFacts {
  /** messages waiting to be sent */
  pending: number;
  /** of those, the ones that failed at least once and wait for their next try */
  retrying: number;
  /** when the earliest pending message was due to be sent */
  oldestDueAt: number | null;
  /** why the earliest retrying message failed, else why the last one given up in the window failed */
  lastError: string | null;
  /** messages given up (kept 180 days, see retention.ts) */
  dead: number;
  /** of those, the ones given up since `now - FAILING_WINDOW_MS` */
  recentlyDead: number;
  /** deliveries received before `now - STALLED_AFTER_MS` and still not processed */
  stuckDeliveries: number;
}

export type DeliveryState = 'ok' | 'retrying' | 'failing' | 'stalled';

/**
 * Past this, a due message or a received delivery means nothing is working through them: the Node
 * courier looks every two seconds and the Worker's cron every minute, and backoff makes a failed message
 * due later, not overdue.
 */
export const STALLED_AFTER_MS = 5 * 60_000;

/**
 * A message given up this recently makes delivery `failing`. An error retrying cannot fix (the bot
 * removed from a chat, a user outside the app's availability) gives a message up at its first try,
 * so without this such a breakdown would look like `ok` with a growing `dead` count. (A refused app
 * secret gives nothing up: those messages wait, `retrying`, until it is fixed.)
 */
export const FAILING_WINDOW_MS = 60 * 60_000;

export function deliveryState(facts: DeliveryFacts, now: number): DeliveryState {
  const overdue = facts.oldestDueAt !== null && now - facts.oldestDueAt > STALLED_AFTER_MS;
  if (overdue || facts.stuckDeliveries > 0) return 'stalled';
  if (facts.recentlyDead > 0) return 'failing';
  return facts.retrying > 0 ? 'retrying' : 'ok';
}

/** Whole minutes the earliest pending message is past due (0 when none is). */
export function overdueMinutes(facts: DeliveryFacts, now: number): number {
  return facts.oldestDueAt === null ? 0 : Math.max(0, Math.floor((now - facts.oldestDueAt) / 60_000));
}
