// Boundary test (DESIGN.md §3): every room may reach only the rooms and packages its row allows.
// The RULES table below IS the documentation of the architecture; change it deliberately, in review.
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// A room is a folder (or one file) of the project. `platforms/<name>` is one room per platform.
type Room =
  | 'domain' | 'cards' | 'app' | 'store' | 'schema' | 'http' | 'jobs' | 'config' | 'runtime' | 'excel'
  | `platforms/${string}`;

interface Rule {
  /** Where the room lives (repo-relative; a folder, or a single file). */
  path: string;
  /** Rooms it may import from ('*' = anything). A room always needs itself listed to import itself. */
  rooms: readonly (Room | 'platforms/self')[] | '*';
  /** Packages it may import: 'pkg' allows 'pkg' and 'pkg/…'; 'pkg/*' allows subpaths only. */
  packages: readonly string[] | '*';
  /** The scan must find at least this many files here, so a broken walk cannot pass vacuously. */
  min: number;
  /** Node built-ins it may use though it is not runtime: only ones Workers has under nodejs_compat. */
  builtins?: readonly string[];
}

// Each platform's own SDK; a platform room may import only its own.
const PLATFORM_SDK: Record<string, string> = { feishu: '@larksuiteoapi/node-sdk', dingtalk: 'dingtalk-stream' };

const RULES: Record<'domain' | 'cards' | 'app' | 'platforms' | 'store' | 'schema' | 'http' | 'jobs' | 'config' | 'runtime' | 'excel', Rule> = {
  // Pure rules: no I/O, no clock, no framework.
  domain: { path: 'src/domain', rooms: ['domain'], packages: ['chinese-days', 'dayjs', 'zod'], min: 5 },
  // Pure views: view-model → neutral Card.
  cards: { path: 'cards', rooms: ['cards', 'domain'], packages: [], min: 3 },
  // Use cases + ports; talks to the world only through ports.
  app: { path: 'src/app', rooms: ['domain', 'app', 'cards'], packages: ['zod'], min: 8 },
  // Adapters per chat platform (+ their SDK, see PLATFORM_SDK); never another platform.
  platforms: { path: 'src/platforms', rooms: ['app', 'domain', 'cards', 'platforms/self'], packages: ['zod'], min: 3 },
  // Repositories over drizzle; the driver (better-sqlite3 / D1) belongs to runtime.
  store: { path: 'src/store', rooms: ['app', 'domain', 'schema', 'store'], packages: ['drizzle-orm'], min: 3 },
  // Drizzle tables only.
  schema: { path: 'db/schema', rooms: ['schema'], packages: ['drizzle-orm/*'], min: 2 },
  // Transport only: hono routes → platforms (verify/parse) → app.
  http: { path: 'src/http', rooms: ['app', 'platforms/*', 'config', 'domain', 'cards', 'http'], packages: ['hono'], min: 1 },
  // Spreadsheets: the Workbooks port over exceljs (ledger rows → .xlsx, .xlsx → text tables).
  // exceljs's streaming writer wants a Node stream; node:stream exists on Workers (nodejs_compat).
  excel: { path: 'src/excel', rooms: ['app', 'domain', 'excel'], packages: ['exceljs'], min: 2, builtins: ['node:stream'] },
  // Cron names → use cases.
  jobs: { path: 'src/jobs', rooms: ['app', 'domain', 'jobs'], packages: [], min: 1 },
  // Parsed once with zod at the entry and passed down.
  config: { path: 'src/config.ts', rooms: [], packages: ['zod'], min: 1 },
  // The only room that knows which runtime it is in.
  runtime: { path: 'src/runtime', rooms: '*', packages: '*', min: 2 },
};

// Outside src/runtime these are forbidden whatever the table says: they tie code to Node.
const NODE_ONLY_PACKAGES = ['better-sqlite3', '@hono/node-server'];
const NODE_GLOBALS: readonly [RegExp, string][] = [
  [/\bprocess\s*\.\s*(env|exit|exitCode|argv|stdout|stderr|stdin|cwd|platform|on|nextTick|hrtime|pid)\b/, 'process.* (Node global)'],
  [/\bBuffer\b/, 'Buffer (Node global; use Uint8Array / TextEncoder)'],
];

interface SourceFile { path: string; text: string }

/** The room of a repo-relative path ('src/config.js' and 'src/config' both land in config). */
function roomOf(path: string): Room | undefined {
  const noExt = path.replace(/\.[cm]?[jt]sx?$/, '').replace(/\.d$/, '');
  for (const [name, rule] of Object.entries(RULES)) {
    const base = rule.path.replace(/\.ts$/, '');
    if (noExt !== base && !path.startsWith(`${rule.path}/`)) continue;
    if (name !== 'platforms') return name as Room;
    const platform = path.slice(rule.path.length + 1).split('/')[0];
    return platform && path.includes('/', rule.path.length + 1) ? `platforms/${platform}` : undefined;
  }
  return undefined;
}

function ruleOf(room: Room): Rule {
  return room.startsWith('platforms/') ? RULES.platforms : RULES[room as Exclude<Room, `platforms/${string}`>];
}

function roomAllowed(from: Room, to: Room): boolean {
  const allowed = ruleOf(from).rooms;
  if (allowed === '*') return true;
  return allowed.some((r) =>
    r === to ||
    (r === 'platforms/self' && from === to) ||
    (r === 'platforms/*' && to.startsWith('platforms/')));
}

function packageAllowed(from: Room, spec: string): boolean {
  const rule = ruleOf(from);
  if (rule.packages === '*') return true;
  const extra = from.startsWith('platforms/') ? [PLATFORM_SDK[from.slice('platforms/'.length)] ?? []].flat() : [];
  return [...rule.packages, ...extra].some((p) =>
    p.endsWith('/*') ? spec.startsWith(p.slice(0, -1)) : spec === p || spec.startsWith(`${p}/`));
}

/** Every import specifier: import, import type, export … from, import(), require(). */
function importsOf(file: SourceFile): string[] {
  const info = ts.preProcessFile(file.text, true, true);
  return [...info.importedFiles, ...info.typeReferenceDirectives].map((f) => f.fileName);
}

/** Source text without comments (the printer drops them), so a comment may mention process.env. */
function codeOf(file: SourceFile): string {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return ts.createPrinter({ removeComments: true }).printFile(sf);
}

/** One line per violation: "file → 'import': reason". Empty when the architecture holds. */
function findViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = roomOf(file.path);
    if (!from) {
      out.push(`${file.path}: lies in no room; add its folder to RULES in test/boundary.test.ts`);
      continue;
    }
    const isRuntime = from === 'runtime';
    for (const spec of importsOf(file)) {
      const bad = (why: string) => out.push(`${file.path} → '${spec}': ${why}`);
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = posix.normalize(posix.join(posix.dirname(file.path), spec));
        const to = roomOf(target);
        // `duban demo` runs the scripted conversation against the stub platform that the tests use
        if (!to && isRuntime && target.startsWith('test/support/')) continue;
        if (!to) bad(`resolves to ${target}, outside every room`);
        else if (!roomAllowed(from, to)) bad(`${from} may not import ${to}`);
      } else if (ruleOf(from).builtins?.includes(spec)) {
        continue;
      } else if (!isRuntime && isBuiltin(spec)) {
        bad('Node built-in; only src/runtime may use it');
      } else if (!isRuntime && NODE_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) {
        bad('Node-only package; only src/runtime may use it');
      } else if (!packageAllowed(from, spec)) {
        bad(`package not allowed in ${from}`);
      }
    }
    if (isRuntime) continue;
    const code = codeOf(file);
    for (const [pattern, what] of NODE_GLOBALS) {
      const hit = pattern.exec(code);
      if (hit) out.push(`${file.path} → ${hit[0]}: ${what}; only src/runtime may use it`);
    }
  }
  return out;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function scan(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const dir of ['src', 'cards', 'db/schema']) {
    for (const entry of readdirSync(posix.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      const rel = posix.join(dir, entry.split('\\').join('/'));
      if (!/\.[cm]?tsx?$/.test(rel)) continue;
      files.push({ path: rel, text: readFileSync(posix.join(ROOT, rel), 'utf8') });
    }
  }
  return files;
}

describe('architecture boundaries', () => {
  const files = scan();

  it('finds enough files in every room (a broken scan must not pass vacuously)', () => {
    const counts: Record<string, number> = {};
    for (const f of files) {
      const room = roomOf(f.path) ?? '(none)';
      const key = room.startsWith('platforms/') ? 'platforms' : room;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const short = Object.entries(RULES)
      .filter(([name, rule]) => (counts[name] ?? 0) < rule.min)
      .map(([name, rule]) => `${name}: found ${counts[name] ?? 0}, expected ≥ ${rule.min}`);
    expect(short, `file counts ${JSON.stringify(counts)}`).toEqual([]);
  });

  it('no room reaches where it must not', () => {
    const violations = findViolations(files);
    expect(violations, `boundary violations:\n  ${violations.join('\n  ')}\n`).toEqual([]);
  });
});

describe('the checker itself', () => {
  const file = (path: string, text: string): SourceFile => ({ path, text });

  it('reports forbidden imports and Node globals, and accepts allowed ones', () => {
    const violations = findViolations([
      file('src/domain/a.ts', "import { readFileSync } from 'node:fs';\nimport dayjs from 'dayjs/plugin/utc';"),
      file('src/domain/b.ts', "import type { Store } from '../app/ports.js';\nexport * from './a.js';"),
      file('cards/c.ts', "import { x } from '../src/domain/a.js';\nconst b = Buffer.from('x');"),
      file('src/app/d.ts', "import crypto from 'crypto';\n// process.env is fine in a comment\nconst e = process.env.X;"),
      file('src/platforms/feishu/e.ts', "import '../dingtalk/f.js';\nimport * as lark from '@larksuiteoapi/node-sdk';"),
      file('src/platforms/dingtalk/f.ts', "import * as lark from '@larksuiteoapi/node-sdk';\nimport './g.js';"),
      file('src/store/g.ts', "import Database from 'better-sqlite3';\nimport { eq } from 'drizzle-orm';\nimport * as s from '../../db/schema/index.js';"),
      file('db/schema/h.ts', "import { sql } from 'drizzle-orm';\nimport { text } from 'drizzle-orm/sqlite-core';"),
      file('src/http/i.ts', "import { Hono } from 'hono';\nimport type { C } from '../config.js';\nimport '../store/g.js';"),
      file('src/runtime/j.ts', "import { readFileSync } from 'node:fs';\nimport '../store/g.js';\nprocess.exit(1);"),
      file('src/extra/k.ts', ''),
    ]);
    expect(violations).toEqual([
      "src/domain/a.ts → 'node:fs': Node built-in; only src/runtime may use it",
      "src/domain/b.ts → '../app/ports.js': domain may not import app",
      'cards/c.ts → Buffer: Buffer (Node global; use Uint8Array / TextEncoder); only src/runtime may use it',
      "src/app/d.ts → 'crypto': Node built-in; only src/runtime may use it",
      'src/app/d.ts → process.env: process.* (Node global); only src/runtime may use it',
      "src/platforms/feishu/e.ts → '../dingtalk/f.js': platforms/feishu may not import platforms/dingtalk",
      "src/platforms/dingtalk/f.ts → '@larksuiteoapi/node-sdk': package not allowed in platforms/dingtalk",
      "src/store/g.ts → 'better-sqlite3': Node-only package; only src/runtime may use it",
      "db/schema/h.ts → 'drizzle-orm': package not allowed in schema",
      "src/http/i.ts → '../store/g.js': http may not import store",
      'src/extra/k.ts: lies in no room; add its folder to RULES in test/boundary.test.ts',
    ]);
  });
});
