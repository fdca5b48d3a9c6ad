// The import in chat: a spreadsheet sent to the bot gets a preview card; its buttons confirm or
// cancel. Spreadsheets shared in ordinary groups are people's own business and are left alone.
import { importDecidedCard, LARGE_IMPORT_ROWS } from '../../cards/ledger.js';
import type { ActionPayload } from '../../cards/model.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { BAD_CARD_DATA } from './error-text.js';
import { cancelImport, confirmImport, previewImport } from './import-findings.js';
import type { InboundCardAction, InboundMessage } from './inbound.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import { nothing, toast, type Outcome } from './outcome.js';
import type { Deps } from './ports.js';

export async function importFromChat(deps: Deps, tenant: Tenant, campaign: Campaign, msg: InboundMessage): Promise<Outcome> {
  const file = msg.files[0];
  if (!file) return nothing();
  const inSupervisionGroup = msg.chatType === 'group' && (await deps.store.getChatBinding(tenant.id, msg.chatId)) !== null;
  if (msg.chatType === 'group' && !inSupervisionGroup) return nothing();
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  if (/\.xls$/i.test(file.name)) return say('请把文件另存为 .xlsx（Excel 2007 及以上格式）后重新发送。');
  if (!/\.xlsx$/i.test(file.name)) return msg.chatType === 'p2p' ? say('只能导入 .xlsx 格式的问题清单（附件2 问题清单汇总表或巡察反馈问题清单）。') : nothing();
  const platform = await deps.platforms.clientFor(tenant);
  if (!platform) throw new Error(`no ${tenant.platform} client to download the file with`);
  const bytes = await platform.downloadFile(msg.messageId, file.key);
  const preview = await previewImport(deps, tenant, campaign, { fileName: file.name, bytes, requestedBy: msg.senderUserId, chatId: msg.chatId });
  if (!preview.ok) return say(preview.reason);
  return { ops: [...preview.ops, ...sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: preview.card })], reply: null };
}

export async function onImportClick(deps: Deps, tenant: Tenant, event: InboundCardAction, payload: ActionPayload): Promise<Outcome> {
  const importId = payload.x?.['i'];
  if (!importId) return nothing(toast('error', BAD_CARD_DATA));
  const decide = payload.a === 'import_confirm' ? confirmImport : cancelImport;
  const decision = await decide(deps, tenant, importId, event.operatorUserId);
  if (!decision.ok) return nothing(toast(decision.alreadyDone ? 'info' : 'error', decision.reason));
  const outcome = payload.a === 'import_confirm' ? 'confirmed' : 'cancelled';
  const card = importDecidedCard({ fileName: decision.record.fileName, outcome, opened: decision.opened, closed: decision.closed, by: event.operatorUserId });
  const text = outcome === 'confirmed' ? `已导入${decision.opened + decision.closed}条` : '已取消导入';
  // The answer also goes into the preview's chat as a message of its own when the click came from
  // elsewhere (a forwarded card), or when the import is large enough that Feishu may stop waiting
  // for the click's answer before it is done.
  const large = decision.opened + decision.closed > LARGE_IMPORT_ROWS;
  const chatId = decision.record.chatId;
  const separately = chatId && (chatId !== event.chatId || large) ? sendOps(deps, tenant, { kind: 'chat', chatId }, { kind: 'card', card }) : [];
  return { ops: [...decision.ops, ...separately], reply: toast('success', text, card) };
}
