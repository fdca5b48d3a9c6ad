// WAL checkpoints off the event loop. By default SQLite checkpoints inside whichever commit
// pushes the WAL past 1,000 pages: that commit copies the pages into the database file and
// fsyncs it, and every request waits behind it. Under load that was most of the slowest 1 % of
// card clicks. The server turns automatic checkpoints off and a worker thread, on a connection of
// its own, checkpoints every second.
//
// A PASSIVE checkpoint never blocks a writer or a reader, but while writes keep landing it never
// finishes either: frames arrive while it copies, and SQLite starts the WAL over only once every
// frame is in the database file. Under sustained writes the WAL grew by 37 MB a second (375 MB
// after a 10-second burst) and every read searched it. So once the WAL passes restartAfterPages,
// the thread follows its PASSIVE pass with a RESTART one: that holds writers back only while it
// copies the few frames written since and syncs, and the next commit starts the WAL over.
// If the thread fails, automatic checkpoints come back, so the WAL can never grow without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../app/ports.js';
import type { NodeDatabase } from './node-database.js';

/** SQLite's own default: checkpoint when the WAL passes this many pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;
/** 16 MB of 4 KiB pages: a second of a heavy burst, far more than a hospital's busiest minute */
const RESTART_AFTER_PAGES = 4096;
/** how long a RESTART may hold writers back waiting for a reader; the server's own reads take ms */
const RESTART_WAIT_MS = 50;

// Plain JavaScript, so the thread needs no TypeScript loader; the driver comes by its resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.databasePath);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    // Every frame copied: nobody reads an old snapshot, and a RESTART has only the frames written
    // since to copy. Frames left behind mean a reader holds an old snapshot (a ledger export in
    // another process, say), and a RESTART would hold the server's commits back until it ends.
    if (log >= workerData.restartAfterPages && checkpointed === log) {
      // and should one start in between, wait for it only briefly, and try again next time
      db.pragma('busy_timeout = ' + workerData.restartWaitMs);
      try {
        db.pragma('wal_checkpoint(RESTART)');
      } finally {
        db.pragma('busy_timeout = 5000');
      }
    }
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

export function startCheckpointer(database: NodeDatabase, log: Logger, everyMs = 1000, restartAfterPages = RESTART_AFTER_PAGES): Checkpointer {
  const databasePath = database.sqlite.name;
  const automatic = () => {
    if (database.sqlite.open) database.sqlite.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
  };
  if (databasePath === ':memory:' || database.sqlite.memory) return { stop: async () => undefined };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { databasePath, driverPath: createRequire(import.meta.url).resolve('better-sqlite3'), everyMs, restartAfterPages, restartWaitMs: RESTART_WAIT_MS },
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
