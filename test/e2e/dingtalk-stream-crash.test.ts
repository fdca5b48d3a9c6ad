// The DingTalk crash drill over Stream mode in its small form (the full one: `npm run crash --
// --platform dingtalk-stream`): 200 actions, 5 SIGKILLs, the server dialling the local Stream
// gateway, which pushes every robot message and card click and re-pushes un-ACKed clicks after a
// restart. A robot message killed before its ACK is not pushed again (DingTalk's rule), so the
// acknowledged count is what reached the gateway, not all 200.
import { describe, expect, it } from 'vitest';
import { runDingTalkCrashScenario } from '../support/dingtalk-crash-run.js';

describe('killing the DingTalk (Stream mode) server at random moments', () => {
  it('loses no ACKed action or message, makes each card once, sends texts and card updates at least once and in order, leaves no task in an impossible state', async () => {
    const report = await runDingTalkCrashScenario({ actions: 200, kills: 5, seed: 20261126, mode: 'stream' });
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(5);
    const stream = report.stream!;
    // a new connection each start, and every action either ACKed or a robot message DingTalk drops
    expect(stream.connections).toBe(6);
    expect(report.acknowledged + stream.unacknowledged).toBe(200);
    expect(stream.unacknowledged).toBeLessThanOrEqual(5);
    expect(stream.processed).toBeLessThanOrEqual(stream.unacknowledged);
    expect(report.findings).toBeGreaterThan(20);
    expect(report.asks).toBeGreaterThanOrEqual(report.findings);
    expect(report.photos).toBeGreaterThan(0);
    expect(report.events).toBeGreaterThan(report.findings * 2);
    expect(report.cards.stub).toBe(report.cards.outbox);
    expect(report.cards.outbox).toBeGreaterThan(report.findings * 3);
    expect(report.texts.stub).toBe(report.texts.outbox + report.texts.duplicates);
    expect(report.updates.stub).toBe(report.updates.outbox + report.updates.repeated);
    expect(report.updates.outbox).toBeGreaterThan(report.findings);
  }, 120_000);
});
