// Keeps sends inside the platform's rate limits before the platform has to refuse them: Feishu
// allows 5 messages a second to one user or group (shared by every bot in it), 5 updates a second
// to one message, and 50 calls a second per app; DingTalk group robots 20 a minute. A sliding
// window per key, in real (monotonic) time, in the process that sends.

export interface Pace {
  count: number;
  windowMs: number;
}

/** What a platform allows: per target (a chat, a user, one message's updates) and per app. */
export interface PlatformPacing {
  perTarget: readonly Pace[];
  perApp: readonly Pace[];
}

export class SendPacer {
  /** call times per key, oldest first, kept for the longest window asked about that key */
  private readonly sent = new Map<string, { times: number[]; keepMs: number }>();

  constructor(private readonly now: () => number) {}

  /** How long to wait before one more call fits every limit; 0 means go now. */
  waitMs(limits: readonly [string, Pace][]): number {
    const now = this.now();
    let wait = 0;
    for (const [key, pace] of limits) {
      const entry = this.sent.get(key);
      if (!entry) continue;
      entry.keepMs = Math.max(entry.keepMs, pace.windowMs);
      const inWindow = entry.times.filter((t) => t > now - pace.windowMs);
      if (inWindow.length >= pace.count) wait = Math.max(wait, inWindow[inWindow.length - pace.count]! + pace.windowMs - now);
    }
    return Math.max(0, Math.ceil(wait));
  }

  record(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const entry = this.sent.get(key) ?? { times: [], keepMs: 60_000 };
      entry.times.push(now);
      // forget what no window can still see
      const drop = entry.times.findIndex((t) => t > now - entry.keepMs);
      if (drop > 0) entry.times.splice(0, drop);
      this.sent.set(key, entry);
    }
  }
}
