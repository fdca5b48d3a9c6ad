// 周调度 / 月通报 for one tenant: the bulletin card to the supervision group; the monthly run
// also asks the leaders of long-term (长期坚持) items how they are holding up (回头看). One atomic
// write with "this period is done", so a second run sends nothing.
import { bulletinCard, type BulletinCardOptions } from '../../cards/bulletin.js';
import { longTermCheckCard } from '../../cards/digest.js';
import type { Card } from '../../cards/model.js';
import { buildBulletin } from '../domain/bulletin.js';
import { summariseInspections } from '../domain/inspection-coverage.js';
import { summariseTeams, type TeamSummary } from '../domain/inspection-teams.js';
import type { Campaign, IsoDate, Tenant } from '../domain/model.js';
import type { JobPeriod } from '../domain/schedule.js';
import type { TaskFacts } from '../domain/task-facts.js';
import { bulletinQuery, toBulletinSource, type BulletinKind, type Span } from './bulletin-source.js';
import { ensureDefaultCampaign } from './context.js';
import { sendOps } from './outgoing.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';
import type { JobSummary } from './run-reminders.js';

/** Builds the bulletin card for a span, from live figures. */
export async function drawBulletin(deps: Deps, tenant: Tenant, campaign: Campaign, kind: BulletinKind, span: Span, today: IsoDate, options: BulletinCardOptions = {}): Promise<Card> {
  const query = bulletinQuery(kind, span, today, deps.settings);
  const [figures, inspections, departments] = await Promise.all([
    deps.store.bulletinFigures(tenant.id, campaign.id, query),
    deps.store.inspectionsByDepartment(tenant.id, campaign.id, span.start, span.end),
    deps.store.listDepartments(tenant.id),
  ]);
  const teams = await teamsOfPeriod(deps, tenant, campaign, span, today);
  const source = { ...toBulletinSource(figures, kind, query, campaign.name), inspections: { ...summariseInspections(inspections, departments, span.end), ...(teams ? { teams } : {}) } };
  return bulletinCard(buildBulletin(source), options);
}

/** Each 督查组's inspections in the span; null (and nothing more read) where no group was ever set up. */
async function teamsOfPeriod(deps: Deps, tenant: Tenant, campaign: Campaign, span: Span, today: IsoDate): Promise<TeamSummary[] | null> {
  const teams = await deps.store.listTeams(tenant.id);
  if (teams.length === 0) return null;
  const [memberships, days] = await Promise.all([
    deps.store.teamMemberships(tenant.id, span.start, span.end),
    deps.store.inspectionsByInspectorDay(tenant.id, campaign.id, span.start, span.end),
  ]);
  return summariseTeams(teams, memberships, days, { from: span.start, to: span.end, ended: span.end < today });
}

function longTermRequests(deps: Deps, tenant: Tenant, items: TaskFacts[], monthLabel: string): WriteOp[] {
  const byLeader = new Map<string, TaskFacts[]>();
  for (const item of items) {
    const list = byLeader.get(item.leaderUserId);
    if (list) list.push(item);
    else byLeader.set(item.leaderUserId, [item]);
  }
  return [...byLeader].flatMap(([userId, mine]) => sendOps(deps, tenant, { kind: 'user', userId }, { kind: 'card', card: longTermCheckCard(mine, monthLabel) }));
}

export async function runBulletin(deps: Deps, tenant: Tenant, period: JobPeriod, today: IsoDate): Promise<JobSummary> {
  if (await deps.store.hasJobRun(tenant.id, period.job, period.key)) return { skipped: 'already_done' };
  await ensureDefaultCampaign(deps, tenant);
  const now = deps.clock.now();
  const ops: WriteOp[] = [];
  // each campaign's bulletin goes to its own supervision group: the everyday one and every 专项
  let bulletins = 0;
  for (const campaign of await deps.store.listCampaigns(tenant.id)) {
    // a 专项 that ended before the period began has nothing more to report; the period it ended in gets its last bulletin
    if (campaign.endedOn && campaign.endedOn < period.start) continue;
    const chatId = await deps.store.getSupervisionChat(tenant.id, campaign.id);
    if (!chatId) continue;
    const kind = period.job === 'monthly' ? 'monthly' : 'weekly';
    const card = await drawBulletin(deps, tenant, campaign, kind, { start: period.start, end: period.end }, today);
    ops.push(...sendOps(deps, tenant, { kind: 'chat', chatId }, { kind: 'card', card }));
    bulletins++;
  }
  if (bulletins === 0) deps.log.warn('bulletin has no supervision group yet', { tenantId: tenant.id, period: period.key });
  const summary: JobSummary = { bulletin: bulletins };
  if (period.job === 'monthly') {
    const longTerm = await deps.store.listLongTermFacts(tenant.id);
    ops.push(...longTermRequests(deps, tenant, longTerm, period.label));
    summary['longTermRequests'] = new Set(longTerm.map((t) => t.leaderUserId)).size;
  }
  ops.push({ op: 'recordJobRun', tenantId: tenant.id, job: period.job, periodKey: period.key, at: now, summary });
  await deps.store.commit(ops);
  deps.kickOutbox();
  return summary;
}
