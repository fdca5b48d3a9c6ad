// The crash drill on the Worker in its small form (the full one: `npm run crash -- --platform worker`):
// 200 actions, 5 SIGKILLs of workerd, over the local D1 on disk.
import { describe, expect, it } from 'vitest';
import { runWorkerCrashScenario } from '../support/worker-crash-run.js';

describe('killing workerd at random moments', () => {
  it('loses no acknowledged action, message or outgoing message, sends nothing twice, leaves no task in an impossible state', async () => {
    const report = await runWorkerCrashScenario({ actions: 200, kills: 5, seed: 20261125 });
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(5);
    expect(report.acknowledged).toBe(200);
    expect(report.messages).toBeGreaterThan(10);
    // the kills left acknowledged messages for the every-minute trigger's sweep, which answered them
    expect(report.leftUnprocessed).toBeGreaterThan(0);
    expect(report.findings).toBeGreaterThan(20);
    expect(report.outboxSent).toBeGreaterThan(report.findings);
    expect(report.stubMessages).toBe(report.outboxSent);
  }, 300_000);
});
