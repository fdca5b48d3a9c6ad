// Statements written once, as functions of their parameters, and run the cheapest way each driver
// allows. drizzle builds a query's SQL afresh every time it runs, and under load that building
// (plus its `is()` checks) was most of a card click's CPU. So a statement is given a `key` naming
// its shape and a `build` that only places its parameters:
//   - better-sqlite3: built once with placeholders and prepared; later runs only bind and step;
//   - D1: prepared the same way; statements that go together are bound and sent as one batch (one
//     round trip). drizzle's own batch takes only builders, so it would build every time: the
//     batch here binds drizzle's prepared statements and maps their rows as drizzle's batch does.
import { fillPlaceholders, sql, type SQLWrapper } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { AppDatabase } from './database.js';

export type Params = Record<string, string | number | boolean | null>;

/**
 * A statement's parameters as `build` sees them: placeholders, bound to each run's values.
 * `build` may only put them into the query, never branch on them; whatever depends on a value
 * belongs in the key.
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

/** drizzle's prepared query, as used here: run alone, or (on D1) bound into a batch */
interface Prepared {
  all(values: Params): unknown;
  run(values: Params): unknown;
  /** D1: the driver's statement, the query's parameters (placeholders among them), and how a batch result becomes rows (drizzle's batch uses these too) */
  stmt?: { bind(...values: unknown[]): unknown };
  query?: { params: unknown[] };
  mapResult?(result: unknown, isFromBatch: boolean): unknown;
}
type Preparable = { prepare(): Prepared };

const placeholders = new Proxy({} as Slots<Params>, {
  get: (_target, name) => (typeof name === 'string' ? sql.placeholder(name) : undefined),
});

/** per database (one per process on Node, per isolate on Workers): key → prepared statement */
const preparedByDatabase = new WeakMap<AppDatabase, Map<string, Prepared>>();

function prepared(db: AppDatabase, key: string, build: (p: Slots<Params>) => unknown): Prepared {
  let cache = preparedByDatabase.get(db);
  if (!cache) preparedByDatabase.set(db, (cache = new Map()));
  let statement = cache.get(key);
  if (!statement) cache.set(key, (statement = (build(placeholders) as Preparable).prepare()));
  return statement;
}

type Batching = { $client: { batch(statements: unknown[]): Promise<unknown[]> } };

/** D1 sends statements as batches; better-sqlite3 has no batch and runs them one by one. */
export function batches(db: AppDatabase): db is AppDatabase & Batching {
  return typeof (db as unknown as { $client?: { batch?: unknown } }).$client?.batch === 'function';
}

/** One D1 round trip: each statement prepared once, bound to its values; the rows of each. */
export async function runBatch(db: AppDatabase & Batching, items: readonly { key: string; build(p: Slots<Params>): unknown; values: Params }[]): Promise<unknown[]> {
  const statements = items.map((item) => prepared(db, item.key, item.build));
  const bound = statements.map((statement, i) => {
    if (!statement.stmt || !statement.query || !statement.mapResult) throw new Error('drizzle’s D1 prepared query has changed shape: see statements.ts');
    return statement.stmt.bind(...fillPlaceholders(statement.query.params, items[i]!.values));
  });
  const results = await db.$client.batch(bound);
  return results.map((result, i) => statements[i]!.mapResult!(result, true));
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
    return (await runBatch(
      db,
      statements.map((s) => ({ key: s.key, build: s.build as (p: Slots<Params>) => unknown, values })),
    )) as Result;
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

/** Runs a write's prepared statement (better-sqlite3: synchronously, inside the caller's transaction). */
export function runPrepared(db: AppDatabase, w: Write): void {
  prepared(db, w.key, w.build).run(w.values);
}
