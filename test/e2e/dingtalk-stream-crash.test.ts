// The DingTalk crash drill over Stream mode in its small form (the full one: `npm run crash --
// --platform dingtalk-stream`): 200 actions, 5 SIGKILLs, the server dialling the local Stream
// gateway, which pushes every robot message and card click and re-pushes un-ACKed clicks after a
// restart. A robot message killed before its ACK is not pushed again (DingTalk's rule), so the
// acknowledged count is what reached the gateway, not all 200.
import { describe, expect, it } from 'vitest';
import { expectSoundDrill } from '../support/dingtalk-crash-expect.js';
import { runDingTalkCrashScenario } from '../support/dingtalk-crash-run.js';

describe('killing the DingTalk (Stream mode) server at random moments', () => {
  it('loses no ACKed action or message, makes each card once, sends texts and card updates at least once and in order, leaves no task in an impossible state', async () => {
    const report = await runDingTalkCrashScenario({ actions: 200, kills: 5, seed: 20261126, mode: 'stream' });
    expectSoundDrill(report, 5);
    const stream = report.stream!;
    // a new connection each start, and every action either ACKed or a robot message DingTalk drops
    expect(stream.connections).toBe(6);
    expect(report.acknowledged + stream.unacknowledged).toBe(200);
    expect(stream.unacknowledged).toBeLessThanOrEqual(5);
    expect(stream.processed).toBeLessThanOrEqual(stream.unacknowledged);
  }, 120_000);
});
