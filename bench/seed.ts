// Seeds a realistic large tenant straight through SQL (seeding is not what is measured):
// `departments` departments, `tasks` findings each with its task, spread over a year, in every state.
import type Database from 'better-sqlite3';

/**
 * realistic: a ledger of several years is mostly closed (seed 003: 28 of 31 done) — 80 % closed,
 * 3 % cancelled, 17 % open, and what is open was mostly found in the last 60 days.
 * stress: half of everything open and found any time in the year, so most of it is overdue.
 */
export type SeedProfile = 'realistic' | 'stress';

const PROFILES: Record<SeedProfile, { states: [string, number][]; openWithinDays: number }> = {
  realistic: {
    states: [['closed', 80], ['cancelled', 3], ['pending', 3], ['in_progress', 8], ['submitted', 4], ['declined', 2]],
    openWithinDays: 60,
  },
  stress: {
    states: [['closed', 40], ['cancelled', 10], ['pending', 10], ['in_progress', 20], ['submitted', 10], ['declined', 10]],
    openWithinDays: 365,
  },
};

export interface SeedOptions {
  profile: SeedProfile;
  tenantId: string;
  campaignId: string;
  departments: number;
  tasks: number;
  today: string;
  leaders: number;
  inspectors: number;
}

const CATEGORIES = ['服务态度', '服务流程', '服务质量', '服务环境'];

/** A small deterministic generator, so every run measures the same data. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function seed(sqlite: Database.Database, o: SeedOptions): void {
  const rnd = random(42);
  const profile = PROFILES[o.profile];
  const states = profile.states.flatMap(([state, weight]) => Array<string>(weight).fill(state));
  const now = Date.parse(`${o.today}T09:00:00+08:00`);
  sqlite.prepare('insert into tenants (id, platform, external_key, name, created_at) values (?, ?, ?, ?, ?)').run(o.tenantId, 'feishu', o.tenantId.split(':')[1], '基准医院', now);
  sqlite.prepare('insert into campaigns (id, tenant_id, name, categories, is_default, created_at) values (?, ?, ?, ?, 1, ?)').run(o.campaignId, o.tenantId, '日常督查', JSON.stringify(CATEGORIES), now);
  const insertDepartment = sqlite.prepare('insert into departments (id, tenant_id, name, leader_user_id, updated_at) values (?, ?, ?, ?, ?)');
  const insertFinding = sqlite.prepare(
    'insert into findings (id, tenant_id, campaign_id, number, department_id, area, category, description, inspector_user_id, found_on, source, chat_id, intake_card_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, ?)',
  );
  const insertTask = sqlite.prepare(
    'insert into tasks (id, tenant_id, finding_id, campaign_id, finding_number, department_id, category, found_on, inspector_user_id, state, leader_user_id, measures, deadline, completion_note, closure_kind, returns_count, version, closed_at, closed_on, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, 1, ?, ?, ?, ?)',
  );
  const insertExtension = sqlite.prepare(
    "insert into extension_requests (id, tenant_id, task_id, requested_deadline, previous_deadline, reason, status, requested_by, decided_by, decided_at, created_at) values (?, ?, ?, ?, ?, '需要采购', 'pending', ?, null, null, ?)",
  );
  const insertVisit = sqlite.prepare(
    "insert into inspection_visits (id, tenant_id, campaign_id, department_id, inspector_user_id, visited_on, note, chat_id, created_at) values (?, ?, ?, ?, ?, ?, null, null, ?) on conflict do nothing",
  );
  const insertMember = sqlite.prepare('insert into members (tenant_id, user_id, name, created_at, updated_at) values (?, ?, ?, ?, ?)');
  const insertTeam = sqlite.prepare('insert into inspection_teams (id, tenant_id, name, lead_user_id, retired_on, created_at, updated_at) values (?, ?, ?, ?, null, ?, ?)');
  const insertMembership = sqlite.prepare('insert into team_memberships (tenant_id, team_id, user_id, from_on, until_on, created_at) values (?, ?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    // named people: the ledger prints names, and an import matches leaders by name
    for (let l = 0; l < o.leaders; l++) insertMember.run(o.tenantId, `ou_leader_${l}`, `领导${l + 1}`, now, now);
    for (let n = 0; n < o.inspectors; n++) insertMember.run(o.tenantId, `ou_inspector_${n}`, `督查员${n + 1}`, now, now);
    // 督查一组/二组/三组 as seed 000 has them, the inspectors dealt out in turn; half a year ago the
    // first inspector of each group moved to the next one, so the reads meet closed periods too
    const TEAMS = 3;
    const reshuffled = addDays(o.today, -182);
    for (let t = 0; t < TEAMS; t++) insertTeam.run(`${o.tenantId}:team:${t}`, o.tenantId, `督查${['一', '二', '三'][t]}组`, `ou_inspector_${t}`, now + t, now);
    for (let n = 0; n < o.inspectors; n++) {
      const team = n % TEAMS;
      const moves = n < TEAMS;
      insertMembership.run(o.tenantId, `${o.tenantId}:team:${team}`, `ou_inspector_${n}`, addDays(o.today, -400), moves ? reshuffled : null, now);
      if (moves) insertMembership.run(o.tenantId, `${o.tenantId}:team:${(team + 1) % TEAMS}`, `ou_inspector_${n}`, reshuffled, null, now);
    }
    for (let d = 0; d < o.departments; d++) insertDepartment.run(`dep-${d}`, o.tenantId, `第${d + 1}科室`, `ou_leader_${d % o.leaders}`, now);
    for (let i = 0; i < o.tasks; i++) {
      const department = Math.floor(rnd() * o.departments);
      const state = states[Math.floor(rnd() * states.length)]!;
      const open = state !== 'closed' && state !== 'cancelled';
      const foundOn = addDays(o.today, -Math.floor(rnd() * (open ? profile.openWithinDays : 365)));
      const deadline = addDays(foundOn, 3 + Math.floor(rnd() * 30));
      const closedOn = state === 'closed' ? (addDays(foundOn, Math.floor(rnd() * 20)) > o.today ? o.today : addDays(foundOn, Math.floor(rnd() * 20))) : null;
      const closure = state === 'closed' ? (rnd() < 0.1 ? 'long_term' : 'done') : null;
      const category = CATEGORIES[i % 4]!;
      const inspector = `ou_inspector_${i % o.inspectors}`;
      insertFinding.run(`f-${i}`, o.tenantId, o.campaignId, i + 1, `dep-${department}`, `区域${i % 50}`, category, `发现的问题描述第${i}条：窗口服务态度生硬，患者等候时间过长`, inspector, foundOn, '日常督查', now);
      insertTask.run(`t-${i}`, o.tenantId, `f-${i}`, o.campaignId, i + 1, `dep-${department}`, category, foundOn, inspector, state, `ou_leader_${department % o.leaders}`, state === 'pending' ? null : '整改措施', deadline, closure, Math.floor(rnd() * 3), closedOn ? now : null, closedOn, now, now);
      if ((state === 'in_progress' || state === 'pending') && rnd() < 0.05) insertExtension.run(`e-${i}`, o.tenantId, `t-${i}`, addDays(deadline, 7), deadline, `ou_leader_${department % o.leaders}`, now);
    }
    // 督查记录: on about a third of the days of the year each inspector records an inspection that
    // found nothing (its own generator, so the tasks above stay the same data as before)
    const visitRnd = random(7);
    for (let day = 0; day < 365; day++) {
      for (let n = 0; n < o.inspectors; n++) {
        if (visitRnd() >= 0.3) continue;
        insertVisit.run(`v-${day}-${n}`, o.tenantId, o.campaignId, `dep-${Math.floor(visitRnd() * o.departments)}`, `ou_inspector_${n}`, addDays(o.today, -day), now);
      }
    }
  })();
}
