// Group commit for the embedded database. A commit costs far more than the statements in it: each
// page it changed is written to the WAL (a card click changes ~18 pages across the task's indexes,
// its event and its delivery record), plus locks and the WAL header. So the writes of everything
// that commits within one turn of the event loop share one transaction, committed right after
// the turn (setImmediate). Each caller's writes are a savepoint of their own: a failing write
// undoes only itself. A caller hears "committed" only when the COMMIT has happened, so nothing is
// answered or acknowledged before it is durable; if the COMMIT fails, every caller in the group
// hears the error. Between a write and the group's COMMIT, readers on this connection see it (as
// they would see a write just committed); the courier waits for `settled()` so that it never sends
// a message whose transaction could still fail.
import type Database from 'better-sqlite3';
import type { Committer } from '../store/database.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export class GroupCommit implements Committer {
  /** the callers in the open group; null when no group is open */
  private group: Waiter[] | null = null;
  private afterGroup: (() => void)[] = [];
  private readonly begin: Database.Statement;
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;

  constructor(private readonly sqlite: Database.Database) {
    this.begin = sqlite.prepare('BEGIN IMMEDIATE');
    this.savepoint = sqlite.prepare('SAVEPOINT duban_write');
    this.release = sqlite.prepare('RELEASE duban_write');
    this.rollbackTo = sqlite.prepare('ROLLBACK TO duban_write');
    this.commit = sqlite.prepare('COMMIT');
    this.rollback = sqlite.prepare('ROLLBACK');
  }

  /** Runs `work` (synchronous statements) all or nothing; resolves with its result once committed. */
  run<T>(work: () => T): Promise<T> {
    if (!this.group) {
      this.begin.run();
      this.group = [];
      setImmediate(() => this.flush());
    }
    this.savepoint.run();
    let result: T;
    try {
      result = work();
      this.release.run();
    } catch (error) {
      this.undo(error);
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.group!.push({ resolve: () => resolve(result), reject }));
  }

  /** Resolves when nothing written so far is waiting for its COMMIT. */
  async settled(): Promise<void> {
    while (this.group) await new Promise<void>((resolve) => this.afterGroup.push(resolve));
  }

  /** Commits the open group now (before the database is closed). */
  flush(): void {
    const group = this.group;
    if (!group) return;
    this.group = null;
    try {
      this.commit.run();
      for (const waiter of group) waiter.resolve();
    } catch (error) {
      if (this.sqlite.inTransaction) this.rollback.run();
      for (const waiter of group) waiter.reject(error);
    } finally {
      const after = this.afterGroup;
      this.afterGroup = [];
      for (const resolve of after) resolve();
    }
  }

  private undo(error: unknown): void {
    if (this.sqlite.inTransaction) {
      this.rollbackTo.run();
      this.release.run();
      return;
    }
    // SQLite rolled the whole transaction back (an I/O error, a full disk): the group is lost, and
    // everyone in it must hear so rather than be told later that it committed
    const group = this.group ?? [];
    this.group = null;
    for (const waiter of group) waiter.reject(error);
    const after = this.afterGroup;
    this.afterGroup = [];
    for (const resolve of after) resolve();
  }
}
