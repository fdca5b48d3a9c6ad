// Backups of the embedded default: a consistent copy taken while the server writes, photos copied
// once, the newest copies kept, a nightly schedule, the command, and a restore that a server runs on.
import Database from 'better-sqlite3';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backUp, backupFileName, NightlyBackup, type BackupResult } from '../../src/runtime/backup.js';
import { runCli } from '../../src/runtime/cli.js';
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node-database.js';
import { button, FeishuHarness, p2p, type Chat, type Person } from '../support/feishu-harness.js';

let dir: string;
let databasePath: string;
let blobDir: string;
let backupDir: string;
let database: NodeDatabase;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'duban-backup-'));
  databasePath = join(dir, 'duban.sqlite');
  blobDir = join(dir, 'blobs');
  backupDir = join(dir, 'backups');
  database = openNodeDatabase(databasePath);
});
afterEach(() => {
  if (database.sqlite.open) database.close();
  rmSync(dir, { recursive: true, force: true });
});

const plan = (keep = 14) => ({ databasePath, blobDir, backupDir, keep });
const copies = () => readdirSync(backupDir).filter((name) => name.endsWith('.sqlite')).sort();

function photo(key: string, bytes: string): void {
  mkdirSync(join(blobDir, key, '..'), { recursive: true });
  writeFileSync(join(blobDir, key), bytes);
}

describe('backups', () => {
  it('copy one consistent snapshot while the server keeps writing', async () => {
    // each transaction writes a pair; a copy that caught half a transaction would hold a lone row
    database.sqlite.exec('create table pairs (batch integer not null, side text not null)');
    const pair = database.sqlite.prepare('insert into pairs (batch, side) values (?, ?)');
    const writePair = database.sqlite.transaction((batch: number) => {
      pair.run(batch, 'a'.repeat(2_000));
      pair.run(batch, 'b'.repeat(2_000));
    });
    for (let batch = 0; batch < 2_000; batch++) writePair(batch);
    let writing = true;
    let batches = 2_000;
    const writer = (async () => {
      while (writing) {
        writePair(batches++);
        await new Promise((turn) => setImmediate(turn));
      }
    })();
    let result: BackupResult;
    try {
      result = await backUp(plan(), '2026-11-24');
    } finally {
      writing = false;
      await writer;
    }
    expect(result.file).toBe(join(backupDir, 'duban-2026-11-24.sqlite'));
    expect(batches).toBeGreaterThan(2_000); // the server wrote while the copy was taken

    const copy = new Database(result.file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const lone = copy.prepare('select count(*) n from (select batch from pairs group by batch having count(*) <> 2)').get() as { n: number };
      expect(lone.n).toBe(0);
      const held = (copy.prepare('select count(distinct batch) n from pairs').get() as { n: number }).n;
      expect(held).toBeGreaterThanOrEqual(2_000);
      expect(held).toBeLessThanOrEqual(batches);
      // the schema and its migrations come along: a server opens the copy as it is
      const migrations = (sql: Database.Database) => (sql.prepare('select count(*) n from __drizzle_migrations').get() as { n: number }).n;
      expect(migrations(copy)).toBe(migrations(database.sqlite));
    } finally {
      copy.close();
    }
  });

  it('copy each photo once, skip half-written ones and workbooks, and keep the newest copies of the database', async () => {
    photo('t1/a.jpg', 'photo a');
    photo('t1/b.jpg', 'photo b');
    expect((await backUp(plan(2), '2026-11-22')).photosCopied).toBe(2);
    photo('t2/c.jpg', 'photo c');
    photo('t2/d.jpg.part', 'half a photo');
    // a workbook drawn for a message: drawn again on request, and pruned with its message
    photo('ledgers/t2/ledger.xlsx', 'a 台账');
    expect((await backUp(plan(2), '2026-11-23')).photosCopied).toBe(1);
    const third = await backUp(plan(2), '2026-11-24');
    expect(third.photosCopied).toBe(0);
    expect(third.removed).toEqual(['duban-2026-11-22.sqlite']);
    expect(copies()).toEqual(['duban-2026-11-23.sqlite', 'duban-2026-11-24.sqlite']);
    expect(readFileSync(join(backupDir, 'blobs/t2/c.jpg'), 'utf8')).toBe('photo c');
    expect(existsSync(join(backupDir, 'blobs/t2/d.jpg.part'))).toBe(false);
    expect(existsSync(join(backupDir, 'blobs/ledgers'))).toBe(false);
  });

  it('run nightly from the set hour, once a day, also across restarts', async () => {
    let now = Date.parse('2026-11-24T02:59:00+08:00');
    const done: BackupResult[] = [];
    const failed: unknown[] = [];
    const nightly = () => new NightlyBackup(plan(), { hour: 3, timezone: 'Asia/Shanghai', now: () => now }, { done: (r) => done.push(r), failed: (e) => failed.push(e) });
    const first = nightly();
    expect(first.tick()).toBeNull();
    now = Date.parse('2026-11-24T03:00:00+08:00');
    await first.tick();
    expect(done.map((r) => r.file)).toEqual([join(backupDir, backupFileName('2026-11-24'))]);
    now = Date.parse('2026-11-24T23:59:00+08:00');
    await first.tick();
    await nightly().tick(); // a restarted server finds the day's copy
    expect(done).toHaveLength(1);
    now = Date.parse('2026-11-25T03:10:00+08:00');
    const next = nightly();
    await next.tick();
    expect(copies()).toEqual(['duban-2026-11-24.sqlite', 'duban-2026-11-25.sqlite']);
    expect(await next.health()).toEqual({ newest: '2026-11-25', error: null });
    expect(failed).toEqual([]);
  });

  it('say why a backup failed, and leave nothing that looks like a copy', async () => {
    const failed: unknown[] = [];
    const missing = { ...plan(), databasePath: join(dir, 'nowhere.sqlite') };
    const nightly = new NightlyBackup(missing, { hour: 0, timezone: 'Asia/Shanghai', now: () => Date.parse('2026-11-24T10:00:00+08:00') }, { done: () => undefined, failed: (e) => failed.push(e) });
    await nightly.tick();
    expect(String(failed[0])).toContain('备份数据库失败');
    expect(readdirSync(backupDir)).toEqual([]);
    // what /healthz shows
    expect(await nightly.health()).toEqual({ newest: null, error: expect.stringContaining('备份数据库失败') });
  });

  it('skip a copy the disk has no room for, rather than fill the disk the server writes to', async () => {
    database.sqlite.exec('create table filler (v text)');
    database.sqlite.prepare('insert into filler (v) values (?)').run('x'.repeat(100_000));
    const failed: unknown[] = [];
    // a reserve no disk has: the real free space of this machine's disk is then too little
    const crowded = { ...plan(), reserveBytes: Number.MAX_SAFE_INTEGER };
    await expect(backUp(crowded, '2026-11-24')).rejects.toThrow(/^磁盘剩余空间不足：备份目录所在磁盘剩余 [\d,]+ MB，本次备份需要 [\d,]+ MB/);
    expect(readdirSync(backupDir)).toEqual([]);
    let now = Date.parse('2026-11-24T10:00:00+08:00');
    const nightly = new NightlyBackup(crowded, { hour: 0, timezone: 'Asia/Shanghai', now: () => now }, { done: () => undefined, failed: (e) => failed.push(e) });
    await nightly.tick();
    expect(await nightly.health()).toEqual({ newest: null, error: expect.stringContaining('请清理磁盘，或把 BACKUP_DIR 设到另一块磁盘') });
    // the next try waits an hour, not a minute: one error an hour in the log, not sixty
    now += 59 * 60_000;
    expect(nightly.tick()).toBeNull();
    now += 2 * 60_000;
    await nightly.tick();
    expect(failed).toHaveLength(2);
    // with the usual reserve this disk has room, and the copy is taken
    await backUp(plan(), '2026-11-24');
    expect(copies()).toEqual(['duban-2026-11-24.sqlite']);
  });

  it('run from the command line, into BACKUP_DIR or --out', async () => {
    const lines: string[] = [];
    expect(await runCli(['backup'], { DATABASE_PATH: databasePath }, (line) => lines.push(line))).toBe(0);
    expect(JSON.parse(lines.at(-1)!).file).toContain(join(dir, 'backups', 'duban-'));
    const elsewhere = join(dir, 'elsewhere');
    expect(await runCli(['backup', '--out', elsewhere], { DATABASE_PATH: databasePath }, (line) => lines.push(line))).toBe(0);
    expect(readdirSync(elsewhere).filter((name) => name.endsWith('.sqlite'))).toHaveLength(1);
    expect(await runCli(['backup'], { DATABASE_PATH: join(dir, 'nowhere.sqlite') }, (line) => lines.push(line))).toBe(2);
    expect(lines.at(-1)).toContain('数据库不存在');
    expect(await runCli(['backup'], { DATABASE_PATH: databasePath, BACKUP_DIR: 'off' }, (line) => lines.push(line))).toBe(2);
    expect(lines.at(-1)).toContain('--out');
  });
});

describe('restoring a backup', () => {
  const inspector: Person = { openId: 'ou_inspector_li', name: '李督查' };
  const wang: Person = { openId: 'ou_leader_wang', name: '王主任' };
  const group: Chat = { id: 'oc_backup_group', type: 'group' };
  const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6]);

  it('gives a server the findings, tasks and photos as they were', async () => {
    const live = await FeishuHarness.start();
    let restored: FeishuHarness | undefined;
    const restoredDir = mkdtempSync(join(tmpdir(), 'duban-restored-'));
    try {
      await live.say(inspector, group, '@督办 设为督查群');
      await live.sendImage(inspector, group, PHOTO);
      await live.say(inspector, group, '@督办 督查 #服务态度 分诊台无人值守 @王主任 3个工作日', { mentions: [wang] });
      const intake = live.lastCardTo(group.id).messageId;
      const form = { department: '', area: '分诊台', category: '服务态度', description: '分诊台无人值守', leader: wang.openId, deadline_date: '2026-11-26 +0800' };
      const submitted = await live.click(inspector, intake, button(live.currentCard(intake), '提交并下发整改').value, form);
      expect(submitted.body.toast?.type, JSON.stringify(submitted.body)).toBe('success');
      await live.server.settle();

      const health = async () => ((await (await fetch(`${live.server.url}/healthz`)).json()) as { backup: unknown }).backup;
      expect(await health()).toEqual({ newest: null, error: null });

      // taken while the server runs (into its BACKUP_DIR, the default beside the database), then put
      // back as README says: the copy as the database file, the photos into blobs/
      const liveBackups = join(live.dataDir, 'backups');
      const result = await backUp({ databasePath: join(live.dataDir, 'duban.sqlite'), blobDir: join(live.dataDir, 'blobs'), backupDir: liveBackups, keep: 14 }, '2026-11-23');
      expect(await health()).toEqual({ newest: '2026-11-23', error: null });
      copyFileSync(result.file, join(restoredDir, 'duban.sqlite'));
      cpSync(join(liveBackups, 'blobs'), join(restoredDir, 'blobs'), { recursive: true });

      restored = await FeishuHarness.start({ dir: restoredDir });
      await restored.say(wang, p2p(wang), '我的任务');
      expect(JSON.stringify(restored.lastCardTo(p2p(wang).id).content)).toContain('分诊台无人值守');
      const [attachment] = restored.server.database.sqlite.prepare('select blob_key key from attachments').all() as { key: string }[];
      expect(await restored.server.deps.blobs.get(attachment!.key)).toEqual(PHOTO);
    } finally {
      await live.close();
      await restored?.close(); // removes restoredDir
    }
  });
});
