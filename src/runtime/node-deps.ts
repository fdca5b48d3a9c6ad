// Wires the ports for Node: SQLite store, Feishu client, blobs on disk, the system clock.
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Clock, Deps, Logger } from '../app/ports.js';
import { SendPacer } from '../app/send-pacer.js';
import type { Config, FeishuSettings } from '../config.js';
import { chatAppDirectory, type ChatAppDirectory } from './chat-app-directory.js';
import { secretBox } from './secret-box.js';
import { settingsFrom } from './settings.js';
import { FEISHU_PACING } from '../platforms/feishu/pacing.js';
import { renderFeishuCard } from '../platforms/feishu/render-card.js';
import { excelWorkbooks } from '../excel/workbooks.js';
import { createStore } from '../store/create-store.js';
import { FileBlobStore } from './file-blob-store.js';
import { lazyPlatform } from './lazy-platform.js';
import type { NodeDatabase } from './node-database.js';

/** Photos live beside the database file, in blobs/. */
export function blobDirFor(config: Config): string {
  return join(dirname(resolve(config.DATABASE_PATH)), 'blobs');
}

/** Backups go to BACKUP_DIR, by default backups/ beside the database file; null when turned off. */
export function backupDirFor(config: Config): string | null {
  if (config.BACKUP_DIR === 'off') return null;
  return config.BACKUP_DIR ? resolve(config.BACKUP_DIR) : join(dirname(resolve(config.DATABASE_PATH)), 'backups');
}

/** The Node wiring; its directory of apps also tells the webhook how to verify each app. */
export type NodeDeps = Deps & { platforms: ChatAppDirectory };

export function nodeDeps(config: Config, database: NodeDatabase, options: { clock?: Clock; log: Logger; kickOutbox?: () => void }): NodeDeps {
  const store = createStore(database.db, { committer: database.committer });
  const secrets = config.APP_SECRETS_KEY ? secretBox(config.APP_SECRETS_KEY) : null;
  const feishuClient = (settings: FeishuSettings) =>
    lazyPlatform({ platform: 'feishu', pacing: FEISHU_PACING, mentionsByName: false }, async () => {
      const { FeishuClient } = await import('../platforms/feishu/client.js');
      return new FeishuClient({ ...settings, renderCard: renderFeishuCard, log: options.log });
    });
  return {
    store,
    platforms: chatAppDirectory(config, store, secrets, options.log, feishuClient),
    secrets,
    blobs: new FileBlobStore(blobDirFor(config)),
    workbooks: excelWorkbooks,
    clock: options.clock ?? { now: () => Date.now() },
    log: options.log,
    settings: settingsFrom(config),
    newId: () => randomUUID(),
    kickOutbox: options.kickOutbox ?? (() => undefined),
    pacer: new SendPacer(() => performance.now()),
  };
}
