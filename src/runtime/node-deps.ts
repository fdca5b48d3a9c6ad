// Wires the ports for Node: SQLite store, Feishu client, blobs on disk, the system clock.
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Clock, Deps, Logger } from '../app/ports.js';
import { SendPacer } from '../app/send-pacer.js';
import { feishuSettings, settingsFrom, type Config } from '../config.js';
import { FEISHU_PACING } from '../platforms/feishu/pacing.js';
import { renderFeishuCard } from '../platforms/feishu/render-card.js';
import { excelWorkbooks } from '../excel/workbooks.js';
import { createStore } from '../store/create-store.js';
import { FileBlobStore } from './file-blob-store.js';
import { lazyPlatform } from './lazy-platform.js';
import type { NodeDatabase } from './node-database.js';

export function nodeDeps(config: Config, database: NodeDatabase, options: { clock?: Clock; log: Logger; kickOutbox?: () => void }): Deps {
  const feishu = feishuSettings(config);
  return {
    store: createStore(database.db),
    platforms: feishu.ok
      ? {
          feishu: lazyPlatform('feishu', FEISHU_PACING, async () => {
            const { FeishuClient } = await import('../platforms/feishu/client.js');
            return new FeishuClient({ ...feishu.settings, renderCard: renderFeishuCard, log: options.log });
          }),
        }
      : {},
    blobs: new FileBlobStore(join(dirname(resolve(config.DATABASE_PATH)), 'blobs')),
    workbooks: excelWorkbooks,
    clock: options.clock ?? { now: () => Date.now() },
    log: options.log,
    settings: settingsFrom(config),
    newId: () => randomUUID(),
    kickOutbox: options.kickOutbox ?? (() => undefined),
    pacer: new SendPacer(() => performance.now()),
  };
}
