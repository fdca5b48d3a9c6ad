// Adding an organisation's own app: what is refused (in Chinese, naming the field), how secrets
// are sealed, and how the admin route adds one on a deployment without a shell (a Worker).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addChatApp, openFeishuSecrets } from '../../src/app/chat-apps.js';
import { parseConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer, type NodeServer } from '../../src/runtime/node.js';
import { secretBox, secretsKeyBytes } from '../../src/runtime/secret-box.js';

const KEY = Buffer.alloc(32, 1).toString('base64');
const good = { id: 'hospital-c', platform: 'feishu', appKey: 'cli_c3d4e5f607182930', appSecret: 's3cret', encryptKey: 'ek', name: '第三医院' };

describe('secret box', () => {
  it('opens what it sealed, and nothing sealed under another key or altered', async () => {
    const box = secretBox(KEY);
    const sealed = await box.seal('{"appSecret":"s3cret"}');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('s3cret');
    expect(await box.open(sealed)).toBe('{"appSecret":"s3cret"}');
    // a fresh IV every time: the same secret never seals to the same text
    expect(await box.seal('{"appSecret":"s3cret"}')).not.toBe(sealed);
    await expect(secretBox(Buffer.alloc(32, 2).toString('base64')).open(sealed)).rejects.toThrow();
    const [v, iv, data] = sealed.split('.');
    const flipped = `${v}.${iv}.${data!.slice(0, -4)}${data!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect(box.open(flipped)).rejects.toThrow();
  });

  it('refuses a key that is not 32 bytes of base64, saying how to make one', () => {
    expect(() => secretsKeyBytes('short')).toThrow(/openssl rand -base64 32/);
    expect(secretsKeyBytes(KEY)).toHaveLength(32);
  });
});

describe('adding an app', () => {
  let server: NodeServer;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duban-apps-'));
    const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'duban.sqlite'), APP_SECRETS_KEY: KEY, ADMIN_TOKEN: 'admin' });
    server = await startNodeServer(config, { log: memoryLogger(), pollMs: 0 });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad input field by field, in Chinese', async () => {
    const result = await addChatApp(server.deps, { ...good, id: 'Bad Name', appKey: 'x', encryptKey: undefined });
    expect(result.ok).toBe(false);
    const reason = result.ok ? '' : result.reason;
    expect(reason).toContain('应用名（路径）');
    expect(reason).toContain('App ID');
    expect(reason).toContain('Encrypt Key 或 Verification Token');
    expect(await server.deps.store.listChatApps()).toEqual([]);
  });

  it('refuses a second name for an App ID already added, and replaces an app under its own name', async () => {
    expect(await addChatApp(server.deps, good)).toMatchObject({ ok: true, webhookPath: '/webhooks/feishu/hospital-c', replaced: false });
    expect(await addChatApp(server.deps, { ...good, id: 'hospital-c2' })).toEqual({ ok: false, reason: 'App ID cli_c3d4e5f607182930 已登记为应用 hospital-c' });
    expect(await addChatApp(server.deps, { ...good, appSecret: 'rotated' })).toMatchObject({ ok: true, replaced: true });
    const [stored] = await server.deps.store.listChatApps();
    expect(await openFeishuSecrets(server.deps.secrets, stored!)).toEqual({ appSecret: 'rotated', encryptKey: 'ek', verificationToken: null });
  });

  it('is refused without APP_SECRETS_KEY', async () => {
    const result = await addChatApp({ ...server.deps, secrets: null }, good);
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.reason).toContain('APP_SECRETS_KEY');
  });

  it('can be done through POST /admin/apps with the admin token, and listed without secrets', async () => {
    const post = (body: unknown, token = 'admin') =>
      fetch(`${server.url}/admin/apps`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(good, 'wrong')).status).toBe(401);
    const bad = await post({ ...good, appSecret: '' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('App Secret');
    const added = await post(good);
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({
      app: { id: 'hospital-c', platform: 'feishu', appKey: 'cli_c3d4e5f607182930', baseUrl: null, name: '第三医院' },
      webhookPath: '/webhooks/feishu/hospital-c',
      replaced: false,
    });
    const listed = await fetch(`${server.url}/admin/apps`, { headers: { authorization: 'Bearer admin' } });
    const text = await listed.text();
    expect(JSON.parse(text)).toEqual({ apps: [{ id: 'hospital-c', platform: 'feishu', appKey: 'cli_c3d4e5f607182930', baseUrl: null, name: '第三医院', webhookPath: '/webhooks/feishu/hospital-c' }] });
    expect(text).not.toContain('s3cret');
  });
});
