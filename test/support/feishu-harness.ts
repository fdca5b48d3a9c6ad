// A whole Feishu world on loopback: the stub Open API, our real Node server (real SQLite file,
// real Lark SDK, real HTTP routes), and people who type messages and click cards. Each call
// sends a signed, encrypted delivery exactly as Feishu would, then waits for the bot to finish.
// The people's side lives in feishu-conversation.ts, shared with the Workers harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startNodeServer, type NodeServer } from '../../src/runtime/node.js';
import { ADMIN_TOKEN, FeishuConversation, stubFeishuEnv, type Chat, type Person } from './feishu-conversation.js';
import { startFeishuStub, type FeishuStub } from './feishu-stub.js';

export {
  ADMIN_TOKEN,
  BOT_NAME,
  button,
  buttonsOf,
  cardText,
  ENCRYPT_KEY,
  p2p,
  TENANT_KEY,
  VERIFICATION_TOKEN,
  type Button,
  type Chat,
  type ClickResult,
  type FeishuCard,
  type Person,
} from './feishu-conversation.js';

export class FeishuHarness extends FeishuConversation {
  now: number;

  readonly adminToken = ADMIN_TOKEN;

  /** the extra variables the server was started with, kept for a restart */
  private env: Record<string, string> = {};

  private constructor(
    stub: FeishuStub,
    public server: NodeServer,
    /** the directory holding the server's SQLite file and blobs */
    readonly dataDir: string,
    clockStart: number,
  ) {
    super(stub);
    this.now = clockStart;
  }

  /** `env`: more variables for the server (e.g. APP_SECRETS_KEY). */
  static async start(options: { startAt?: string; dir?: string; env?: Record<string, string> } = {}): Promise<FeishuHarness> {
    const stub = await startFeishuStub();
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'duban-e2e-'));
    const startAt = Date.parse(options.startAt ?? '2026-11-23T09:30:00+08:00');
    const holder: { harness?: FeishuHarness } = {};
    const server = await FeishuHarness.startServer(stub, dir, () => holder.harness?.now ?? startAt, options.env);
    const harness = new FeishuHarness(stub, server, dir, startAt);
    harness.env = options.env ?? {};
    holder.harness = harness;
    return harness;
  }

  /**
   * A harness whose hospital has started: `admin` made `group` its supervision group (becoming its
   * first admin) and granted the inspectors their role, each by the chat command.
   */
  static async supervised(admin: Person, group: Chat, inspectors: Person[], options: { startAt?: string } = {}): Promise<FeishuHarness> {
    const h = await FeishuHarness.start({ startAt: options.startAt ?? '2026-11-23T09:30:00+08:00' });
    await h.say(admin, group, '@督办 设为督查群');
    if (inspectors.length) await h.say(admin, group, `@督办 授权 ${inspectors.map((p) => `@${p.name}`).join(' ')} 督查组`, { mentions: inspectors });
    return h;
  }

  /**
   * Stops our server (as a crash would: nothing more is sent) and starts a new one on the same
   * database, with `env` in place of the environment it started with when given.
   */
  async restart(env?: Record<string, string>): Promise<void> {
    if (env) this.env = env;
    await this.server.close();
    this.server = await FeishuHarness.startServer(this.stub, this.dataDir, () => this.now, this.env);
  }

  private static async startServer(stub: FeishuStub, dir: string, now: () => number, env: Record<string, string> = {}): Promise<NodeServer> {
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'duban.sqlite'),
      ...stubFeishuEnv(stub),
      ...env,
    });
    return startNodeServer(config, { clock: { now }, log: memoryLogger(), pollMs: 0 });
  }

  /** What the server logged (warnings and errors included). */
  logEntries() {
    return (this.server.deps.log as ReturnType<typeof memoryLogger>).entries;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  // the Node server runs on the harness's own clock, which `advance` moves
  protected override clockMs(): number {
    return this.now;
  }

  protected override webhookUrl(): string {
    return `${this.server.url}/webhooks/feishu`;
  }

  protected override settle(): Promise<void> {
    return this.server.settle();
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.stub.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
