// 督查记录 and 督查情况 on DingTalk (HTTP mode): the same words as on Feishu, through DingTalk's signed
// robot messages, its group text and its general card template (the weeks in markdown, the
// inspectors as a table).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../src/runtime/node.js';
import type { DingTalkStub } from '../support/dingtalk-stub.js';
import { startDingTalkWorld, type DingTalkWorld } from '../support/dingtalk-server.js';
import { robotTextMessage, signedRobotDelivery } from '../support/dingtalk-webhook.js';

const GROUP = 'cidSupervisionGroupVisits01';
const INSPECTOR = 'staff_inspector_feng';
const WANG = 'staff_leader_wang';
const NICK: Record<string, string> = { [INSPECTOR]: '冯督查', [WANG]: '王主任' };

let stub: DingTalkStub;
let server: NodeServer;
let world: DingTalkWorld;
let clock = Date.parse('2026-11-24T09:30:00+08:00');

beforeAll(async () => {
  world = await startDingTalkWorld(() => clock, 'duban-general.schema');
  ({ stub, server } = world);
});

afterAll(async () => {
  await world?.close();
});

async function say(who: string, text: string, mentions?: { staffId: string }[]) {
  const message = robotTextMessage(text, { senderStaffId: who, senderNick: NICK[who]!, createAt: clock, conversationId: GROUP, ...(mentions ? { mentions } : {}) });
  const request = signedRobotDelivery(message, { appSecret: stub.appSecret, nowMs: clock });
  const response = await fetch(`${server.url}/webhooks/dingtalk`, { method: 'POST', headers: request.headers, body: request.rawBody });
  await server.settle();
  expect(response.status).toBe(200);
}

const lastText = () => String(stub.sentTo(GROUP).at(-1)!.param['content']);
const lastCardParams = () => [...stub.cards.values()].filter((c) => c.spaces.some((s) => s.spaceId === GROUP)).at(-1)!.params;

describe('督查记录 and 督查情况 on DingTalk', () => {
  it('records an inspection that found nothing and answers in the group', async () => {
    await say(INSPECTOR, '设为督查群');
    await say(INSPECTOR, '科室 新增 急诊科 @王主任', [{ staffId: WANG }]);
    await say(INSPECTOR, '科室 新增 门诊部 @王主任', [{ staffId: WANG }]);
    clock = Date.parse('2026-11-24T10:00:00+08:00');
    await say(INSPECTOR, '督查 急诊科 未发现问题，抢救室物品定位清楚');
    expect(lastText()).toContain('已记录督查：11月24日 急诊科，未发现问题（抢救室物品定位清楚）。');
    expect(server.database.sqlite.prepare('select inspector_user_id as who, visited_on as day, note from inspection_visits').all()).toEqual([
      { who: INSPECTOR, day: '2026-11-24', note: '抢救室物品定位清楚' },
    ]);
  });

  it('shows 督查情况 as a card: the month’s figures, this week, the inspector and the department nobody visited', async () => {
    await say(INSPECTOR, '督查情况');
    const params = lastCardParams();
    expect(params['title']).toBe('督查情况 · 2026年11月（截至今日）');
    expect(params['content']).toContain('11月1日—11月24日督查**1次**（其中未发现问题1次），发现问题**0个**；覆盖科室**1/2**个。');
    expect(params['content']).toContain('11月23日—今日（本周）：1次');
    expect(params['content']).toContain('门诊部（从未督查）');
    expect(params['content']).toContain('冯督查');
  });

  it('sets up a 督查组 with the mentioned people and counts its week in 督查情况 (the weeks before it was set up: —)', async () => {
    // the first user bound the group, so is its admin
    await say(INSPECTOR, '督查组 督查一组 @冯督查 @王主任', [{ staffId: INSPECTOR }, { staffId: WANG }]);
    expect(lastText()).toContain('已成立督查组「督查一组」');
    expect(server.database.sqlite.prepare('select user_id as who from team_memberships order by user_id').all()).toEqual([{ who: INSPECTOR }, { who: WANG }]);
    await say(INSPECTOR, '督查情况');
    expect(lastCardParams()['content']).toContain('- **督查一组**（组长 @冯督查）：本月1次，发现问题0个；各周 — · — · — · 1（本周）');
  });
});
