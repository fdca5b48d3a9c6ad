// One verified DingTalk robot message, whichever way it came (HTTP mode, or the Stream connection):
// parse it, check the app serves its corp, record it, answer at once; its work goes on in `defer`.
import { accept, admit, processDelivery } from '../../app/receive.js';
import type { Deps } from '../../app/ports.js';
import { DingTalkParseError, parseDingTalkMessage } from './parse.js';

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
  if (!(await admit(deps, event))) return { ok: false, status: 403, body: { error: 'foreign_tenant', message: '该应用不服务于此组织' } };
  const accepted = await accept(deps, event);
  if (accepted.isNew) defer(processDelivery(deps, event));
  return { ok: true };
}
