// Wires the ports for Cloudflare Workers: D1 store, R2 blobs, the Feishu client, the system clock.
// What is worth keeping between requests (the Feishu client's token, the send pacer's memory) lives
// at module scope, i.e. once per isolate; the rest is built per request because `kickOutbox` must
// hand its work to that request's `waitUntil`.
import type { D1Database, R2Bucket } from '@cloudflare/workers-types';
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../../db/schema/index.js';
import type { Clock, Deps, Logger, SecretBox, Store } from '../app/ports.js';
import { SendPacer } from '../app/send-pacer.js';
import { parseConfig, type Config, type FeishuSettings } from '../config.js';
import { chatAppDirectory, type ChatAppDirectory } from './chat-app-directory.js';
import { secretBox } from './secret-box.js';
import { settingsFrom } from './settings.js';
import { excelWorkbooks } from '../excel/workbooks.js';
import { FeishuClient } from '../platforms/feishu/client.js';
import { renderFeishuCard } from '../platforms/feishu/render-card.js';
import type { AppDatabase } from '../store/database.js';
import { createStore } from '../store/create-store.js';
import { jsonLogger } from './logger.js';
import { R2BlobStore } from './r2-blob-store.js';

/** The Worker's bindings (wrangler.toml) and its variables and secrets (`wrangler secret put`). */
export interface Env {
  DB: D1Database;
  BLOBS: R2Bucket;
  [variable: string]: unknown;
}

interface IsolateState {
  fingerprint: string;
  config: Config;
  store: Store;
  apps: ChatAppDirectory;
  secrets: SecretBox | null;
  pacer: SendPacer;
  log: Logger;
}

let isolate: IsolateState | null = null;

function variables(env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * Parsed once per isolate; a changed variable (a new deployment, a test) starts afresh. The D1
 * binding stays valid for the isolate's life, so the store is built once too.
 */
export function isolateState(env: Env): IsolateState {
  const vars = variables(env);
  const fingerprint = JSON.stringify(vars);
  if (isolate?.fingerprint === fingerprint) return isolate;
  const config = parseConfig(vars);
  refuseWhatWorkersCannotDo(config);
  // console.log is what Workers Logs and `wrangler tail` collect
  const log = jsonLogger((line) => console.log(line));
  const store = createStore(drizzle(env.DB as never, { schema }) as unknown as AppDatabase);
  const secrets = config.APP_SECRETS_KEY ? secretBox(config.APP_SECRETS_KEY) : null;
  const feishuClient = (settings: FeishuSettings) => new FeishuClient({ ...settings, renderCard: renderFeishuCard, log });
  isolate = {
    fingerprint,
    config,
    store,
    apps: chatAppDirectory(config, store, secrets, log, feishuClient),
    secrets,
    pacer: new SendPacer(() => Date.now()),
    log,
  };
  return isolate;
}

/**
 * A Worker cannot hold a connection open, so it never hears Feishu's long connection or DingTalk's
 * Stream. A deployment set up for them would look healthy and hear nothing (on DingTalk, cards
 * would be made for Stream clicks that never come): refuse, saying what to set instead.
 */
function refuseWhatWorkersCannotDo(config: Config): void {
  const problems: string[] = [];
  if (config.FEISHU_MODE === 'ws') problems.push('FEISHU_MODE=ws（长连接）在 Workers 上不可用：请删除该变量，并在飞书后台把事件与回调的请求地址设为 https://<Worker 域名>/webhooks/feishu');
  if (config.DINGTALK_MODE === 'stream') problems.push('DINGTALK_MODE=stream（Stream 模式）在 Workers 上不可用：请删除该变量、设置 PUBLIC_URL，并把机器人的消息接收地址设为 https://<Worker 域名>/webhooks/dingtalk');
  if (problems.length) throw new Error(`配置有误 (invalid configuration): ${problems.join('；')}`);
}

export function workerDeps(env: Env, kickOutbox: () => void, clock: Clock = { now: () => Date.now() }): Deps {
  const state = isolateState(env);
  return {
    store: state.store,
    platforms: state.apps,
    secrets: state.secrets,
    blobs: new R2BlobStore(env.BLOBS),
    workbooks: excelWorkbooks,
    clock,
    log: state.log,
    settings: settingsFrom(state.config),
    newId: () => crypto.randomUUID(),
    kickOutbox,
    pacer: state.pacer,
  };
}
