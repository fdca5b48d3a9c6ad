// On Node the cron lives in-process: once a minute, run whatever the clock says is due
// (reminders at 09:00 on working days, the bulletins on the first working day of a week or month).
// Each job is idempotent for its period, so a restart or a slow minute never sends twice.
import type { Deps } from '../app/ports.js';
import { runDueJobs } from '../jobs/registry.js';

export class Scheduler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  tick = (): void => {
    if (this.running) return;
    this.running = runDueJobs(this.deps)
      .then((results) => {
        for (const result of results) this.deps.log.info('scheduled job ran', { ...result });
      })
      .catch((error) => this.deps.log.error('scheduled jobs failed', { error: error instanceof Error ? error.stack : String(error) }))
      .finally(() => {
        this.running = null;
      });
  };

  start(everyMs = 60_000): void {
    this.tick();
    this.timer = setInterval(this.tick, everyMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
