// The two storage drivers the store must work on, opened the way each runtime opens them:
// better-sqlite3 on a real file, and a real D1 database inside workerd (via miniflare) with
// db/migrations applied statement by statement, as `wrangler d1 migrations apply` does.
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterEach, beforeEach } from 'vitest';
import * as schema from '../../db/schema/index.js';
import type { AppDatabase, Committer } from '../../src/store/database.js';
import { MIGRATIONS_FOLDER, openNodeDatabase } from '../../src/runtime/node-database.js';

export interface OpenDriver {
  db: AppDatabase;
  /** the group commit the Node runtime uses; D1 has none */
  committer?: Committer;
  /** runs raw SQL and returns rows, for assertions */
  query<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export interface Driver {
  name: string;
  open(): Promise<OpenDriver>;
}

export const betterSqlite3: Driver = {
  name: 'better-sqlite3',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'duban-driver-'));
    const database = openNodeDatabase(join(dir, 'duban.sqlite'));
    return {
      db: database.db,
      committer: database.committer,
      query: async <T>(sql: string) => database.sqlite.prepare(sql).all() as T[],
      close: async () => {
        database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * miniflare 4's synchronous binding proxy can fall out of step with its worker thread when that
 * thread is preempted between answering and waking the caller: an `assert(message?.id === id)` in
 * its fetch-sync fails, and that instance stays out of step (cloudflare/workers-sdk#15552, fixed
 * in miniflare 5, which needs Node 22). Applying the migrations makes hundreds of such calls, so
 * on a busy machine the race lands there now and then (once in one CI run of 1,699 tests).
 */
function isProxyDesync(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'ERR_ASSERTION' && /fetch-sync|SynchronousFetcher/.test(error.stack ?? '');
}

async function openD1(): Promise<OpenDriver> {
  const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', d1Databases: ['DB'] });
  try {
    const binding = await mf.getD1Database('DB');
    for (const file of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort()) {
      for (const statement of readFileSync(join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')) {
        if (statement.trim()) await binding.prepare(statement).run();
      }
    }
    return {
      db: drizzleD1(binding as never, { schema }) as unknown as AppDatabase,
      query: async <T>(sql: string) => (await binding.prepare(sql).all<T>()).results,
      close: () => mf.dispose(),
    };
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw error;
  }
}

export const d1: Driver = {
  name: 'D1 (workerd via miniflare)',
  async open() {
    // a fresh instance is in step again; any other failure is the test's to report
    for (let attempt = 1; ; attempt++) {
      try {
        return await openD1();
      } catch (error) {
        if (!isProxyDesync(error) || attempt === 3) throw error;
      }
    }
  },
};

export const DRIVERS: Driver[] = [betterSqlite3, d1];

/**
 * Opens `driver` afresh before each test of the calling suite and closes it after. The object
 * returned always stands for the current test's database.
 */
export function openForEachTest(driver: Driver): OpenDriver {
  let current: OpenDriver | undefined;
  beforeEach(async () => {
    current = await driver.open();
  }, 30_000);
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const opened = () => {
    if (!current) throw new Error('the database is open only during a test');
    return current;
  };
  return {
    get db() {
      return opened().db;
    },
    get committer() {
      return opened().committer;
    },
    query: (sql) => opened().query(sql),
    close: () => opened().close(),
  };
}
