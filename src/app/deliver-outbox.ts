// Sends what the outbox holds, oldest first, after the commit that put it there. Retryable
// failures back off (honouring the platform's retry-after); a target that failed is skipped for
// the rest of the pass so its messages keep their order. The platform's idempotency key makes a
// resend after a crash harmless. Several couriers may run at once (Worker requests and the cron):
// each message is claimed before it is sent, so only one of them sends it.
import { knownTenant } from './context.js';
import { AppUnavailableError, PlatformError, type ChatPlatform, type Deps, type OutgoingBody } from './ports.js';
import type { Pace } from './send-pacer.js';
import { mentionNames } from './mention-names.js';
import { reportUndeliverable } from './report-undeliverable.js';
import type { OutboxItem } from './store-port.js';

export const MAX_ATTEMPTS = 12;
/**
 * How long a claim keeps other couriers off a message: longer than any one send can take (a 10 s
 * request timeout, a token fetch and a file upload before it), short enough that a courier that
 * died mid-send delays the message by about a minute.
 */
export const CLAIM_MS = 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;

export function backoffMs(attempts: number, retryAfterMs: number | null): number {
  const exponential = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.max(exponential, retryAfterMs ?? 0);
}

function targetKey(item: OutboxItem): string {
  if (item.kind === 'update') return `copy:${item.cardCopyId}`;
  const t = item.target;
  if (!t) return 'none';
  return t.kind === 'chat' ? `chat:${t.chatId}` : t.kind === 'user' ? `user:${t.userId}` : `reply:${t.messageId}`;
}

/** A file leaves the outbox with its bytes, read from the blob store where the use case put them. */
async function outgoingBody(deps: Deps, item: OutboxItem): Promise<OutgoingBody> {
  if (item.body.kind !== 'file') return item.body;
  const bytes = await deps.blobs.get(item.body.blobKey);
  if (!bytes) throw new PlatformError(`file ${item.body.blobKey} is missing from the blob store`, false);
  return { kind: 'file', fileName: item.body.fileName, bytes };
}

/**
 * Counts this call against the app's and the target's limits, or holds it back (true = go). Every
 * call counts, failed ones too: the platform counts them.
 */
function withinLimits(deps: Deps, platform: ChatPlatform, item: OutboxItem, targetKey: string, report: DeliveryReport): boolean {
  const appKey = `${item.tenantId}:${item.platform}:app`;
  const target = `${item.tenantId}:${item.platform}:${targetKey}`;
  const wait = deps.pacer.waitMs([
    ...platform.pacing.perApp.map((pace): [string, Pace] => [appKey, pace]),
    ...platform.pacing.perTarget.map((pace): [string, Pace] => [target, pace]),
  ]);
  if (wait > 0) {
    report.paced++;
    report.pacedForMs = report.pacedForMs === 0 ? wait : Math.min(report.pacedForMs, wait);
    return false;
  }
  deps.pacer.record([appKey, target]);
  return true;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  dead: number;
  waiting: number;
  /** held back to stay inside a rate limit; still pending, untouched */
  paced: number;
  /** when the first of them may go (ms from now); 0 when none was held */
  pacedForMs: number;
  /** being sent by another courier at the same moment; left to it */
  contended: number;
}

/** Each tenant's client, looked up once per pass. */
function clientsByTenant(deps: Deps): (tenantId: string) => Promise<ChatPlatform | null> {
  const clients = new Map<string, Promise<ChatPlatform | null>>();
  return (tenantId) => {
    let client = clients.get(tenantId);
    if (!client) {
      client = knownTenant(deps, tenantId).then((tenant) => (tenant ? deps.platforms.clientFor(tenant) : null));
      clients.set(tenantId, client);
    }
    return client;
  };
}

export async function deliverOutbox(deps: Deps, limit = 100): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, dead: 0, waiting: 0, paced: 0, pacedForMs: 0, contended: 0 };
  const blocked = new Set<string>();
  const clientFor = clientsByTenant(deps);
  const due = await deps.store.listDueOutbox(deps.clock.now(), limit);
  for (const item of due) {
    const key = targetKey(item);
    if (blocked.has(key)) continue;
    const platform = await clientFor(item.tenantId);
    if (platform && !withinLimits(deps, platform, item, key, report)) {
      blocked.add(key);
      continue;
    }
    if (!(await deps.store.claimOutbox(item.id, deps.clock.now(), deps.clock.now() + CLAIM_MS))) {
      // another courier is sending it (two Worker requests, or the cron, at once): what follows it
      // to the same target must wait for it
      blocked.add(key);
      report.contended++;
      continue;
    }
    const attempts = item.attempts + 1;
    try {
      if (!platform) throw new AppUnavailableError(`no ${item.platform} client configured for tenant ${item.tenantId}`, null, 60_000);
      if (item.kind === 'send') {
        if (!item.target) throw new PlatformError('send without target', false);
        const body = await outgoingBody(deps, item);
        const names = body.kind === 'file' ? undefined : await mentionNames(deps, platform, item.tenantId, body.kind === 'card' ? body.card : body.text);
        const { messageId } = await platform.send({ target: item.target, body, idempotencyKey: item.idempotencyKey, ...(names?.size ? { names } : {}) });
        await deps.store.markOutboxSent(item, messageId, deps.clock.now());
      } else {
        // the listing read the copy's message id with the row; only a copy not sent then is read again
        const copy = !item.cardCopyId
          ? null
          : item.copyMessageId
            ? { messageId: item.copyMessageId }
            : await deps.store.getCardCopy(item.tenantId, item.cardCopyId);
        if (!copy) throw new PlatformError('card copy missing', false);
        if (!copy.messageId) {
          // the copy's own send has not gone out yet; wait for it without spending an attempt
          await deps.store.markOutboxRetry(item.id, item.attempts, deps.clock.now() + 2000, 'waiting for the card to be sent');
          blocked.add(key);
          report.waiting++;
          continue;
        }
        if (item.body.kind !== 'card') throw new PlatformError('update without card', false);
        await platform.updateCard(copy.messageId, item.body.card, await mentionNames(deps, platform, item.tenantId, item.body.card));
        await deps.store.markOutboxSent(item, copy.messageId, deps.clock.now());
      }
      report.sent++;
    } catch (error) {
      const retryable = error instanceof PlatformError ? error.retryable : true;
      const message = error instanceof Error ? error.message : String(error);
      blocked.add(key);
      // the message is not at fault when the app cannot call the platform at all: it waits for the fix
      const outOfTries = attempts >= MAX_ATTEMPTS && !(error instanceof AppUnavailableError);
      if (!retryable || outOfTries) {
        await deps.store.markOutboxDead(item.id, attempts, message);
        await reportUndeliverable(deps, item, message).catch((e) => deps.log.error('could not report an undeliverable card', { error: String(e) }));
        deps.log.error('outbox message given up', { id: item.id, attempts, error: message });
        report.dead++;
      } else {
        const retryAfter = error instanceof PlatformError ? error.retryAfterMs : null;
        await deps.store.markOutboxRetry(item.id, attempts, deps.clock.now() + backoffMs(attempts, retryAfter), message);
        deps.log.warn('outbox message will be retried', { id: item.id, attempts, error: message });
        report.retried++;
      }
    }
  }
  return report;
}
