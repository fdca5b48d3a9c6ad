// On Node the outbox is drained in-process: right after a commit (kick) and every few seconds
// for retries; unfinished deliveries are swept up every half minute. One pass at a time.
import type { Deps } from '../app/ports.js';
import { deliverOutbox } from '../app/deliver-outbox.js';
import { retryUnfinished } from '../app/receive.js';

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
    do {
      this.again = false;
      try {
        const report = await deliverOutbox(deps);
        if (report.sent === 100) this.again = true; // a full page: there may be more
        if (report.paced > 0) {
          // held back by a rate limit: wait until the first may go, then carry on
          await new Promise((resolve) => setTimeout(resolve, Math.min(report.pacedForMs, 2000)));
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
