// 设为督查群, 科室, 角色 / 授权: the few settings an office keeps, changed from the chat.
import { campaignsCard, departmentsCard, rolesCard } from '../../cards/notices.js';
import { mention } from '../../cards/model.js';
import type { Campaign, Member, Role, Tenant } from '../domain/model.js';
import { ROLE_LABELS, ROLES, STANDARD_CATEGORIES } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { formatDateZh } from '../domain/deadline.js';
import { actorFor, today } from './context.js';
import type { InboundMention, InboundMessage } from './inbound.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps, MessageTarget } from './ports.js';
import type { WriteOp } from './store-port.js';


const say = (deps: Deps, tenant: Tenant, msg: InboundMessage, text: string, ops: WriteOp[] = []): Outcome => ({
  ops: [...ops, ...textOps(deps, tenant, replyTarget(msg), text)],
  reply: null,
});

/** What 设为督查群 may name: a campaign (专项督查 / 巡察整改) and its own categories. */
export interface CampaignSpec {
  campaignName: string | null;
  categories: string[];
}

const MAX_CAMPAIGN_NAME = 40;
const MAX_CATEGORIES = 12;
const MAX_CATEGORY = 20;
const BIND_USAGE = '请写上专项名称，例如：设为督查群 2025年作风建设专项督查 #服务态度 #医德医风（不写类别则为服务态度、服务流程、服务质量、服务环境）。';

/** The campaign a 设为督查群 names: the everyday one, one that exists by that name, or a new one. */
async function campaignFor(deps: Deps, tenant: Tenant, everyday: Campaign, spec: CampaignSpec): Promise<{ campaign: Campaign; ops: WriteOp[]; note: string } | { refusal: string }> {
  if (!spec.campaignName) return spec.categories.length ? { refusal: BIND_USAGE } : { campaign: everyday, ops: [], note: '' };
  const name = spec.campaignName;
  if (name.length > MAX_CAMPAIGN_NAME) return { refusal: `专项名称不能超过${MAX_CAMPAIGN_NAME}字。` };
  if (spec.categories.length > MAX_CATEGORIES || spec.categories.some((c) => c.length > MAX_CATEGORY)) {
    return { refusal: `问题类别最多${MAX_CATEGORIES}个，每个不超过${MAX_CATEGORY}字。` };
  }
  const existing = (await deps.store.listCampaigns(tenant.id)).find((c) => c.name.normalize('NFKC') === name.normalize('NFKC'));
  if (existing) {
    const same = spec.categories.length === 0 || spec.categories.join('、') === existing.categories.join('、');
    return { campaign: existing, ops: [], note: same ? '' : '（该专项已有，问题类别不变）' };
  }
  // the id follows from the name, so two binds racing to create the same campaign create one
  const campaign: Campaign = {
    id: `${tenant.id}:campaign:${name.normalize('NFKC')}`,
    tenantId: tenant.id,
    name,
    categories: spec.categories.length ? spec.categories : [...STANDARD_CATEGORIES],
    isDefault: false,
    endedOn: null,
  };
  return { campaign, ops: [{ op: 'insertCampaign', campaign, createdAt: deps.clock.now() }], note: '' };
}

export async function bindGroup(deps: Deps, tenant: Tenant, everyday: Campaign, msg: InboundMessage, spec: CampaignSpec): Promise<Outcome> {
  if (msg.chatType !== 'group') return say(deps, tenant, msg, '请在要接收通报和督办提醒的群里发送「设为督查群」。');
  const now = deps.clock.now();
  const admins = await deps.store.listMembersWithRole(tenant.id, 'admin');
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (admins.length > 0 && !mayActInTenant(actor.roles, 'bind_chat')) {
    return say(deps, tenant, msg, `只有管理员可以设置督查群。当前管理员：${admins.map((a) => mention(a.userId)).join(' ')}`);
  }
  const chosen = await campaignFor(deps, tenant, everyday, spec);
  if ('refusal' in chosen) return say(deps, tenant, msg, chosen.refusal);
  const { campaign } = chosen;
  const ops: WriteOp[] = [...chosen.ops, { op: 'bindChat', tenantId: tenant.id, chatId: msg.chatId, campaignId: campaign.id, boundBy: msg.senderUserId, at: now }];
  const bound =
    `本群已设为督查群（${campaign.name}）：群成员可在此登记问题，通报和督办提醒将发到本群。` +
    (campaign.isDefault ? '' : `\n问题类别：${campaign.categories.join('、')}${chosen.note}。本群登记的问题、通报和台账都属于该专项。`);
  if (admins.length === 0) {
    ops.push({ op: 'grantRole', tenantId: tenant.id, userId: msg.senderUserId, role: 'admin', at: now });
    return say(deps, tenant, msg, `${bound}\n${mention(msg.senderUserId)} 是第一位使用者，已成为管理员，可用「授权 @某人 监督小组」设置监督小组成员。`, ops);
  }
  return say(deps, tenant, msg, bound, ops);
}

/** 专项: the campaigns with their figures; in a supervision group for anyone there, elsewhere by role. */
export async function listCampaigns(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Outcome> {
  const inSupervisionGroup = msg.chatType === 'group' && (await deps.store.getChatBinding(tenant.id, msg.chatId)) !== null;
  if (!inSupervisionGroup && !mayActInTenant((await actorFor(deps, tenant.id, msg.senderUserId)).roles, 'export_ledger')) {
    return say(deps, tenant, msg, '督查专项请在督查群中查看，或由督查组、监督小组成员私聊查看。');
  }
  const tallies = new Map((await deps.store.campaignTallies(tenant.id)).map((t) => [t.campaignId, t]));
  const rows = (await deps.store.listCampaigns(tenant.id)).map((campaign) => ({ campaign, tasks: 0, open: 0, groups: 0, ...tallies.get(campaign.id) }));
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: campaignsCard(rows) }), reply: null };
}

export async function listDepartments(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Outcome> {
  const departments = await deps.store.listDepartments(tenant.id);
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: departmentsCard(departments) }), reply: null };
}

export async function upsertDepartment(deps: Deps, tenant: Tenant, msg: InboundMessage, name: string, people: InboundMention[]): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'manage_departments')) return say(deps, tenant, msg, '只有管理员和监督小组成员可以维护科室。');
  if (name.length > 50) return say(deps, tenant, msg, '科室名称不能超过50字。');
  const leader = people[0];
  const existing = await deps.store.findDepartmentByName(tenant.id, name);
  const now = deps.clock.now();
  const ops: WriteOp[] = [
    // 新增 of a retired department puts it back in use
    { op: 'upsertDepartment', department: { id: existing?.id ?? deps.newId(), tenantId: tenant.id, name, leaderUserId: leader?.userId ?? existing?.leaderUserId ?? null, retiredOn: null }, at: now },
  ];
  if (leader) {
    ops.push({ op: 'upsertMember', member: { tenantId: tenant.id, userId: leader.userId, name: leader.name }, at: now });
    ops.push({ op: 'grantRole', tenantId: tenant.id, userId: leader.userId, role: 'leader', at: now });
  }
  const who = leader ? `，责任领导 ${mention(leader.userId)}` : existing?.leaderUserId ? `，责任领导仍为 ${mention(existing.leaderUserId)}` : '（未设责任领导：科室 新增 名称 @责任领导）';
  const verb = !existing ? '新增' : existing.retiredOn ? '重新启用' : '更新';
  return say(deps, tenant, msg, `已${verb}科室「${name}」${who}。`, ops);
}

/**
 * 科室更名: the department keeps its id, so its findings, tasks, leader and every report follow the
 * new name (past ledgers exported again show it too). Two departments never share a name.
 */
export async function renameDepartment(deps: Deps, tenant: Tenant, msg: InboundMessage, from: string, to: string): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'manage_departments')) return say(deps, tenant, msg, '只有管理员和监督小组成员可以维护科室。');
  if (!from || !to) return say(deps, tenant, msg, '用法：科室 更名 原名称 新名称（如：科室 更名 门诊部 门诊办公室）');
  if (to.length > 50) return say(deps, tenant, msg, '科室名称不能超过50字。');
  const department = await deps.store.findDepartmentByName(tenant.id, from);
  if (!department) return say(deps, tenant, msg, `没有名为「${from}」的科室。发送「科室」查看科室列表。`);
  if (from === to) return say(deps, tenant, msg, `科室「${from}」的名称没有改变。`);
  if (await deps.store.findDepartmentByName(tenant.id, to)) return say(deps, tenant, msg, `已有名为「${to}」的科室，不能重名。`);
  const ops: WriteOp[] = [{ op: 'renameDepartment', tenantId: tenant.id, departmentId: department.id, name: to, at: deps.clock.now() }];
  return say(deps, tenant, msg, `已将科室「${from}」更名为「${to}」：该科室的问题、整改任务和责任领导不变，通报和台账按新名称统计。`, ops);
}

/**
 * 科室停用 / 启用: a merged or abolished department is offered for no new finding (the intake form,
 * 修改问题); everything already filed in it stays there, its open tasks go on, and reports and the
 * ledger keep counting it under its name.
 */
export async function retireDepartment(deps: Deps, tenant: Tenant, msg: InboundMessage, name: string, retire: boolean): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'manage_departments')) return say(deps, tenant, msg, '只有管理员和监督小组成员可以维护科室。');
  if (!name) return say(deps, tenant, msg, `用法：科室 ${retire ? '停用' : '启用'} 科室名称（如：科室 ${retire ? '停用' : '启用'} 急诊二科）`);
  const department = await deps.store.findDepartmentByName(tenant.id, name);
  if (!department) return say(deps, tenant, msg, `没有名为「${name}」的科室。发送「科室」查看科室列表。`);
  if (retire === (department.retiredOn !== null)) {
    return say(deps, tenant, msg, retire ? `科室「${name}」已于${formatDateZh(department.retiredOn!)}停用。` : `科室「${name}」正在使用，无需启用。`);
  }
  const ops: WriteOp[] = [{ op: 'setDepartmentRetired', tenantId: tenant.id, departmentId: department.id, retiredOn: retire ? today(deps) : null, at: deps.clock.now() }];
  if (!retire) return say(deps, tenant, msg, `已重新启用科室「${name}」：登记问题时可以再选择它。`, ops);
  const open = await deps.store.countOpenTasksOfDepartment(tenant.id, department.id);
  const still = open > 0 ? `该科室还有${open}项未办结的整改任务，照常办理和提醒；` : '';
  return say(deps, tenant, msg, `已停用科室「${name}」：登记问题和修改问题时不再列出它。${still}已登记的问题仍属于该科室，通报和台账照常统计。需要时发送「科室 启用 ${name}」。`, ops);
}

export async function listRoles(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Outcome> {
  const byUser = new Map<string, Member>();
  for (const role of ROLES) {
    if (role === 'leader') continue;
    for (const m of await deps.store.listMembersWithRole(tenant.id, role)) {
      const known = byUser.get(m.userId);
      if (known) known.roles.push(role);
      else byUser.set(m.userId, { ...m, roles: [role] });
    }
  }
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: rolesCard([...byUser.values()]) }), reply: null };
}

export async function changeRole(deps: Deps, tenant: Tenant, msg: InboundMessage, grant: boolean, role: Role | null, people: InboundMention[]): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'manage_roles')) return say(deps, tenant, msg, '只有管理员可以授权。');
  if (!role || people.length === 0) return say(deps, tenant, msg, '用法：授权 @某人 监督小组（或 督查组、管理员）；取消授权 @某人 督查组');
  const now = deps.clock.now();
  if (!grant && role === 'admin' && people.some((p) => p.userId === actor.userId)) {
    const admins = await deps.store.listMembersWithRole(tenant.id, 'admin');
    if (admins.length <= 1) return say(deps, tenant, msg, '您是唯一的管理员，不能取消自己的管理员角色。');
  }
  const ops: WriteOp[] = people.flatMap((p): WriteOp[] => [
    { op: 'upsertMember', member: { tenantId: tenant.id, userId: p.userId, name: p.name }, at: now },
    grant ? { op: 'grantRole', tenantId: tenant.id, userId: p.userId, role, at: now } : { op: 'revokeRole', tenantId: tenant.id, userId: p.userId, role },
  ]);
  const names = people.map((p) => mention(p.userId)).join(' ');
  return say(deps, tenant, msg, grant ? `已授权 ${names} 为${ROLE_LABELS[role]}。` : `已取消 ${names} 的${ROLE_LABELS[role]}角色。`, ops);
}
