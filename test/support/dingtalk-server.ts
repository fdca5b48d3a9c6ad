// Our Node server wired to the stub DingTalk Open API on loopback, on a fresh SQLite file: what the
// DingTalk suites start before their conversations. The clock is the suite's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer, type NodeServer } from '../../src/runtime/node.js';
import { startDingTalkStub, stubDingTalkEnv, type DingTalkStub } from './dingtalk-stub.js';

export interface DingTalkWorld {
  stub: DingTalkStub;
  server: NodeServer;
  /** the folder of the server's database and photos */
  dir: string;
  close(): Promise<void>;
}

export async function startDingTalkWorld(now: () => number, templateId?: string): Promise<DingTalkWorld> {
  const stub = await startDingTalkStub();
  const dir = mkdtempSync(join(tmpdir(), 'duban-dingtalk-'));
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: join(dir, 'duban.sqlite'),
    ...stubDingTalkEnv(stub, templateId),
    APP_SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
    ADMIN_TOKEN: 'admin',
  });
  const server = await startNodeServer(config, { log: memoryLogger(), pollMs: 0, clock: { now } });
  return {
    stub,
    server,
    dir,
    async close() {
      await server.close();
      await stub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
