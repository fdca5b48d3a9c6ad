// 周调度 / 月通报 for one tenant: the bulletin card to the supervision group; the monthly run
// also asks the leaders of long-term (长期坚持) items how they are holding up (回头看). One atomic
// write with "this period is done", so a second run sends nothing.
import { bulletinCard, type BulletinCardOptions } from '../../cards/bulletin.js';
import { longTermCheckCard } from '../../cards/digest.js';
import type { Card } from '../../cards/model.js';
import { buildBulletin } from '../domain/bulletin.js';
import { summariseInspections } from '../domain/inspection-coverage.js';
import { summariseTeams } from '../domain/inspection-teams.js';
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
  const [figures, departments, teams, memberships] = await Promise.all([
    deps.store.bulletinFigures(tenant.id, campaign.id, query),
    deps.store.listDepartments(tenant.id),
    deps.store.listTeams(tenant.id),
    deps.store.teamMemberships(tenant.id, span.start, span.end),
  ]);
  // the per-person sums only where some 督查组 was ever set up
  const sums = await deps.store.inspectionSums(tenant.id, campaign.id, span.start, span.end, teams.length > 0);
  const inspections = {
    ...summariseInspections(sums.perDepartment, departments, span.end),
    ...(teams.length ? { teams: summariseTeams(teams, memberships, sums.perInspectorDay, { from: span.start, to: span.end, ended: span.end < today }) } : {}),
  };
  return bulletinCard(buildBulletin({ ...toBulletinSource(figures, kind, query, campaign.name), inspections }), options);
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
