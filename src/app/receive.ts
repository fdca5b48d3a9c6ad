// The inbound pipeline: record the delivery (dedup in the database), run its use case, and
// commit the use case's writes together with "this delivery is done". A duplicate delivery gets
// the answer the first one got and changes nothing; a crash after recording is picked up again
// by the inbox sweep (`retryUnfinished`), or, where one process is the database's only receiver,
// as that process starts (`resumeUnfinished`).
import { DELIVERY_TRIES, StaleWriteError, type StoredDelivery } from './store-port.js';
import { ensureTenant, ForeignAppError, tenantIdFor } from './context.js';
import { SYSTEM_BUSY } from './error-text.js';
import { handleCardAction } from './handle-card-action.js';
import { handleMessage } from './handle-message.js';
import type { InboundCardAction, InboundEvent, InboundMessage } from './inbound.js';
import { toast, type Outcome, type Reply } from './outcome.js';
import type { Deps } from './ports.js';

export type Actionable = InboundMessage | InboundCardAction;

/** What a finished delivery answered, given again to a later copy of it. */
const answerOf = (delivery: StoredDelivery): Reply | null => (delivery.response ? (JSON.parse(delivery.response) as Reply) : null);

/** Records the delivery. Returns 'new', or the stored reply of the earlier identical delivery. */
export async function accept(deps: Deps, event: Actionable): Promise<{ isNew: true } | { isNew: false; reply: Reply | null }> {
  const isNew = await deps.store.recordDelivery(deliveryRecord(deps, event));
  if (isNew) return { isNew: true };
  const earlier = await deps.store.getDelivery(event.platform, event.deliveryId);
  if (earlier?.status === 'done') return { isNew: false, reply: answerOf(earlier) };
  return { isNew: false, reply: event.kind === 'card_action' ? toast('info', '正在处理，请稍候。') : null };
}

/**
 * Whether the app a delivery came through serves the tenant it names (creating the tenant on its
 * first delivery). Checked before anything is recorded; a refusal is logged.
 */
async function admit(deps: Deps, event: Actionable): Promise<boolean> {
  try {
    await ensureTenant(deps, event.platform, event.tenantKey, event.appId ?? null);
    return true;
  } catch (error) {
    if (!(error instanceof ForeignAppError)) throw error;
    deps.log.warn('delivery refused: app does not serve this tenant', { deliveryId: event.deliveryId, error: error.message });
    return false;
  }
}

async function runOnce(deps: Deps, event: Actionable): Promise<Outcome> {
  // deliveries recorded before apps existed carry no appId: they came through the environment's app
  const { tenant, campaign } = await ensureTenant(deps, event.platform, event.tenantKey, event.appId ?? null);
  return event.kind === 'message' ? handleMessage(deps, tenant, campaign, event) : handleCardAction(deps, tenant, campaign, event);
}

/** Runs an accepted delivery to completion. Never throws: a failure is logged and left for retry. */
export async function processDelivery(deps: Deps, event: Actionable): Promise<Reply | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await runOnce(deps, event);
      await deps.store.commit([
        ...outcome.ops,
        { op: 'completeDelivery', platform: event.platform, deliveryId: event.deliveryId, response: outcome.reply ? JSON.stringify(outcome.reply) : null, at: deps.clock.now() },
      ]);
      if (outcome.ops.some((op) => op.op === 'enqueue')) deps.kickOutbox();
      return outcome.reply;
    } catch (error) {
      if (error instanceof StaleWriteError) {
        // Another processing of this delivery finished it first (the inbox sweep took up a message
        // whose first processing was slow): that one took effect, this one must not.
        const earlier = await deps.store.getDelivery(event.platform, event.deliveryId).catch(() => null);
        if (earlier?.status === 'done') return answerOf(earlier);
        // Someone changed the same task (or took the same finding number) between our read and
        // our write: read again and decide again; the second decision sees the new state.
        if (attempt < 3) continue;
      }
      deps.log.error('delivery failed', { deliveryId: event.deliveryId, kind: event.kind, error: error instanceof Error ? error.stack : String(error) });
      await deps.store.markDeliveryFailed(event.platform, event.deliveryId, String(error)).catch(() => undefined);
      return toast('error', SYSTEM_BUSY);
    }
  }
}

/** Accept + process, for callers that wait for the answer (card clicks). */
export async function receive(deps: Deps, event: InboundEvent): Promise<Reply | null> {
  if (event.kind === 'ignored') return null;
  if (event.kind === 'card_action') return receiveClick(deps, event);
  const accepted = await accept(deps, event);
  if (!accepted.isNew) return accepted.reply;
  return processDelivery(deps, event);
}

/**
 * A card click is answered only after its work is done, so it needs no inbox row beforehand: the
 * delivery is recorded, as done and with its answer, in the same write as the work. A second copy
 * of the same delivery (a retry, or one racing it) fails that write whole on the delivery's key and
 * answers what the first answered. It is not looked for beforehand: a click's work is reads and
 * that one write, so a copy only costs a few reads, and every click saves a round trip (on D1).
 */
async function receiveClick(deps: Deps, event: InboundCardAction): Promise<Reply | null> {
  const stored = async (deliveryId = event.deliveryId): Promise<Reply | null | undefined> => {
    const earlier = await deps.store.getDelivery(event.platform, deliveryId);
    if (!earlier) return undefined;
    if (earlier.status === 'done') return answerOf(earlier);
    return toast('info', '正在处理，请稍候。');
  };
  // a retry whose first copy came in the window before is a retry all the same
  const retried = event.namedByContent ? await stored(event.namedByContent.previousWindowId) : undefined;
  if (retried !== undefined) return retried;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await runOnce(deps, event);
      // A click named by what it says is recorded only when it changed something. A refusal kept
      // under that name would answer every later identical click with it — the 催办 that was
      // refused before the role was granted, again after — and running a refusal twice is harmless.
      // A retry of a click that did act still gets that click's answer.
      if (event.namedByContent && outcome.ops.length === 0) return (await stored()) ?? outcome.reply;
      const now = deps.clock.now();
      await deps.store.commit([
        ...outcome.ops,
        { op: 'insertDoneDelivery', delivery: deliveryRecord(deps, event), response: outcome.reply ? JSON.stringify(outcome.reply) : null, at: now },
      ]);
      if (outcome.ops.some((op) => op.op === 'enqueue')) deps.kickOutbox();
      return outcome.reply;
    } catch (error) {
      // the same click done before (a retry failing on its key, or failing on anything else now
      // that the first changed the world) answers what the first answered
      const answer = await stored().catch(() => undefined);
      if (answer !== undefined) return answer;
      if (error instanceof StaleWriteError && attempt < 3) continue;
      deps.log.error('delivery failed', { deliveryId: event.deliveryId, kind: event.kind, error: error instanceof Error ? error.stack : String(error) });
      return toast('error', SYSTEM_BUSY);
    }
  }
}

function deliveryRecord(deps: Deps, event: Actionable) {
  return {
    tenantId: tenantIdFor(event.platform, event.tenantKey),
    platform: event.platform,
    deliveryId: event.deliveryId,
    kind: event.kind,
    payload: JSON.stringify(event),
    receivedAt: deps.clock.now(),
  };
}

/** The inbox sweep: deliveries recorded but never finished (a crash, a failed attempt). */
export async function retryUnfinished(deps: Deps, olderThanMs = 30_000, limit = 50): Promise<number> {
  const stuck = await deps.store.listUnfinishedDeliveries(deps.clock.now() - olderThanMs, limit);
  for (const delivery of stuck) await processDelivery(deps, JSON.parse(delivery.payload) as Actionable);
  return stuck.length;
}

/**
 * Takes up, as the process starts, every delivery an earlier process acknowledged and never
 * finished (it was killed, or stopped mid-work). Only for a process that is the database's only
 * receiver (the Node server): none of them can be in hand elsewhere, so they need not wait out the
 * sweep's half minute. Each joins its chat's line before the server listens, so a message arriving
 * meanwhile in the same chat is processed after them, in the order the people sent them.
 */
export async function resumeUnfinished(deps: Deps, defer: (work: Promise<unknown>) => void, limit = 1_000): Promise<number> {
  // every unfinished delivery, whatever its time: none is this process's yet
  const left = await deps.store.listUnfinishedDeliveries(Number.MAX_SAFE_INTEGER, limit);
  let resumed = 0;
  for (const delivery of left) {
    // The try the predecessor was making ended with it, and counts as failed: a message that brings
    // the server down (running it out of memory, say) would otherwise do so at every start, for
    // good, where now it is parked after the last try and the server stays up for everyone else.
    await deps.store.markDeliveryFailed(delivery.platform, delivery.deliveryId, 'interrupted: the server stopped before finishing it');
    if (delivery.attempts + 1 >= DELIVERY_TRIES) {
      deps.log.error('delivery given up: the server stopped while handling it, try after try', { deliveryId: delivery.deliveryId, kind: delivery.kind, tries: DELIVERY_TRIES });
      continue;
    }
    const event = JSON.parse(delivery.payload) as Actionable;
    defer(event.kind === 'message' ? inChatOrder(chatKeyOf(event), () => processDelivery(deps, event)) : processDelivery(deps, event));
    resumed++;
  }
  if (left.length > 0) deps.log.info('resuming deliveries left unfinished', { resumed, givenUp: left.length - resumed });
  return resumed;
}

const chatKeyOf = (event: InboundMessage) => `${tenantIdFor(event.platform, event.tenantKey)}:${event.chatId}`;

/**
 * A message as a platform hands it over: refused (false) when its app does not serve the tenant;
 * otherwise recorded before the platform is answered, and processed after, by `defer`.
 */
export async function takeMessage(deps: Deps, event: InboundMessage, defer: (work: Promise<unknown>) => void): Promise<boolean> {
  if (!(await admit(deps, event))) return false;
  const accepted = await accept(deps, event);
  if (accepted.isNew) defer(inChatOrder(chatKeyOf(event), () => processDelivery(deps, event)));
  return true;
}

/** per chat: the end of the line of messages being processed (in this process or isolate) */
const chatLines = new Map<string, Promise<unknown>>();

/**
 * One chat's messages are processed one after another, in the order they arrived: photos sent
 * just before 「督查」 are recorded before the command that gathers them, and 「设为督查群」 takes
 * effect before the next message asks what the chat is. Different chats still run side by side.
 */
function inChatOrder<T>(chatKey: string, work: () => Promise<T>): Promise<T> {
  const previous = chatLines.get(chatKey) ?? Promise.resolve();
  const run = previous.then(work);
  const end = run.catch(() => undefined);
  chatLines.set(chatKey, end);
  void end.then(() => {
    if (chatLines.get(chatKey) === end) chatLines.delete(chatKey);
  });
  return run;
}

/** A card click as a platform hands it over: refused when its app does not serve the tenant, else answered. */
export async function takeClick(deps: Deps, event: InboundCardAction): Promise<{ admitted: false } | { admitted: true; reply: Reply | null }> {
  if (!(await admit(deps, event))) return { admitted: false };
  return { admitted: true, reply: await receive(deps, event) };
}
