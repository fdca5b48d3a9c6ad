// What the webhook fuzz suites share (test/http/*-fuzz.test.ts): database snapshots that show
// whether a request changed anything, the server's health and breakages, raw posting, and the
// generators of awkward input. Platform-neutral: each suite signs and shapes its own deliveries.
import { request } from 'node:http';
import fc from 'fast-check';
import { expect } from 'vitest';
import { OTHER_CATEGORY } from '../../cards/intake-form.js';
import { TASK_ACTIONS } from '../../src/domain/permissions.js';
import type { NodeServer } from '../../src/runtime/node.js';
import type { memoryLogger } from '../../src/runtime/logger.js';

export const HAN = /[\u4e00-\u9fff]/;
export const LONE_SURROGATE = /\p{Cs}/u;

// ---------------------------------------------------------------------------------------------
// Database snapshots and server health

/**
 * Rows of these change in the background after a delivery (outbox status, card message ids) or
 * record the delivery itself, so they are compared by row count; every other table row by row.
 */
const COUNTED_ONLY = new Set(['inbound_deliveries', 'outbox', 'card_copies']);
export type Snapshot = Record<string, string>;

function tableNames(server: NodeServer): string[] {
  const rows = server.database.sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%drizzle%' order by name")
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

export function snapshot(server: NodeServer): Snapshot {
  const db = server.database.sqlite;
  const out: Snapshot = {};
  for (const table of tableNames(server)) {
    out[table] = COUNTED_ONLY.has(table)
      ? String(countRows(server, table))
      : JSON.stringify((db.prepare(`select * from "${table}"`).all() as unknown[]).map((row) => JSON.stringify(row)).sort());
  }
  return out;
}

/** The tables whose content differs between two snapshots. */
export function changedTables(before: Snapshot, after: Snapshot, ignore: readonly string[] = []): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((t) => !ignore.includes(t) && before[t] !== after[t]).sort();
}

export function countRows(server: NodeServer, table: string, where = '', ...params: unknown[]): number {
  return (server.database.sqlite.prepare(`select count(*) n from "${table}" ${where}`).get(...params) as { n: number }).n;
}

/** What the server logged when something broke: a 500, a delivery that threw, deferred work that threw. */
export function breakages(server: NodeServer, since: number) {
  return logEntries(server)
    .slice(since)
    .filter((e) => ['unhandled request error', 'delivery failed', 'deferred work failed'].includes(e.message));
}

export async function healthz(server: NodeServer): Promise<number> {
  const res = await fetch(`${server.url}/healthz`);
  await res.arrayBuffer();
  return res.status;
}

/** What the server logged (the suites start it with the in-memory logger). */
export function logEntries(server: NodeServer) {
  return (server.deps.log as ReturnType<typeof memoryLogger>).entries;
}


/**
 * Posts over a connection of its own with node:http, writing in 64 KB pieces, with a Content-Length
 * or chunked. (fetch is not used here: with a streamed body it may report "other side closed" instead
 * of the early 413, and it may reuse that half-written connection for the next request.)
 */
export function postOverOwnConnection(server: NodeServer, path: string, bytes: Uint8Array, headers: Record<string, string>, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${server.url}${path}`);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: chunked ? headers : { ...headers, 'content-length': String(bytes.length) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (piece: string) => (text += piece));
      res.on('end', () => void server.settle().then(() => resolve({ status: res.statusCode ?? 0, text }), reject));
      res.on('error', reject);
    });
    // the server may stop reading once the limit is passed; what counts is the answer it sent
    req.on('error', (error) => setTimeout(() => reject(error), 100));
    void (async () => {
      for (let i = 0; i < bytes.length; i += 64 * 1024) {
        if (!req.write(bytes.subarray(i, i + 64 * 1024))) await new Promise((drained) => req.once('drain', drained));
      }
      req.end();
    })().catch(() => undefined);
  });
}

export function jsonOf(text: string): Record<string, unknown> {
  const value = JSON.parse(text) as unknown;
  expect(value).toBeTypeOf('object');
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Generators

export const enc = new TextEncoder();

/** Deterministic filler bytes (fast-check would take long to draw hundreds of KB one by one). */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const printableAscii = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
export const headerValue = fc.string({ unit: printableAscii, maxLength: 100 });


/** SQL-ish, markup-ish and otherwise awkward text, all well-formed UTF-16. */
const awkward = fc.constantFrom(
  "'; drop table tasks; --",
  "Robert'); DROP TABLE findings;--",
  '" OR 1=1 --',
  "%' OR '1'='1",
  '\\\'; DELETE FROM tasks WHERE \'1\'=\'1',
  '\u0000',
  '\u0000督查\u0000',
  '\u200b',
  '\ufeff问题\ufeff',
  '\u202e反转文字',
  '👨‍👩‍👧‍👦 家庭',
  'e\u0301',
  '<at id=all></at>',
  '<at user_id="all">所有人</at>',
  '**粗体** [链接](http://127.0.0.1/)',
  '${process.env}',
  '{{x}}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  '\\u0000',
  '\r\n',
  '　全角空格　',
  '%s%s%n',
  '0',
);
export const whitespaceOnly = fc.constantFrom('', ' ', ' \t\n\r ', '\u3000', '\u00a0', '\ufeff', '\n\n');
const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 });
const lengths = fc.oneof(
  fc.constantFrom(0, 1, 19, 20, 21, 49, 50, 51, 99, 100, 101, 999, 1000, 1001, 4999, 5000),
  fc.integer({ min: 0, max: 5000 }),
);
/** `chunk` repeated, cut at a code point, so the length is `n` or `n + 1` (never a lone surrogate). */
function repeatTo(chunk: string, n: number): string {
  const points = Array.from(chunk);
  if (points.length === 0) return '';
  let out = '';
  for (let i = 0; out.length < n; i++) out += points[i % points.length]!;
  return out;
}
export const longText = fc.oneof(
  fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), lengths).map(([chunk, n]) => repeatTo(chunk, n)),
  fc.tuple(fc.constantFrom('a', '督', '😀', ' ', '\u0000', 'é', '\u3000', "'"), lengths).map(([c, n]) => repeatTo(c, n)),
);
export const padded = fc
  .tuple(whitespaceOnly, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), whitespaceOnly)
  .map(([a, s, b]) => a + s + b);
/** Text whose trimmed length is within a few UTF-16 units of `limit`, in one- and two-unit characters. */
export const edgeText = (limit: number) =>
  fc
    .tuple(fc.integer({ min: limit - 3, max: limit + 3 }), fc.constantFrom('a', '督', '😀', 'e\u0301', "'"), whitespaceOnly, whitespaceOnly)
    .map(([n, c, before, after]) => before + repeatTo(c, n) + after);
/** Form text: what a person could type, and what a person could not. Always well-formed UTF-16. */
export const formText = fc.oneof(
  awkward,
  whitespaceOnly,
  controlChars,
  padded,
  longText,
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
/** Values a form field never holds from Feishu (an array of strings is read as its first one). */
export const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.object({ maxDepth: 1 })), { maxLength: 3 }),
);
const stringArray = fc.array(formText, { minLength: 1, maxLength: 2 });
export const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: formText, weight: 7 },
  { arbitrary: wrongType, weight: 2 },
  { arbitrary: stringArray, weight: 1 },
);
export const extraFields = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

/** What the server reads from a form field (task-form.ts formString): a string, trimmed, or ''. */
export function readField(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0].trim();
  return '';
}

/** The form exactly as the server will see it after JSON. */
export const overTheWire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * What task-form.ts and file-finding.ts promise about an intake form's fields, whichever platform
 * sent it: the text each field yields, and whether the finding is filed (leader and deadline apart).
 */
export function intakePromise(form: Record<string, unknown>) {
  const description = readField(form['description']);
  const picked = readField(form['category']);
  const category = picked === OTHER_CATEGORY || !picked ? readField(form['category_custom']) : picked;
  const newName = readField(form['department_new']);
  const pickedId = readField(form['department']);
  const area = readField(form['area']);
  const valid =
    description !== '' &&
    description.length <= 1000 &&
    category !== '' &&
    category.length <= 20 &&
    newName.length <= 50 &&
    !(pickedId !== '' && newName === '') &&
    (newName !== '' || area !== '');
  return { valid, description, category, newName, area };
}

/**
 * What a card click may carry as its button value that is not one of our buttons, or is one of ours
 * on a task the clicker has no part in (`taskId`): as an object, as JSON text, or not at all. Every
 * one must get a Chinese error and change nothing.
 */
export function strangeClickValues(taskId: string): fc.Arbitrary<unknown> {
  const known = new Set<string>(['file_finding', 'mode', 'back', 'open', 'import_confirm', 'import_cancel', ...TASK_ACTIONS]);
  const badField = fc.oneof(
    fc.record({ t: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string()), fc.constant(''), fc.string({ minLength: 65, maxLength: 100 })) }),
    fc.record({ v: fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(0.5, 1.5, 1e-9), fc.string(), fc.constant(null), fc.boolean()) }),
    fc.record({
      x: fc.oneof(
        fc.string(),
        fc.integer(),
        fc.array(fc.string(), { maxLength: 2 }),
        fc.constant(null),
        fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.constant(null), fc.string({ minLength: 201, maxLength: 300 })), { minKeys: 1, maxKeys: 2 }),
      ),
    }),
    fc.record({ a: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null), fc.string({ minLength: 41, maxLength: 60 })) }),
  );
  const payload = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 3 }),
    formText,
    // not an action we have
    fc.record({ a: fc.string({ maxLength: 60 }).filter((a) => !known.has(a)), t: fc.string({ maxLength: 80 }), v: fc.nat(), x: fc.dictionary(fc.string(), fc.string()) }, { requiredKeys: ['a'] }),
    // one of ours, with a field of the wrong type or too long
    fc.tuple(fc.constantFrom(...known), badField).map(([a, bad]) => ({ a, ...bad })),
    // one of ours, on a task that does not exist
    fc.record({
      a: fc.constantFrom(...TASK_ACTIONS, 'mode', 'open', 'back'),
      t: fc.string({ minLength: 1, maxLength: 64 }),
      v: fc.option(fc.nat(), { nil: undefined }),
      x: fc.option(fc.dictionary(fc.constantFrom('mode', 'closure_kind', 'i'), fc.string({ maxLength: 20 })), { nil: undefined }),
    }),
    // the import buttons, without an import
    fc.record({ a: fc.constantFrom('import_confirm', 'import_cancel'), x: fc.option(fc.dictionary(fc.constantFrom('i', 'j'), fc.string({ maxLength: 200 })), { nil: undefined }) }),
    // a real task, clicked by someone who has no part in it
    fc.record({ a: fc.constantFrom(...TASK_ACTIONS), t: fc.constant(taskId), v: fc.option(fc.nat({ max: 5 }), { nil: undefined }) }),
  );
  // no value at all (undefined leaves action.value out of the JSON) is one of the cases
  return fc
    .tuple(fc.oneof(payload, fc.constant(undefined)), fc.boolean())
    .map(([value, stringify]) => (stringify && value !== undefined ? JSON.stringify(value) : value));
}
