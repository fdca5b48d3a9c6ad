// 督查组 督查一组 @组长 @成员…, 督查组, 撤销督查组 督查一组: who inspects together. Setting a group
// closes the memberships it no longer has and opens the new ones from today, so earlier weeks stay
// counted for the groups as they were; its people become 督查组 members (they inspect).
import { mention } from '../../cards/model.js';
import { teamsCard } from '../../cards/teams.js';
import { MAX_TEAM_SIZE, TEAM_USAGE, teamIdFor, teamNameProblem } from '../domain/inspection-teams.js';
import type { InspectionTeam, Tenant } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { actorFor, today } from './context.js';
import type { InboundMention, InboundMessage } from './inbound.js';
import { replyTarget, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';

const NOT_ALLOWED = '只有管理员和监督小组成员可以设置督查组。';

const say = (deps: Deps, tenant: Tenant, msg: InboundMessage, text: string, ops: WriteOp[] = []): Outcome => ({
  ops: [...ops, ...textOps(deps, tenant, replyTarget(msg), text)],
  reply: null,
});

const sameName = (a: string, b: string) => a.normalize('NFKC') === b.normalize('NFKC');

export async function setTeam(deps: Deps, tenant: Tenant, msg: InboundMessage, teamName: string, people: readonly InboundMention[]): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'manage_teams')) return say(deps, tenant, msg, NOT_ALLOWED);
  const problem = teamNameProblem(teamName);
  if (problem) return say(deps, tenant, msg, problem);
  const userIds = [...new Set(people.map((p) => p.userId))];
  if (userIds.length === 0) return say(deps, tenant, msg, `请@组长和成员。${TEAM_USAGE}`);
  if (userIds.length > MAX_TEAM_SIZE) return say(deps, tenant, msg, `一个督查组最多${MAX_TEAM_SIZE}人。`);

  const day = today(deps);
  const now = deps.clock.now();
  const [teams, current] = await Promise.all([deps.store.listTeams(tenant.id), deps.store.teamMemberships(tenant.id, day, day)]);
  const existing = teams.find((t) => sameName(t.name, teamName)) ?? null;
  const team: InspectionTeam = {
    id: existing?.id ?? teamIdFor(tenant.id, teamName),
    tenantId: tenant.id,
    name: existing?.name ?? teamName,
    leadUserId: userIds[0]!,
    retiredOn: null,
    createdAt: existing?.createdAt ?? now,
  };
  const ops: WriteOp[] = [
    ...userIds.map((userId): WriteOp => ({ op: 'grantRole', tenantId: tenant.id, userId, role: 'inspector', at: now })),
    { op: 'upsertTeam', team, at: now },
    { op: 'closeTeamMemberships', tenantId: tenant.id, teamId: team.id, keepUserIds: userIds, day },
    { op: 'openTeamMemberships', tenantId: tenant.id, teamId: team.id, userIds, day, at: now },
  ];

  const nameOf = (teamId: string) => teams.find((t) => t.id === teamId)?.name ?? '';
  const leadOf = (teamId: string) => teams.find((t) => t.id === teamId)?.leadUserId ?? null;
  const moved = current.filter((m) => m.teamId !== team.id && userIds.includes(m.userId));
  const left = current.filter((m) => m.teamId === team.id && !userIds.includes(m.userId));
  const others = userIds.slice(1);
  const verb = !existing ? '已成立' : existing.retiredOn ? '已重新设立' : '已调整';
  const lines = [
    `${verb}督查组「${team.name}」：组长 ${mention(userIds[0]!)}${others.length ? `，成员 ${others.map(mention).join(' ')}` : ''}（共${userIds.length}人）。`,
    ...moved.map((m) => `${mention(m.userId)} 原在「${nameOf(m.teamId)}」，今天起调入本组${leadOf(m.teamId) === m.userId ? `（原为该组组长，请重新设置「${nameOf(m.teamId)}」）` : ''}。`),
    ...(left.length ? [`今天起不再在本组：${left.map((m) => mention(m.userId)).join(' ')}（此前的督查仍计入本组）。`] : []),
    '本组成员今天起的督查计入本组；「督查情况」按周列出各组的督查次数（每组每周至少1次）。',
  ];
  return say(deps, tenant, msg, lines.join('\n'), ops);
}

export async function listTeams(deps: Deps, tenant: Tenant, msg: InboundMessage): Promise<Outcome> {
  const day = today(deps);
  const [teams, current, inspectors] = await Promise.all([
    deps.store.listTeams(tenant.id),
    deps.store.teamMemberships(tenant.id, day, day),
    deps.store.listMembersWithRole(tenant.id, 'inspector'),
  ]);
  const views = teams
    .filter((t) => !t.retiredOn)
    .map((t) => {
      const members = current.filter((m) => m.teamId === t.id).map((m) => m.userId);
      // the 组长 first, then the others as they joined; a 组长 moved to another group leads this one no more
      const lead = t.leadUserId && members.includes(t.leadUserId) ? t.leadUserId : null;
      return { name: t.name, leadUserId: lead, memberUserIds: [...members.filter((id) => id === lead), ...members.filter((id) => id !== lead)] };
    });
  const inTeams = new Set(current.map((m) => m.userId));
  const unassigned = teams.length ? inspectors.map((m) => m.userId).filter((id) => !inTeams.has(id)) : [];
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: teamsCard(views, unassigned) }), reply: null };
}

export async function retireTeam(deps: Deps, tenant: Tenant, msg: InboundMessage, teamName: string): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  if (!mayActInTenant(actor.roles, 'manage_teams')) return say(deps, tenant, msg, NOT_ALLOWED);
  if (!teamName) return say(deps, tenant, msg, '用法：撤销督查组 督查一组');
  const team = (await deps.store.listTeams(tenant.id)).find((t) => sameName(t.name, teamName) && !t.retiredOn);
  if (!team) return say(deps, tenant, msg, `没有名为「${teamName}」的督查组。发送「督查组」查看各组。`);
  const day = today(deps);
  const ops: WriteOp[] = [
    { op: 'closeTeamMemberships', tenantId: tenant.id, teamId: team.id, keepUserIds: [], day },
    { op: 'retireTeam', tenantId: tenant.id, teamId: team.id, day, at: deps.clock.now() },
  ];
  return say(deps, tenant, msg, `已撤销督查组「${team.name}」：其成员仍可登记问题（角色不变），此前的督查照常计入该组的统计。`, ops);
}
