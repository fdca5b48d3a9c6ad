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
    // the same writes as an accepted card click, and nothing else: the task's state and measures
    // (moving its entries in the task indexes), its event, the delivery record with its answer,
    // hand-written statements committed the way the server commits (group commit)
    const sqlite = database.sqlite;
    const changeTask = sqlite.prepare(
      "update tasks set state = case state when 'pending' then 'in_progress' else 'pending' end, measures = ?, version = version + 1, updated_at = ? where tenant_id = ? and id = ? returning version",
    );
    const appendEvent = sqlite.prepare("insert into task_events (tenant_id, task_id, seq, action, actor_user_id, at, data) values (?, ?, ?, 'accept', 'ou_leader', ?, ?)");
    const recordDelivery = sqlite.prepare(
      "insert into inbound_deliveries (platform, delivery_id, tenant_id, kind, payload, status, response, attempts, error, received_at, done_at) values ('feishu', ?, ?, 'card_action', ?, 'done', ?, 1, null, ?, ?)",
    );
    const answer = JSON.stringify({ toast: { type: 'success', text: '已签收' }, card: { title: '整改任务', body: '整'.repeat(300) } });
    app.post('/bench/task-writes', limitedBody(MAX_WEBHOOK_BYTES, readNodeBody), async (c) => {
      const { tenantId, taskId, deliveryId } = JSON.parse(c.get('rawBody')) as { tenantId: string; taskId: string; deliveryId: string };
      const now = Date.now();
      await database.committer.run(() => {
        const { version } = changeTask.get('增加导诊人员，优化排班', now, tenantId, taskId) as { version: number };
        appendEvent.run(tenantId, taskId, version, now, '{"measures":"增加导诊人员，优化排班"}');
        recordDelivery.run(deliveryId, tenantId, c.get('rawBody'), answer, now, now);
      });
      return c.json({ ok: true });
    });
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => stub.close()).then(() => process.exit(0));
});
