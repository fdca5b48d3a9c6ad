// 结束专项 / 恢复专项: a 专项督查 runs for months, then ends. Ended, it stops sending its weekly and
// monthly bulletins and takes no new findings; what is still open keeps going (leaders are still
// reminded, submissions still verified) and its 台账, 进展 and 通报 can still be asked for. An admin
// can resume it. The everyday campaign never ends.
import { mention } from '../../cards/model.js';
import { formatDateZh } from '../domain/deadline.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { actorFor, campaignOfChat, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { campaignNamed } from './ledger.js';
import { replyTarget, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';

/** Why an ended campaign takes no new finding, and what to do instead. */
export function endedCampaignRefusal(campaign: Campaign): string {
  return `「${campaign.name}」专项已于${formatDateZh(campaign.endedOn ?? '')}结束，不再登记新问题。日常问题请在日常督查群或私聊中登记；如需继续本专项，请管理员发送「恢复专项 ${campaign.name}」。`;
}

export async function endOrResumeCampaign(deps: Deps, tenant: Tenant, everyday: Campaign, msg: InboundMessage, end: boolean, named: string | null): Promise<Outcome> {
  const say = (text: string, ops: Outcome['ops'] = []): Outcome => ({ ops: [...ops, ...textOps(deps, tenant, replyTarget(msg), text)], reply: null });
  const word = end ? '结束' : '恢复';
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'bind_chat')) return say(`只有管理员可以${word}专项。`);
  const campaign = named
    ? await campaignNamed(deps, tenant, named)
    : msg.chatType === 'group' && (await deps.store.getChatBinding(tenant.id, msg.chatId))
      ? await campaignOfChat(deps, tenant, everyday, msg.chatId)
      : null;
  if (!campaign) return say(named ? `没有名为「${named}」的专项。发送「专项」查看全部专项。` : `请在专项的督查群中发送「${word}专项」，或写上专项名称：${word}专项 2025年作风建设专项督查`);
  if (campaign.isDefault) return say('日常督查不能结束或恢复；专项督查才有起止。');
  if (end && campaign.endedOn) return say(`「${campaign.name}」专项已于${formatDateZh(campaign.endedOn)}结束。`);
  if (!end && !campaign.endedOn) return say(`「${campaign.name}」专项正在进行，无需恢复。`);

  const endedOn = end ? today(deps) : null;
  const ops: Outcome['ops'] = [{ op: 'setCampaignEnded', tenantId: tenant.id, campaignId: campaign.id, endedOn }];
  if (!end) return say(`「${campaign.name}」专项已恢复：本专项督查群可继续登记问题，每周、每月通报照常发送。`, ops);
  const open = (await deps.store.campaignTallies(tenant.id)).find((t) => t.campaignId === campaign.id)?.open ?? 0;
  const still = open > 0 ? `尚有 ${open} 项未办结：责任领导仍会收到提醒，整改、验收照常进行。` : '本专项的问题已全部办结。';
  return say(
    `「${campaign.name}」专项已于${formatDateZh(endedOn!)}结束（${mention(actor.userId)}）：不再发送本专项的每周、每月通报，不再登记新问题。${still}台账、进展和通报仍可查看；如需继续，发送「恢复专项 ${campaign.name}」。`,
    ops,
  );
}
