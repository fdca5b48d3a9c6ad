// Backups of the embedded default: the database and the photos, taken while the server runs.
// (On Workers, D1 keeps its own point-in-time history — Time Travel — and R2 keeps the photos.)
//
// The database is copied with VACUUM INTO, on a connection of its own in a worker thread: it reads
// one consistent snapshot (WAL readers never block the server's writers, nor they it) and writes a
// compact copy, which is checked before it takes its final name, so a half-written copy never looks
// like a backup. Photos are files that never change once written: each is copied once, and never
// pruned, as the live store never prunes them (workbooks drawn for messages are not copied). Of
// the database copies, the newest `keep` stay.
import { copyFile, mkdir, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WORKBOOK_BLOBS } from '../app/workbook-blobs.js';
import { localTime } from '../domain/schedule.js';

const COPY_PREFIX = 'duban-';
const COPY_SUFFIX = '.sqlite';

export interface BackupPlan {
  databasePath: string;
  /** the photos' folder (FileBlobStore's root) */
  blobDir: string;
  backupDir: string;
  /** how many database copies to keep, the newest */
  keep: number;
  /** room left free on the backup's disk after the copy (default BACKUP_RESERVE_BYTES) */
  reserveBytes?: number;
}

/**
 * A backup is skipped rather than leave less than this free: by default the copies sit on the live
 * database's disk, and a disk filled by a backup would stop every write the server makes.
 */
export const BACKUP_RESERVE_BYTES = 512 * 1024 * 1024;

export interface BackupResult {
  file: string;
  bytes: number;
  photosCopied: number;
  /** older database copies removed to keep `keep` */
  removed: string[];
}

// Plain JavaScript, so the thread needs no TypeScript loader; the driver comes by its resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
try {
  const source = new Database(workerData.databasePath, { fileMustExist: true });
  source.pragma('busy_timeout = 5000');
  source.prepare('VACUUM INTO ?').run(workerData.target);
  source.close();
  const copy = new Database(workerData.target, { readonly: true });
  const check = copy.pragma('quick_check', { simple: true });
  copy.close();
  parentPort.postMessage({ check });
} catch (error) {
  parentPort.postMessage({ error: String(error) });
}
`;

function copyDatabase(databasePath: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { databasePath, target, driverPath: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    worker.once('message', (message: { check?: string; error?: string }) => {
      if (message.error) reject(new Error(`备份数据库失败：${message.error}`));
      else if (message.check !== 'ok') reject(new Error(`备份副本校验未通过：${message.check}`));
      else resolve();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`backup thread exited with ${code}`));
    });
  });
}

/** every file under `dir`, as paths relative to it; nothing when it does not exist */
async function filesUnder(dir: string, base = dir): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path, base)));
    else if (entry.isFile() && !entry.name.endsWith('.part')) files.push(relative(base, path));
  }
  return files;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Photos (and imported spreadsheets) not yet in the backup, copied there, each through a temporary
 * name like the store's. Not the workbooks drawn for messages: any can be drawn again, and the
 * backup, which never deletes a file, would keep every one of them for good.
 */
async function copyNewPhotos(blobDir: string, backupBlobs: string): Promise<number> {
  let copied = 0;
  for (const file of await filesUnder(blobDir)) {
    if (file.split(sep).join('/').startsWith(WORKBOOK_BLOBS)) continue;
    const target = join(backupBlobs, file);
    if (await exists(target)) continue;
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(blobDir, file), `${target}.part`);
    await rename(`${target}.part`, target);
    copied++;
  }
  return copied;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

const megabytes = (bytes: number) => Math.ceil(bytes / (1024 * 1024)).toLocaleString('en-US');

/** Refuses a copy the backup's disk has no room for: the copy is at most the database and its WAL. */
async function ensureRoom(plan: BackupPlan): Promise<void> {
  const reserve = plan.reserveBytes ?? BACKUP_RESERVE_BYTES;
  const needed = (await sizeOf(plan.databasePath)) + (await sizeOf(`${plan.databasePath}-wal`)) + reserve;
  const disk = await statfs(plan.backupDir);
  const free = disk.bavail * disk.bsize;
  if (free < needed) {
    throw new Error(
      `磁盘剩余空间不足：备份目录所在磁盘剩余 ${megabytes(free)} MB，本次备份需要 ${megabytes(needed)} MB（含预留的 ${megabytes(reserve)} MB，以免占满磁盘、影响服务写入）。` +
        '本次未备份；请清理磁盘，或把 BACKUP_DIR 设到另一块磁盘。',
    );
  }
}

/** The name of the copy taken on a day: one a day, so the name says which day it holds. */
export function backupFileName(date: string): string {
  return `${COPY_PREFIX}${date}${COPY_SUFFIX}`;
}

export async function backUp(plan: BackupPlan, date: string): Promise<BackupResult> {
  await mkdir(plan.backupDir, { recursive: true });
  const file = join(plan.backupDir, backupFileName(date));
  const partial = `${file}.part`;
  await rm(partial, { force: true }); // VACUUM INTO refuses a file that exists
  await ensureRoom(plan);
  try {
    await copyDatabase(plan.databasePath, partial);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, file);
  const photosCopied = await copyNewPhotos(plan.blobDir, join(plan.backupDir, 'blobs'));
  const copies = (await readdir(plan.backupDir)).filter((name) => name.startsWith(COPY_PREFIX) && name.endsWith(COPY_SUFFIX)).sort();
  const removed = copies.slice(0, Math.max(0, copies.length - plan.keep));
  for (const name of removed) await rm(join(plan.backupDir, name), { force: true });
  return { file, bytes: (await stat(file)).size, photosCopied, removed };
}

/** For /healthz: the newest copy's day, and why the last attempt failed if it did. */
export interface BackupHealth {
  newest: string | null;
  error: string | null;
}

/** After a failed backup, the next try waits this long: a full disk would otherwise log an error every minute. */
export const BACKUP_RETRY_MS = 60 * 60_000;

/**
 * Once a day, from `hour` (local time), a backup: ticked every minute by the Node server. A day's
 * copy on disk means that day is done, so a restart does not back up twice.
 */
export class NightlyBackup {
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastError: string | null = null;
  private failedAt: number | null = null;

  constructor(
    private readonly plan: BackupPlan,
    private readonly when: { hour: number; timezone: string; now: () => number },
    private readonly report: { done(result: BackupResult): void; failed(error: unknown): void },
  ) {}

  /** the backup this tick started, if it started one */
  tick(): Promise<void> | null {
    if (this.running) return null;
    const at = this.when.now();
    if (this.failedAt !== null && at - this.failedAt < BACKUP_RETRY_MS) return null;
    const now = localTime(at, this.when.timezone);
    if (now.hour < this.when.hour) return null;
    this.running = (async () => {
      if (await exists(join(this.plan.backupDir, backupFileName(now.date)))) return;
      const result = await backUp(this.plan, now.date);
      this.lastError = null;
      this.failedAt = null;
      this.report.done(result);
    })()
      .catch((error) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.failedAt = at;
        this.report.failed(error);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async health(): Promise<BackupHealth> {
    let names: string[] = [];
    try {
      names = await readdir(this.plan.backupDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const newest = names.filter((name) => name.startsWith(COPY_PREFIX) && name.endsWith(COPY_SUFFIX)).sort().at(-1);
    return { newest: newest ? newest.slice(COPY_PREFIX.length, -COPY_SUFFIX.length) : null, error: this.lastError };
  }

  start(everyMs = 60_000): void {
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
