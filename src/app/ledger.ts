// The ledger (整改台账) from live data: the same rows and the same file whichever door asks for it
// (the chat's 台账, GET /admin/ledger.xlsx, the command line).
import { progressCard } from '../../cards/ledger.js';
import { buildLedger, type Ledger } from '../domain/ledger.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { replyTarget } from './outgoing.js';
import { actorFor, campaignOfChat, today } from './context.js';
import type { InboundMessage } from './inbound.js';
import { sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import { keepWorkbook } from './workbook-blobs.js';

export async function ledgerOf(deps: Deps, tenant: Tenant, campaign: Campaign): Promise<Ledger> {
  const [entries, visits] = await Promise.all([deps.store.ledgerEntries(tenant.id, campaign.id), deps.store.ledgerVisits(tenant.id, campaign.id)]);
  return buildLedger({ organisation: tenant.name, campaignName: campaign.name, today: today(deps) }, entries, visits);
}

/** "整改台账-日常督查-2026-11-23.xlsx", without the characters file systems refuse. */
export function ledgerFileName(ledger: Ledger): string {
  return `整改台账-${ledger.campaignName}-${ledger.generatedOn}.xlsx`.replace(/[\\/:*?"<>|\s]+/g, '_');
}

export async function ledgerWorkbook(deps: Deps, tenant: Tenant, campaign: Campaign): Promise<{ ledger: Ledger; fileName: string; bytes: Uint8Array }> {
  const ledger = await ledgerOf(deps, tenant, campaign);
  return { ledger, fileName: ledgerFileName(ledger), bytes: await deps.workbooks.writeLedger(ledger) };
}

/** The tenant an operator names; a deployment with a single tenant needs no name. A string says what is wrong. */
export async function tenantNamed(deps: Deps, wanted: string | null): Promise<Tenant | string> {
  if (wanted) return (await deps.store.getTenant(wanted)) ?? `没有这个租户：${wanted}`;
  const tenants = await deps.store.listTenants();
  if (tenants.length === 1) return tenants[0]!;
  return tenants.length === 0 ? '还没有任何租户（机器人尚未收到过消息）' : `有${tenants.length}个租户，请指定 tenant：${tenants.map((t) => t.id).join('、')}`;
}

/** The campaign a request names (by id or by name), or the tenant's default one. */
export async function campaignNamed(deps: Deps, tenant: Tenant, wanted: string | null): Promise<Campaign | null> {
  const campaigns = await deps.store.listCampaigns(tenant.id);
  if (!wanted) return campaigns.find((c) => c.isDefault) ?? campaigns[0] ?? null;
  return campaigns.find((c) => c.id === wanted || c.name === wanted) ?? null;
}

/**
 * Whose ledger this message may have. In a supervision group, anyone there has its campaign's;
 * a campaign named (台账 2025年作风建设专项督查) or one asked for elsewhere is for those whose role
 * may export ledgers. Without a name: the group's campaign, else the everyday one.
 */
export async function ledgerCampaignFor(deps: Deps, tenant: Tenant, fallback: Campaign, msg: InboundMessage, named: string | null, forbidden: string): Promise<Campaign | string> {
  const ownGroup = msg.chatType === 'group' && (await deps.store.getChatBinding(tenant.id, msg.chatId)) ? await campaignOfChat(deps, tenant, fallback, msg.chatId) : null;
  const wanted = named ? await campaignNamed(deps, tenant, named) : (ownGroup ?? fallback);
  if (!wanted) return `没有找到专项「${named}」。`;
  if (wanted.id === ownGroup?.id) return wanted;
  return mayActInTenant((await actorFor(deps, tenant.id, msg.senderUserId)).roles, 'export_ledger') ? wanted : forbidden;
}

/** 台账: the workbook as a file message, with the progress card beside it. */
export async function sendLedger(deps: Deps, tenant: Tenant, defaultCampaign: Campaign, msg: InboundMessage, named: string | null = null): Promise<Outcome> {
  const campaign = await ledgerCampaignFor(deps, tenant, defaultCampaign, msg, named, '台账请在督查群中获取，或由督查组、监督小组成员私聊获取。');
  if (typeof campaign === 'string') return { ops: textOps(deps, tenant, replyTarget(msg), campaign), reply: null };
  const { ledger, fileName, bytes } = await ledgerWorkbook(deps, tenant, campaign);
  const blobKey = await keepWorkbook(deps, tenant, bytes);
  const card = progressCard(ledger, `台账文件《${fileName}》含附件1 督查反馈记录表、附件2 问题清单汇总表、整改进展三张表，可直接打印。`);
  return {
    ops: [...sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), ...sendOps(deps, tenant, replyTarget(msg), { kind: 'file', fileName, blobKey })],
    reply: null,
  };
}

/** 进展: the progress report card alone. */
export async function sendProgress(deps: Deps, tenant: Tenant, defaultCampaign: Campaign, msg: InboundMessage, named: string | null = null): Promise<Outcome> {
  const campaign = await ledgerCampaignFor(deps, tenant, defaultCampaign, msg, named, '整改进展请在督查群中查看，或由督查组、监督小组成员私聊查看。');
  if (typeof campaign === 'string') return { ops: textOps(deps, tenant, replyTarget(msg), campaign), reply: null };
  const card = progressCard(await ledgerOf(deps, tenant, campaign));
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}
