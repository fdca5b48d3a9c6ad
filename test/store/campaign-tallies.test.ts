// 专项's figures: each campaign's tasks, open tasks and bound groups, the same on both drivers.
import { describe, expect, it } from 'vitest';
import type { WriteOp } from '../../src/app/store-port.js';
import type { Campaign, Finding, Task, TaskState } from '../../src/domain/model.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';
const everyday: Campaign = { id: `${T}:default`, tenantId: T, name: '日常督查', categories: ['服务态度'], isDefault: true, endedOn: null };
const special: Campaign = { id: `${T}:campaign:专项`, tenantId: T, name: '专项', categories: ['医德医风'], isDefault: false, endedOn: null };
const unused: Campaign = { id: `${T}:campaign:空`, tenantId: T, name: '空', categories: ['服务质量'], isDefault: false, endedOn: null };

function filed(n: number, campaign: Campaign, state: TaskState, tenantId = T): WriteOp[] {
  const finding: Finding = {
    id: `f${tenantId}${n}`, tenantId, campaignId: campaign.id, number: n, departmentId: null, area: '门诊', category: campaign.categories[0]!, description: `问题${n}`,
    inspectorUserId: 'ou_i', foundOn: '2026-11-23', source: '日常督查', chatId: null, intakeCardId: null, aspect: null, majorItem: null, importId: null, importRow: null, createdAt: n,
  };
  const task: Task = {
    id: `k${tenantId}${n}`, tenantId, findingId: finding.id, state, leaderUserId: 'ou_l', measures: null, responsiblePerson: null, acceptanceCriteria: null, deadline: '2026-12-11', completionNote: null,
    closureKind: null, returnsCount: 0, version: 1, closedAt: null, closedOn: null, createdAt: n, updatedAt: n,
  };
  return [{ op: 'insertFinding', finding }, { op: 'insertTask', task, finding }];
}

const bind = (chatId: string, campaign: Campaign, tenantId = T): WriteOp => ({ op: 'bindChat', tenantId, chatId, campaignId: campaign.id, boundBy: 'ou_a', at: 1 });

describe.each(DRIVERS)('campaign tallies on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('count each campaign’s tasks, the open ones and its groups, in creation order', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      ...[everyday, special, unused].map((campaign, i): WriteOp => ({ op: 'insertCampaign', campaign, createdAt: i + 1 })),
      ...filed(1, everyday, 'closed'),
      ...filed(2, everyday, 'in_progress'),
      ...filed(3, special, 'pending'),
      ...filed(4, special, 'submitted'),
      ...filed(5, special, 'cancelled'),
      ...filed(6, special, 'declined'),
      // another tenant's work must not count
      ...filed(7, special, 'pending', 'feishu:t2'),
      bind('oc_everyday', everyday),
      bind('oc_special_1', special),
      bind('oc_special_2', special),
      bind('oc_elsewhere', special, 'feishu:t2'),
    ]);
    expect(await store.campaignTallies(T)).toEqual([
      { campaignId: everyday.id, tasks: 2, open: 1, groups: 1 },
      { campaignId: special.id, tasks: 4, open: 3, groups: 2 },
      { campaignId: unused.id, tasks: 0, open: 0, groups: 0 },
    ]);
  });
});
