// The crash drill in its small form (the full one: `npm run crash`): 200 actions, 5 SIGKILLs.
import { describe, expect, it } from 'vitest';
import { runCrashScenario } from '../support/crash-run.js';

describe('killing the server at random moments', () => {
  it('loses no acknowledged action or outgoing message, sends nothing twice, leaves no task in an impossible state', async () => {
    const report = await runCrashScenario({ actions: 200, kills: 5, seed: 20261123 });
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(5);
    expect(report.acknowledged).toBe(200);
    expect(report.findings).toBeGreaterThan(20);
    expect(report.outboxSent).toBeGreaterThan(report.findings);
    expect(report.stubMessages).toBe(report.outboxSent);
  }, 240_000);
});
