// npm run crash [-- --actions 1000 --kills 20 --seed N]: the full crash drill (test/support/crash-run.ts).
import { runCrashScenario } from '../test/support/crash-run.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const started = performance.now();
const report = await runCrashScenario({
  actions: arg('--actions', 1000),
  kills: arg('--kills', 20),
  seed: arg('--seed', Date.now() % 1_000_000),
  log: (line) => console.log(line),
});
console.log(JSON.stringify({ ...report, seconds: Math.round((performance.now() - started) / 1000) }, null, 2));
if (report.violations.length > 0) process.exitCode = 1;
