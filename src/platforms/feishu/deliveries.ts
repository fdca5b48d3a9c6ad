// One verified Feishu delivery, whichever way it came (the webhook, or the long connection): parse
// it, check the app serves its tenant, then run it. A card click is answered with its toast and the
// updated card; a message is recorded first and answered at once, its work carried on by `defer`.
import { takeClick, takeMessage } from '../../app/receive.js';
import type { Reply } from '../../app/outcome.js';
import type { Deps } from '../../app/ports.js';
import { FeishuParseError, parseFeishuEvent } from './parse.js';
import { renderFeishuCard } from './render-card.js';

export type FeishuDeliveryAnswer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; status: 400 | 403; body: { error: string; message: string } };

/** A card callback's answer in Feishu's words: the toast, and the card that replaces the clicked one. */
export function feishuReply(reply: Reply | null): Record<string, unknown> {
  if (!reply) return {};
  return {
    toast: { type: reply.toast.type, content: reply.toast.text },
    ...(reply.card ? { card: { type: 'raw', data: renderFeishuCard(reply.card) } } : {}),
  };
}

export async function handleFeishuDelivery(
  deps: Deps,
  body: Record<string, unknown>,
  appId: string | null,
  defer: (work: Promise<unknown>) => void,
): Promise<FeishuDeliveryAnswer> {
  let event;
  try {
    event = parseFeishuEvent(body, appId);
  } catch (error) {
    if (!(error instanceof FeishuParseError)) throw error;
    deps.log.warn('feishu event unreadable', { error: error.message });
    return { ok: false, status: 400, body: { error: 'bad_event', message: error.message } };
  }
  if (event.kind === 'ignored') return { ok: true, body: {} };
  const foreign = { ok: false, status: 403, body: { error: 'foreign_tenant', message: '该应用不服务于此租户' } } as const;
  if (event.kind === 'card_action') {
    const taken = await takeClick(deps, event);
    return taken.admitted ? { ok: true, body: feishuReply(taken.reply) } : foreign;
  }
  return (await takeMessage(deps, event, defer)) ? { ok: true, body: {} } : foreign;
}
