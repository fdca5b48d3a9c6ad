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
