// Opens the embedded SQLite file (WAL, so readers never wait for the writer) and applies the
// migrations in db/migrations — the same files wrangler applies to D1.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from '../../db/schema/index.js';
import type { AppDatabase } from '../store/database.js';
import { GroupCommit } from './group-commit.js';

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

export interface NodeDatabase {
  db: AppDatabase;
  sqlite: Database.Database;
  /** the writes of one turn of the event loop share a commit (group-commit.ts) */
  committer: GroupCommit;
  close(): void;
}

export function openNodeDatabase(path: string, options: { migrate?: boolean } = {}): NodeDatabase {
  const refusal = unsupportedNode(process.versions.node);
  if (refusal) throw new Error(refusal);
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = openSqlite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MB of page cache (the default is 2 MB): the daily sweeps read every task of a tenant
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = memory');
  // the WAL file is reused from its start after each full checkpoint but never shrinks by itself;
  // past a burst it is cut back to this size
  sqlite.pragma('journal_size_limit = 67108864');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const committer = new GroupCommit(sqlite);
  return {
    db: db as unknown as AppDatabase,
    sqlite,
    committer,
    close: () => {
      committer.flush();
      sqlite.close();
    },
  };
}

/** package.json's `engines`, which npm only warns about: `>=20.3 <23`. */
export const SUPPORTED_NODE = { from: '20.3', below: 23 } as const;

/**
 * Why this Node cannot run the embedded database, or null. better-sqlite3 12 (pinned because 13
 * needs Node 22) aborts the whole process on Node 24.19 and later, at random, when the garbage
 * collector finalizes a statement (Node's ObjectWrap change; nodejs/node#65446). A refusal at start
 * beats a server that dies mid-week.
 */
export function unsupportedNode(version: string): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [fromMajor = 0, fromMinor = 0] = SUPPORTED_NODE.from.split('.').map(Number);
  if (major < fromMajor || (major === fromMajor && minor < fromMinor)) return `督办需要 Node ${SUPPORTED_NODE.from} 或更高版本（当前 ${version}）。请安装 Node 22 LTS。`;
  if (major >= SUPPORTED_NODE.below)
    return `督办的嵌入式数据库（better-sqlite3 12）只支持 Node 20 和 22（当前 ${version}）：在 Node 24 上它会在垃圾回收时让进程异常退出（SIGABRT）。请使用 Node 22 LTS，然后在项目目录运行 npm rebuild better-sqlite3。`;
  return null;
}

function openSqlite(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (error) {
    throw explainNativeModuleFailure(error) ?? error;
  }
}

/**
 * better-sqlite3 loads its compiled part when the first database opens. On a fresh machine that part
 * is missing when the install skipped its build script (npm 12 blocks scripts package.json's
 * allowScripts does not list; `ignore-scripts` skips them all), and it no longer loads after Node
 * itself is upgraded. The library's own words point at neither cause; these name the fix.
 */
export function explainNativeModuleFailure(error: unknown): Error | null {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  let cause: string;
  if (message.startsWith('Could not locate the bindings file')) cause = '它没有编译：安装时跳过了它的安装脚本（npm 12 起只运行 package.json 的 allowScripts 批准的安装脚本；设置了 ignore-scripts 时全部跳过）';
  else if (message.includes('NODE_MODULE_VERSION')) cause = `它是为另一个 Node.js 版本编译的，当前是 ${process.version}`;
  else if (code === 'ERR_DLOPEN_FAILED') cause = `加载失败：${message.split('\n')[0]}`;
  else return null;
  return new Error(`无法加载 better-sqlite3 的本地模块：${cause}。请在项目目录运行 npm rebuild better-sqlite3（设置了 ignore-scripts 时加 --ignore-scripts=false），然后重新启动。`, {
    cause: error,
  });
}

/** How many prepared statements to keep; the app issues a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * drizzle prepares every query afresh; under load compiling the same SQL again was the largest
 * single cost of a card callback. Statements are reused by their text (least recently used out).
 * drizzle switches a statement to raw (array) rows for its builder queries; a reused reader is
 * switched back first, so a hand-written query sharing the text gets the objects it expects.
 */
function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
      if (statement.reader) statement.raw(false);
    } else {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
}
