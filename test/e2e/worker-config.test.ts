// A Worker configured for a connection it cannot hold (Feishu's long connection, DingTalk's Stream)
// would look healthy and hear nothing. It answers every request 500 with what to change instead,
// in the deployable bundle in workerd.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stubDingTalkEnv, startDingTalkStub, type DingTalkStub } from '../support/dingtalk-stub.js';
import { stubFeishuEnv } from '../support/feishu-conversation.js';
import { startFeishuStub, type FeishuStub } from '../support/feishu-stub.js';
import { dropBundle, prepareWorker, startWorkerRuntime, type WorkerLogEntry } from '../support/worker-harness.js';

let dir: string;
let bundleDir: string;
let persistDir: string;
let feishu: FeishuStub;
let dingtalk: DingTalkStub;
let mf: Miniflare | null = null;
const logs: WorkerLogEntry[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duban-worker-config-'));
  persistDir = join(dir, 'state');
  [bundleDir, feishu, dingtalk] = await Promise.all([prepareWorker(persistDir), startFeishuStub(), startDingTalkStub()]);
}, 120_000);
afterAll(async () => {
  await mf?.dispose();
  await feishu?.close();
  await dingtalk?.close();
  await dropBundle();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the Worker with `bindings` (instead of the one before) and returns its origin. */
async function workerWith(bindings: Record<string, string>): Promise<string> {
  await mf?.dispose();
  mf = startWorkerRuntime({ bundleDir, persistDir, bindings, logs });
  return (await mf.ready).toString().replace(/\/$/, '');
}

async function answer(url: string, init?: RequestInit): Promise<{ status: number; error: string }> {
  const response = await fetch(url, init);
  return { status: response.status, error: String(((await response.json()) as { error?: unknown }).error ?? '') };
}

describe('a Worker set up for a connection it cannot hold', () => {
  it('refuses DingTalk’s Stream mode on every request, naming the HTTP address to use instead', async () => {
    const origin = await workerWith({ ...stubDingTalkEnv(dingtalk), DINGTALK_MODE: 'stream' });
    const health = await answer(`${origin}/healthz`);
    expect(health.status).toBe(500);
    expect(health.error).toContain('DINGTALK_MODE=stream');
    expect(health.error).toContain('/webhooks/dingtalk');
    const webhook = await answer(`${origin}/webhooks/dingtalk`, { method: 'POST', body: '{}' });
    expect(webhook).toEqual(health);
    expect(logs.some((l) => l.message === 'configuration refused')).toBe(true);
  });

  it('refuses Feishu’s long connection the same way', async () => {
    const origin = await workerWith({ ...stubFeishuEnv(feishu), FEISHU_MODE: 'ws' });
    const health = await answer(`${origin}/healthz`);
    expect(health.status).toBe(500);
    expect(health.error).toContain('FEISHU_MODE=ws');
    expect(health.error).toContain('/webhooks/feishu');
  });

  it('serves as usual once the variable is gone', async () => {
    const origin = await workerWith(stubDingTalkEnv(dingtalk));
    const response = await fetch(`${origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, dingtalk: 'configured' });
  });
});
