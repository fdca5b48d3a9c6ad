// A year the holiday calendar does not cover yet: the jobs still run, on Monday–Friday, and the
// log says so plainly so the operator knows to upgrade chinese-days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../src/jobs/registry.js';
import { FeishuHarness, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_admin_future', name: '未来管理员' };
let h: FeishuHarness;
beforeAll(async () => {
  h = await FeishuHarness.start({ startAt: '2099-03-02T09:00:00+08:00' }); // a Monday
  await h.say(admin, { id: 'oc_future', type: 'group' }, '@督办 设为督查群');
});
afterAll(async () => {
  await h?.close();
});

describe('calendar fallback', () => {
  it('runs on a weekday of an uncovered year and warns in the log', async () => {
    const result = await JOBS.reminders(h.server.deps);
    expect(result.summary['skipped']).toBeUndefined();
    expect(result.summary['tenants']).toBe(1);
    expect(h.logEntries().some((e) => e.level === 'warn' && e.message.includes('节假日数据未覆盖2099年'))).toBe(true);
  });

  it('stays quiet on a weekend of an uncovered year', async () => {
    h.now = Date.parse('2099-03-07T09:00:00+08:00'); // a Saturday
    expect((await JOBS.reminders(h.server.deps)).summary['skipped']).toBe('holiday');
  });
});
