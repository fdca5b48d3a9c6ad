// The DingTalk crash drill in its small form (the full one: `npm run crash -- --platform dingtalk`):
// 200 actions, 5 SIGKILLs, the server in HTTP mode against the stub DingTalk Open API.
import { describe, expect, it } from 'vitest';
import { expectSoundDrill } from '../support/dingtalk-crash-expect.js';
import { runDingTalkCrashScenario } from '../support/dingtalk-crash-run.js';

describe('killing the DingTalk (HTTP mode) server at random moments', () => {
  it('loses no acknowledged action or message, makes each card once, sends texts and card updates at least once and in order, leaves no task in an impossible state', async () => {
    const report = await runDingTalkCrashScenario({ actions: 200, kills: 5, seed: 20261125 });
    expectSoundDrill(report, 5);
    expect(report.acknowledged).toBe(200);
    // every photo was answered: attached, or told its task had closed first
    expect(report.evidence.attached + report.evidence.noOpenTask).toBe(report.photos);
  }, 120_000);
});
