// What both small DingTalk crash drills (HTTP and Stream, one test file each so they run side by
// side) ask of the report, whatever the transport: nothing violated, every kind of action driven
// through the kills, cards made once, texts and card updates accounted for.
import { expect } from 'vitest';
import type { DingTalkCrashReport } from './dingtalk-crash-run.js';

export function expectSoundDrill(report: DingTalkCrashReport, kills: number): void {
  expect(report.violations).toEqual([]);
  expect(report.kills).toBe(kills);
  expect(report.findings).toBeGreaterThan(20);
  expect(report.asks).toBeGreaterThanOrEqual(report.findings);
  expect(report.photos).toBeGreaterThan(0);
  expect(report.events).toBeGreaterThan(report.findings * 2);
  expect(report.cards.stub).toBe(report.cards.outbox);
  expect(report.cards.outbox).toBeGreaterThan(report.findings * 3);
  expect(report.texts.stub).toBe(report.texts.outbox + report.texts.duplicates);
  expect(report.updates.stub).toBe(report.updates.outbox + report.updates.repeated);
  expect(report.updates.outbox).toBeGreaterThan(report.findings);
}
