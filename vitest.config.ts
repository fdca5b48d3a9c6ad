import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most of the suite waits rather than computes: on servers in child processes, on workerd, on
    // sockets and on the outbox's pacing (a crash drill keeps a third of a core busy). Vitest's
    // default, one worker fewer than the cores, runs one file at a time on a 2-core machine; one more
    // than the cores takes the suite from about six minutes to under four there.
    maxWorkers: availableParallelism() + 1,
    // with files side by side, a test that starts workerd or a server can take longer than the
    // default 5 s on a small machine; a hung test still fails
    testTimeout: 30_000,
  },
});
