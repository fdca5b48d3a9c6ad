// 督查组 in the domain: the group a person was in on a day (periods closed, never rewritten), the
// groups at work in a period, and a period's inspections counted per group.
import { describe, expect, it } from 'vitest';
import { coversAnyDay, periodHasWorkingDay, summariseTeams, teamIdFor, teamNameProblem, teamOn, teamsActiveIn } from '../../src/domain/inspection-teams.js';
import type { InspectionTeam, TeamMembership } from '../../src/domain/model.js';

const team = (id: string, name: string, createdAt: number): InspectionTeam => ({ id, tenantId: 't', name, leadUserId: null, retiredOn: null, createdAt });
const TEAMS = [team('g3', '督查三组', 3), team('g1', '督查一组', 1), team('g2', '督查二组', 2)];
const member = (teamId: string, userId: string, fromOn: string, untilOn: string | null = null): TeamMembership => ({ teamId, userId, fromOn, untilOn });

// 王 moved from 一组 to 二组 on 11-16; 李 was in 三组 for no day at all (set and undone on 11-10)
const MEMBERSHIPS = [
  member('g1', 'ou_li_guohua', '2026-11-01'),
  member('g1', 'ou_wang', '2026-11-01', '2026-11-16'),
  member('g2', 'ou_wang', '2026-11-16'),
  member('g2', 'ou_wei', '2026-11-01'),
  member('g3', 'ou_li', '2026-11-10', '2026-11-10'),
];

describe('the group a person was in', () => {
  it('is the one whose period holds the day: up to, not including, the day it was closed', () => {
    expect(teamOn(MEMBERSHIPS, 'ou_wang', '2026-11-15')).toBe('g1');
    expect(teamOn(MEMBERSHIPS, 'ou_wang', '2026-11-16')).toBe('g2');
    expect(teamOn(MEMBERSHIPS, 'ou_wang', '2026-10-31')).toBeNull();
    expect(teamOn(MEMBERSHIPS, 'ou_li', '2026-11-10')).toBeNull();
    expect(teamOn(MEMBERSHIPS, 'ou_nobody', '2026-11-10')).toBeNull();
  });

  it('a period opened and closed on the same day covers no day', () => {
    expect(coversAnyDay(member('g', 'u', '2026-11-10', '2026-11-10'), '2026-11-01', '2026-11-30')).toBe(false);
    expect(coversAnyDay(member('g', 'u', '2026-11-10', '2026-11-11'), '2026-11-10', '2026-11-10')).toBe(true);
    expect(coversAnyDay(member('g', 'u', '2026-11-10', '2026-11-11'), '2026-11-11', '2026-11-30')).toBe(false);
    expect(coversAnyDay(member('g', 'u', '2026-12-01'), '2026-11-01', '2026-11-30')).toBe(false);
  });
});

describe('the groups at work in a period', () => {
  it('are those with someone in them on some day of it, in the order they were set up', () => {
    expect(teamsActiveIn(TEAMS, MEMBERSHIPS, '2026-11-01', '2026-11-30').map((t) => t.name)).toEqual(['督查一组', '督查二组']);
    expect(teamsActiveIn(TEAMS, MEMBERSHIPS, '2026-10-01', '2026-10-31')).toEqual([]);
  });
});

describe('a period counted per group', () => {
  const days = [
    { inspectorUserId: 'ou_wang', day: '2026-11-10', inspections: 2 }, // 一组 then
    { inspectorUserId: 'ou_wang', day: '2026-11-17', inspections: 1 }, // 二组 by then
    { inspectorUserId: 'ou_wei', day: '2026-11-18', inspections: 3 },
    { inspectorUserId: 'ou_chen', day: '2026-11-18', inspections: 5 }, // in no group
  ];

  it('counts each inspection for the group its inspector was in that day', () => {
    expect(summariseTeams(TEAMS, MEMBERSHIPS, days, { from: '2026-11-01', to: '2026-11-30', ended: true })).toEqual([
      { teamId: 'g1', name: '督查一组', inspections: 2, missed: false },
      { teamId: 'g2', name: '督查二组', inspections: 4, missed: false },
    ]);
  });

  it('a group with people and no inspection in a week that is over, with a working day, missed it', () => {
    const week = { from: '2026-11-23', to: '2026-11-29' };
    expect(summariseTeams(TEAMS, MEMBERSHIPS, [], { ...week, ended: true }).map((t) => [t.name, t.missed])).toEqual([
      ['督查一组', true],
      ['督查二组', true],
    ]);
    // the week so far is not yet a week without inspection
    expect(summariseTeams(TEAMS, MEMBERSHIPS, [], { ...week, ended: false }).every((t) => !t.missed)).toBe(true);
  });

  it('a week of 国庆 asks for no inspection', () => {
    const golden = [member('g1', 'ou_li_guohua', '2026-09-01')];
    expect(periodHasWorkingDay('2026-10-01', '2026-10-07')).toBe(false);
    expect(summariseTeams(TEAMS, golden, [], { from: '2026-10-01', to: '2026-10-07', ended: true })).toEqual([{ teamId: 'g1', name: '督查一组', inspections: 0, missed: false }]);
  });
});

describe('a group’s name', () => {
  it('is needed, at most 20 characters, and makes the id (full-width and half-width alike)', () => {
    expect(teamNameProblem('')).toMatch(/用法/);
    expect(teamNameProblem('组'.repeat(21))).toMatch(/20字/);
    expect(teamNameProblem('督查一组')).toBeNull();
    expect(teamIdFor('t', '督查Ａ组')).toBe(teamIdFor('t', '督查A组'));
  });
});
