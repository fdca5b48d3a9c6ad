// 督查组 in the store, on both drivers: setting a group up closes the memberships it no longer has and
// opens the new ones from that day (a person in one group at a time), the periods are kept, and a
// period's inspections are counted per inspector and day for the bulletins.
import { describe, expect, it } from 'vitest';
import type { InspectionTeam, InspectionVisit } from '../../src/domain/model.js';
import type { WriteOp } from '../../src/app/store-port.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';
const team = (id: string, name: string, leadUserId: string, createdAt: number): InspectionTeam => ({ id, tenantId: T, name, leadUserId, retiredOn: null, createdAt });

/** what the 督查组 command commits */
const setUp = (t: InspectionTeam, userIds: string[], day: string, at: number): WriteOp[] => [
  { op: 'upsertTeam', team: t, at },
  { op: 'closeTeamMemberships', tenantId: T, teamId: t.id, keepUserIds: userIds, day },
  { op: 'openTeamMemberships', tenantId: T, teamId: t.id, userIds, day, at },
];

const visit = (id: string, inspectorUserId: string, visitedOn: string, departmentId: string): InspectionVisit => ({
  id, tenantId: T, campaignId: 'c1', departmentId, inspectorUserId, visitedOn, note: null, chatId: 'oc_g', createdAt: 1,
});

describe.each(DRIVERS)('督查组 on $name', (driver) => {
  const opened = openForEachTest(driver);
  const G1 = team('g1', '督查一组', 'ou_li', 1);
  const G2 = team('g2', '督查二组', 'ou_wei', 2);

  it('sets groups up, moves a person from one to the other, and keeps who was where when', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([...setUp(G1, ['ou_li', 'ou_wang', 'ou_ping'], '2026-11-02', 10), ...setUp(G2, ['ou_wei'], '2026-11-02', 11)]);
    // 11-16: 王 goes to 二组, 萍 leaves 一组; 一组 gets 陈 as its 组长
    await store.commit([...setUp({ ...G1, leadUserId: 'ou_chen' }, ['ou_chen', 'ou_li'], '2026-11-16', 20), ...setUp(G2, ['ou_wei', 'ou_wang'], '2026-11-16', 21)]);

    expect((await store.listTeams(T)).map((t) => [t.name, t.leadUserId, t.retiredOn, t.createdAt])).toEqual([
      ['督查一组', 'ou_chen', null, 1],
      ['督查二组', 'ou_wei', null, 2],
    ]);
    const today = (await store.teamMemberships(T, '2026-11-16', '2026-11-16')).map((m) => `${m.teamId}:${m.userId}`).sort();
    expect(today).toEqual(['g1:ou_chen', 'g1:ou_li', 'g2:ou_wang', 'g2:ou_wei']);
    const early = (await store.teamMemberships(T, '2026-11-02', '2026-11-15')).map((m) => [m.teamId, m.userId, m.fromOn, m.untilOn]);
    expect(early).toEqual([
      ['g1', 'ou_li', '2026-11-02', null],
      ['g1', 'ou_ping', '2026-11-02', '2026-11-16'],
      ['g1', 'ou_wang', '2026-11-02', '2026-11-16'],
      ['g2', 'ou_wei', '2026-11-02', null],
    ]);
  });

  it('a group set and set again the same day leaves no period that covers a day, and one open membership each', async () => {
    const store = createStore(opened.db, opened);
    await store.commit(setUp(G1, ['ou_li', 'ou_wang'], '2026-11-02', 10));
    await store.commit(setUp(G2, ['ou_wei', 'ou_wang'], '2026-11-02', 11)); // the same day, 王 belonged to 二组 after all
    await store.commit(setUp(G2, ['ou_wei', 'ou_wang'], '2026-11-02', 12)); // a redelivered message
    expect((await store.teamMemberships(T, '2026-11-01', '2026-11-30')).map((m) => `${m.teamId}:${m.userId}`).sort()).toEqual(['g1:ou_li', 'g2:ou_wang', 'g2:ou_wei']);
    expect(await opened.query<{ n: number }>("select count(*) as n from team_memberships where until_on is null and user_id = 'ou_wang'")).toEqual([{ n: 1 }]);
  });

  it('refuses a second open membership of one person (the partial unique index), whatever the code does', async () => {
    const store = createStore(opened.db, opened);
    await store.commit(setUp(G1, ['ou_wang'], '2026-11-02', 10));
    await expect(store.commit([{ op: 'openTeamMemberships', tenantId: T, teamId: 'g2', userIds: ['ou_wang'], day: '2026-11-03', at: 11 }])).rejects.toThrow();
  });

  it('winds a group up: nobody in it from that day, its past kept; set up again, it is the same group', async () => {
    const store = createStore(opened.db, opened);
    await store.commit(setUp(G1, ['ou_li', 'ou_wang'], '2026-11-02', 10));
    await store.commit([
      { op: 'closeTeamMemberships', tenantId: T, teamId: 'g1', keepUserIds: [], day: '2026-11-20' },
      { op: 'retireTeam', tenantId: T, teamId: 'g1', day: '2026-11-20', at: 20 },
    ]);
    expect((await store.listTeams(T))[0]).toMatchObject({ retiredOn: '2026-11-20' });
    expect(await store.teamMemberships(T, '2026-11-20', '2026-11-30')).toEqual([]);
    expect(await store.teamMemberships(T, '2026-11-19', '2026-11-19')).toHaveLength(2);
    await store.commit(setUp({ ...G1, leadUserId: 'ou_wang', createdAt: 30 }, ['ou_wang'], '2026-11-25', 30));
    expect(await store.listTeams(T)).toEqual([{ ...G1, leadUserId: 'ou_wang', retiredOn: null, createdAt: 1 }]);
  });

  it('keeps each hospital’s groups to itself', async () => {
    const store = createStore(opened.db, opened);
    await store.commit(setUp(G1, ['ou_li'], '2026-11-02', 10));
    expect(await store.listTeams('feishu:t2')).toEqual([]);
    expect(await store.teamMemberships('feishu:t2', '2026-11-01', '2026-11-30')).toEqual([]);
  });

  it('counts a period’s inspections per inspector and day, whichever department', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      { op: 'insertVisit', visit: visit('v1', 'ou_li', '2026-11-03', 'mz') },
      { op: 'insertVisit', visit: visit('v2', 'ou_li', '2026-11-03', 'jz') },
      { op: 'insertVisit', visit: visit('v3', 'ou_li', '2026-11-04', 'mz') },
      { op: 'insertVisit', visit: visit('v4', 'ou_wei', '2026-11-04', 'mz') },
      { op: 'insertVisit', visit: visit('v5', 'ou_wei', '2026-12-01', 'mz') },
    ]);
    const rows = [...(await store.inspectionSums(T, 'c1', '2026-11-01', '2026-11-30', true)).perInspectorDay].sort((a, b) => `${a.day}${a.inspectorUserId}`.localeCompare(`${b.day}${b.inspectorUserId}`));
    expect(rows).toEqual([
      { inspectorUserId: 'ou_li', day: '2026-11-03', inspections: 2 },
      { inspectorUserId: 'ou_li', day: '2026-11-04', inspections: 1 },
      { inspectorUserId: 'ou_wei', day: '2026-11-04', inspections: 1 },
    ]);
    expect(await store.inspectionSums(T, 'c2', '2026-11-01', '2026-11-30', true)).toEqual({ perDepartment: [], perInspectorDay: [] });
  });
});
