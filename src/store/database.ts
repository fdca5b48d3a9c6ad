// The one database type both drivers satisfy, and the one atomic-write helper for both.
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../../db/schema/index.js';
import { StaleWriteError } from '../app/store-port.js';
import { batches, runBatch, runPrepared, type Write } from './statements.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AppDatabase = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>;

/**
 * How the embedded driver's synchronous all-or-nothing writes are committed; the runtime supplies
 * one (group commit, runtime/group-commit.ts). Without one, each write is its own transaction.
 */
export interface Committer {
  /** runs `work` all or nothing; resolves with its result once it is committed */
  run<T>(work: () => T): Promise<T>;
  /** resolves when nothing written so far still waits for its commit */
  settled(): Promise<void>;
}

/**
 * Runs the writes as one all-or-nothing write. D1 has no interactive transactions, so it gets
 * `db.batch`; better-sqlite3 has no batch and wants a synchronous transaction. Both roll back
 * everything when any statement fails — the UNIQUE (task_id, seq) on task events is what turns a
 * stale version into such a failure.
 */
export async function atomic(db: AppDatabase, writes: Write[], committer?: Committer): Promise<void> {
  if (writes.length === 0) return;
  try {
    if (batches(db)) {
      await runBatch(db, writes);
    } else {
      const work = () => {
        for (const w of writes) runPrepared(db, w);
      };
      if (committer) await committer.run(work);
      else db.transaction(work);
    }
  } catch (error) {
    throw translateConstraintError(error);
  }
}

export function translateConstraintError(error: unknown): unknown {
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
  // the last: a delivery finished a second time (write-ops.ts, completeDelivery)
  if (/UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT|NOT NULL constraint failed: inbound_deliveries\.status/i.test(message)) return new StaleWriteError(message);
  return error;
}
