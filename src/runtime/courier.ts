// On Node the outbox is drained in-process: right after a commit (kick) and every few seconds
// for retries; unfinished deliveries are swept up every half minute. One pass at a time.
import type { Deps } from '../app/ports.js';
import { deliverOutbox } from '../app/deliver-outbox.js';
import { retryUnfinished } from '../app/receive.js';

/** rounds in a row that sent nothing before a held-back message is left to the next poll or cron */
const MAX_IDLE_ROUNDS = 5;

export class Courier {
  private running: Promise<void> | null = null;
  private again = false;
  private timers: ReturnType<typeof setInterval>[] = [];
  private deps: Deps | null = null;

  attach(deps: Deps): void {
    this.deps = deps;
  }

  kick = (): void => {
    if (!this.deps) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  };

  private async loop(): Promise<void> {
    const deps = this.deps!;
    let idleRounds = 0;
    do {
      this.again = false;
      try {
        const report = await deliverOutbox(deps);
        if (report.sent === 100) this.again = true; // a full page: there may be more
        // Held back for a moment: by a rate limit, by a card update whose card is still being sent,
        // or by another courier sending the same chat's earlier message. Wait a little and go round
        // again, a few times at most: on Workers no poll timer would come back for them before the
        // next cron minute.
        const heldFor = report.paced > 0 ? report.pacedForMs : report.waiting + report.contended > 0 ? 2000 : 0;
        idleRounds = report.sent > 0 ? 0 : idleRounds + 1;
        if (heldFor > 0 && idleRounds <= MAX_IDLE_ROUNDS) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(heldFor, 2000)));
          if (this.deps) this.again = true;
        }
      } catch (error) {
        deps.log.error('outbox pass failed', { error: String(error) });
      }
    } while (this.again);
  }

  start(pollMs = 2000, sweepMs = 30_000): void {
    const deps = this.deps;
    if (!deps) throw new Error('courier not attached');
    this.timers.push(setInterval(this.kick, pollMs));
    this.timers.push(
      setInterval(() => {
        retryUnfinished(deps).catch((error) => deps.log.error('inbox sweep failed', { error: String(error) }));
      }, sweepMs),
    );
    for (const timer of this.timers) timer.unref?.();
  }

  /** Waits for the pass under way; new kicks after this are ignored. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.running;
    this.deps = null;
  }

  /** Resolves when nothing is being delivered (tests wait on it). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
