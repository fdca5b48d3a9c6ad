// Statements written once, as functions of their parameters, and run the cheapest way each driver
// allows. drizzle builds a query's SQL afresh every time it runs, and under load that building
// (plus its `is()` checks) was most of a card click's CPU. So a statement is given a `key` naming
// its shape and a `build` that only places its parameters:
//   - better-sqlite3: built once with placeholders and prepared; later runs only bind and step;
//   - D1: a single read is prepared the same way; reads or writes that go together are built with
//     their values and sent as one batch (a D1 batch cannot take prepared statements), because
//     there a round trip costs more than building.
import { sql, type SQLWrapper } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { AppDatabase } from './database.js';

export type Params = Record<string, string | number | boolean | null>;

/**
 * A statement's parameters as `build` sees them: the values themselves when built for a batch,
 * placeholders when prepared. `build` may only put them into the query, never branch on them;
 * whatever depends on a value belongs in the key.
 */
export type Slots<P extends Params> = { readonly [K in keyof P]: P[K] & SQLWrapper };

export interface Statement<P extends Params, B> {
  /** names the SQL the build produces: equal keys, equal SQL */
  readonly key: string;
  build(p: Slots<P>): B;
}

/** A statement: `build` is written with its parameters' type, the rows' type follows from it. */
export function statement<P extends Params, B>(key: string, build: (p: Slots<P>) => B): Statement<P, B> {
  return { key, build };
}

/** A write with this run's values, ready for `atomic`. */
export interface Write {
  readonly key: string;
  readonly values: Params;
  build(p: Slots<Params>): BatchItem<'sqlite'>;
}

interface PreparedRead {
  all(values: Params): unknown;
}
interface PreparedWrite {
  run(values: Params): unknown;
}
type Preparable = { prepare(): PreparedRead & PreparedWrite };

const placeholders = new Proxy({} as Slots<Params>, {
  get: (_target, name) => (typeof name === 'string' ? sql.placeholder(name) : undefined),
});

/** per database (one per process on Node, per isolate on Workers): key → prepared statement */
const preparedByDatabase = new WeakMap<AppDatabase, Map<string, PreparedRead & PreparedWrite>>();

function prepared(db: AppDatabase, key: string, build: (p: Slots<Params>) => unknown): PreparedRead & PreparedWrite {
  let cache = preparedByDatabase.get(db);
  if (!cache) preparedByDatabase.set(db, (cache = new Map()));
  let statement = cache.get(key);
  if (!statement) cache.set(key, (statement = (build(placeholders) as Preparable).prepare()));
  return statement;
}

type Batching = { batch(items: readonly [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]): Promise<unknown[]> };

/** D1 sends statements as batches; better-sqlite3 has no batch and runs them one by one. */
export function batches(db: AppDatabase): db is AppDatabase & Batching {
  return typeof (db as unknown as Partial<Batching>).batch === 'function';
}

type Rows<S> = S extends Statement<Params, infer B> ? Awaited<B> : never;

/**
 * Runs reads that share one set of values: one D1 round trip for all of them, or each prepared
 * statement in turn on better-sqlite3 (where a read costs microseconds).
 */
export async function readAll<P extends Params, const S extends readonly Statement<P, BatchItem<'sqlite'>>[]>(
  db: AppDatabase,
  statements: S,
  values: P,
): Promise<{ [K in keyof S]: Rows<S[K]> }> {
  type Result = { [K in keyof S]: Rows<S[K]> };
  if (batches(db) && statements.length > 1) {
    const slots = values as unknown as Slots<P>;
    return (await db.batch(statements.map((s) => s.build(slots)) as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as Result;
  }
  const results: unknown[] = [];
  for (const s of statements) results.push(await prepared(db, s.key, s.build as (p: Slots<Params>) => unknown).all(values));
  return results as Result;
}

/** One read. */
export async function read<P extends Params, B extends BatchItem<'sqlite'>>(db: AppDatabase, statement: Statement<P, B>, values: P): Promise<Awaited<B>> {
  const [rows] = await readAll(db, [statement] as const, values);
  return rows as Awaited<B>;
}

/** A write statement with this run's values. */
export function write<P extends Params>(key: string, values: P, build: (p: Slots<P>) => BatchItem<'sqlite'>): Write {
  return { key, values, build: build as unknown as (p: Slots<Params>) => BatchItem<'sqlite'> };
}

export function buildForBatch(w: Write): BatchItem<'sqlite'> {
  return w.build(w.values as Slots<Params>);
}

export function runPrepared(db: AppDatabase, w: Write): void {
  prepared(db, w.key, w.build).run(w.values);
}
