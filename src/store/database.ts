// The one database type both drivers satisfy, and the one atomic-write helper for both.
import type { BatchItem } from 'drizzle-orm/batch';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../../db/schema/index.js';
import { StaleWriteError } from '../app/store-port.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AppDatabase = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>;

type BatchCapable = { batch(items: readonly [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]): Promise<unknown> };
type SyncRunnable = { run(): unknown };

function hasBatch(db: AppDatabase): db is AppDatabase & BatchCapable {
  return typeof (db as unknown as Partial<BatchCapable>).batch === 'function';
}

/**
 * Runs the queries as one all-or-nothing write. D1 has no interactive transactions, so it gets
 * `db.batch`; better-sqlite3 has no batch and wants a synchronous transaction. Both roll back
 * everything when any statement fails — the UNIQUE (task_id, seq) on task events is what turns a
 * stale version into such a failure.
 */
export async function atomic(db: AppDatabase, queries: BatchItem<'sqlite'>[]): Promise<void> {
  if (queries.length === 0) return;
  try {
    if (hasBatch(db)) {
      await db.batch(queries as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    } else {
      db.transaction(() => {
        for (const query of queries) (query as unknown as SyncRunnable).run();
      });
    }
  } catch (error) {
    throw translateConstraintError(error);
  }
}

export function translateConstraintError(error: unknown): unknown {
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
  if (/UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/i.test(message)) return new StaleWriteError(message);
  return error;
}

/**
 * Runs independent reads together: one D1 round trip for all of them (`db.batch`), or one after
 * another on better-sqlite3, where a read costs microseconds. On Workers each D1 call is a round
 * trip through the binding, which is most of a card click's CPU time.
 */
export async function readTogether<const Q extends readonly BatchItem<'sqlite'>[]>(
  db: AppDatabase,
  queries: Q,
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  if (hasBatch(db)) return (await db.batch(queries as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as { [K in keyof Q]: Awaited<Q[K]> };
  const results: unknown[] = [];
  for (const query of queries) results.push(await query);
  return results as { [K in keyof Q]: Awaited<Q[K]> };
}
