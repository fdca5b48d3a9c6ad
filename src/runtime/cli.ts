// `npx duban …` / `npm run duban -- …`: the operator's commands (DESIGN.md §4).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../config.js';
import { isJobName, JOB_NAMES, JOBS } from '../jobs/registry.js';
import type { Deps } from '../app/ports.js';
import { addAppLocally, addAppRemotely, listApps } from './cli-apps.js';
import { exportAssessment, exportLedger, importFindings, option, reportProgress } from './cli-ledger.js';
import { jsonLogger } from './logger.js';
import { openNodeDatabase } from './node-database.js';
import { backupDirFor, blobDirFor, nodeDeps } from './node-deps.js';
import { backUp } from './backup.js';
import { localTime } from '../domain/schedule.js';

const USAGE = `用法 (usage): duban <命令>
  migrate                          应用数据库迁移（DATABASE_PATH，默认 ./data/duban.sqlite）
  job <${JOB_NAMES.join('|')}> [--now ISO]
                                   立即运行一次定时任务（按 --now 所在的日/周/月；同一周期只执行一次）
  export ledger [--campaign 专项] [--tenant ID] --out FILE.xlsx
                                   导出整改台账（附件1、附件2、整改进展），与群里「台账」相同
  export assessment [--year 2025] [--campaign 专项] [--tenant ID] --out FILE.xlsx
                                   导出科室考核（汇总表和问题明细），与群里「考核」相同；不写 --year 为今年至今（专项为全程）
  import findings FILE.xlsx [--campaign 专项] [--tenant ID] [--as 用户ID] [--yes]
                                   导入问题清单：先预览（逐行指出错误），加 --yes 一次性全部导入
  report progress [--campaign 专项] [--tenant ID]
                                   打印整改进展报告（共N条问题，已完成N项，继续整改N项……）
  app add --id 名称 --app-id cli_… --app-secret … [--encrypt-key …] [--verification-token …]
          [--base-url URL] [--name 医院名] [--server https://部署地址]
          钉钉：--platform dingtalk --app-id <Client ID> --app-secret … [--robot-code …] [--card-template-id …]
                                   登记一个机构自己的飞书应用（密钥加密保存，需 APP_SECRETS_KEY）；
                                   回调地址为 /webhooks/feishu/名称。加 --server 则登记到该部署（用 ADMIN_TOKEN）
  app list                         列出数据库中的应用（不显示密钥）
  backup [--out 目录]              立即备份数据库和照片（默认 BACKUP_DIR；服务运行中也可执行）
  demo                             在本机模拟的飞书上演示一次完整的整改闭环`;

/** Opens the database, runs `work` with the Node wiring, and closes it again. */
async function withDeps(env: Record<string, string | undefined>, work: (deps: Deps) => Promise<number>, now = Date.now()): Promise<number> {
  const config = parseConfig(env);
  const database = openNodeDatabase(config.DATABASE_PATH);
  try {
    return await work(nodeDeps(config, database, { clock: { now: () => now }, log: jsonLogger() }));
  } finally {
    database.close();
  }
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
      return withDeps(env, async (deps) => {
        write(JSON.stringify(await JOBS[name](deps)));
        return 0;
      }, now);
    }
    case 'export':
      if (rest[0] === 'ledger') return withDeps(env, (deps) => exportLedger(deps, rest.slice(1), write));
      if (rest[0] === 'assessment') return withDeps(env, (deps) => exportAssessment(deps, rest.slice(1), write));
      break;
    case 'import':
      if (rest[0] !== 'findings') break;
      return withDeps(env, (deps) => importFindings(deps, rest.slice(1), write));
    case 'report':
      if (rest[0] !== 'progress') break;
      return withDeps(env, (deps) => reportProgress(deps, rest.slice(1), write));
    case 'app': {
      const server = option(rest, '--server');
      if (rest[0] === 'add') return server ? addAppRemotely(server, env['ADMIN_TOKEN'], rest.slice(1), write) : withDeps(env, (deps) => addAppLocally(deps, rest.slice(1), write));
      if (rest[0] === 'list') return withDeps(env, (deps) => listApps(deps, write));
      break;
    }
    case 'backup': {
      const config = parseConfig(env);
      const backupDir = option(rest, '--out') ?? backupDirFor(config);
      if (!backupDir) {
        write('备份已关闭（BACKUP_DIR=off）：请用 --out 指定备份目录');
        return 2;
      }
      if (!existsSync(config.DATABASE_PATH)) {
        write(`数据库不存在：${resolve(config.DATABASE_PATH)}（请检查 DATABASE_PATH）`);
        return 2;
      }
      const result = await backUp({ databasePath: resolve(config.DATABASE_PATH), blobDir: blobDirFor(config), backupDir: resolve(backupDir), keep: config.BACKUP_KEEP }, localTime(Date.now(), config.TIMEZONE).date);
      write(JSON.stringify(result));
      return 0;
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
  write(USAGE);
  return 2;
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
