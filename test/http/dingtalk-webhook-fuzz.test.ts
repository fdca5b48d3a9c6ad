// Property-based fuzzing of DingTalk's HTTP-mode routes — robot messages (POST /webhooks/dingtalk,
// /webhooks/dingtalk/:app) and card clicks (…/card) — on the real Node server (real SQLite file, the
// stub DingTalk Open API on 127.0.0.1). The Feishu routes have their own suite (webhook-fuzz.test.ts);
// what differs here is DingTalk's protocol: a signature over the timestamp alone, robot messages
// deduplicated by msgId, clicks that carry no delivery id, and answers given as the card's private
// `notice` instead of a toast. Whatever arrives: never a 5xx, never a crash, nothing changed by a
// request that is refused, and a refusal the caller can read.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_CATEGORY } from '../../cards/intake-form.js';
import { addChatApp } from '../../src/app/chat-apps.js';
import { SYSTEM_BUSY } from '../../src/app/error-text.js';
import { STANDARD_CATEGORIES } from '../../src/domain/model.js';
import { MAX_TEXT } from '../../src/domain/task-machine.js';
import { MAX_WEBHOOK_BYTES } from '../../src/http/app.js';
import { DINGTALK_MAX_SKEW_MS } from '../../src/platforms/dingtalk/verify.js';
import type { NodeServer } from '../../src/runtime/node.js';
import { startDingTalkWorld, type DingTalkWorld } from '../support/dingtalk-server.js';
import { startDingTalkStub, type DingTalkStub } from '../support/dingtalk-stub.js';
import { cardCallbackPayload, dingtalkSign, robotTextMessage, type CardCallbackPayload, type RobotMessagePayload } from '../support/dingtalk-webhook.js';
import {
  breakages,
  changedTables,
  countRows,
  edgeText,
  enc,
  extraFields,
  fieldValue,
  formText,
  HAN,
  headerValue,
  healthz,
  intakePromise,
  jsonOf,
  logEntries,
  overTheWire,
  postOverOwnConnection,
  pseudoRandomBytes,
  readField,
  strangeClickValues,
  snapshot,
} from '../support/fuzz-kit.js';

const TEMPLATE = 'duban-general.schema';
/** binds every group and files every finding: the first to bind a group becomes the tenant's admin */
const ADMIN = 'staff_fuzz_admin';
const OUTSIDER = 'staff_fuzz_outsider';
/** taken in turn: DingTalk allows 20 messages a minute to one chat, and each finding sends its leader a card */
const LEADERS = [0, 1, 2, 3, 4, 5].map((i) => `staff_fuzz_leader_${i}`);
let leaderTurn = 0;
const nextLeader = () => LEADERS[leaderTurn++ % LEADERS.length]!;
/** the second organisation's app, kept in the database and served on its own path */
const OTHER_APP = 'hospital-b';
const OTHER_CORP = 'dingfuzzothercorp';
const MAX = MAX_WEBHOOK_BYTES;
const TEST_TIMEOUT = 120_000;
const PROCESSING = { noticeType: 'info', notice: '正在处理，请稍候。' };

// ---------------------------------------------------------------------------------------------
// The world: our server, the stub DingTalk of the environment's app, and a second organisation's

interface World {
  dingtalk: DingTalkWorld;
  stub: DingTalkStub;
  server: NodeServer;
  other: DingTalkStub;
  /** the server's clock: fixed, so a signature made "now" stays fresh for the whole suite */
  now: number;
}

async function startWorld(): Promise<World> {
  const now = Date.now();
  const dingtalk = await startDingTalkWorld(() => now, TEMPLATE);
  const other = await startDingTalkStub({ appKey: 'dingfuzzotherapp01', appSecret: 'other-organisation-secret' });
  const world: World = { dingtalk, stub: dingtalk.stub, server: dingtalk.server, other, now };
  const added = await addChatApp(world.server.deps, { id: OTHER_APP, platform: 'dingtalk', appKey: other.appKey, appSecret: other.appSecret, baseUrl: other.baseUrl, oapiBaseUrl: other.baseUrl, cardTemplateId: TEMPLATE });
  expect(added).toMatchObject({ ok: true });
  // the other organisation's tenant exists, bound to its own app
  const theirs = robotTextMessage('设为督查群', { conversationId: 'cidFuzzOtherOrg', corpId: OTHER_CORP, senderStaffId: 'staff_other_admin', robotCode: other.appKey });
  expect((await post(world, `/webhooks/dingtalk/${OTHER_APP}`, JSON.stringify(theirs), signedHeaders(String(now), other.appSecret))).status).toBe(200);
  return world;
}

async function closeWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  await world.dingtalk.close();
  await world.other.close();
}

// ---------------------------------------------------------------------------------------------
// Posting, signed as DingTalk signs (test/support/dingtalk-webhook.ts, independently of src/)

function signedHeaders(timestamp: string, secret: string): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', timestamp, sign: dingtalkSign(timestamp, secret) };
}

async function post(world: World, path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${world.server.url}${path}`, { method: 'POST', headers, body } as RequestInit);
  const text = await res.text();
  await world.server.settle();
  return { status: res.status, text };
}

async function waitFor<T>(world: World, find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await world.server.settle();
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const bindMessage = (conversationId: string): RobotMessagePayload => robotTextMessage('设为督查群', { conversationId, senderStaffId: ADMIN });

/** A fresh group, bound as a supervision group by the admin; returns its conversation id. */
async function bindFreshGroup(world: World): Promise<string> {
  const conversationId = `cidFuzz${randomUUID().replace(/-/g, '')}`;
  const { status } = await post(world, '/webhooks/dingtalk', JSON.stringify(bindMessage(conversationId)), signedHeaders(String(world.now), world.stub.appSecret));
  expect(status).toBe(200);
  expect(countRows(world.server, 'chat_bindings', 'where chat_id = ?', conversationId)).toBe(1);
  return conversationId;
}

interface Intake {
  conversationId: string;
  outTrackId: string;
  /** the submit button's callback payload */
  payload: string;
}

/** 督查 in a freshly bound group (one form per group keeps within DingTalk's 20 a minute per chat). */
async function openIntake(world: World): Promise<Intake> {
  const conversationId = await bindFreshGroup(world);
  const ask = robotTextMessage('督查', { conversationId, senderStaffId: ADMIN });
  expect((await post(world, '/webhooks/dingtalk', JSON.stringify(ask), signedHeaders(String(world.now), world.stub.appSecret))).status).toBe(200);
  const card = await waitFor(
    world,
    () => [...world.stub.cards.values()].find((c) => c.spaces.some((s) => s.spaceId === conversationId) && c.params['form']),
    'the intake form',
  );
  const form = JSON.parse(card.params['form']!) as { submit: { payload: string } };
  return { conversationId, outTrackId: card.outTrackId, payload: form.submit.payload };
}

const validIntake = (leader = nextLeader()): Record<string, unknown> => ({
  area: '门诊大厅',
  category: '服务态度',
  description: '导诊台无人值守',
  leader,
  deadline_text: '3个工作日',
});

function clickPayload(userId: string, outTrackId: string, params: Record<string, unknown>, conversationId?: string): CardCallbackPayload {
  return cardCallbackPayload({ outTrackId, userId, params, space: conversationId ? { type: 'IM_GROUP', openConversationId: conversationId } : { type: 'IM_ROBOT' } });
}

interface CardAnswer {
  cardData?: { cardParamMap: Record<string, string> };
  userPrivateData?: { cardParamMap: { notice: string; noticeType: string } };
}

async function click(world: World, payload: CardCallbackPayload, timestamp = String(world.now)): Promise<{ status: number; answer: CardAnswer }> {
  const { status, text } = await post(world, '/webhooks/dingtalk/card', JSON.stringify(payload), signedHeaders(timestamp, world.stub.appSecret));
  return { status, answer: jsonOf(text) as CardAnswer };
}

const noticeOf = (answer: CardAnswer) => answer.userPrivateData?.cardParamMap;

function expectChineseError(answer: CardAnswer) {
  expect(noticeOf(answer)?.noticeType).toBe('error');
  expect(noticeOf(answer)?.notice).toMatch(HAN);
  expect(noticeOf(answer)?.notice).not.toBe(SYSTEM_BUSY);
}

/** The leader's 签收整改 form on a freshly filed finding's task card. */
async function openAcceptForm(world: World): Promise<{ leader: string; outTrackId: string; payload: string; taskId: string }> {
  const leader = nextLeader();
  const intake = await openIntake(world);
  const filed = await click(world, clickPayload(ADMIN, intake.outTrackId, { payload: intake.payload, ...validIntake(leader) }, intake.conversationId));
  expect(noticeOf(filed.answer)?.noticeType).toBe('success');
  const taskId = (world.server.database.sqlite.prepare('select id from tasks order by rowid desc limit 1').get() as { id: string }).id;
  const card = await waitFor(
    world,
    () => [...world.stub.cards.values()].find((c) => c.spaces.some((s) => s.spaceType === 'IM_ROBOT' && s.spaceId === leader) && c.params['buttons']?.includes(taskId)),
    `${leader}'s task card`,
  );
  const buttons = JSON.parse(card.params['buttons']!) as { text: string; payload: string }[];
  const mode = await click(world, clickPayload(leader, card.outTrackId, { payload: buttons.find((b) => b.text === '签收整改')!.payload }));
  const form = JSON.parse(mode.answer.cardData!.cardParamMap['form']!) as { submit: { payload: string } };
  return { leader, outTrackId: card.outTrackId, payload: form.submit.payload, taskId };
}

const taskRow = (world: World, taskId: string) => world.server.database.sqlite.prepare('select * from tasks where id = ?').get(taskId) as Record<string, unknown>;

// =============================================================================================

const ROUTES = ['/webhooks/dingtalk', '/webhooks/dingtalk/card', `/webhooks/dingtalk/${OTHER_APP}`, `/webhooks/dingtalk/${OTHER_APP}/card`] as const;
const appName = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,19}$/).filter((name) => name !== 'card' && name !== OTHER_APP);

describe('DingTalk routes with random requests', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => closeWorld(world));

  it(
    'answers random bodies and headers with 401 (nobody here can sign), 404 for an app that does not exist, and changes nothing',
    async () => {
      const nowMs = world.now;
      const dingTalkShaped = fc.oneof(
        fc.record({
          msgId: fc.string({ maxLength: 30 }),
          msgtype: fc.constantFrom('text', 'picture', 'file', 'richText', 'audio', ''),
          conversationId: fc.string({ maxLength: 30 }),
          conversationType: fc.constantFrom('1', '2', 2, ''),
          chatbotCorpId: fc.string({ maxLength: 20 }),
          senderStaffId: fc.oneof(fc.constant(ADMIN), fc.string({ maxLength: 20 })),
          senderId: fc.string({ maxLength: 30 }),
          text: fc.record({ content: fc.oneof(fc.constantFrom(' 设为督查群', ' 督查', ' 台账'), formText) }),
        }),
        fc.record({
          type: fc.constant('actionCallback'),
          outTrackId: fc.string({ maxLength: 30 }),
          userId: fc.oneof(fc.constant(ADMIN), fc.string({ maxLength: 20 })),
          corpId: fc.string({ maxLength: 20 }),
          content: fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 60 })),
        }),
      ).map((value) => JSON.stringify(value));
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }),
        fc.tuple(fc.integer({ min: 0, max: 64 * 1024 }), fc.integer()).map(([n, seed]) => pseudoRandomBytes(n, seed)),
        fc.json({ maxDepth: 4 }).map((s) => enc.encode(s)),
        fc.anything({ maxDepth: 3 }).map((v) => enc.encode(JSON.stringify(v) ?? '')),
        dingTalkShaped.map((s) => enc.encode(s)),
        fc.tuple(dingTalkShaped, fc.nat()).map(([s, n]) => enc.encode(s.slice(0, n % (s.length + 1)))),
      );
      const headers = fc
        .tuple(
          fc.record(
            {
              'content-type': fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'), headerValue),
              timestamp: fc.oneof(headerValue, fc.constant(String(nowMs)), fc.integer({ min: nowMs - 60_000, max: nowMs + 60_000 }).map(String)),
              sign: fc.oneof(fc.base64String({ minLength: 44, maxLength: 44 }), headerValue),
            },
            { requiredKeys: [] },
          ),
          fc.dictionary(fc.stringMatching(/^x-fuzz-[a-z0-9]{1,12}$/), headerValue, { maxKeys: 3 }),
        )
        .map(([dingtalk, extra]) => ({ ...extra, ...dingtalk }));
      const route = fc.oneof(fc.constantFrom(...ROUTES), fc.tuple(appName, fc.boolean()).map(([app, card]) => `/webhooks/dingtalk/${app}${card ? '/card' : ''}`));

      await fc.assert(
        fc.asyncProperty(route, body, headers, async (path, bytes, hdrs) => {
          const before = snapshot(world.server);
          const mark = logEntries(world.server).length;
          const { status, text } = await post(world, path, bytes, hdrs);
          const known = (ROUTES as readonly string[]).includes(path);
          expect(status).toBe(bytes.length > MAX ? 413 : known ? 401 : 404);
          const answer = jsonOf(text);
          expect(answer).toHaveProperty('error');
          if (status === 404) expect(answer['message']).toMatch(HAN);
          expect(changedTables(before, snapshot(world.server))).toEqual([]);
          expect(breakages(world.server, mark)).toEqual([]);
          expect(await healthz(world.server)).toBe(200);
        }),
        { numRuns: 150 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'answers a body over 256 KB with 413 on every DingTalk route, with or without Content-Length, even when it is correctly signed',
    async () => {
      const huge = fc.record({
        size: fc.oneof(fc.integer({ min: MAX + 1, max: 3 * MAX }), fc.integer({ min: MAX - 8, max: MAX + 8 })),
        path: fc.constantFrom(...ROUTES),
        signed: fc.boolean(),
        chunked: fc.boolean(),
      });
      let over = 0;
      let within = 0;
      await fc.assert(
        fc.asyncProperty(huge, async ({ size, path, signed, chunked }) => {
          // a correctly signed message that would bind a group if it got through, padded to the size;
          // each app's message names its own organisation
          const theirs = path.includes(OTHER_APP);
          const conversationId = `cidHuge${randomUUID()}`;
          const message = {
            ...(theirs ? robotTextMessage('设为督查群', { conversationId, corpId: OTHER_CORP, senderStaffId: ADMIN, robotCode: world.other.appKey }) : bindMessage(conversationId)),
            padding: '',
          };
          message.padding = 'a'.repeat(Math.max(0, size - enc.encode(JSON.stringify(message)).length));
          const bytes = enc.encode(JSON.stringify(message));
          const secret = theirs ? world.other.appSecret : world.stub.appSecret;
          const hdrs = signed ? signedHeaders(String(world.now), secret) : { 'content-type': 'application/json' };
          const before = snapshot(world.server);
          const mark = logEntries(world.server).length;
          const { status, text } = await postOverOwnConnection(world.server, path, bytes, hdrs, chunked);
          if (bytes.length > MAX) {
            over++;
            expect(status).toBe(413);
            expect(jsonOf(text)).toEqual({ error: 'body_too_large' });
            expect(changedTables(before, snapshot(world.server))).toEqual([]);
          } else {
            within++;
            // within the limit it is read: unsigned is refused, signed is a message (or, on a card route, not a click)
            expect(status).toBe(!signed ? 401 : path.endsWith('/card') ? 400 : 200);
          }
          expect(breakages(world.server, mark)).toEqual([]);
          expect(await healthz(world.server)).toBe(200);
        }),
        { numRuns: 30, examples: [[{ size: MAX + 1, path: '/webhooks/dingtalk', signed: true, chunked: true }], [{ size: MAX, path: '/webhooks/dingtalk', signed: true, chunked: false }]] },
      );
      expect(over).toBeGreaterThan(0);
      expect(within).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );
});

// =============================================================================================

type Mutation =
  | { kind: 'flip_sign'; index: number; delta: number }
  | { kind: 'drop_header'; header: 'timestamp' | 'sign' }
  | { kind: 'empty_sign' }
  | { kind: 'stale'; skewMs: number }
  | { kind: 'seconds' }
  | { kind: 'odd_timestamp'; timestamp: string }
  | { kind: 'wrong_secret'; secret: string }
  | { kind: 'other_apps_secret' }
  | { kind: 'sign_of_another_moment'; deltaMs: number }
  | { kind: 'unknown_app'; app: string }
  | { kind: 'other_organisation' }
  | { kind: 'not_an_object'; body: string }
  | { kind: 'missing_field'; index: number; value: unknown };

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const MESSAGE_FIELDS = ['msgId', 'msgtype', 'conversationId', 'conversationType', 'senderId'] as const;
const CLICK_FIELDS = ['outTrackId', 'userId', 'corpId', 'content'] as const;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip_sign' as const), index: fc.nat({ max: 43 }), delta: fc.integer({ min: 1, max: 63 }) }),
  fc.record({ kind: fc.constant('drop_header' as const), header: fc.constantFrom('timestamp' as const, 'sign' as const) }),
  fc.constant({ kind: 'empty_sign' as const }),
  fc.record({
    kind: fc.constant('stale' as const),
    skewMs: fc.oneof(
      fc.integer({ min: DINGTALK_MAX_SKEW_MS + 1, max: 10 * 365 * 86_400_000 }),
      fc.integer({ min: -10 * 365 * 86_400_000, max: -DINGTALK_MAX_SKEW_MS - 1 }),
      fc.constantFrom(DINGTALK_MAX_SKEW_MS + 1, -DINGTALK_MAX_SKEW_MS - 1, 86_400_000),
    ),
  }),
  fc.constant({ kind: 'seconds' as const }),
  fc.record({
    kind: fc.constant('odd_timestamp' as const),
    // what a header can carry (fetch trims it) that is not 10–16 digits
    timestamp: fc.oneof(headerValue, fc.constantFrom('1.7e12', '0x19ab', '-1', 'NaN', 'Infinity', '123456789', '12345678901234567', '+1764000000000')).filter((t) => !/^\d{10,16}$/.test(t.trim()) && t.trim() !== ''),
  }),
  fc.record({ kind: fc.constant('wrong_secret' as const), secret: fc.string({ maxLength: 40 }) }),
  fc.constant({ kind: 'other_apps_secret' as const }),
  fc.record({ kind: fc.constant('sign_of_another_moment' as const), deltaMs: fc.integer({ min: -DINGTALK_MAX_SKEW_MS, max: DINGTALK_MAX_SKEW_MS }).filter((d) => d !== 0) }),
  fc.record({ kind: fc.constant('unknown_app' as const), app: appName }),
  fc.constant({ kind: 'other_organisation' as const }),
  fc.record({
    kind: fc.constant('not_an_object' as const),
    body: fc.oneof(
      fc.constantFrom('', '{', '[]', 'null', '"设为督查群"', '42', '{"msgId":', 'true'),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 40 }).filter((s) => {
        try {
          const value: unknown = JSON.parse(s);
          return typeof value !== 'object' || value === null || Array.isArray(value);
        } catch {
          return true;
        }
      }),
    ),
  }),
  fc.record({ kind: fc.constant('missing_field' as const), index: fc.nat(), value: fc.constantFrom(undefined, null, 42, true, {}, []) }),
);

/** What the server must answer each mutation with, on the environment's routes. */
function expectedRefusal(m: Mutation): { status: number; error: string } {
  switch (m.kind) {
    case 'flip_sign':
    case 'wrong_secret':
    case 'other_apps_secret':
    case 'sign_of_another_moment':
      return { status: 401, error: 'bad_signature' };
    case 'drop_header':
    case 'empty_sign':
      return { status: 401, error: 'missing_headers' };
    case 'stale':
    case 'seconds':
    case 'odd_timestamp':
      return { status: 401, error: 'stale_timestamp' };
    case 'unknown_app':
      return { status: 404, error: 'unknown_app' };
    case 'other_organisation':
      return { status: 403, error: 'foreign_tenant' };
    case 'not_an_object':
      return { status: 400, error: 'bad_json' };
    case 'missing_field':
      return { status: 400, error: 'bad_event' };
  }
}

interface Request {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** The valid request with one thing wrong. */
function mutate(world: World, valid: { path: string; payload: Record<string, unknown> }, m: Mutation): Request {
  const timestamp = String(world.now);
  const secret = world.stub.appSecret;
  const body = JSON.stringify(valid.payload);
  const signed = (ts: string, key = secret): Request => ({ path: valid.path, body, headers: signedHeaders(ts, key) });
  const card = valid.path.endsWith('/card');
  switch (m.kind) {
    case 'flip_sign': {
      const request = signed(timestamp);
      const sign = request.headers['sign']!;
      const at = m.index % sign.length;
      const flipped = BASE64[(BASE64.indexOf(sign[at]!) + m.delta) % 64]!;
      request.headers['sign'] = sign.slice(0, at) + flipped + sign.slice(at + 1);
      return request;
    }
    case 'drop_header': {
      const request = signed(timestamp);
      delete request.headers[m.header];
      return request;
    }
    case 'empty_sign':
      return { ...signed(timestamp), headers: { ...signed(timestamp).headers, sign: '' } };
    case 'stale':
      return signed(String(world.now + m.skewMs));
    case 'seconds':
      return signed(String(Math.floor(world.now / 1000)));
    case 'odd_timestamp':
      return signed(m.timestamp);
    case 'wrong_secret':
      return signed(timestamp, m.secret === secret ? `${secret}x` : m.secret);
    case 'other_apps_secret':
      return signed(timestamp, world.other.appSecret);
    case 'sign_of_another_moment':
      return { ...signed(timestamp), headers: { ...signedHeaders(timestamp, secret), sign: dingtalkSign(String(world.now + m.deltaMs), secret) } };
    case 'unknown_app':
      return { ...signed(timestamp), path: `/webhooks/dingtalk/${m.app}${card ? '/card' : ''}` };
    case 'other_organisation': {
      const corpField = card ? 'corpId' : 'chatbotCorpId';
      return { ...signed(timestamp), body: JSON.stringify({ ...valid.payload, [corpField]: OTHER_CORP, senderCorpId: OTHER_CORP }) };
    }
    case 'not_an_object':
      return { ...signed(timestamp), body: m.body };
    case 'missing_field': {
      const fields: readonly string[] = card ? CLICK_FIELDS : MESSAGE_FIELDS;
      const field = fields[m.index % fields.length]!;
      // a click's content must be JSON holding an object: text that is not is as bad as no content
      const value = field === 'content' && m.value === undefined ? 'not json' : m.value;
      return { ...signed(timestamp), body: JSON.stringify({ ...valid.payload, [field]: value }) };
    }
  }
}

describe('DingTalk routes with a signed delivery that has one thing wrong', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await bindFreshGroup(world); // the admin is the tenant's admin from here on
  });
  afterAll(() => closeWorld(world));

  it(
    'refuses a robot message with the reason, changes nothing, and takes the same message once it is right',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          const conversationId = `cidFuzz${randomUUID().replace(/-/g, '')}`;
          const valid = { path: '/webhooks/dingtalk', payload: bindMessage(conversationId) as unknown as Record<string, unknown> };
          const request = mutate(world, valid, m);
          const before = snapshot(world.server);
          const mark = logEntries(world.server).length;
          const { status, text } = await post(world, request.path, request.body, request.headers);
          const expected = expectedRefusal(m);
          expect(status).toBe(expected.status);
          expect(jsonOf(text)['error']).toBe(expected.error);
          expect(changedTables(before, snapshot(world.server))).toEqual([]);
          expect(breakages(world.server, mark)).toEqual([]);
          // the refusal was for the one thing wrong: the message itself, signed properly, binds the group
          const right = await post(world, valid.path, JSON.stringify(valid.payload), signedHeaders(String(world.now), world.stub.appSecret));
          expect(right.status).toBe(200);
          expect(countRows(world.server, 'chat_bindings', 'where chat_id = ?', conversationId)).toBe(1);
        }),
        { numRuns: 120 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses an intake form submit (a card click) with the reason, files nothing, and files it once it is right',
    async () => {
      let intake: Intake | null = null;
      let run = 0;
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          run++;
          intake ??= await openIntake(world);
          const valid = { path: '/webhooks/dingtalk/card', payload: clickPayload(ADMIN, intake.outTrackId, { payload: intake.payload, ...validIntake() }, intake.conversationId) as unknown as Record<string, unknown> };
          const request = mutate(world, valid, m);
          const before = snapshot(world.server);
          const mark = logEntries(world.server).length;
          const { status, text } = await post(world, request.path, request.body, request.headers);
          const expected = expectedRefusal(m);
          expect(status).toBe(expected.status);
          expect(jsonOf(text)['error']).toBe(expected.error);
          expect(changedTables(before, snapshot(world.server))).toEqual([]);
          expect(breakages(world.server, mark)).toEqual([]);
          // fixing only what was wrong files the finding (every fourth run, to keep within DingTalk's send limits)
          if (run % 4 === 0) {
            const findings = countRows(world.server, 'findings');
            const right = await click(world, valid.payload as unknown as CardCallbackPayload);
            expect(noticeOf(right.answer)?.noticeType).toBe('success');
            expect(countRows(world.server, 'findings')).toBe(findings + 1);
            intake = null;
          }
        }),
        { numRuns: 80 },
      );
    },
    TEST_TIMEOUT,
  );
});

// =============================================================================================

describe('DingTalk deliveries that arrive more than once', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await bindFreshGroup(world);
  });
  afterAll(() => closeWorld(world));

  it(
    'a robot message delivered N times (byte for byte or re-signed; one after another or at once) acts once and is answered once',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.constantFrom('identical', 're_signed'), fc.boolean(), async (copies, how, atOnce) => {
          const conversationId = `cidReplay${randomUUID().replace(/-/g, '')}`;
          const message = bindMessage(conversationId);
          const body = JSON.stringify(message);
          const headers = Array.from({ length: copies }, (_, i) => signedHeaders(String(how === 'identical' ? world.now : world.now + i * 1000), world.stub.appSecret));
          const before = { bindings: countRows(world.server, 'chat_bindings'), deliveries: countRows(world.server, 'inbound_deliveries'), outbox: countRows(world.server, 'outbox') };
          const mark = logEntries(world.server).length;
          const send = (h: Record<string, string>) => post(world, '/webhooks/dingtalk', body, h);
          const answers = atOnce ? await Promise.all(headers.map(send)) : await headers.reduce<Promise<{ status: number; text: string }[]>>(async (done, h) => [...(await done), await send(h)], Promise.resolve([]));
          await world.server.settle();
          for (const answer of answers) {
            expect(answer.status).toBe(200);
            expect(jsonOf(answer.text)).toEqual({});
          }
          expect(countRows(world.server, 'chat_bindings')).toBe(before.bindings + 1);
          expect(world.server.database.sqlite.prepare('select status from inbound_deliveries where delivery_id = ?').all(message.msgId)).toEqual([{ status: 'done' }]);
          expect(countRows(world.server, 'inbound_deliveries')).toBe(before.deliveries + 1);
          expect(countRows(world.server, 'outbox')).toBe(before.outbox + 1);
          const replies = await waitFor(world, () => (world.stub.sentTo(conversationId).length > 0 ? world.stub.sentTo(conversationId) : undefined), 'the reply');
          expect(replies).toHaveLength(1);
          expect(JSON.stringify(replies[0]!.param)).toContain('督查群');
          expect(breakages(world.server, mark)).toEqual([]);
        }),
        { numRuns: 15 },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'an intake form submit delivered N times (HTTP clicks carry no delivery id) files one finding; every copy gets the same answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.boolean(), fc.boolean(), async (copies, atOnce, reSigned) => {
          const intake = await openIntake(world);
          const payload = clickPayload(ADMIN, intake.outTrackId, { payload: intake.payload, ...validIntake() }, intake.conversationId);
          const before = { findings: countRows(world.server, 'findings'), tasks: countRows(world.server, 'tasks'), events: countRows(world.server, 'task_events'), deliveries: countRows(world.server, 'inbound_deliveries') };
          const mark = logEntries(world.server).length;
          const send = (i: number) => click(world, payload, String(reSigned ? world.now + i * 1000 : world.now));
          const indexes = Array.from({ length: copies }, (_, i) => i);
          const answers = atOnce ? await Promise.all(indexes.map(send)) : await indexes.reduce<Promise<Awaited<ReturnType<typeof send>>[]>>(async (done, i) => [...(await done), await send(i)], Promise.resolve([]));
          const success = answers.find((a) => noticeOf(a.answer)?.noticeType === 'success');
          expect(success).toBeDefined();
          expect(noticeOf(success!.answer)?.notice).toMatch(/^已登记第\d+号问题/);
          for (const { status, answer } of answers) {
            expect(status).toBe(200);
            if (atOnce && noticeOf(answer)?.noticeType === 'info') expect(noticeOf(answer)).toEqual(PROCESSING);
            else expect(answer).toEqual(success!.answer);
          }
          // once it is done, a late copy gets the first answer again
          expect((await send(copies)).answer).toEqual(success!.answer);
          expect(countRows(world.server, 'findings')).toBe(before.findings + 1);
          expect(countRows(world.server, 'tasks')).toBe(before.tasks + 1);
          expect(countRows(world.server, 'task_events')).toBe(before.events + 1);
          expect(countRows(world.server, 'inbound_deliveries')).toBe(before.deliveries + 1);
          expect(breakages(world.server, mark)).toEqual([]);
        }),
        { numRuns: 8 },
      );
    },
    TEST_TIMEOUT,
  );
});

// =============================================================================================

describe('DingTalk card clicks with random inputs and random button payloads', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await bindFreshGroup(world);
  });
  afterAll(() => closeWorld(world));

  let clicks = 0;
  /**
   * One click, with the checks every answer must pass; returns the answer and the state before it.
   * Each carries an input no form has, numbering it: HTTP clicks are told apart by what they say, and
   * fast-check may draw the same inputs twice, which would be the same click (and answer) again.
   */
  async function submit(sent: { userId: string; outTrackId: string; inputs: Record<string, unknown>; conversationId?: string }) {
    const payload = clickPayload(sent.userId, sent.outTrackId, { ...sent.inputs, fuzz_click: ++clicks }, sent.conversationId);
    const before = snapshot(world.server);
    const deliveriesBefore = countRows(world.server, 'inbound_deliveries');
    const mark = logEntries(world.server).length;
    const result = await click(world, payload);
    expect(result.status).toBe(200);
    expect(noticeOf(result.answer)?.notice).toMatch(HAN);
    expect(noticeOf(result.answer)?.notice).not.toBe(SYSTEM_BUSY);
    // a click that acted is recorded under its name, so a retry replays its answer; one that was
    // refused is not (the refusal would answer the same click made later, when it may be allowed)
    expect(countRows(world.server, 'inbound_deliveries')).toBe(deliveriesBefore + (noticeOf(result.answer)?.noticeType === 'success' ? 1 : 0));
    expect(breakages(world.server, mark)).toEqual([]);
    return { answer: result.answer, before };
  }

  const intakeInputs = fc.record({
    description: fieldValue,
    category: fc.oneof(fc.constantFrom(...STANDARD_CATEGORIES, OTHER_CATEGORY), fieldValue),
    category_custom: fieldValue,
    area: fieldValue,
    department_new: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fieldValue, weight: 1 }),
    extra: extraFields,
  });

  it(
    'an intake form with random inputs: a Chinese notice and nothing filed, or filed with the text exactly as sent',
    async () => {
      let intake: Intake | null = null;
      let filed = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(intakeInputs, async ({ extra, ...fields }) => {
          intake ??= await openIntake(world);
          // `payload` last: an input named "payload" would otherwise take the button's place
          const inputs = overTheWire({ ...extra, leader: nextLeader(), deadline_text: '3个工作日', ...fields, payload: intake.payload });
          const { valid, description, category, newName, area } = intakePromise(inputs);
          const { answer, before } = await submit({ userId: ADMIN, outTrackId: intake.outTrackId, inputs, conversationId: intake.conversationId });
          if (!valid) {
            refused++;
            expectChineseError(answer);
            expect(changedTables(before, snapshot(world.server))).toEqual([]);
            return;
          }
          filed++;
          intake = null;
          expect(noticeOf(answer)).toEqual({ noticeType: 'success', notice: expect.stringMatching(/^已登记第\d+号问题，已通知责任领导。$/) });
          const row = world.server.database.sqlite
            .prepare('select f.description, f.category, f.area, d.name department from findings f left join departments d on d.id = f.department_id order by f.number desc limit 1')
            .get() as { description: string; category: string; area: string; department: string | null };
          expect(row.description).toBe(description);
          expect(row.category).toBe(category);
          if (newName) expect(row.department).toBe(newName);
          const storedArea = area || newName;
          if (storedArea.length <= 100) expect(row.area).toBe(storedArea);
          else expect(row.area.length).toBeGreaterThan(0);
        }),
        { numRuns: 60 },
      );
      expect(filed).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );

  it(
    '签收整改 with random measures: a Chinese notice and no change, or accepted with the measures exactly as sent',
    async () => {
      let form: Awaited<ReturnType<typeof openAcceptForm>> | null = null;
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(fieldValue, edgeText(MAX_TEXT)), async (measuresValue) => {
          form ??= await openAcceptForm(world);
          const inputs = overTheWire({ measures: measuresValue, payload: form.payload });
          const measures = readField(inputs['measures']);
          const task = taskRow(world, form.taskId);
          const { answer, before } = await submit({ userId: form.leader, outTrackId: form.outTrackId, inputs });
          if (measures === '' || measures.length > MAX_TEXT) {
            refused++;
            expectChineseError(answer);
            expect(noticeOf(answer)?.notice).toContain('整改措施');
            expect(changedTables(before, snapshot(world.server))).toEqual([]);
            return;
          }
          accepted++;
          const { taskId } = form;
          form = null;
          expect(noticeOf(answer)).toEqual({ noticeType: 'success', notice: '已签收，请按整改措施推进整改。' });
          expect(taskRow(world, taskId)).toMatchObject({ state: 'in_progress', measures, version: (task['version'] as number) + 1 });
        }),
        { numRuns: 40 },
      );
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'a click whose payload is not one of our buttons (or names a task the clicker has no part in) gets a Chinese notice and changes nothing',
    async () => {
      const task = await openAcceptForm(world);
      const payload = strangeClickValues(task.taskId);
      // the task's leader may act on it: everyone else (an outsider, a random id) may not
      const clicker = fc.oneof(fc.constant(OUTSIDER), fc.stringMatching(/^[A-Za-z0-9_$:]{1,40}$/).filter((id) => id !== task.leader && id !== ADMIN));
      const where = fc.constantFrom('task_card', 'unknown_card');
      await fc.assert(
        fc.asyncProperty(payload, clicker, where, extraFields, async (value, userId, at, inputs) => {
          const outTrackId = at === 'task_card' ? task.outTrackId : `unknown_${randomUUID()}`;
          const { answer, before } = await submit({ userId, outTrackId, inputs: { ...inputs, payload: value } });
          expectChineseError(answer);
          expect(changedTables(before, snapshot(world.server))).toEqual([]);
        }),
        { numRuns: 120 },
      );
      expect(taskRow(world, task.taskId)).toMatchObject({ state: 'pending' });
    },
    TEST_TIMEOUT,
  );
});
