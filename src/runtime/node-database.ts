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
import { openSqlite, unsupportedNode } from './sqlite-loader.js';

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
