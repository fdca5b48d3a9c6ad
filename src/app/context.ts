// Where a delivery lands: its tenant (created on first contact), the acting person, and "today"
// in the business time zone.
import { STANDARD_CATEGORIES, type Actor, type Campaign, type IsoDate, type Platform, type Tenant } from '../domain/model.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';

export function tenantIdFor(platform: Platform, externalKey: string): string {
  return `${platform}:${externalKey}`;
}

export const DEFAULT_CAMPAIGN_NAME = '日常督查';

// A tenant and its default campaign never change once created, and every delivery needs them:
// remembered per store, so a card click does not pay two reads for them.
const known = new WeakMap<object, Map<string, { tenant: Tenant; campaign: Campaign }>>();

/**
 * A delivery names a tenant that another app serves. Each organisation's app signs with its own
 * keys, so without this check one organisation's app could write into another's tenant.
 */
export class ForeignAppError extends Error {
  constructor(tenantId: string, appId: string | null, servedBy: string | null) {
    super(`tenant ${tenantId} is served by app ${servedBy ?? '(environment)'}, not ${appId ?? '(environment)'}`);
    this.name = 'ForeignAppError';
  }
}

/**
 * The tenant and its default campaign, created idempotently the first time we hear from it. A new
 * tenant belongs to the app its first delivery came through (`appId`, null for the environment's
 * app); a delivery through any other app is refused with ForeignAppError.
 */
export async function ensureTenant(
  deps: Deps,
  platform: Platform,
  externalKey: string,
  appId: string | null = null,
): Promise<{ tenant: Tenant; campaign: Campaign }> {
  const id = tenantIdFor(platform, externalKey);
  const memo = known.get(deps.store) ?? new Map<string, { tenant: Tenant; campaign: Campaign }>();
  known.set(deps.store, memo);
  let found = memo.get(id);
  if (!found) {
    found = await findOrCreateTenant(deps, platform, externalKey, id, appId);
    memo.set(id, found);
  }
  if (found.tenant.appId !== appId) throw new ForeignAppError(id, appId, found.tenant.appId);
  return found;
}

async function findOrCreateTenant(
  deps: Deps,
  platform: Platform,
  externalKey: string,
  id: string,
  appId: string | null,
): Promise<{ tenant: Tenant; campaign: Campaign }> {
  let tenant = await deps.store.getTenant(id);
  let campaign = tenant ? await deps.store.getDefaultCampaign(id) : null;
  if (!tenant || !campaign) {
    const now = deps.clock.now();
    const ops: WriteOp[] = [
      { op: 'insertTenant', tenant: { id, platform, externalKey, name: null, appId }, createdAt: now },
      {
        op: 'insertCampaign',
        // the id is derived so that two first deliveries racing create one default campaign
        campaign: { id: `${id}:default`, tenantId: id, name: DEFAULT_CAMPAIGN_NAME, categories: [...STANDARD_CATEGORIES], isDefault: true, endedOn: null },
        createdAt: now,
      },
    ];
    await deps.store.commit(ops);
    tenant = await deps.store.getTenant(id);
    campaign = await deps.store.getDefaultCampaign(id);
  }
  if (!tenant || !campaign) throw new Error(`tenant ${id} could not be created`);
  return { tenant, campaign };
}

const byId = new WeakMap<object, Map<string, Tenant>>();

/**
 * A tenant by id, remembered per store like the ones above (a tenant does not change once created):
 * the courier looks one up on every pass.
 */
export async function knownTenant(deps: Deps, tenantId: string): Promise<Tenant | null> {
  const remembered = known.get(deps.store)?.get(tenantId)?.tenant ?? byId.get(deps.store)?.get(tenantId);
  if (remembered) return remembered;
  const tenant = await deps.store.getTenant(tenantId);
  if (tenant) {
    const memo = byId.get(deps.store) ?? new Map<string, Tenant>();
    byId.set(deps.store, memo);
    memo.set(tenantId, tenant);
  }
  return tenant;
}

/** A tenant's default campaign (every tenant has one; created with the tenant). */
export async function ensureDefaultCampaign(deps: Deps, tenant: Tenant): Promise<Campaign> {
  return (await ensureTenant(deps, tenant.platform, tenant.externalKey, tenant.appId)).campaign;
}

/**
 * The campaign a group works on: the one it was bound to (设为督查群 <专项名称>), else `fallback`
 * (the everyday campaign). A direct chat belongs to no campaign.
 */
export async function campaignOfChat(deps: Deps, tenant: Tenant, fallback: Campaign, chatId: string | null): Promise<Campaign> {
  const binding = chatId ? await deps.store.getChatBinding(tenant.id, chatId) : null;
  if (!binding || binding.campaignId === fallback.id) return fallback;
  return (await deps.store.listCampaigns(tenant.id)).find((c) => c.id === binding.campaignId) ?? fallback;
}

export async function actorFor(deps: Deps, tenantId: string, userId: string): Promise<Actor> {
  const member = await deps.store.getMember(tenantId, userId);
  return { userId, roles: member?.roles ?? [] };
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `ms` in the business time zone. */
export function isoDateIn(timezone: string, ms: number): IsoDate {
  let format = dateFormatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timezone, format);
  }
  return format.format(ms);
}

export function today(deps: Deps): IsoDate {
  return isoDateIn(deps.settings.timezone, deps.clock.now());
}
