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

export const d1: Driver = {
  name: 'D1 (workerd via miniflare)',
  async open() {
    const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', d1Databases: ['DB'] });
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
