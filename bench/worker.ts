// npm run bench:worker — the Cloudflare Worker's two budgets (docs/BENCHMARKS.md, "Worker").
//
// 1. Bundle size. `wrangler deploy --dry-run` builds the Worker exactly as a deployment would
//    (wrangler.toml: minify, nodejs_compat, the define) and writes esbuild's metafile. The raw and
//    gzip sizes are measured here with node:zlib (default level, as wrangler does) and checked
//    against wrangler's own "Total Upload" line. Contributors, by top-level npm package or folder
//    of ours: minified bytes from the metafile (`bytesInOutput`), and each one's code, cut out of
//    worker.js with the source map, gzipped on its own (gzip is not additive: those add up to more
//    than the whole).
//
// 2. CPU time of one signed, encrypted card callback that changes a task (签收: accept, with
//    measures), in workerd through Miniflare, on a D1 database migrated by wrangler, with the
//    Feishu Open API played by the stub on 127.0.0.1. Tasks are filed through real signed
//    deliveries (设为督查群, then the intake form's submit), over ten tenants so that Feishu's
//    per-group send limit, which the bot honours, does not make the set-up slow. Callbacks go one
//    at a time; each is finished when its answer is in, the group notice it updates has been
//    PATCHed at the stub (the work the Worker does in waitUntil) and workerd has gone quiet.
//    a. The workerd process's CPU time: /proc/<pid>/task/*/schedstat (ns, all threads) around
//       each request, and /proc/<pid>/stat utime+stime (10 ms ticks) over the run less the idle
//       rate. It includes all workerd does here — HTTP, Miniflare's entry worker, D1's SQLite
//       and its Durable Object, V8's background threads — so it is an upper bound. GET /healthz
//       (one D1 query) measured the same way shows the fixed part.
//    b. The Worker isolate's own time, by the V8 CPU profiler (Chrome DevTools Protocol through
//       Miniflare's inspectorPort): JavaScript, the workerd APIs it calls (fetch, crypto, the D1
//       binding's own JS), GC — waitUntil work included, D1's SQLite and the runtime's HTTP not.
//       That is what Cloudflare bills as CPU time. workerd's sampler only samples while the
//       isolate runs, so each sample counts for its gap to the next, capped at the sampler's
//       period. Checked in the same run against a loop of known cost in a second worker: its CPU
//       time on workerd's main thread (without the profiler) against the profiler's figure.
//    A tail worker's TraceItem.cpuTime would be the platform's own figure, but workerd reports 0
//    locally (BENCH_WORKER_TAIL=1 shows it; off by default, as the tail costs CPU itself).
//
// BENCH_WORKER_CALLBACKS (300) callbacks per measure after BENCH_WORKER_WARMUP (30);
// BENCH_WORKER_SAMPLING_US (100): the profiler's interval; BENCH_WORKER_BUNDLE_ONLY=1: the bundle
// alone; BENCH_WORKER_PROFILE=<dir>: keep the .cpuprofile files (open them in Chrome DevTools);
// BENCH_WORKER_DEBUG=1: per-file times and a source-map check of the bundle table.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { startFeishuStub, type FeishuStub } from '../test/support/feishu-stub.js';
import { buildFeishuWebhookRequest, cardActionEvent, messageEvent } from '../test/support/feishu-webhook.js';

const ROOT = new URL('..', import.meta.url).pathname;
const N = Number(process.env['BENCH_WORKER_CALLBACKS'] ?? 300);
const WARMUP = Number(process.env['BENCH_WORKER_WARMUP'] ?? 30);
const TENANTS = 10;
const SAMPLING_US = Number(process.env['BENCH_WORKER_SAMPLING_US'] ?? 100);
/** BENCH_WORKER_TAIL=1 adds a tail worker to read workerd's own cpuTime (it costs CPU, so off by default) */
const TAIL = process.env['BENCH_WORKER_TAIL'] === '1';
const LEADERS = 97;
const ENCRYPT_KEY = 'bench-encrypt-key-0123456789';
const TOKEN = 'bench-verification-token';
const D1_ID = '00000000-0000-0000-0000-000000000000';
const GOAL_GZIP_BYTES = 1_000_000;
const GOAL_CPU_MS = 10;
const KiB = 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kib = (bytes: number) => `${fmt(bytes / KiB)} KiB`;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** the wrangler run under way, if any (stopped on Ctrl-C) */
let running: ChildProcess | null = null;

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child;
    child.once('exit', () => (running = null));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// Source maps: which source produced each stretch of worker.js

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Per generated line: segment start columns (UTF-16 units) and their source index (-1 = none). */
interface LineMap {
  columns: Int32Array;
  sources: Int32Array;
}

interface SourceMap {
  sources: string[];
  lines: LineMap[];
}

function decodeSourceMap(json: { sources: string[]; mappings: string }): SourceMap {
  const lines: LineMap[] = [];
  let source = 0;
  let columns: number[] = [];
  let sources: number[] = [];
  let field = 0;
  let column = 0;
  let value = 0;
  let shift = 0;
  let fields: number[] = [];
  const endSegment = () => {
    if (fields.length > 0) {
      column += fields[0]!;
      if (fields.length >= 4) source += fields[1]!;
      columns.push(column);
      sources.push(fields.length >= 4 ? source : -1);
    }
    fields = [];
    field = 0;
  };
  const endLine = () => {
    endSegment();
    lines.push({ columns: Int32Array.from(columns), sources: Int32Array.from(sources) });
    columns = [];
    sources = [];
    column = 0;
  };
  const m = json.mappings;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (c === 59 /* ; */) endLine();
    else if (c === 44 /* , */) endSegment();
    else {
      const digit = B64_VALUE[c]!;
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        fields[field++] = value & 1 ? -(value >>> 1) : value >>> 1;
        value = 0;
        shift = 0;
      }
    }
  }
  endLine();
  return { sources: json.sources, lines };
}

/** The source index covering a generated position (0-based line and column), or -1. */
function sourceAt(map: SourceMap, line: number, column: number): number {
  const l = map.lines[line];
  if (!l || l.columns.length === 0) return -1;
  let lo = 0;
  let hi = l.columns.length - 1;
  if (column < l.columns[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (l.columns[mid]! <= column) lo = mid;
    else hi = mid - 1;
  }
  return l.sources[lo]!;
}

/**
 * The top-level npm package a source belongs to (what it brings with it, e.g. exceljs's
 * pre-bundled dependencies count as exceljs), or our own folder (src/app, cards, db).
 */
function groupOf(source: string): string {
  const nm = source.indexOf('node_modules/');
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/');
    // drizzle-orm's own source maps point one folder too high, at node_modules/src/…
    if (parts[0] === 'src') return 'drizzle-orm';
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const own = /(?:^|\/)(src\/[^/]+|cards|db)\//.exec(source);
  if (own) return own[1]!;
  return source.replace(/^(\.\.\/)+/, '');
}
const isOwnCode = (group: string) => group === 'src' || group.startsWith('src/') || group === 'cards' || group === 'db';

// ---------------------------------------------------------------------------------------------
// 1. The bundle

interface BundleReport {
  dir: string;
  rawBytes: number;
  gzipBytes: number;
  wranglerLine: string;
  contributors: { group: string; minified: number; mapped: number; gzipAlone: number }[];
  ownMinified: number;
  ownGzipAlone: number;
  unmapped: number;
  map: SourceMap;
}

async function buildBundle(work: string): Promise<BundleReport> {
  const dir = join(work, 'bundle');
  const out = await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', dir, '--metafile', join(dir, 'meta.json')], { CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' });
  const wranglerLine = /Total Upload:[^\n]*/.exec(out)?.[0]?.trim() ?? '(wrangler printed no Total Upload line)';
  const code = readFileSync(join(dir, 'worker.js'), 'utf8');
  const raw = Buffer.byteLength(code, 'utf8');
  const gzip = gzipSync(Buffer.from(code, 'utf8')).byteLength;

  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const output = Object.entries(meta.outputs).find(([name]) => name.endsWith('worker.js'))?.[1];
  if (!output) throw new Error('the metafile has no worker.js output');
  const minified = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = groupOf(input);
    minified.set(group, (minified.get(group) ?? 0) + bytesInOutput);
  }

  // each group's code, cut out of worker.js by the source map, gzipped on its own
  const map = decodeSourceMap(JSON.parse(readFileSync(join(dir, 'worker.js.map'), 'utf8')) as { sources: string[]; mappings: string });
  const text = new Map<string, string[]>();
  let unmapped = 0;
  const codeLines = code.split('\n');
  codeLines.forEach((lineText, lineNo) => {
    const l = map.lines[lineNo];
    const starts = l ? Array.from(l.columns) : [];
    const srcs = l ? Array.from(l.sources) : [];
    const pieces: [number, number, number][] = [];
    if (starts.length === 0 || starts[0]! > 0) pieces.push([0, starts[0] ?? lineText.length, -1]);
    for (let i = 0; i < starts.length; i++) pieces.push([starts[i]!, starts[i + 1] ?? lineText.length, srcs[i]!]);
    for (const [from, to, src] of pieces) {
      if (to <= from) continue;
      const piece = lineText.slice(from, to);
      if (src < 0) {
        unmapped += Buffer.byteLength(piece);
        continue;
      }
      const group = groupOf(map.sources[src]!);
      const list = text.get(group) ?? [];
      list.push(piece);
      text.set(group, list);
    }
  });
  const contributors = [...minified.entries()]
    .map(([group, bytes]) => {
      const own = (text.get(group) ?? []).join('');
      return { group, minified: bytes, mapped: Buffer.byteLength(own), gzipAlone: gzipSync(Buffer.from(own, 'utf8')).byteLength };
    })
    .sort((a, b) => b.minified - a.minified);
  const own = contributors.filter((c) => isOwnCode(c.group));
  const ownText = [...text.entries()].filter(([g]) => isOwnCode(g)).map(([, pieces]) => pieces.join('')).join('');
  return {
    dir,
    rawBytes: raw,
    gzipBytes: gzip,
    wranglerLine,
    contributors,
    ownMinified: own.reduce((s, c) => s + c.minified, 0),
    ownGzipAlone: gzipSync(Buffer.from(ownText, 'utf8')).byteLength,
    unmapped,
    map,
  };
}

function printBundle(bundle: BundleReport): void {
  const wranglerGzipKiB = Number(/gzip:\s*([\d.]+)\s*KiB/.exec(bundle.wranglerLine)?.[1] ?? NaN);
  console.log('');
  console.log('## Bundle (wrangler deploy --dry-run, minified)');
  console.log(`wrangler: ${bundle.wranglerLine}`);
  console.log(`measured: worker.js ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip (node:zlib, level 6) — goal ≤ 1 MB gzip: ${bundle.gzipBytes <= GOAL_GZIP_BYTES ? 'met' : 'NOT met'}${Number.isFinite(wranglerGzipKiB) && Math.abs(wranglerGzipKiB - bundle.gzipBytes / KiB) > 1 ? ' (differs from wrangler!)' : ''}`);
  console.log('');
  console.log('| contributor | minified KiB | share | gzip alone KiB |');
  console.log('|---|---:|---:|---:|');
  for (const c of bundle.contributors.slice(0, 12)) console.log(`| ${c.group} | ${fmt(c.minified / KiB, 1)} | ${fmt((100 * c.minified) / bundle.rawBytes, 1)} % | ${fmt(c.gzipAlone / KiB, 1)} |`);
  const rest = bundle.contributors.slice(12);
  console.log(`| ${rest.length} others | ${fmt(rest.reduce((s, c) => s + c.minified, 0) / KiB, 1)} | ${fmt((100 * rest.reduce((s, c) => s + c.minified, 0)) / bundle.rawBytes, 1)} % | — |`);
  console.log(`| (of which our own code: src, cards, db) | ${fmt(bundle.ownMinified / KiB, 1)} | ${fmt((100 * bundle.ownMinified) / bundle.rawBytes, 1)} % | ${fmt(bundle.ownGzipAlone / KiB, 1)} |`);
  if (process.env['BENCH_WORKER_DEBUG']) for (const c of bundle.contributors.slice(0, 15)) console.log(`  ${c.group}: metafile ${c.minified}, source map ${c.mapped}`);
  console.log(`(bundler glue and whitespace not attributed to any source: ${kib(bundle.unmapped)})`);
}

// ---------------------------------------------------------------------------------------------
// 2. workerd's CPU time

/** The workerd process Miniflare started (a child of this process). */
function findWorkerd(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(workerd)') && Number(afterName[1]) === process.pid) return Number(entry);
    } catch {
      // the process went away meanwhile
    }
  }
  throw new Error('no workerd child process found');
}

/** CPU time on all of the process's threads, in nanoseconds (schedstat: time spent running). */
function threadsCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(`${tid} ${comm}`, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // gone
    }
  }
  return out;
}

function threadsCpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile (its time is still in utime+stime)
    }
  }
  return total;
}

/** CPU time of the process's main thread, where workerd runs every isolate, in nanoseconds. */
function mainThreadCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

/** utime + stime of the whole process, in milliseconds (10 ms resolution). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is state (field 3); utime and stime are fields 14 and 15
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Waits until workerd has used no CPU for `quietMs` (polled every millisecond or so). */
async function quiet(pid: number, quietMs = 4, timeoutMs = 2000): Promise<void> {
  const start = performance.now();
  let last = threadsCpuNs(pid);
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    await sleep(1);
    const now = threadsCpuNs(pid);
    if (now !== last) {
      last = now;
      since = performance.now();
    }
    if (performance.now() - start > timeoutMs) return;
  }
}

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

interface Sample {
  /** until the answer is in */
  wallMs: number;
  /** until the answer is in and the waitUntil work has reached the stub */
  doneMs: number;
  cpuMs: number;
  /** of which on workerd's main thread (where the isolates run; not V8's background compiler and GC threads) */
  mainMs: number;
}

interface Phase {
  samples: Sample[];
  /** utime+stime over the phase, less the idle rate over its duration, per request */
  statCpuPerRequestMs: number;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// The V8 profiler through the inspector

interface WsLike {
  on(event: 'message', listener: (data: Buffer) => void): void;
  once(event: 'open' | 'close', listener: () => void): void;
  once(event: 'error', listener: (error: Error) => void): void;
  send(data: string): void;
  close(): void;
}
type WsConstructor = new (url: string) => WsLike;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WsLike) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const WebSocket = createRequire(import.meta.url)('ws') as WsConstructor;
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new Inspector(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  close(): void {
    this.socket.close();
  }
}

interface ProfileSummary {
  /** the sampler's real period (median gap between samples), µs */
  periodUs: number;
  /** samples taken while the isolate was running (not idle) */
  busySamples: number;
  /** runs of samples with no gap longer than 5 periods: each may be off by up to one period */
  bursts: number;
  programMs: number;
  gcMs: number;
  jsMs: number;
  /** self time per package / our folder / runtime API, ms */
  byGroup: Map<string, number>;
  /** self time per source file, ms */
  byFile: Map<string, number>;
}

/**
 * workerd's V8 sampler only samples while the isolate is entered, so the gap after the last
 * sample of a burst runs on through the time the isolate waited (on D1, on fetch). Each sample
 * therefore counts for the gap to the next one, but never more than the sampler's own period.
 */
function summarise(profile: Profile, map: SourceMap, scriptUrl: (url: string) => boolean): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  // the gaps inside a burst; the asked interval plus up to 1 ms of the sampler's own latency
  const gaps = profile.timeDeltas.slice(1).filter((g) => g > 0 && g <= SAMPLING_US + 1000).sort((a, b) => a - b);
  const period = gaps[gaps.length >> 1] ?? SAMPLING_US;
  const summary: ProfileSummary = { periodUs: period, busySamples: 0, bursts: 0, programMs: 0, gcMs: 0, jsMs: 0, byGroup: new Map(), byFile: new Map() };
  const add = (into: Map<string, number>, key: string, ms: number) => into.set(key, (into.get(key) ?? 0) + ms);
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]!);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const gap = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1]! : period;
    if (gap > 5 * period) summary.bursts++;
    const ms = Math.min(Math.max(0, gap), period) / 1000;
    summary.busySamples++;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === '(program)') summary.programMs += ms;
    else if (functionName === '(garbage collector)') summary.gcMs += ms;
    else {
      summary.jsMs += ms;
      let group = url ? `workerd built-in module ${url}` : 'workerd APIs called from JS (fetch, Headers, URL, crypto, …)';
      let file = url || functionName;
      if (scriptUrl(url)) {
        const src = sourceAt(map, lineNumber, columnNumber);
        group = src >= 0 ? groupOf(map.sources[src]!) : '(bundle glue)';
        file = src >= 0 ? map.sources[src]!.replace(/^(\.\.\/)+/, '') : '(bundle glue)';
      }
      add(summary.byGroup, group, ms);
      add(summary.byFile, file, ms);
    }
  }
  return summary;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------

interface TaskHandle {
  taskId: string;
  version: number;
  leader: string;
  tenantKey: string;
  dmMessageId: string;
  noticeMessageId: string;
}

/** Finds, anywhere in a card, the payload of the button that opens a task's 签收 form. */
function findValue(node: unknown, match: (value: Record<string, unknown>) => boolean): Record<string, unknown> | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findValue(item, match);
      if (found) return found;
    }
    return null;
  }
  if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (match(record)) return record;
    for (const value of Object.values(record)) {
      const found = findValue(value, match);
      if (found) return found;
    }
  }
  return null;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'duban-bench-worker-'));
  let stub: FeishuStub | null = null;
  let mf: Miniflare | null = null;
  let inspector: Inspector | null = null;
  const workerLog: string[] = [];
  const stopWrangler = () => {
    // wrangler runs in a process group of its own (detached), so its children stop with it
    if (!running?.pid) return;
    try {
      process.kill(-running.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      stopWrangler();
      inspector?.close();
      await mf?.dispose().catch(() => undefined);
      await stub?.close().catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    })());
  // Miniflare ends workerd itself on a signal and then exits at once, so what must happen does so first
  const interrupted = () => {
    stopWrangler();
    rmSync(work, { recursive: true, force: true });
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // ---- 1. bundle
    const bundle = await buildBundle(work);
    console.log(`Duban Worker — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB; workerd via Miniflare ${createRequire(import.meta.url)('miniflare/package.json').version as string}`);
    printBundle(bundle);
    if (process.env['BENCH_WORKER_BUNDLE_ONLY'] === '1') {
      if (bundle.gzipBytes > GOAL_GZIP_BYTES) process.exitCode = 1;
      return;
    }

    // ---- 2. a migrated local D1, the stub, workerd
    const persist = join(work, 'state');
    mkdirSync(persist, { recursive: true });
    await run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { CI: '1', NO_COLOR: '1' });
    stub = await startFeishuStub();
    const inspectorPort = await freePort();
    mf = new Miniflare({
      inspectorPort,
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        for (const stream of [stdout, stderr]) stream.on('data', (chunk: Buffer) => workerLog.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
      },
      workers: [
        {
          name: 'duban',
          modules: true,
          modulesRoot: bundle.dir,
          scriptPath: join(bundle.dir, 'worker.js'),
          compatibilityDate: '2025-09-01',
          compatibilityFlags: ['nodejs_compat'],
          d1Databases: { DB: D1_ID },
          r2Buckets: ['BLOBS'],
          bindings: {
            FEISHU_APP_ID: stub.appId,
            FEISHU_APP_SECRET: stub.appSecret,
            FEISHU_BASE_URL: stub.baseUrl,
            FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
            FEISHU_VERIFICATION_TOKEN: TOKEN,
          },
          ...(TAIL ? { tails: ['tail'] } : {}),
        },
        {
          // a known amount of pure JavaScript per request, to check the profiler's figure against workerd's CPU time
          name: 'calibrate',
          modules: true,
          compatibilityDate: '2025-09-01',
          script: 'export default { fetch(request) { const n = Number(new URL(request.url).searchParams.get("n")); let x = 1; for (let i = 0; i < n; i++) x = (Math.imul(x, 31) + i) | 0; return new Response(String(x)); } };',
        },
        ...(TAIL
          ? [
              {
                // collects what workerd reports of each invocation (cpuTime, wallTime)
                name: 'tail',
                modules: true,
                compatibilityDate: '2025-09-01',
                script: 'const seen = []; export default { tail(events) { for (const e of events) seen.push({ cpuTime: e.cpuTime, wallTime: e.wallTime }); }, fetch() { return Response.json(seen.splice(0)); } };',
              },
            ]
          : []),
      ],
      d1Persist: join(persist, 'v3', 'd1'),
    });
    const url = await mf.ready;
    const pid = findWorkerd();
    const theStub = stub;

    const deliver = async (body: object): Promise<{ status: number; json: Record<string, unknown> }> => {
      const request = buildFeishuWebhookRequest({ body, encryptKey: ENCRYPT_KEY });
      const response = await fetch(new URL('/webhooks/feishu', url), { method: 'POST', headers: request.headers, body: request.rawBody });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    // ---- 3. tenants and tasks, through real signed deliveries
    const tenants = Array.from({ length: TENANTS }, (_, t) => ({ key: `bench_tenant_${t}`, group: `oc_bench_group_${t}`, inspector: `ou_inspector_${t}` }));
    for (const tenant of tenants) {
      const messageId = `om_bind_${tenant.key}`;
      theStub.noteUserMessage(messageId, tenant.group);
      const bound = await deliver(
        messageEvent({ tenantKey: tenant.key, messageId, chatId: tenant.group, senderOpenId: tenant.inspector, text: '@_user_1 设为督查群', mentions: [{ key: '@_user_1', openId: theStub.botOpenId, name: '督办' }], token: TOKEN }),
      );
      if (bound.status !== 200) throw new Error(`设为督查群 answered ${bound.status}`);
    }
    await waitFor('the 设为督查群 replies', () => tenants.every((t) => theStub.sent.some((m) => m.chatId === t.group)), 30_000);

    const totalTasks = WARMUP + 2 * N;
    const setupStart = performance.now();
    for (let i = 0; i < totalTasks; i++) {
      const tenant = tenants[i % TENANTS]!;
      const filed = await deliver(
        cardActionEvent({
          tenantKey: tenant.key,
          operatorOpenId: tenant.inspector,
          messageId: `om_intake_${i}`,
          chatId: tenant.group,
          value: { a: 'file_finding' },
          formValue: { area: '门诊大厅', category: '服务态度', description: `导诊台无人值守（压测 ${i}）`, leader: `ou_leader_${i % LEADERS}`, deadline_date: '2026-12-31 +0800' },
          token: TOKEN,
        }),
      );
      const toast = filed.json['toast'] as { type?: string; content?: string } | undefined;
      if (filed.status !== 200 || toast?.type !== 'success') throw new Error(`filing task ${i} answered ${filed.status} ${JSON.stringify(filed.json).slice(0, 300)}`);
    }
    const isNotice = (chatId: string) => chatId.startsWith('oc_bench_group_');
    await waitFor(
      `${totalTasks} task cards and ${totalTasks} group notices at the stub`,
      () => theStub.sent.filter((m) => m.msgType === 'interactive' && m.receiveId?.startsWith('ou_leader_')).length >= totalTasks && theStub.sent.filter((m) => m.msgType === 'interactive' && isNotice(m.chatId)).length >= totalTasks,
      300_000,
    );
    const setupMs = performance.now() - setupStart;

    const noticeByTask = new Map<string, string>();
    for (const m of theStub.sent) {
      if (m.msgType !== 'interactive' || !isNotice(m.chatId)) continue;
      const open = findValue(m.content, (v) => v['a'] === 'open' && typeof v['t'] === 'string');
      if (open) noticeByTask.set(open['t'] as string, m.messageId);
    }
    const tasks: TaskHandle[] = [];
    for (const m of theStub.sent) {
      if (m.msgType !== 'interactive' || !m.receiveId?.startsWith('ou_leader_')) continue;
      const mode = findValue(m.content, (v) => v['a'] === 'mode' && (v['x'] as Record<string, unknown> | undefined)?.['mode'] === 'accept');
      if (!mode) throw new Error(`task card ${m.messageId} has no 签收整改 button`);
      const taskId = mode['t'] as string;
      const notice = noticeByTask.get(taskId);
      if (!notice) throw new Error(`no group notice for task ${taskId}`);
      const tenantKey = tenants[Number(/oc_bench_group_(\d+)/.exec(theStub.sent.find((s) => s.messageId === notice)!.chatId)![1])]!.key;
      tasks.push({ taskId, version: mode['v'] as number, leader: m.receiveId, tenantKey, dmMessageId: m.messageId, noticeMessageId: notice });
    }
    if (tasks.length !== totalTasks) throw new Error(`expected ${totalTasks} task cards, found ${tasks.length}`);

    // ---- 4. the requests, one at a time
    const accept = async (task: TaskHandle): Promise<void> => {
      const answer = await deliver(
        cardActionEvent({
          tenantKey: task.tenantKey,
          operatorOpenId: task.leader,
          messageId: task.dmMessageId,
          value: { a: 'accept', t: task.taskId, v: task.version },
          formValue: { measures: '增加导诊人员，优化排班，每日巡查' },
          token: TOKEN,
        }),
      );
      const toast = answer.json['toast'] as { type?: string } | undefined;
      const card = answer.json['card'] as { type?: string } | undefined;
      if (answer.status !== 200 || toast?.type !== 'success' || card?.type !== 'raw') throw new Error(`accept of ${task.taskId} answered ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`);
    };
    const healthz = async (): Promise<void> => {
      const response = await fetch(new URL('/healthz', url));
      const body = (await response.json()) as { ok?: boolean };
      if (response.status !== 200 || body.ok !== true) throw new Error(`GET /healthz answered ${response.status}`);
    };

    let patchesSeen = 0;
    // with the profiler on, workerd never goes quiet (its sampler thread ticks): it settles for a fixed time instead
    let settle = (): Promise<void> => quiet(pid);
    /** one request: its answer, then (for a callback) the PATCH of the group notice, then quiet */
    const measureOne = async (send: () => Promise<void>, patchOf: string | null): Promise<Sample> => {
      await settle();
      const cpu0 = threadsCpuNs(pid);
      const main0 = mainThreadCpuNs(pid);
      const t0 = performance.now();
      await send();
      const wallMs = performance.now() - t0;
      if (patchOf) {
        const from = patchesSeen;
        await waitFor(`the PATCH of ${patchOf}`, () => theStub.patches.slice(from).some((p) => p.messageId === patchOf), 10_000);
        patchesSeen = theStub.patches.length;
      }
      const doneMs = performance.now() - t0;
      await settle();
      return { wallMs, doneMs, cpuMs: (threadsCpuNs(pid) - cpu0) / 1e6, mainMs: (mainThreadCpuNs(pid) - main0) / 1e6 };
    };

    // idle: what workerd burns doing nothing
    await quiet(pid, 50);
    await sleep(2000); // let the set-up's last outbox passes end
    await quiet(pid, 50);
    const idle0 = { stat: processCpuMs(pid), ns: threadsCpuNs(pid), t: performance.now() };
    await sleep(3000);
    const idleSeconds = (performance.now() - idle0.t) / 1000;
    const idleStatMsPerS = (processCpuMs(pid) - idle0.stat) / idleSeconds;
    const idleNsMsPerS = (threadsCpuNs(pid) - idle0.ns) / 1e6 / idleSeconds;

    const phase = async (requests: (() => Promise<Sample>)[]): Promise<Phase> => {
      await quiet(pid, 20);
      const stat0 = processCpuMs(pid);
      const t0 = performance.now();
      const samples: Sample[] = [];
      for (const request of requests) samples.push(await request());
      const durationMs = performance.now() - t0;
      const statCpu = processCpuMs(pid) - stat0 - (idleStatMsPerS * durationMs) / 1000;
      return { samples, statCpuPerRequestMs: statCpu / requests.length, durationMs };
    };

    patchesSeen = theStub.patches.length;
    let next = 0;
    const acceptRequest = () => {
      const task = tasks[next++]!;
      return () => measureOne(() => accept(task), task.noticeMessageId);
    };
    const healthRequest = () => () => measureOne(healthz, null);

    // warm-up: the isolate is loaded and the token fetched by the set-up; this warms the paths
    await phase(Array.from({ length: WARMUP }, acceptRequest));
    await phase(Array.from({ length: WARMUP }, healthRequest));
    const tail = TAIL ? await mf.getWorker('tail') : null;
    await tail?.fetch('http://tail/');
    const health = await phase(Array.from({ length: N }, healthRequest));
    const threads0 = threadsCpu(pid);
    const callbacks = await phase(Array.from({ length: N }, acceptRequest));
    const threads1 = threadsCpu(pid);
    const reported = tail ? ((await (await tail.fetch('http://tail/')).json()) as { cpuTime: number; wallTime: number }[]) : [];

    // ---- 5. the Worker's own JavaScript, by the V8 profiler
    inspector = await Inspector.connect(`ws://127.0.0.1:${inspectorPort}/core:user:duban`);
    await inspector.send('Profiler.enable');
    await inspector.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
    settle = () => sleep(10);
    const profiled = async (requests: (() => Promise<Sample>)[]) => {
      await quiet(pid, 20);
      await inspector!.send('Profiler.start');
      const result = await phase(requests);
      const { profile } = await inspector!.send<{ profile: Profile }>('Profiler.stop');
      if (process.env['BENCH_WORKER_PROFILE']) writeFileSync(join(process.env['BENCH_WORKER_PROFILE'], `worker-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      return { phase: result, summary: summarise(profile, bundle.map, (u) => u.endsWith('worker.js')) };
    };
    const profiledHealth = await profiled(Array.from({ length: N }, healthRequest));
    const profiledCallbacks = await profiled(Array.from({ length: N }, acceptRequest));
    await inspector.send('Profiler.disable');

    // ---- 5b. the check: a loop of known cost, by workerd's CPU time and by the profiler
    const calibrate = await mf.getWorker('calibrate');
    const loop = (n: number) => async () => {
      const response = await calibrate.fetch(`http://calibrate/?n=${n}`);
      await response.text();
    };
    const LOOP = 4_000_000;
    const CALIBRATION = 100;
    settle = () => quiet(pid);
    await phase(Array.from({ length: 10 }, () => () => measureOne(loop(LOOP), null)));
    const loopCpu = mean((await phase(Array.from({ length: CALIBRATION }, () => () => measureOne(loop(LOOP), null)))).samples.map((x) => x.mainMs));
    const emptyCpu = mean((await phase(Array.from({ length: CALIBRATION }, () => () => measureOne(loop(0), null)))).samples.map((x) => x.mainMs));
    const calibrationInspector = await Inspector.connect(`ws://127.0.0.1:${inspectorPort}/core:user:calibrate`);
    let loopProfiled: ProfileSummary;
    let loopMainProfiled: Phase;
    try {
      await calibrationInspector.send('Profiler.enable');
      await calibrationInspector.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
      settle = () => sleep(10);
      await calibrationInspector.send('Profiler.start');
      loopMainProfiled = await phase(Array.from({ length: CALIBRATION }, () => () => measureOne(loop(LOOP), null)));
      const { profile } = await calibrationInspector.send<{ profile: Profile }>('Profiler.stop');
      if (process.env['BENCH_WORKER_PROFILE']) writeFileSync(join(process.env['BENCH_WORKER_PROFILE'], `calibrate-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      loopProfiled = summarise(profile, bundle.map, () => false);
    } finally {
      calibrationInspector.close();
    }
    const loopByWorkerd = loopCpu - emptyCpu;
    const loopWithProfiler = mean(loopMainProfiled.samples.map((x) => x.mainMs)) - emptyCpu;
    const loopByProfiler = (loopProfiled.jsMs + loopProfiled.gcMs + loopProfiled.programMs) / CALIBRATION;

    // ---- 6. check: every accepted task is in progress, and nothing was left unsent
    const db = await mf.getD1Database('DB');
    const inProgress = (await db.prepare("select count(*) n from tasks where state = 'in_progress'").first<{ n: number }>())?.n ?? 0;
    const unsent = (await db.prepare("select count(*) n from outbox where status != 'sent'").first<{ n: number }>())?.n ?? 0;
    const problems = workerLog.filter((line) => /"level":"(warn|error)"/.test(line) || /error/i.test(line) && !line.startsWith('{'));

    // ---- report
    console.log('');
    console.log(`## CPU time per request (${N} each, one at a time, after ${WARMUP} warm-up; ${TENANTS} tenants, ${totalTasks} tasks filed through signed deliveries in ${fmt(setupMs / 1000, 1)} s)`);
    console.log(`workerd idle: ${fmt(idleNsMsPerS, 3)} ms CPU/s (threads), ${fmt(idleStatMsPerS, 3)} ms/s (utime+stime)`);
    console.log('');
    console.log('| request | answer p50 ms | answer p99 ms | notice updated p50 ms | workerd CPU mean ms | p50 | p99 | max | utime+stime per request ms |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    const row = (name: string, p: Phase, done: boolean) => {
      const wall = p.samples.map((x) => x.wallMs);
      const cpu = p.samples.map((x) => x.cpuMs);
      console.log(`| ${name} | ${fmt(quantile(wall, 0.5))} | ${fmt(quantile(wall, 0.99))} | ${done ? fmt(quantile(p.samples.map((x) => x.doneMs), 0.5)) : '—'} | ${fmt(mean(cpu))} | ${fmt(quantile(cpu, 0.5))} | ${fmt(quantile(cpu, 0.99))} | ${fmt(Math.max(...cpu))} | ${fmt(p.statCpuPerRequestMs)} |`);
    };
    row('GET /healthz (one D1 query)', health, false);
    row('signed, encrypted 签收 callback (answer + waitUntil PATCH)', callbacks, true);
    const net = mean(callbacks.samples.map((x) => x.cpuMs)) - mean(health.samples.map((x) => x.cpuMs));
    console.log('');
    console.log(`callback less /healthz (workerd): ${fmt(net)} ms`);
    const byThread = new Map<string, number>();
    for (const [thread, ns] of threads1) {
      const name = thread.slice(thread.indexOf(' ') + 1);
      byThread.set(name, (byThread.get(name) ?? 0) + (ns - (threads0.get(thread) ?? 0)) / 1e6 / N);
    }
    console.log(`workerd threads, per callback: ${[...byThread.entries()].filter(([, ms]) => ms >= 0.005).map(([name, ms]) => `${name} ${fmt(ms)} ms`).join(', ')}`);
    const s = profiledCallbacks.summary;
    const h = profiledHealth.summary;
    const busy = (x: ProfileSummary) => x.jsMs + x.gcMs + x.programMs;
    const profilerOverhead = mean(profiledCallbacks.phase.samples.map((x) => x.mainMs)) - mean(callbacks.samples.map((x) => x.mainMs));
    console.log('');
    console.log(`## The Worker isolate's own time per request (V8 CPU profiler, ${SAMPLING_US} µs asked, ${s.periodUs} µs got)`);
    console.log('| | callback ms | /healthz ms |');
    console.log('|---|---:|---:|');
    console.log(`| JavaScript (with the workerd APIs it calls) | ${fmt(s.jsMs / N)} | ${fmt(h.jsMs / N)} |`);
    console.log(`| garbage collection | ${fmt(s.gcMs / N)} | ${fmt(h.gcMs / N)} |`);
    console.log(`| (program): V8 and runtime work outside JS | ${fmt(s.programMs / N)} | ${fmt(h.programMs / N)} |`);
    console.log(`| **isolate busy** | **${fmt(busy(s) / N)}** | **${fmt(busy(h) / N)}** |`);
    // each burst of isolate work is over- or under-counted by less than one period, evenly either way
    const stdError = (x: ProfileSummary) => (x.periodUs / 1000) * Math.sqrt(x.bursts / 6) / N;
    console.log(`| ± sampling error of the mean (${fmt(s.bursts / N, 1)} / ${fmt(h.bursts / N, 1)} bursts of work per request) | ${fmt(stdError(s), 3)} | ${fmt(stdError(h), 3)} |`);
    console.log(`(while the profiler ran, workerd's main thread used ${fmt(profilerOverhead)} ms more CPU per callback)`);
    console.log(
      `check — a pure-JS loop in a second worker, per request: ${fmt(loopByWorkerd)} ms by the CPU time of workerd's main thread (less an empty request), ` +
        `${fmt(loopWithProfiler)} ms the same with the profiler on, ${fmt(loopByProfiler)} ms by the profiler (${fmt(loopByProfiler / loopByWorkerd)} × the first)`,
    );
    console.log('');
    console.log("| where the callback's isolate time goes (self time) | ms per callback | share |");
    console.log('|---|---:|---:|');
    const groups = [...s.byGroup.entries(), ['garbage collection', s.gcMs] as [string, number], ['(program)', s.programMs] as [string, number]].sort((a, b) => b[1] - a[1]);
    for (const [group, ms] of groups.slice(0, 12)) console.log(`| ${group} | ${fmt(ms / N)} | ${fmt((100 * ms) / busy(s), 1)} % |`);
    const ownMs = groups.filter(([g]) => isOwnCode(g)).reduce((sum, [, ms]) => sum + ms, 0);
    console.log(`| (of which our own code: src, cards, db) | ${fmt(ownMs / N)} | ${fmt((100 * ownMs) / busy(s), 1)} % |`);
    if (process.env['BENCH_WORKER_DEBUG']) {
      for (const [file, ms] of [...s.byFile.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${fmt(ms / N, 3)} ms  ${file}`);
    }
    console.log('');
    const reportedCpu = reported.map((r) => r.cpuTime);
    if (TAIL) console.log(`tail worker TraceItem.cpuTime over ${reported.length} invocations: ${reportedCpu.every((c) => c === 0) ? 'always 0 (workerd does not measure it locally)' : `mean ${fmt(mean(reportedCpu))} ms, p99 ${fmt(quantile(reportedCpu, 0.99))} ms`}`);
    console.log(`tasks in progress: ${inProgress} of ${totalTasks} accepted; outbox rows not sent: ${unsent}; worker warnings/errors logged: ${problems.length}`);
    for (const line of problems.slice(0, 5)) console.log(`  ${line.slice(0, 300)}`);
    const isolateMs = busy(s) / N;
    console.log('');
    console.log(`goal: bundle ≤ 1 MB gzip — ${kib(bundle.gzipBytes)}: ${bundle.gzipBytes <= GOAL_GZIP_BYTES ? 'met' : 'NOT met'}`);
    console.log(
      `goal: a callback well inside the free plan's ${GOAL_CPU_MS} ms CPU (read: at most half) — the Worker isolate ${fmt(isolateMs)} ms a callback, ${fmt((100 * isolateMs) / GOAL_CPU_MS, 0)} % of the limit ` +
        `(all of workerd, an upper bound: ${fmt(mean(callbacks.samples.map((x) => x.cpuMs)))} ms): ${isolateMs <= GOAL_CPU_MS / 2 ? 'met' : isolateMs < GOAL_CPU_MS ? 'NOT met (inside the limit, not well inside)' : 'NOT met (over the limit)'}`,
    );
    const ok = bundle.gzipBytes <= GOAL_GZIP_BYTES && isolateMs <= GOAL_CPU_MS / 2 && inProgress === totalTasks && unsent === 0 && problems.length === 0;
    if (!ok) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
