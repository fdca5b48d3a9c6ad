// The server under load, in a process of its own (so the load generator does not share its event
// loop): the stub Feishu Open API, our Node server on the given database, and the two reference
// routes the benchmark compares against, on the same server.
import { parseConfig } from '../src/config.js';
import { memoryLogger } from '../src/runtime/logger.js';
import { MAX_WEBHOOK_BYTES } from '../src/http/app.js';
import { limitedBody } from '../src/http/body.js';
import { readNodeBody } from '../src/runtime/node-body.js';
import { startNodeServer } from '../src/runtime/node.js';
import { startFeishuStub } from '../test/support/feishu-stub.js';

const [databasePath, encryptKey, token] = process.argv.slice(2) as [string, string, string];
const stub = await startFeishuStub();
const config = parseConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_PATH: databasePath,
  FEISHU_APP_ID: stub.appId,
  FEISHU_APP_SECRET: stub.appSecret,
  FEISHU_BASE_URL: stub.baseUrl,
  FEISHU_ENCRYPT_KEY: encryptKey,
  FEISHU_VERIFICATION_TOKEN: token,
});
const server = await startNodeServer(config, {
  log: memoryLogger(),
  extraRoutes: (app, database) => {
    for (const p of (process.env['LOAD_PRAGMAS'] ?? '').split(';').filter(Boolean)) database.sqlite.pragma(p);
    database.sqlite.exec('create table if not exists bench_a (id integer primary key, v text not null); create table if not exists bench_b (id integer primary key, v text not null)');
    const insertA = database.sqlite.prepare('insert into bench_a (v) values (?)');
    const insertB = database.sqlite.prepare('insert into bench_b (v) values (?)');
    const twoInserts = database.sqlite.transaction((v: string) => {
      insertA.run(v);
      insertB.run(v);
    });
    // the floor: a route that does nothing
    app.get('/bench/bare', (c) => c.text('ok'));
    // the storage ceiling: one transaction of two inserts, on the same database and settings,
    // its body read the way the webhooks read theirs
    app.post('/bench/storage', limitedBody(MAX_WEBHOOK_BYTES, readNodeBody), (c) => {
      twoInserts(c.get('rawBody'));
      return c.json({ ok: true });
    });
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => stub.close()).then(() => process.exit(0));
});
