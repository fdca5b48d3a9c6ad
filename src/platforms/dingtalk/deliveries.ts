// One verified DingTalk robot message, whichever way it came (HTTP mode, or the Stream connection):
// parse it, check the app serves its corp, record it, answer at once; its work goes on in `defer`.
import { tenantIdFor } from '../../app/context.js';
import { namesOfMentioned } from '../../app/mention-names.js';
import { takeClick, takeMessage } from '../../app/receive.js';
import type { Reply } from '../../app/outcome.js';
import type { Deps } from '../../app/ports.js';
import { DingTalkParseError, parseDingTalkCardCallback, parseDingTalkMessage } from './parse.js';
import { renderDingTalkCard } from './render-card.js';

const FOREIGN = { error: 'foreign_tenant', message: '该应用不服务于此组织' };

export type DingTalkDeliveryAnswer = { ok: true } | { ok: false; status: 400 | 403; body: { error: string; message: string } };

export async function handleDingTalkMessage(
  deps: Deps,
  body: Record<string, unknown>,
  appId: string | null,
  defer: (work: Promise<unknown>) => void,
): Promise<DingTalkDeliveryAnswer> {
  let event;
  try {
    event = parseDingTalkMessage(body, appId);
  } catch (error) {
    if (!(error instanceof DingTalkParseError)) throw error;
    deps.log.warn('dingtalk message unreadable', { error: error.message });
    return { ok: false, status: 400, body: { error: 'bad_event', message: error.message } };
  }
  if (event.kind !== 'message') return { ok: true };
  if (!(await takeMessage(deps, event, defer))) return { ok: false, status: 403, body: FOREIGN };
  return { ok: true };
}

/**
 * A card callback's answer in DingTalk's words: the card, updated for everyone, and the toast as
 * the clicker's private `notice` (DingTalk has no toast; the general template shows `notice` under
 * the buttons, to that person only).
 */
export function dingTalkCardReply(reply: Reply | null, names?: ReadonlyMap<string, string>): Record<string, unknown> {
  if (!reply) return {};
  return {
    ...(reply.card ? { cardData: { cardParamMap: renderDingTalkCard(reply.card, names).cardParamMap } } : {}),
    userPrivateData: { cardParamMap: { notice: reply.toast.text, noticeType: reply.toast.type } },
    cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
  };
}

export type DingTalkCardAnswer = { ok: true; body: Record<string, unknown> } | { ok: false; status: 400 | 403; body: { error: string; message: string } };

export async function handleDingTalkCardCallback(
  deps: Deps,
  body: Record<string, unknown>,
  appId: string | null,
  deliveryId: string | null,
): Promise<DingTalkCardAnswer> {
  let event;
  try {
    event = parseDingTalkCardCallback(body, appId, deliveryId, deps.clock.now());
  } catch (error) {
    if (!(error instanceof DingTalkParseError)) throw error;
    deps.log.warn('dingtalk card callback unreadable', { error: error.message });
    return { ok: false, status: 400, body: { error: 'bad_event', message: error.message } };
  }
  const taken = await takeClick(deps, event);
  if (!taken.admitted) return { ok: false, status: 403, body: FOREIGN };
  const card = taken.reply?.card;
  const names = card ? await namesOfMentioned(deps, tenantIdFor('dingtalk', event.tenantKey), card) : undefined;
  return { ok: true, body: dingTalkCardReply(taken.reply, names) };
}
