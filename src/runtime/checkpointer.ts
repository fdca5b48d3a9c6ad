// WAL checkpoints off the event loop. By default SQLite checkpoints inside whichever commit
// pushes the WAL past 1,000 pages: that commit copies the pages into the database file and
// fsyncs it, and every request waits behind it. Under load that was most of the slowest 1 % of
// card clicks. The server turns automatic checkpoints off and a worker thread, on a connection of
// its own, checkpoints every second (PASSIVE: it never blocks a writer or a reader). If that thread
// fails, automatic checkpoints come back, so the WAL can never grow without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../app/ports.js';
import type { NodeDatabase } from './node-database.js';

/** SQLite's own default: checkpoint when the WAL passes this many pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

// Plain JavaScript, so the thread needs no TypeScript loader; the driver comes by its resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.databasePath);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ failed: String(error) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(database: NodeDatabase, log: Logger, everyMs = 1000): Checkpointer {
  const databasePath = database.sqlite.name;
  const automatic = () => {
    if (database.sqlite.open) database.sqlite.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
  };
  if (databasePath === ':memory:' || database.sqlite.memory) return { stop: async () => undefined };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { databasePath, driverPath: createRequire(import.meta.url).resolve('better-sqlite3'), everyMs },
  });
  worker.unref();
  database.sqlite.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  const fallBack = (reason: string) => {
    if (stopped) return;
    log.error('background checkpoints failed; SQLite checkpoints in the commits again', { reason });
    automatic();
  };
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed) fallBack(message.failed);
  });
  worker.on('error', (error) => fallBack(String(error)));
  worker.on('exit', (code) => {
    if (code !== 0) fallBack(`checkpoint thread exited with ${code}`);
  });
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      const exited = new Promise((done) => worker.once('exit', done));
      worker.postMessage('stop');
      await exited;
      automatic();
    },
  };
}
