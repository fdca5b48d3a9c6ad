// Nothing accepted is lost: platform faults are retried with backoff, a crash between commit and
// send is made good after restart, a delivery recorded but never processed is taken up as the
// server restarts (or by the inbox sweep, after a failed attempt), and a resend after a crash is deduplicated by the platform's idempotency key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accept } from '../../src/app/receive.js';
import { MAX_ATTEMPTS } from '../../src/app/deliver-outbox.js';
import { JOBS } from '../../src/jobs/registry.js';
import { parseFeishuEvent } from '../../src/platforms/feishu/parse.js';
import type { InboundMessage } from '../../src/app/inbound.js';
import { FeishuHarness, p2p, TENANT_KEY, VERIFICATION_TOKEN, type Person } from '../support/feishu-harness.js';
import { messageEvent } from '../support/feishu-webhook.js';

const user: Person = { openId: 'ou_user_reliability', name: '赵科长' };

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.start();
});
afterEach(async () => {
  await h.close();
});

function outboxRows() {
  return h.server.database.sqlite.prepare('select status, attempts, next_attempt_at, last_error from outbox').all() as {
    status: string;
    attempts: number;
    next_attempt_at: number;
    last_error: string | null;
  }[];
}

describe('outbox delivery under platform faults', () => {
  it('backs off on 429 with the gateway reset header, then delivers once', async () => {
    h.stub.failNext(1, { status: 429, code: 99991400, retryAfterSeconds: 30 });
    await h.say(user, p2p(user), '帮助');
    expect(h.stub.sent).toHaveLength(0);
    const [row] = outboxRows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.next_attempt_at - h.now).toBeGreaterThanOrEqual(30_000);

    await JOBS.outbox(h.server.deps); // too early: nothing is due
    expect(h.stub.sent).toHaveLength(0);
    h.advance(30_000);
    const result = await JOBS.outbox(h.server.deps);
    expect(result.summary['sent']).toBe(1);
    expect(h.stub.sent).toHaveLength(1);
    expect(outboxRows()[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries 5xx with growing delays and delivers when the platform recovers', async () => {
    h.stub.failNext(3, { status: 503 });
    await h.say(user, p2p(user), '帮助');
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const row = outboxRows()[0]!;
      delays.push(row.next_attempt_at - h.now);
      h.advance(row.next_attempt_at - h.now);
      await JOBS.outbox(h.server.deps);
    }
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(h.stub.sent).toHaveLength(1);
    expect(outboxRows()[0]).toMatchObject({ status: 'sent', attempts: 4 });
  });

  it("keeps every message while the app's secret is refused, however long, and delivers them once it is fixed", async () => {
    await h.restart({ FEISHU_APP_SECRET: 'reset-by-someone' }); // the secret was reset in Feishu's console
    await h.say(user, p2p(user), '帮助');
    // past the tries that give an ordinary failure up; the pacer (5 a second to one user, in real
    // time) holds some passes back, which spend no try
    while (outboxRows()[0]!.status === 'pending' && outboxRows()[0]!.attempts <= MAX_ATTEMPTS + 1) {
      h.advance(outboxRows()[0]!.next_attempt_at - h.now);
      const { summary } = await JOBS.outbox(h.server.deps);
      if (summary['paced']) await new Promise((resolve) => setTimeout(resolve, Number(summary['pacedForMs'])));
    }
    expect(outboxRows()).toEqual([{ status: 'pending', attempts: MAX_ATTEMPTS + 2, next_attempt_at: expect.any(Number), last_error: expect.stringContaining('tenant_access_token refused: 10014') }]);
    expect(h.stub.sent).toHaveLength(0);

    await h.restart({}); // the new secret is configured
    h.advance(outboxRows()[0]!.next_attempt_at - h.now);
    await JOBS.outbox(h.server.deps);
    expect(h.stub.sent).toHaveLength(1);
    expect(outboxRows()[0]).toMatchObject({ status: 'sent' });
  });

  it('keeps every message while the deployment has no client for the tenant, and delivers them once one is configured', async () => {
    h.stub.failNext(1, { status: 503 }); // the first try, before the credentials went missing
    await h.say(user, p2p(user), '帮助');
    await h.restart({ FEISHU_APP_ID: '', FEISHU_APP_SECRET: '' }); // someone cleared the app's settings
    while (outboxRows()[0]!.status === 'pending' && outboxRows()[0]!.attempts <= MAX_ATTEMPTS + 1) {
      h.advance(outboxRows()[0]!.next_attempt_at - h.now);
      await JOBS.outbox(h.server.deps);
    }
    expect(outboxRows()[0]).toMatchObject({ status: 'pending', attempts: MAX_ATTEMPTS + 2, last_error: expect.stringContaining('no feishu client configured') });

    await h.restart({});
    h.advance(outboxRows()[0]!.next_attempt_at - h.now);
    await JOBS.outbox(h.server.deps);
    expect(h.stub.sent).toHaveLength(1);
    expect(outboxRows()[0]).toMatchObject({ status: 'sent' });
  });

  it('gives up at once on an error that retrying cannot fix, and says why', async () => {
    h.stub.failNext(1, { status: 400, code: 230002, msg: 'Bot is not in the chat' });
    await h.say(user, p2p(user), '帮助');
    expect(outboxRows()[0]).toMatchObject({ status: 'dead', attempts: 1 });
    expect(outboxRows()[0]!.last_error).toContain('230002');
    expect(h.logEntries().some((e) => e.level === 'error' && e.message === 'outbox message given up')).toBe(true);
  });
});

describe('crashes', () => {
  it('a message committed but not sent before a crash is sent after restart, exactly once', async () => {
    h.stub.failNext(1, { status: 500 }); // the send right after the commit does not get through
    await h.say(user, p2p(user), '帮助');
    expect(h.stub.sent).toHaveLength(0);
    await h.restart();
    h.advance(60_000);
    await JOBS.outbox(h.server.deps);
    expect(h.stub.sent).toHaveLength(1);
    expect((h.stub.sent[0]!.content as { header: { title: { content: string } } }).header.title.content).toBe('督办 · 使用说明');
  });

  it('a resend after the platform accepted the first attempt is deduplicated by its uuid', async () => {
    await h.say(user, p2p(user), '帮助');
    expect(h.stub.sent).toHaveLength(1);
    // as if the process died after Feishu accepted the message but before we recorded it
    h.server.database.sqlite.prepare("update outbox set status = 'pending', next_attempt_at = 0").run();
    await JOBS.outbox(h.server.deps);
    expect(h.stub.sent).toHaveLength(1);
    expect(outboxRows()[0]).toMatchObject({ status: 'sent' });
  });

  it('a delivery acknowledged but never processed is finished as the server restarts', async () => {
    const body = messageEvent({ tenantKey: TENANT_KEY, chatId: p2p(user).id, chatType: 'p2p', senderOpenId: user.openId, text: '我的任务', token: VERIFICATION_TOKEN, createTimeMs: h.now });
    const event = parseFeishuEvent(body) as InboundMessage;
    expect(await accept(h.server.deps, event)).toEqual({ isNew: true }); // recorded, then the process died
    await h.restart();
    // no time passes and no sweep runs: the new process takes it up as it starts
    await h.server.settle();
    expect(h.stub.sent).toHaveLength(1);
    // the try the killed process was making counts as one
    expect(h.server.database.sqlite.prepare('select status, attempts from inbound_deliveries').get()).toEqual({ status: 'done', attempts: 1 });
    // the same delivery arriving again from Feishu's retry changes nothing
    await h.deliver(body);
    expect(h.stub.sent).toHaveLength(1);
  });

  it('gives up a message the server stopped under at every start, and goes on serving', async () => {
    const body = messageEvent({ tenantKey: TENANT_KEY, chatId: p2p(user).id, chatType: 'p2p', senderOpenId: user.openId, text: '我的任务', token: VERIFICATION_TOKEN, createTimeMs: h.now });
    expect(await accept(h.server.deps, parseFeishuEvent(body) as InboundMessage)).toEqual({ isNew: true });
    // as if the two starts before this one had each died handling it (out of memory, say)
    h.server.database.sqlite.prepare('update inbound_deliveries set attempts = 2').run();
    await h.restart();
    await h.server.settle();
    expect(h.stub.sent).toHaveLength(0);
    expect(h.server.database.sqlite.prepare('select status, attempts, error from inbound_deliveries').get()).toEqual({
      status: 'failed',
      attempts: 3,
      error: 'interrupted: the server stopped before finishing it',
    });
    await h.say(user, p2p(user), '帮助');
    expect(h.stub.sent).toHaveLength(1);
  });

  it('takes up the messages left unfinished in each chat before a new one from the same chat', async () => {
    const chat = { id: 'oc_group_resume', type: 'group' as const };
    const toBot = (text: string) =>
      messageEvent({ tenantKey: TENANT_KEY, chatId: chat.id, chatType: 'group', senderOpenId: user.openId, text: `@_user_1 ${text}`, mentions: [{ key: '@_user_1', openId: h.bot().openId, name: h.bot().name }], token: VERIFICATION_TOKEN, createTimeMs: h.now });
    // 设为督查群 acknowledged, then the process died; the next message in that chat arrives as the new one starts
    expect(await accept(h.server.deps, parseFeishuEvent(toBot('设为督查群')) as InboundMessage)).toEqual({ isNew: true });
    await h.restart();
    await h.deliver(toBot('通报'));
    await h.server.settle();
    // both are replies to the messages, in the order they were sent
    const answers = h.stub.sent.map((m) => ({ type: m.msgType, content: JSON.stringify(m.content) }));
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatchObject({ type: 'text', content: expect.stringContaining('本群已设为督查群') });
    // answered first, 通报 would have said this is not a supervision group yet
    expect(answers[1]).toMatchObject({ type: 'interactive', content: expect.stringContaining('督查通报') });
  });

  it('a delivery whose processing failed is finished by the inbox sweep', async () => {
    const body = messageEvent({ tenantKey: TENANT_KEY, chatId: p2p(user).id, chatType: 'p2p', senderOpenId: user.openId, text: '我的任务', token: VERIFICATION_TOKEN, createTimeMs: h.now });
    const event = parseFeishuEvent(body) as InboundMessage;
    expect(await accept(h.server.deps, event)).toEqual({ isNew: true });
    // its first processing failed: left for another try, in this process's lifetime
    await h.server.deps.store.markDeliveryFailed(event.platform, event.deliveryId, 'Error: the database was busy');
    h.advance(60_000);
    const result = await JOBS.outbox(h.server.deps);
    expect(result.summary['redoneDeliveries']).toBe(1);
    // the redone delivery kicked the server's courier, which may be the one that claimed the reply
    await h.server.settle();
    expect(h.stub.sent).toHaveLength(1);
    expect(h.server.database.sqlite.prepare('select status, attempts from inbound_deliveries').get()).toEqual({ status: 'done', attempts: 1 });
  });
});

describe('a task card that cannot reach its leader', () => {
  it('is reported in the group where the finding was filed, @-mentioning leader and inspector', async () => {
    const inspector: Person = { openId: 'ou_insp_avail', name: '钱督查' };
    const leader: Person = { openId: 'ou_lead_outside', name: '孙主任' };
    const group = { id: 'oc_group_avail', type: 'group' as const };
    await h.say(inspector, group, '@督办 设为督查群');
    await h.say(inspector, group, '@督办 督查');
    const form = h.lastCardTo(group.id).messageId;
    const submit = (h.currentCard(form).body.elements.find((e) => e['tag'] === 'form') as { elements: Record<string, unknown>[] }).elements.find((e) => e['tag'] === 'button')!;
    const value = (submit['behaviors'] as { value: unknown }[])[0]!.value;
    // the group notice goes through; the direct message to the leader is refused for good
    h.stub.failNext(1, { status: 400, code: 230013, msg: 'Bot has NO availability to this user.', receiveId: leader.openId });
    const sentBefore = h.stub.sent.length;
    await h.click(inspector, form, value, { area: '门诊', category: '服务态度', description: '导诊台无人', leader: leader.openId, deadline_text: '3个工作日' });
    const warning = h.stub.sent.slice(sentBefore).find((m) => m.msgType === 'text' && m.chatId === group.id);
    expect(JSON.stringify(warning?.content)).toContain('无法私信发送给');
    expect(JSON.stringify(warning?.content)).toContain(`<at user_id=\\"${leader.openId}\\">`);
    expect(JSON.stringify(warning?.content)).toContain('可用范围');
  });
});

describe('what /healthz says about delivery', () => {
  async function delivery(): Promise<Record<string, unknown>> {
    const res = await fetch(`${h.server.url}/healthz`);
    expect(res.status).toBe(200); // the service is up: a stalled outbox is reported, not made a failed check
    return ((await res.json()) as { delivery: Record<string, unknown> }).delivery;
  }

  it('shows a failing send and why, a courier that stopped working through the outbox, and the recovery', async () => {
    expect(await delivery()).toEqual({ state: 'ok', pending: 0, retrying: 0, overdueMinutes: 0, dead: 0, recentlyDead: 0, stuckDeliveries: 0, lastError: null });

    h.stub.failNext(1, { status: 503 });
    await h.say(user, p2p(user), '帮助');
    const failing = await delivery();
    expect(failing).toMatchObject({ state: 'retrying', pending: 1, retrying: 1, overdueMinutes: 0 });
    expect(String(failing['lastError'])).toContain('503');

    // nothing works through the outbox (no courier, no cron) while time passes
    const row = outboxRows()[0]!;
    h.advance(row.next_attempt_at - h.now + 6 * 60_000);
    expect(await delivery()).toMatchObject({ state: 'stalled', pending: 1, overdueMinutes: 6 });

    await JOBS.outbox(h.server.deps);
    expect(h.stub.sent).toHaveLength(1);
    expect(await delivery()).toMatchObject({ state: 'ok', pending: 0, retrying: 0, overdueMinutes: 0, lastError: null });
  });

  it('calls delivery failing for an hour after a message is given up at its first try, and says why', async () => {
    // what a reset app secret or a bot removed from the chat looks like: no retry can fix it
    h.stub.failNext(1, { status: 400, code: 230002, msg: 'Bot is not in the chat' });
    await h.say(user, p2p(user), '帮助');
    const failing = await delivery();
    expect(failing).toMatchObject({ state: 'failing', pending: 0, retrying: 0, dead: 1, recentlyDead: 1 });
    expect(String(failing['lastError'])).toContain('230002');
    h.advance(61 * 60_000);
    expect(await delivery()).toMatchObject({ state: 'ok', dead: 1, recentlyDead: 0, lastError: null });
  });

  it('calls a delivery acknowledged but never processed stalled until the inbox sweep finishes it', async () => {
    const body = messageEvent({ tenantKey: TENANT_KEY, chatId: p2p(user).id, chatType: 'p2p', senderOpenId: user.openId, text: '我的任务', token: VERIFICATION_TOKEN, createTimeMs: h.now });
    expect(await accept(h.server.deps, parseFeishuEvent(body) as InboundMessage)).toEqual({ isNew: true });
    expect(await delivery()).toMatchObject({ state: 'ok', stuckDeliveries: 0 }); // it may still be in hand
    h.advance(6 * 60_000);
    expect(await delivery()).toMatchObject({ state: 'stalled', stuckDeliveries: 1 });
    await JOBS.outbox(h.server.deps);
    await h.server.settle();
    expect(await delivery()).toMatchObject({ state: 'ok', stuckDeliveries: 0 });
  });
});
