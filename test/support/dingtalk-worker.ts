// The DingTalk world with the bot running as the Cloudflare Worker: the deployable bundle in the
// real workerd (Miniflare) over a local D1 and R2, against the stub DingTalk Open API. People talk
// to it through the same conversation as on Node (dingtalk-conversation.ts); the Worker reads the
// real clock, so deliveries are signed with the real time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Miniflare } from 'miniflare';
import type { DingTalkEnds } from './dingtalk-conversation.js';
import { startDingTalkStub, stubDingTalkEnv, type DingTalkStub } from './dingtalk-stub.js';
import { dropBundle, prepareWorker, queryD1, settleWorker, startWorkerRuntime, type WorkerLogEntry } from './worker-harness.js';

type D1 = Awaited<ReturnType<Miniflare['getD1Database']>>;

export interface DingTalkWorkerWorld extends DingTalkEnds {
  stub: DingTalkStub;
  /** the Worker's D1 database, for assertions */
  db: D1;
  logs: WorkerLogEntry[];
  /** raw SQL on the Worker's D1 database */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startDingTalkWorker(templateId?: string): Promise<DingTalkWorkerWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-dingtalk-worker-'));
  const persistDir = join(dir, 'state');
  const [bundleDir, stub] = await Promise.all([prepareWorker(persistDir), startDingTalkStub()]);
  const logs: WorkerLogEntry[] = [];
  const mf = startWorkerRuntime({ bundleDir, persistDir, bindings: { ...stubDingTalkEnv(stub, templateId), ADMIN_TOKEN: 'admin' }, logs });
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const db = await mf.getD1Database('DB');
  return {
    stub,
    db,
    logs,
    server: { url, settle: () => settleWorker(db, logs) },
    query: <T>(sql: string, ...params: unknown[]) => queryD1<T>(db, sql, ...params),
    async close() {
      await mf.dispose();
      await stub.close();
      rmSync(dir, { recursive: true, force: true });
      await dropBundle();
    },
  };
}
