// `npx duban …` / `npm run duban -- …`: the operator's commands (DESIGN.md §4).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../config.js';
import { isJobName, JOB_NAMES, JOBS } from '../jobs/registry.js';
import { jsonLogger } from './logger.js';
import { openNodeDatabase } from './node-database.js';
import { nodeDeps } from './node-deps.js';

const USAGE = `用法 (usage): duban <命令>
  migrate                          应用数据库迁移（DATABASE_PATH，默认 ./data/duban.sqlite）
  job <${JOB_NAMES.join('|')}> [--now ISO]
                                   立即运行一次定时任务（按 --now 所在的日/周/月；同一周期只执行一次）
  demo                             在本机模拟的飞书上演示一次完整的整改闭环
尚未提供（见待办 issue）：export ledger、import findings`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function runCli(args: string[], env: Record<string, string | undefined>, write: (line: string) => void): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'migrate': {
      const config = parseConfig(env);
      openNodeDatabase(config.DATABASE_PATH).close();
      write(`数据库已是最新：${resolve(config.DATABASE_PATH)}`);
      return 0;
    }
    case 'job': {
      const name = rest[0] ?? '';
      if (!isJobName(name)) {
        write(`没有这个任务：${name || '（未指定）'}。可用：${JOB_NAMES.join('、')}`);
        return 2;
      }
      const nowText = option(rest, '--now');
      const now = nowText ? Date.parse(nowText) : Date.now();
      if (Number.isNaN(now)) {
        write(`--now 不是有效时间：${nowText}（例如 2026-11-24T09:00:00+08:00）`);
        return 2;
      }
      const config = parseConfig(env);
      const database = openNodeDatabase(config.DATABASE_PATH);
      try {
        const deps = nodeDeps(config, database, { clock: { now: () => now }, log: jsonLogger() });
        const result = await JOBS[name](deps);
        write(JSON.stringify(result));
        return 0;
      } finally {
        database.close();
      }
    }
    case 'demo': {
      // the stub platform and the script live with the tests they are shared with
      const { runDemoConversation } = await import('../../test/support/demo-conversation.js');
      await runDemoConversation(write);
      return 0;
    }
    default:
      write(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCli(process.argv.slice(2), process.env, (line) => process.stdout.write(line + '\n')).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
