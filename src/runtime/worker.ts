// The Cloudflare Workers entry (DESIGN.md §3): the same HTTP app as on Node, over D1 and R2.
// Webhooks are acknowledged at once and their work finished in `ctx.waitUntil`; the outbox is
// drained after each commit and, as a safety net, by the every-minute cron; the daily jobs run
// from the morning crons (see wrangler.toml).
import type { ExecutionContext, ExportedHandler, Response as CfResponse } from '@cloudflare/workers-types';
import type { Clock, Deps } from '../app/ports.js';
import { createHttpApp } from '../http/app.js';
import { JOBS, runDueJobs } from '../jobs/registry.js';
import { Courier } from './courier.js';
import { isolateState, workerDeps, type Env } from './worker-deps.js';

export type { Env } from './worker-deps.js';

/** The every-minute trigger; any other cron is a daily-jobs trigger. (The entry module exports only
 * its handlers: workerd reads every named export as an entrypoint.) */
const OUTBOX_CRON = '* * * * *';

/**
 * A kick starts (or extends) this request's one outbox pass, kept alive by `waitUntil`; the
 * courier runs one pass at a time and goes round again when kicked meanwhile, as on Node.
 */
function requestDeps(env: Env, ctx: ExecutionContext, clock?: Clock): Deps {
  const courier = new Courier();
  const deps = workerDeps(
    env,
    () => {
      courier.kick();
      ctx.waitUntil(courier.idle());
    },
    clock,
  );
  courier.attach(deps);
  return deps;
}

/**
 * Every request is answered 500 with the reason while the configuration is wrong, so that whoever
 * opens /healthz (or reads the platform's callback log, or `wrangler tail`) reads what to fix.
 */
function misconfigured(error: unknown): CfResponse {
  const message = error instanceof Error ? error.message : String(error);
  console.log(JSON.stringify({ level: 'error', message: 'configuration refused', error: message }));
  return new Response(JSON.stringify({ ok: false, error: message }), {
    status: 500,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  }) as unknown as CfResponse;
}

export default {
  async fetch(request, env, ctx) {
    let state: ReturnType<typeof isolateState>;
    try {
      state = isolateState(env);
    } catch (error) {
      return misconfigured(error);
    }
    const deps = requestDeps(env, ctx);
    const { config, apps } = state;
    const app = createHttpApp({
      deps,
      feishuApps: apps,
      dingTalkApps: apps,
      adminToken: config.ADMIN_TOKEN,
      defer: (work) => ctx.waitUntil(work),
    });
    return (await app.fetch(request as unknown as Request)) as unknown as CfResponse;
  },

  async scheduled(controller, env, ctx) {
    // the jobs run for the moment the trigger was due, so a late start still picks the right day
    const startedAt = Date.now();
    const deps = requestDeps(env, ctx, { now: () => controller.scheduledTime + (Date.now() - startedAt) });
    const work = async () => {
      if (controller.cron === OUTBOX_CRON) {
        const result = await JOBS.outbox(deps);
        if (result.summary['sent'] || result.summary['dead'] || result.summary['redoneDeliveries']) deps.log.info('outbox cron', { ...result });
        return;
      }
      // what the jobs enqueue leaves at once: each commit kicks the courier
      for (const result of await runDueJobs(deps)) deps.log.info('scheduled job ran', { ...result });
    };
    ctx.waitUntil(work().catch((error) => deps.log.error('scheduled run failed', { cron: controller.cron, error: error instanceof Error ? error.stack : String(error) })));
  },
} satisfies ExportedHandler<Env>;
