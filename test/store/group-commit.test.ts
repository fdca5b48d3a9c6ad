// Group commit on the embedded database: writes of one turn of the event loop share a COMMIT, yet
// each caller's writes stand or fall alone, and nobody hears "committed" before the COMMIT.
// A second connection on the same file is the outside observer (what a crash would leave).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WriteOp } from '../../src/app/store-port.js';
import { GroupCommit } from '../../src/runtime/group-commit.js';
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node-database.js';
import { createStore } from '../../src/store/create-store.js';

let dir: string;
let db: Database.Database;
let outside: Database.Database;
let group: GroupCommit;

const insert = (v: string) => () => db.prepare('insert into t (v) values (?)').run(v);
const seenOutside = () => (outside.prepare('select v from t order by v').all() as { v: string }[]).map((r) => r.v);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'duban-group-'));
  db = new Database(join(dir, 'g.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(`create table t (v text primary key);
    create table parent (id integer primary key);
    create table child (parent_id integer references parent(id) deferrable initially deferred)`);
  db.pragma('foreign_keys = ON');
  outside = new Database(join(dir, 'g.sqlite'), { readonly: true });
  group = new GroupCommit(db);
});
afterEach(() => {
  group.flush();
  outside.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('group commit', () => {
  it('commits the writes of one turn together, and tells each caller only after the COMMIT', async () => {
    const first = group.run(insert('a'));
    const second = group.run(insert('b'));
    expect(db.inTransaction).toBe(true);
    expect(seenOutside()).toEqual([]); // written, not yet committed: a crash now would lose both, and neither was told otherwise
    let told = false;
    void first.then(() => (told = seenOutside().length === 2));
    await Promise.all([first, second]);
    expect(told).toBe(true);
    expect(seenOutside()).toEqual(['a', 'b']);
    expect(db.inTransaction).toBe(false);
  });

  it('undoes only the failing caller: the others in its group still commit', async () => {
    await group.run(insert('a'));
    const ok = group.run(insert('b'));
    const clash = group.run(() => {
      insert('c')();
      insert('a')(); // primary key: this caller fails whole, its 'c' with it
    });
    const alsoOk = group.run(insert('d'));
    await expect(clash).rejects.toThrow(/UNIQUE/);
    await Promise.all([ok, alsoOk]);
    expect(seenOutside()).toEqual(['a', 'b', 'd']);
  });

  it('returns what the work returned', async () => {
    expect(await group.run(() => db.prepare('insert into t (v) values (?) returning v').get('x'))).toEqual({ v: 'x' });
  });

  it('tells every caller in the group when the COMMIT itself fails, and keeps none of their writes', async () => {
    const good = group.run(insert('a'));
    const dangling = group.run(() => db.prepare('insert into child (parent_id) values (42)').run()); // a deferred key fails at COMMIT
    await expect(good).rejects.toThrow(/FOREIGN KEY/);
    await expect(dangling).rejects.toThrow(/FOREIGN KEY/);
    expect(seenOutside()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    await group.run(insert('b')); // and the next group works
    expect(seenOutside()).toEqual(['b']);
  });

  it('tells everyone in the group when SQLite rolls the whole transaction back', async () => {
    db.exec("create trigger poison before insert on t when new.v = 'poison' begin select raise(rollback, 'rolled back'); end");
    const earlier = group.run(insert('a'));
    const poison = group.run(insert('poison'));
    await expect(poison).rejects.toThrow(/rolled back/);
    await expect(earlier).rejects.toThrow(/rolled back/);
    const later = group.run(insert('b'));
    await later;
    expect(seenOutside()).toEqual(['b']);
  });

  it('settles only when nothing written is waiting for its COMMIT', async () => {
    await group.settled(); // nothing open: at once
    void group.run(insert('a'));
    await group.settled();
    expect(seenOutside()).toEqual(['a']);
  });
});

describe('the store on the group commit', () => {
  let store: ReturnType<typeof createStore>;
  let opened: NodeDatabase;
  let reader: Database.Database;
  const T = 'feishu:t1';
  const enqueue = (id: string): WriteOp => ({
    op: 'enqueue',
    item: { id, tenantId: T, platform: 'feishu', kind: 'send', target: { kind: 'chat', chatId: 'oc_g' }, body: { kind: 'text', text: id }, idempotencyKey: id, cardCopyId: null, attempts: 0, nextAttemptAt: 1, createdAt: 1 },
  });

  beforeEach(() => {
    opened = openNodeDatabase(join(dir, 'store.sqlite'));
    store = createStore(opened.db, { committer: opened.committer });
    reader = new Database(join(dir, 'store.sqlite'), { readonly: true });
  });
  afterEach(() => {
    reader.close();
    opened.close();
  });

  it('lists for the courier only messages whose write has committed', async () => {
    let committed = false;
    void store.commit([enqueue('o1')]).then(() => (committed = true));
    const due = await store.listDueOutbox(2, 10);
    expect(committed).toBe(true); // the listing waited for the COMMIT: nothing leaves that could still be rolled back
    expect(due.map((m) => m.id)).toEqual(['o1']);
  });

  it('answers that a delivery is recorded only once that is durable, even while a group is open', async () => {
    void store.commit([enqueue('o1')]); // a group is open
    const isNew = await store.recordDelivery({ tenantId: T, platform: 'feishu', deliveryId: 'ev1', kind: 'message', payload: '{}', receivedAt: 1 });
    expect(isNew).toBe(true);
    expect(reader.prepare('select delivery_id from inbound_deliveries').all()).toEqual([{ delivery_id: 'ev1' }]);
  });
});
