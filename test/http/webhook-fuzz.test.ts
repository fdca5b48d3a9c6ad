// Property-based fuzzing of POST /webhooks/feishu on the real Node server (real SQLite file, stub
// Feishu Open API on 127.0.0.1). Whatever arrives, the route answers 4xx, or 200 with a Chinese toast
// for a card callback it cannot act on: never 5xx, never a crash, and never a change of state for a
// request that should change nothing. Valid deliveries are deduplicated by event id, and form text
// that is accepted is stored exactly as sent (trimmed, within the documented limits).
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_CATEGORY } from '../../cards/intake-form.js';
import { SYSTEM_BUSY } from '../../src/app/error-text.js';
import { STANDARD_CATEGORIES } from '../../src/domain/model.js';
import { MAX_TEXT } from '../../src/domain/task-machine.js';
import { MAX_WEBHOOK_BYTES } from '../../src/http/app.js';
import {
  BOT_NAME,
  button,
  buttonsOf,
  ENCRYPT_KEY,
  FeishuHarness,
  TENANT_KEY,
  VERIFICATION_TOKEN,
  type Chat,
  type ClickResult,
  type FeishuCard,
  type Person,
} from '../support/feishu-harness.js';
import { cardActionEvent, feishuEncrypt, feishuSign, messageEvent } from '../support/feishu-webhook.js';
import {
  breakages,
  changedTables,
  countRows,
  edgeText,
  enc,
  extraFields,
  fieldValue,
  HAN,
  headerValue,
  healthz,
  jsonOf,
  LONE_SURROGATE,
  longText,
  overTheWire,
  postOverOwnConnection,
  pseudoRandomBytes,
  intakePromise,
  readField,
  strangeClickValues,
  snapshot,
  whitespaceOnly,
  wrongType,
} from '../support/fuzz-kit.js';

const inspector: Person = { openId: 'ou_fuzz_inspector', name: '李督查' };
const outsider: Person = { openId: 'ou_fuzz_outsider', name: '路人甲' };
/**
 * Several supervision groups and leaders, taken in turn: the outbox keeps to Feishu's 5 messages a
 * second per chat or person, and every finding filed sends to one group and one leader.
 */
const groups: Chat[] = [0, 1, 2, 3].map((i) => ({ id: `oc_fuzz_supervision_group_${i}`, type: 'group' }));
const leaders: Person[] = ['王主任', '张主任', '赵主任', '刘主任'].map((name, i) => ({ openId: `ou_fuzz_leader_${i}`, name }));
let groupTurn = 0;
let leaderTurn = 0;
const nextGroup = (): Chat => groups[groupTurn++ % groups.length]!;
const nextLeader = (): Person => leaders[leaderTurn++ % leaders.length]!;

const MAX = MAX_WEBHOOK_BYTES;
const PROCESSING = { type: 'info', content: '正在处理，请稍候。' };
/** a deadline the harness clock (2026-11-23) accepts, as Feishu's date picker sends it */
const GOOD_DEADLINE = '2026-11-26 +0800';
const TEST_TIMEOUT = 120_000;

async function postRaw(h: FeishuHarness, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${h.server.url}/webhooks/feishu`, { method: 'POST', headers, body } as RequestInit);
  const text = await res.text();
  await h.server.settle();
  return { status: res.status, text };
}

async function waitFor<T>(h: FeishuHarness, find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await h.server.settle();
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// Signing deliveries as Feishu does (independently of src/, via test/support/feishu-webhook.ts)

interface Delivery {
  rawBody: string;
  headers: Record<string, string>;
}

function sign(rawBody: string, opts: { nowMs: number; key?: string; ts?: string; nonce?: string }): Delivery {
  const ts = opts.ts ?? String(Math.floor(opts.nowMs / 1000));
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': feishuSign(ts, nonce, opts.key ?? ENCRYPT_KEY, rawBody),
    },
  };
}

const encrypted = (body: unknown, key = ENCRYPT_KEY, iv?: Buffer) => JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(body), key, iv) });

/** `设为督查群` said by `sender` in a group: if it is ever accepted, a chat binding appears. */
function bindGroupEvent(h: FeishuHarness, chatId: string, sender: Person, extra: { eventId?: string; text?: string } = {}) {
  const messageId = `om_fuzz_${randomUUID().replace(/-/g, '')}`;
  h.stub.noteUserMessage(messageId, chatId);
  return messageEvent({
    tenantKey: TENANT_KEY,
    messageId,
    chatId,
    chatType: 'group',
    senderOpenId: sender.openId,
    text: extra.text ?? '@_user_1 设为督查群',
    mentions: [{ key: '@_user_1', openId: h.stub.botOpenId, name: BOT_NAME }],
    token: VERIFICATION_TOKEN,
    createTimeMs: h.now,
    ...(extra.eventId ? { eventId: extra.eventId } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Feishu's generators (the shared ones are in test/support/fuzz-kit.ts)

const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
const iv16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b));
const notOurToken = fc.string({ maxLength: 40 }).filter((t) => t !== VERIFICATION_TOKEN);

function expectChineseError(body: ClickResult['body']) {
  expect(body.toast?.type).toBe('error');
  expect(body.toast?.content).toMatch(HAN);
  expect(body.toast?.content).not.toBe(SYSTEM_BUSY);
}

// =============================================================================================

describe('POST /webhooks/feishu with random requests', () => {
  let h: FeishuHarness;
  beforeAll(async () => {
    h = await FeishuHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** 400 for anything that is not a JSON object, 401 for any object (nobody here can sign). */
  function expectedStatus(bytes: Uint8Array): number {
    if (bytes.length > MAX) return 413;
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return 400;
    }
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? 401 : 400;
  }

  it(
    'answers random bytes, text and JSON with 400 or 401, changes nothing, and stays healthy',
    async () => {
      const nowSec = Math.floor(h.now / 1000);
      const feishuShaped = fc.oneof(
        fc.record(
          {
            encrypt: fc.oneof(
              fc.base64String({ maxLength: 400 }),
              fc.string({ maxLength: 100 }),
              fc.tuple(fc.json({ maxDepth: 3 }), iv16).map(([json, iv]) => feishuEncrypt(json, ENCRYPT_KEY, iv)),
              fc.tuple(fc.json({ maxDepth: 3 }), fc.string({ minLength: 1, maxLength: 30 }), iv16).map(([json, key, iv]) => feishuEncrypt(json, key, iv)),
              fc.tuple(notOurToken, iv16).map(([token, iv]) => feishuEncrypt(JSON.stringify({ type: 'url_verification', token, challenge: 'c' }), ENCRYPT_KEY, iv)),
            ),
          },
          { requiredKeys: ['encrypt'] },
        ),
        fc.record(
          { type: fc.constantFrom('url_verification', 'event_callback'), token: fc.oneof(notOurToken, wrongType), challenge: fc.anything({ maxDepth: 1 }), event: fc.anything({ maxDepth: 2 }) },
          { requiredKeys: ['type'] },
        ),
        fc.record(
          {
            schema: fc.constantFrom('2.0', '1.0', 2),
            header: fc.record(
              {
                event_id: fc.string({ maxLength: 40 }),
                event_type: fc.constantFrom('im.message.receive_v1', 'card.action.trigger', 'contact.user.created_v3', ''),
                token: fc.oneof(notOurToken, wrongType),
                tenant_key: fc.constantFrom(TENANT_KEY, ''),
              },
              { requiredKeys: [] },
            ),
            event: fc.anything({ maxDepth: 3 }),
          },
          { requiredKeys: [] },
        ),
      ).map((value) => JSON.stringify(value));
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }),
        fc.tuple(fc.integer({ min: 0, max: 64 * 1024 }), fc.integer()).map(([n, seed]) => pseudoRandomBytes(n, seed)),
        fc.string({ unit: 'binary', maxLength: 500 }).map((s) => enc.encode(s)),
        fc.json({ maxDepth: 4 }).map((s) => enc.encode(s)),
        fc.anything({ maxDepth: 3 }).map((v) => enc.encode(JSON.stringify(v) ?? '')),
        feishuShaped.map((s) => enc.encode(s)),
        // valid JSON cut short, and with a byte-order mark in front
        fc.tuple(feishuShaped, fc.nat()).map(([s, n]) => enc.encode(s.slice(0, n % (s.length + 1)))),
        feishuShaped.map((s) => enc.encode(`\ufeff${s}`)),
      );
      const headers = fc
        .tuple(
          fc.record(
            {
              'content-type': fc.oneof(
                fc.constantFrom(
                  'application/json',
                  'application/json; charset=utf-8',
                  'application/json; charset=utf-16',
                  'text/plain',
                  'text/html; charset=gbk',
                  'application/x-www-form-urlencoded',
                  'multipart/form-data; boundary=xyz',
                  'application/octet-stream',
                  '*/*',
                ),
                headerValue,
              ),
              'x-lark-request-timestamp': fc.oneof(headerValue, fc.constant(String(nowSec)), fc.integer({ min: nowSec - 1000, max: nowSec + 1000 }).map(String)),
              'x-lark-request-nonce': headerValue,
              'x-lark-signature': fc.oneof(hex64, headerValue),
            },
            { requiredKeys: [] },
          ),
          fc.dictionary(fc.stringMatching(/^x-fuzz-[a-z0-9]{1,12}$/), headerValue, { maxKeys: 3 }),
        )
        .map(([lark, extra]) => ({ ...extra, ...lark }));

      await fc.assert(
        fc.asyncProperty(body, headers, async (bytes, hdrs) => {
          const before = snapshot(h.server);
          const mark = h.logEntries().length;
          const { status, text } = await postRaw(h, bytes, hdrs);
          expect(status).toBe(expectedStatus(bytes));
          expect(jsonOf(text)).toHaveProperty('error');
          expect(changedTables(before, snapshot(h.server))).toEqual([]);
          expect(breakages(h.server, mark)).toEqual([]);
          expect(await healthz(h.server)).toBe(200);
        }),
        { numRuns: 150 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'answers a body over 256 KB with 413 (counted in bytes, with or without Content-Length), and the limit itself is allowed',
    async () => {
      const shapes = ['filler', 'encrypt_json', 'han', 'signed_delivery'] as const;
      const huge = fc.record({
        size: fc.oneof(fc.integer({ min: MAX + 1, max: 3 * MAX }), fc.integer({ min: MAX - 8, max: MAX + 8 })),
        shape: fc.constantFrom(...shapes),
        chunked: fc.boolean(),
      });
      const build = (shape: (typeof shapes)[number], size: number): { bytes: Uint8Array; headers: Record<string, string> } => {
        const json = { 'content-type': 'application/json' };
        switch (shape) {
          case 'filler':
            return { bytes: enc.encode('A'.repeat(size)), headers: json };
          case 'encrypt_json':
            return { bytes: enc.encode(`{"encrypt":"${'A'.repeat(Math.max(0, size - 14))}"}`), headers: json };
          case 'han':
            // 3 bytes a character: far fewer characters than bytes
            return { bytes: enc.encode('督'.repeat(Math.floor(size / 3)) + 'A'.repeat(size % 3)), headers: json };
          case 'signed_delivery': {
            // a correctly signed, otherwise valid message; if it got through it would be recorded and answered
            const event = bindGroupEvent(h, `oc_huge_${randomUUID()}`, inspector, { text: `设为督查群 ${'a'.repeat(Math.max(size, MAX))}` });
            const delivery = sign(encrypted(event), { nowMs: h.now });
            return { bytes: enc.encode(delivery.rawBody), headers: delivery.headers };
          }
        }
      };
      let over = 0;
      let within = 0;
      await fc.assert(
        fc.asyncProperty(huge, async ({ size, shape, chunked }) => {
          const { bytes, headers } = build(shape, size);
          const before = snapshot(h.server);
          const mark = h.logEntries().length;
          const { status, text } = await postOverOwnConnection(h.server, '/webhooks/feishu', bytes, headers, chunked);
          if (bytes.length > MAX) {
            over++;
            expect(status).toBe(413);
            expect(jsonOf(text)).toEqual({ error: 'body_too_large' });
          } else {
            within++;
            expect(status).toBe(shape === 'encrypt_json' ? 401 : 400);
          }
          expect(changedTables(before, snapshot(h.server))).toEqual([]);
          expect(breakages(h.server, mark)).toEqual([]);
          expect(await healthz(h.server)).toBe(200);
        }),
        { numRuns: 30, examples: [[{ size: MAX, shape: 'filler', chunked: false }], [{ size: MAX + 1, shape: 'filler', chunked: true }]] },
      );
      expect(over).toBeGreaterThan(0);
      expect(within).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );
});

// =============================================================================================

type Mutation =
  | { kind: 'flip_signature'; index: number; delta: number }
  | { kind: 'drop_header'; header: 'x-lark-signature' | 'x-lark-request-timestamp' | 'x-lark-request-nonce' }
  | { kind: 'empty_signature' }
  | { kind: 'stale'; skewSeconds: number }
  | { kind: 'odd_timestamp'; ts: string }
  | { kind: 'wrong_token'; token: unknown }
  | { kind: 'tamper_body'; how: 'flip_cipher' | 'reformat' | 'extra_key' | 'trailing'; index: number }
  | { kind: 'wrong_encrypt_key'; key: string }
  | { kind: 'wrong_sign_key'; key: string }
  | { kind: 'plain_unsigned' }
  | { kind: 'unknown_event'; eventType: string }
  | { kind: 'schema_v1' }
  | { kind: 'malformed_event'; eventType: string; event: unknown };

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip_signature' as const), index: fc.nat({ max: 63 }), delta: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ kind: fc.constant('drop_header' as const), header: fc.constantFrom('x-lark-signature' as const, 'x-lark-request-timestamp' as const, 'x-lark-request-nonce' as const) }),
  fc.constant({ kind: 'empty_signature' as const }),
  fc.record({
    kind: fc.constant('stale' as const),
    skewSeconds: fc.oneof(fc.integer({ min: 301, max: 1_000_000_000 }), fc.integer({ min: -1_000_000_000, max: -301 }), fc.constantFrom(301, -301, 3600, -3600)),
  }),
  fc.record({
    kind: fc.constant('odd_timestamp' as const),
    ts: fc.oneof(headerValue, fc.constantFrom('', '1.7e9', '0x6900', '-1', 'NaN', 'Infinity', '1764000000000')).filter((ts) => !/^\d{1,12}$/.test(ts.trim())),
  }),
  fc.record({
    kind: fc.constant('wrong_token' as const),
    token: fc.oneof(
      notOurToken,
      fc.constantFrom(undefined, null, '', ` ${VERIFICATION_TOKEN}`, `${VERIFICATION_TOKEN} `, VERIFICATION_TOKEN.toUpperCase(), VERIFICATION_TOKEN.slice(0, -1)),
      wrongType,
    ),
  }),
  fc.record({ kind: fc.constant('tamper_body' as const), how: fc.constantFrom('flip_cipher' as const, 'reformat' as const, 'extra_key' as const, 'trailing' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('wrong_encrypt_key' as const), key: fc.string({ maxLength: 40 }).filter((k) => k !== ENCRYPT_KEY) }),
  fc.record({ kind: fc.constant('wrong_sign_key' as const), key: fc.string({ maxLength: 40 }).filter((k) => k !== ENCRYPT_KEY) }),
  fc.constant({ kind: 'plain_unsigned' as const }),
  fc.record({
    kind: fc.constant('unknown_event' as const),
    eventType: fc.oneof(fc.constantFrom('contact.user.created_v3', 'im.chat.member.bot.added_v1', 'im.message.message_read_v1', 'IM.MESSAGE.RECEIVE_V1', ''), fc.string({ maxLength: 40 })).filter(
      (t) => t !== 'im.message.receive_v1' && t !== 'card.action.trigger',
    ),
  }),
  fc.constant({ kind: 'schema_v1' as const }),
  fc.record({ kind: fc.constant('malformed_event' as const), eventType: fc.constantFrom('im.message.receive_v1', 'card.action.trigger'), event: fc.anything({ maxDepth: 3 }) }),
);

describe('POST /webhooks/feishu with a signed delivery that has one thing wrong', () => {
  let h: FeishuHarness;
  beforeAll(async () => {
    h = await FeishuHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The delivery with the mutation applied, and the status the route must answer. */
  function mutated(m: Mutation, event: Record<string, unknown>, iv: Buffer): { delivery: Delivery; status: number } {
    const nowMs = h.now;
    const header = event['header'] as Record<string, unknown>;
    switch (m.kind) {
      case 'flip_signature': {
        const d = sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs });
        const sig = d.headers['x-lark-signature']!;
        const flipped = ((parseInt(sig[m.index]!, 16) + m.delta) % 16).toString(16);
        d.headers['x-lark-signature'] = sig.slice(0, m.index) + flipped + sig.slice(m.index + 1);
        return { delivery: d, status: 401 };
      }
      case 'drop_header': {
        const d = sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs });
        delete d.headers[m.header];
        return { delivery: d, status: 401 };
      }
      case 'empty_signature': {
        const d = sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs });
        d.headers['x-lark-signature'] = '';
        return { delivery: d, status: 401 };
      }
      case 'stale':
        return { delivery: sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs, ts: String(Math.floor(nowMs / 1000) + m.skewSeconds) }), status: 401 };
      case 'odd_timestamp':
        return { delivery: sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs, ts: m.ts }), status: 401 };
      case 'wrong_token': {
        const forged = { ...event, header: { ...header } } as Record<string, unknown>;
        const h2 = forged['header'] as Record<string, unknown>;
        if (m.token === undefined) delete h2['token'];
        else h2['token'] = m.token;
        return { delivery: sign(encrypted(forged, ENCRYPT_KEY, iv), { nowMs }), status: 401 };
      }
      case 'tamper_body': {
        const d = sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs });
        const cipher = (JSON.parse(d.rawBody) as { encrypt: string }).encrypt;
        if (m.how === 'flip_cipher') {
          const data = cipher.replace(/=+$/, '');
          const i = m.index % data.length;
          const replacement = BASE64[(BASE64.indexOf(data[i]!) + 1 + (m.index % 63)) % 64]!;
          d.rawBody = JSON.stringify({ encrypt: cipher.slice(0, i) + replacement + cipher.slice(i + 1) });
        } else if (m.how === 'reformat') {
          d.rawBody = JSON.stringify({ encrypt: cipher }, null, 1 + (m.index % 4));
        } else if (m.how === 'extra_key') {
          d.rawBody = JSON.stringify({ encrypt: cipher, [`k${m.index % 10}`]: m.index });
        } else {
          d.rawBody += [' ', '\n', '\t', '\r\n'][m.index % 4]!;
        }
        return { delivery: d, status: 401 };
      }
      case 'wrong_encrypt_key':
        return { delivery: sign(encrypted(event, m.key, iv), { nowMs }), status: 401 };
      case 'wrong_sign_key':
        return { delivery: sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs, key: m.key }), status: 401 };
      case 'plain_unsigned':
        return { delivery: { rawBody: JSON.stringify(event), headers: { 'content-type': 'application/json' } }, status: 401 };
      case 'unknown_event': {
        const other = { ...event, header: { ...header, event_type: m.eventType } };
        // an event type we do not handle is acknowledged (200 {}) and ignored; an empty one is unreadable
        return { delivery: sign(encrypted(other, ENCRYPT_KEY, iv), { nowMs }), status: m.eventType === '' ? 400 : 200 };
      }
      case 'schema_v1': {
        const v1 = { uuid: randomUUID(), token: VERIFICATION_TOKEN, ts: String(nowMs / 1000), type: 'event_callback', event: { type: 'message', tenant_key: TENANT_KEY, text: '设为督查群' } };
        return { delivery: sign(encrypted(v1, ENCRYPT_KEY, iv), { nowMs }), status: 200 };
      }
      case 'malformed_event': {
        const broken = { ...event, header: { ...header, event_type: m.eventType }, event: m.event };
        return { delivery: sign(encrypted(broken, ENCRYPT_KEY, iv), { nowMs }), status: 400 };
      }
    }
  }

  it(
    'refuses it (401, or 400 when unreadable), or acknowledges an event type it does not handle with 200 {}; nothing changes',
    async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(mutation, iv16, async (m, iv) => {
          seen.add(m.kind);
          const chatId = `oc_mutated_${randomUUID()}`;
          const { delivery, status } = mutated(m, bindGroupEvent(h, chatId, inspector), iv);
          const before = snapshot(h.server);
          const mark = h.logEntries().length;
          const res = await postRaw(h, delivery.rawBody, delivery.headers);
          expect({ kind: m.kind, status: res.status }).toEqual({ kind: m.kind, status });
          const json = jsonOf(res.text);
          if (status === 200) expect(json).toEqual({});
          else expect(json).toHaveProperty('error');
          expect(changedTables(before, snapshot(h.server))).toEqual([]);
          expect(countRows(h.server, 'chat_bindings', 'where chat_id = ?', chatId)).toBe(0);
          expect(breakages(h.server, mark)).toEqual([]);
        }),
        { numRuns: 150 },
      );
      expect(seen.size).toBeGreaterThanOrEqual(10);
      expect(await healthz(h.server)).toBe(200);
    },
    TEST_TIMEOUT,
  );

  it(
    'control: the same delivery unmutated, within the 300 s window either way, is accepted and binds the chat once',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: -290, max: 290 }), iv16, async (skewSeconds, iv) => {
          const chatId = `oc_control_${randomUUID()}`;
          const event = bindGroupEvent(h, chatId, inspector);
          const delivery = sign(encrypted(event, ENCRYPT_KEY, iv), { nowMs: h.now + skewSeconds * 1000 });
          const res = await postRaw(h, delivery.rawBody, delivery.headers);
          expect(res.status).toBe(200);
          expect(jsonOf(res.text)).toEqual({});
          expect(countRows(h.server, 'chat_bindings', 'where chat_id = ?', chatId)).toBe(1);
        }),
        { numRuns: 10 },
      );
    },
    TEST_TIMEOUT,
  );
});

// =============================================================================================

/** A valid intake form: 服务态度 at 分诊台, for the next leader in turn, by 2026-11-26. */
function validIntake(leader: Person = nextLeader()): Record<string, unknown> {
  return { category: '服务态度', description: '分诊台护士态度生硬', area: '分诊台', leader: leader.openId, deadline_date: GOOD_DEADLINE };
}

/** Binds every supervision group (the inspector, first to speak, becomes admin). */
async function bindGroups(h: FeishuHarness): Promise<void> {
  for (const group of groups) await h.say(inspector, group, `@${BOT_NAME} 设为督查群`);
  expect(countRows(h.server, 'chat_bindings')).toBe(groups.length);
}

/** Sends 督查 in the next supervision group and returns the intake form the bot answers with. */
async function openIntake(h: FeishuHarness): Promise<{ messageId: string; submit: Record<string, unknown> }> {
  const group = nextGroup();
  const before = h.cardsTo(group.id).length;
  await h.say(inspector, group, `@${BOT_NAME} 督查`);
  const sent = await waitFor(
    h,
    () => h.cardsTo(group.id).slice(before).find((m) => (m.content as FeishuCard).header.title.content === '督查登记'),
    'the intake form',
  );
  return { messageId: sent.messageId, submit: button(sent.content as FeishuCard, '提交并下发整改').value };
}

/** Files a valid finding and opens its leader's 签收整改 form on the leader's task card. */
async function openAcceptForm(h: FeishuHarness): Promise<{ leader: Person; messageId: string; submit: Record<string, unknown>; taskId: string }> {
  const leader = nextLeader();
  const intake = await openIntake(h);
  const before = h.cardsTo(leader.openId).length;
  const filed = await h.click(inspector, intake.messageId, intake.submit, validIntake(leader));
  expect(filed.body.toast?.type).toBe('success');
  const dm = await waitFor(
    h,
    () => h.cardsTo(leader.openId).slice(before).find((m) => buttonsOf(m.content as FeishuCard).some((b) => b.label === '签收整改')),
    `${leader.name}'s task card`,
  );
  const mode = await h.click(leader, dm.messageId, button(dm.content as FeishuCard, '签收整改').value);
  expect(mode.body.card).toBeDefined();
  const submit = button(mode.body.card!.data, '提交：签收整改').value;
  expect(submit['t']).toBeTypeOf('string');
  return { leader, messageId: dm.messageId, submit, taskId: submit['t'] as string };
}

function taskRow(h: FeishuHarness, taskId: string) {
  return h.server.database.sqlite.prepare('select * from tasks where id = ?').get(taskId) as Record<string, unknown>;
}

describe('POST /webhooks/feishu with the same delivery more than once', () => {
  let h: FeishuHarness;
  beforeAll(async () => {
    h = await FeishuHarness.start();
    await bindGroups(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it(
    'a message delivered N times (byte for byte, or re-signed as Feishu retries; one after another or at once) acts once',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.constantFrom('identical', 're_signed'), fc.boolean(), async (copies, how, atOnce) => {
          const chatId = `oc_replay_${randomUUID()}`;
          const event = bindGroupEvent(h, chatId, inspector);
          const deliveryId = (event['header'] as { event_id: string }).event_id;
          const first = sign(encrypted(event), { nowMs: h.now });
          const deliveries = Array.from({ length: copies }, (_, i) => (how === 'identical' || i === 0 ? first : sign(encrypted(event), { nowMs: h.now + i * 1000 })));
          const before = { outbox: countRows(h.server, 'outbox'), bindings: countRows(h.server, 'chat_bindings'), deliveries: countRows(h.server, 'inbound_deliveries') };
          const mark = h.logEntries().length;
          const post = (d: Delivery) => postRaw(h, d.rawBody, d.headers);
          let answers: { status: number; text: string }[];
          if (atOnce) {
            answers = await Promise.all(deliveries.map(post));
          } else {
            answers = [];
            for (const d of deliveries) answers.push(await post(d));
          }
          await h.server.settle();
          for (const answer of answers) {
            expect(answer.status).toBe(200);
            expect(jsonOf(answer.text)).toEqual({});
          }
          expect(countRows(h.server, 'chat_bindings', 'where chat_id = ?', chatId)).toBe(1);
          expect(countRows(h.server, 'chat_bindings')).toBe(before.bindings + 1);
          expect(h.server.database.sqlite.prepare('select status from inbound_deliveries where delivery_id = ?').all(deliveryId)).toEqual([{ status: 'done' }]);
          expect(countRows(h.server, 'inbound_deliveries')).toBe(before.deliveries + 1);
          expect(countRows(h.server, 'outbox')).toBe(before.outbox + 1);
          const replies = await waitFor(h, () => (h.messagesTo(chatId).length > 0 ? h.messagesTo(chatId) : undefined), 'the reply');
          expect(replies).toHaveLength(1);
          expect(JSON.stringify(replies[0]!.content)).toContain('已设为督查群');
          expect(breakages(h.server, mark)).toEqual([]);
        }),
        { numRuns: 15 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'an intake form submit delivered N times files one finding; later copies get the same answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.boolean(), async (copies, atOnce) => {
          const intake = await openIntake(h);
          const eventId = `evt_replay_${randomUUID()}`;
          const before = { findings: countRows(h.server, 'findings'), tasks: countRows(h.server, 'tasks'), events: countRows(h.server, 'task_events') };
          const mark = h.logEntries().length;
          const click = () => h.click(inspector, intake.messageId, intake.submit, validIntake(), eventId);
          let answers: ClickResult[];
          if (atOnce) {
            answers = await Promise.all(Array.from({ length: copies }, click));
          } else {
            answers = [];
            for (let i = 0; i < copies; i++) answers.push(await click());
          }
          const success = answers.find((a) => a.body.toast?.type === 'success');
          expect(success).toBeDefined();
          expect(success!.body.toast!.content).toMatch(/^已登记第\d+号问题/);
          for (const answer of answers) {
            expect(answer.status).toBe(200);
            if (atOnce && answer.body.toast?.type === 'info') expect(answer.body.toast).toEqual(PROCESSING);
            else expect(answer.body).toEqual(success!.body);
          }
          // once it is done, a late copy gets the first answer again
          expect((await click()).body).toEqual(success!.body);
          expect(countRows(h.server, 'findings')).toBe(before.findings + 1);
          expect(countRows(h.server, 'tasks')).toBe(before.tasks + 1);
          expect(countRows(h.server, 'task_events')).toBe(before.events + 1);
          expect(countRows(h.server, 'inbound_deliveries', 'where delivery_id = ?', eventId)).toBe(1);
          expect(breakages(h.server, mark)).toEqual([]);
        }),
        { numRuns: 10 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'a task action (签收整改 with measures) delivered N times moves the task once; later copies get the same answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ''), async (copies, measures) => {
          const form = await openAcceptForm(h);
          const eventId = `evt_accept_${randomUUID()}`;
          const before = taskRow(h, form.taskId);
          const eventsBefore = countRows(h.server, 'task_events', 'where task_id = ?', form.taskId);
          const answers: ClickResult[] = [];
          for (let i = 0; i < copies; i++) answers.push(await h.click(form.leader, form.messageId, form.submit, { measures }, eventId));
          expect(answers[0]!.body.toast).toEqual({ type: 'success', content: '已签收，请按整改措施推进整改。' });
          for (const answer of answers) {
            expect(answer.status).toBe(200);
            expect(answer.body).toEqual(answers[0]!.body);
          }
          expect(taskRow(h, form.taskId)).toMatchObject({ state: 'in_progress', version: (before['version'] as number) + 1, measures: measures.trim() });
          expect(countRows(h.server, 'task_events', 'where task_id = ?', form.taskId)).toBe(eventsBefore + 1);
        }),
        { numRuns: 6 },
      );
    },
    TEST_TIMEOUT,
  );
});

// =============================================================================================

describe('card callbacks with random form values and random button values', () => {
  let h: FeishuHarness;
  beforeAll(async () => {
    h = await FeishuHarness.start();
    await bindGroups(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** One click, with the checks every answer must pass; returns the answer and the state before it. */
  async function submit(person: Person, messageId: string, value: unknown, form: Record<string, unknown>) {
    const before = snapshot(h.server);
    const deliveriesBefore = countRows(h.server, 'inbound_deliveries');
    const mark = h.logEntries().length;
    const result = await h.click(person, messageId, value, form);
    expect(result.status).toBe(200);
    expect(result.body.toast?.content).toMatch(HAN);
    expect(result.body.toast?.content).not.toBe(SYSTEM_BUSY);
    expect(countRows(h.server, 'inbound_deliveries')).toBe(deliveriesBefore + 1);
    expect(breakages(h.server, mark)).toEqual([]);
    return { result, before };
  }

  const where = fc.constantFrom('task_card', 'unknown_message');
  const operator = fc.oneof(fc.constant(outsider), fc.string({ minLength: 1, maxLength: 40 }).map((id): Person => ({ openId: `ou_${id}`, name: 'x' })));

  const intakeForm = fc.record({
    description: fieldValue,
    category: fc.oneof(fc.constantFrom(...STANDARD_CATEGORIES, OTHER_CATEGORY), fieldValue),
    category_custom: fieldValue,
    area: fieldValue,
    // mostly left empty, as people do
    department_new: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fieldValue, weight: 1 }),
    department: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: fieldValue, weight: 1 }),
    extra: extraFields,
  });

  it(
    'an intake form with random values: a Chinese error and nothing filed, or filed with the text exactly as sent',
    async () => {
      let intake: { messageId: string; submit: Record<string, unknown> } | null = null;
      let filed = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(intakeForm, async ({ extra, ...fields }) => {
          intake ??= await openIntake(h);
          const form = overTheWire({ ...extra, leader: nextLeader().openId, deadline_date: GOOD_DEADLINE, ...fields });
          const { valid, description, category, newName, area } = intakePromise(form);

          const findingsBefore = countRows(h.server, 'findings');
          const { result, before } = await submit(inspector, intake.messageId, intake.submit, form);
          if (!valid) {
            refused++;
            expectChineseError(result.body);
            expect(changedTables(before, snapshot(h.server), ['inbound_deliveries'])).toEqual([]);
            return;
          }
          filed++;
          intake = null; // this form is used up
          expect(result.body.toast).toEqual({ type: 'success', content: expect.stringMatching(/^已登记第\d+号问题，已通知责任领导。$/) });
          expect(countRows(h.server, 'findings')).toBe(findingsBefore + 1);
          const row = h.server.database.sqlite
            .prepare('select f.description, f.category, f.area, d.name department from findings f left join departments d on d.id = f.department_id order by f.number desc limit 1')
            .get() as { description: string; category: string; area: string; department: string | null };
          expect(row.description).toBe(description);
          expect(row.category).toBe(category);
          if (newName) expect(row.department).toBe(newName);
          // 督查区域 longer than its 100-character limit is cut: the next property checks how
          const storedArea = area || newName;
          if (storedArea.length <= 100) expect(row.area).toBe(storedArea);
          else expect(row.area.length).toBeGreaterThan(0);
        }),
        {
          numRuns: 100,
          examples: [
            [{ description: "'; drop table tasks; --", category: '服务态度', category_custom: undefined, area: '分诊台', department_new: undefined, department: undefined, extra: {} }],
            [{ description: '  问题  ', category: OTHER_CATEGORY, category_custom: '  医疗废物  ', area: ['门诊大厅', '急诊'], department_new: undefined, department: undefined, extra: {} }],
          ],
        },
      );
      expect(filed).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'intake text at the edge of its documented limit (主要问题 1000, 其他类别 20, 新科室 50) is filed up to the limit and refused past it',
    async () => {
      const limits = { description: 1000, category_custom: 20, department_new: 50 } as const;
      const atTheEdge = fc
        .constantFrom(...(Object.keys(limits) as (keyof typeof limits)[]))
        .chain((field) => edgeText(limits[field]).map((text) => ({ field, text })));
      let intake: { messageId: string; submit: Record<string, unknown> } | null = null;
      await fc.assert(
        fc.asyncProperty(atTheEdge, async ({ field, text }) => {
          intake ??= await openIntake(h);
          const form: Record<string, unknown> = { ...validIntake(), [field]: text };
          if (field === 'category_custom') form['category'] = OTHER_CATEGORY;
          const trimmed = text.trim();
          const { result, before } = await submit(inspector, intake.messageId, intake.submit, form);
          if (trimmed.length > limits[field]) {
            expectChineseError(result.body);
            expect(result.body.toast?.content).toContain(`不超过${limits[field]}字`);
            expect(changedTables(before, snapshot(h.server), ['inbound_deliveries'])).toEqual([]);
            return;
          }
          intake = null;
          expect(result.body.toast?.type).toBe('success');
          const row = h.server.database.sqlite
            .prepare('select f.description, f.category, d.name department from findings f left join departments d on d.id = f.department_id order by f.number desc limit 1')
            .get() as { description: string; category: string; department: string | null };
          expect(field === 'description' ? row.description : field === 'category_custom' ? row.category : row.department).toBe(trimmed);
        }),
        { numRuns: 40 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'a 督查区域 longer than its 100-character limit is stored cut to a well-formed prefix of what was sent',
    async () => {
      const longArea = fc
        .tuple(
          fc.integer({ min: 94, max: 100 }),
          fc.constantFrom('区', 'a', '诊'),
          fc.array(fc.constantFrom('😀', '𠀀', '🏥', '👩‍⚕️', '区'), { minLength: 1, maxLength: 6 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
        )
        .map(([n, filler, middle, tail]) => filler.repeat(n) + middle.join('') + tail)
        .filter((area) => area.length > 100);
      await fc.assert(
        fc.asyncProperty(longArea, async (area) => {
          const intake = await openIntake(h);
          const { result } = await submit(inspector, intake.messageId, intake.submit, { ...validIntake(), area });
          expect(result.body.toast?.type).toBe('success');
          const stored = (h.server.database.sqlite.prepare('select area from findings order by number desc limit 1').get() as { area: string }).area;
          expect(LONE_SURROGATE.test(stored)).toBe(false);
          expect(area.startsWith(stored), `stored ${JSON.stringify(stored.slice(-4))} is not a prefix of what was sent`).toBe(true);
          expect(stored.length).toBeGreaterThanOrEqual(99);
          expect(stored.length).toBeLessThanOrEqual(100);
        }),
        { numRuns: 15, examples: [[`${'区'.repeat(99)}😀尾`]] },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'an intake form without a usable 责任领导 or 整改完成时间 is refused in Chinese, naming the field, and files nothing',
    async () => {
      const intake = await openIntake(h);
      const blank = fc.oneof(fc.constant(undefined), whitespaceOnly, wrongType);
      const badDeadline = fc.oneof(
        blank,
        fc.constantFrom('2020-01-01', '2026-11-22', '2027-12-31', '2026-02-30', '2026-13-01', '明年', '下下周', 'tomorrow', '3 working days', '1e3'),
        fc.string({ maxLength: 60 }).filter((s) => /[a-z]/i.test(s)),
        longText.filter((s) => /[a-z]/i.test(s)),
      );
      const broken = fc.oneof(
        fc.record({ field: fc.constant('leader' as const), leader: blank }),
        fc.record({ field: fc.constant('deadline' as const), date: badDeadline, text: fc.option(badDeadline, { nil: undefined }) }),
      );
      await fc.assert(
        fc.asyncProperty(broken, async (b) => {
          const form = validIntake();
          if (b.field === 'leader') form['leader'] = b.leader;
          else {
            form['deadline_date'] = b.date;
            form['deadline_text'] = b.text;
          }
          const { result, before } = await submit(inspector, intake.messageId, intake.submit, overTheWire(form));
          expectChineseError(result.body);
          expect(result.body.toast?.content).toContain(b.field === 'leader' ? '责任领导' : '整改完成时间');
          expect(changedTables(before, snapshot(h.server), ['inbound_deliveries'])).toEqual([]);
        }),
        { numRuns: 50 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    '签收整改 with random measures: a Chinese error and no change, or accepted with the measures exactly as sent',
    async () => {
      let form: Awaited<ReturnType<typeof openAcceptForm>> | null = null;
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(fieldValue, edgeText(MAX_TEXT)), extraFields, async (measuresValue, extra) => {
          form ??= await openAcceptForm(h);
          const values = overTheWire({ ...extra, measures: measuresValue });
          const measures = readField(values['measures']);
          const valid = measures !== '' && measures.length <= MAX_TEXT;
          const task = taskRow(h, form.taskId);
          const { result, before } = await submit(form.leader, form.messageId, form.submit, values);
          if (!valid) {
            refused++;
            expectChineseError(result.body);
            expect(result.body.toast?.content).toContain('整改措施');
            expect(changedTables(before, snapshot(h.server), ['inbound_deliveries'])).toEqual([]);
            return;
          }
          accepted++;
          const taskId: string = form.taskId;
          form = null; // this task is accepted now
          expect(result.body.toast).toEqual({ type: 'success', content: '已签收，请按整改措施推进整改。' });
          expect(taskRow(h, taskId)).toMatchObject({ state: 'in_progress', measures, version: (task['version'] as number) + 1 });
        }),
        { numRuns: 60 },
      );
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'a click whose value is not one of our button payloads gets a Chinese error toast and changes nothing',
    async () => {
      const task = await openAcceptForm(h);
      const asSent = strangeClickValues(task.taskId);
      await fc.assert(
        fc.asyncProperty(asSent, where, operator, extraFields, async (value, at, person, formValues) => {
          const messageId = at === 'task_card' ? task.messageId : `om_unknown_${randomUUID()}`;
          const { result, before } = await submit(person, messageId, value, formValues);
          expectChineseError(result.body);
          expect(changedTables(before, snapshot(h.server), ['inbound_deliveries'])).toEqual([]);
        }),
        { numRuns: 120 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'a card callback whose form_value is not an object is unreadable: 400, nothing recorded',
    async () => {
      const task = await openAcceptForm(h);
      // (NaN and ±Infinity are left out: JSON sends them as null, which is "no form")
      const notAnObject = fc.oneof(fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }), fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
      await fc.assert(
        fc.asyncProperty(notAnObject, async (formValue) => {
          const event = cardActionEvent({
            tenantKey: TENANT_KEY,
            operatorOpenId: task.leader.openId,
            messageId: task.messageId,
            value: task.submit,
            formValue: formValue as unknown as Record<string, unknown>,
            token: VERIFICATION_TOKEN,
          });
          const before = snapshot(h.server);
          const mark = h.logEntries().length;
          const { status, json } = await h.deliver(event);
          expect(status).toBe(400);
          expect(json).toMatchObject({ error: 'bad_event' });
          expect(changedTables(before, snapshot(h.server))).toEqual([]);
          expect(breakages(h.server, mark)).toEqual([]);
        }),
        { numRuns: 30 },
      );
      expect(taskRow(h, task.taskId)).toMatchObject({ state: 'pending' });
    },
    TEST_TIMEOUT,
  );
});
