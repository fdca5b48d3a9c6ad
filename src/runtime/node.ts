// The embedded default: one Node process, SQLite in a file, HTTP on PORT, the outbox drained
// in-process. `npm start` runs this file.
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock, Deps, Logger } from '../app/ports.js';
import { resumeUnfinished } from '../app/receive.js';
import { dingTalkSettings, feishuSettings, parseConfig, type Config } from '../config.js';
import { createHttpApp } from '../http/app.js';
import type { WithBody } from '../http/body.js';
import { NightlyBackup } from './backup.js';
import { startCheckpointer } from './checkpointer.js';
import { Courier } from './courier.js';
import { readNodeBody } from './node-body.js';
import { nodeFeishuCrypto } from './node-crypto.js';
import { backupDirFor, blobDirFor, nodeDeps } from './node-deps.js';
import { Scheduler } from './scheduler.js';
import { jsonLogger } from './logger.js';
import { openNodeDatabase, type NodeDatabase } from './node-database.js';

export interface NodeServer {
  url: string;
  deps: Deps;
  courier: Courier;
  database: NodeDatabase;
  /** waits for work started after a response (message processing) */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface NodeServerOptions {
  clock?: Clock;
  log?: Logger;
  /** 0 in tests: the courier is then only kicked, never polled */
  pollMs?: number;
  /** routes added beside ours (the load benchmark's reference routes, on the same server) */
  extraRoutes?: (app: Hono<WithBody>, database: NodeDatabase) => void;
}

export async function startNodeServer(config: Config, options: NodeServerOptions = {}): Promise<NodeServer> {
  const log = options.log ?? jsonLogger();
  const database = openNodeDatabase(config.DATABASE_PATH);
  const checkpointer = startCheckpointer(database, log);
  const feishu = feishuSettings(config);
  const courier = new Courier();
  const deps = nodeDeps(config, database, { log, kickOutbox: () => courier.kick(), ...(options.clock ? { clock: options.clock } : {}) });
  courier.attach(deps);
  // this process is the database's courier: a claim left by a killed predecessor need not lapse first
  await deps.store.releaseOutboxClaims();
  const scheduler = new Scheduler(deps);
  const backupDir = backupDirFor(config);
  const backups =
    backupDir && !database.sqlite.memory
      ? new NightlyBackup(
          { databasePath: database.sqlite.name, blobDir: blobDirFor(config), backupDir, keep: config.BACKUP_KEEP },
          { hour: config.BACKUP_HOUR, timezone: config.TIMEZONE, now: () => deps.clock.now() },
          {
            done: (result) => log.info('备份完成', { ...result }),
            failed: (error) => log.error(`备份失败：${error instanceof Error ? error.message : String(error)}`, { backupDir }),
          },
        )
      : null;
  if (options.pollMs !== 0) {
    courier.start(options.pollMs);
    scheduler.start();
    backups?.start();
  }

  const inFlight = new Set<Promise<unknown>>();
  const defer = (work: Promise<unknown>) => {
    const tracked = work.catch((error) => log.error('deferred work failed', { error: String(error) })).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const app = createHttpApp({
    deps,
    feishuApps: deps.platforms,
    dingTalkApps: deps.platforms,
    adminToken: config.ADMIN_TOKEN ?? null,
    defer,
    feishuCrypto: nodeFeishuCrypto,
    readBody: readNodeBody,
    ...(backups ? { backups: () => backups.health() } : {}),
  });
  options.extraRoutes?.(app, database);
  // this process is the database's only receiver: what a killed predecessor acknowledged and left
  // undone is taken up now, ahead of anything new in the same chat, not half a minute later
  await resumeUnfinished(deps, defer);

  const server: ServerType = await new Promise((ready) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => ready(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;

  // FEISHU_MODE=ws / DINGTALK_MODE=stream: the environment's apps receive through a connection the
  // bot dials out, instead of the webhook
  const connections: { close(): void }[] = [];
  if (config.FEISHU_MODE === 'ws' && feishu.ok) {
    const { startFeishuLongConnection } = await import('../platforms/feishu/long-connection.js');
    connections.push(startFeishuLongConnection(deps, feishu.settings, defer, log));
  }
  const dingtalk = dingTalkSettings(config);
  if (config.DINGTALK_MODE === 'stream' && dingtalk.ok) {
    const { startDingTalkStream } = await import('../platforms/dingtalk/stream.js');
    connections.push(startDingTalkStream(deps, dingtalk.settings, defer, log));
  }

  if (!feishu.ok && !dingtalk.ok) {
    log.warn(`飞书未配置，机器人不会收发消息。请设置环境变量：${feishu.missing.join('、')}（见 README「配置飞书应用」）`, { missing: feishu.missing });
  }
  if (!dingtalk.ok && config.DINGTALK_CLIENT_ID) {
    // a DingTalk app half set up is a mistake worth saying at start, not a silence
    log.warn(`钉钉配置不完整，钉钉不会收发消息。请设置：${dingtalk.missing.join('、')}（见 README「配置钉钉应用」）`, { missing: dingtalk.missing });
  }
  const settle = async () => {
    while (inFlight.size) await Promise.all([...inFlight]);
    await courier.idle();
  };
  return {
    url: `http://${host}:${port}`,
    deps,
    courier,
    database,
    settle,
    async close() {
      for (const connection of connections) connection.close();
      await new Promise<void>((done) => server.close(() => done()));
      await settle();
      await scheduler.stop();
      await backups?.stop();
      await courier.stop();
      await checkpointer.stop();
      database.close();
    },
  };
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const server = await startNodeServer(config);
  server.deps.log.info(`督办已启动：${server.url}（数据库 ${resolve(config.DATABASE_PATH)}）`, {
    receiving: config.FEISHU_MODE === 'ws' ? 'feishu long connection (FEISHU_MODE=ws)' : `${server.url}/webhooks/feishu`,
  });
  const stop = async (signal: string) => {
    server.deps.log.info('shutting down', { signal });
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
