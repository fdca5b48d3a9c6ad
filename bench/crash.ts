// npm run crash [-- --platform feishu|dingtalk|dingtalk-stream|worker --actions 1000 --kills 20 --seed N]:
// the full crash drill (test/support/crash-run.ts for Feishu on Node, the default;
// test/support/dingtalk-crash-run.ts for DingTalk in HTTP mode, or in Stream mode;
// test/support/worker-crash-run.ts for Feishu on the Worker in workerd over a local D1).
import { runCrashScenario } from '../test/support/crash-run.js';
import { runDingTalkCrashScenario } from '../test/support/dingtalk-crash-run.js';
import { runWorkerCrashScenario } from '../test/support/worker-crash-run.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const platformAt = process.argv.indexOf('--platform');
const platform = platformAt >= 0 ? process.argv[platformAt + 1] : 'feishu';
if (platform !== 'feishu' && platform !== 'dingtalk' && platform !== 'dingtalk-stream' && platform !== 'worker') {
  console.error(`--platform is feishu, dingtalk, dingtalk-stream or worker, not ${platform}`);
  process.exit(2);
}

const started = performance.now();
const options = {
  actions: arg('--actions', 1000),
  kills: arg('--kills', 20),
  seed: arg('--seed', Date.now() % 1_000_000),
  log: (line: string) => console.log(line),
};
const report =
  platform === 'dingtalk'
    ? await runDingTalkCrashScenario(options)
    : platform === 'dingtalk-stream'
      ? await runDingTalkCrashScenario({ ...options, mode: 'stream' })
      : platform === 'worker'
        ? await runWorkerCrashScenario(options)
        : await runCrashScenario(options);
console.log(JSON.stringify({ platform, ...report, seconds: Math.round((performance.now() - started) / 1000) }, null, 2));
if (report.violations.length > 0) process.exitCode = 1;
