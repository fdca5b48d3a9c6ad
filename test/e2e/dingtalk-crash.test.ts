// The DingTalk crash drill in its small form (the full one: `npm run crash -- --platform dingtalk`):
// 200 actions, 5 SIGKILLs, the server in HTTP mode against the stub DingTalk Open API.
import { describe, expect, it } from 'vitest';
import { runDingTalkCrashScenario } from '../support/dingtalk-crash-run.js';

describe('killing the DingTalk (HTTP mode) server at random moments', () => {
  it('loses no acknowledged action or message, makes each card once, sends texts and card updates at least once and in order, leaves no task in an impossible state', async () => {
    const report = await runDingTalkCrashScenario({ actions: 200, kills: 5, seed: 20261125 });
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(5);
    expect(report.acknowledged).toBe(200);
    expect(report.findings).toBeGreaterThan(20);
    // every kind of action was driven through the kills: intake asked and submitted, tasks moved, photos sent
    expect(report.asks).toBeGreaterThanOrEqual(report.findings);
    expect(report.photos).toBeGreaterThan(0);
    expect(report.events).toBeGreaterThan(report.findings * 2);
    expect(report.cards.stub).toBe(report.cards.outbox);
    expect(report.cards.outbox).toBeGreaterThan(report.findings * 3);
    expect(report.texts.stub).toBe(report.texts.outbox + report.texts.duplicates);
    expect(report.evidence.attached + report.evidence.noOpenTask).toBe(report.photos);
    expect(report.updates.stub).toBe(report.updates.outbox + report.updates.repeated);
    expect(report.updates.outbox).toBeGreaterThan(report.findings);
  }, 120_000);
});
