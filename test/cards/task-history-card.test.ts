// 处理记录: each task event as the sentence a supervision office reads back, in the business time
// zone; the newest events only when there are many; and the biggest history a user can cause is
// still valid Card JSON 2.0 under Feishu's 30 KB.
import { describe, expect, it } from 'vitest';
import { eventSentence, HISTORY_EVENTS_PER_CARD, taskHistoryCard } from '../../cards/task-history.js';
import type { TaskEvent } from '../../src/domain/model.js';
import { renderFeishuCard } from '../../src/platforms/feishu/render-card.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { INSPECTOR, LEADER, makeContext, OTHER_LEADER, SUPERVISOR, TENANT_ID } from '../domain/fixtures.js';

const at = Date.UTC(2026, 10, 23, 1, 5); // 2026-11-23 09:05 in Beijing
let seq = 0;
function event(action: string, data: Record<string, unknown>, actorUserId = LEADER): TaskEvent {
  seq += 1;
  return { tenantId: TENANT_ID, taskId: 'task-1', seq, action, actorUserId, at: at + seq * 60_000, data };
}

describe('a task event in words', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['create', { leaderUserId: LEADER, deadline: '2026-12-10' }, `登记问题，责任领导 <@${LEADER}>，整改完成时间 2026年12月10日`],
    ['import', { file: '巡察反馈问题清单.xlsx', row: 7, state: 'closed', history: '已整改完成' }, '从《巡察反馈问题清单.xlsx》第7行导入，导入时已销号：已整改完成'],
    ['accept', { measures: '更换呼叫铃\n每日巡查' }, '签收，整改措施：更换呼叫铃 每日巡查'],
    ['accept', { measures: '更换呼叫铃', responsiblePerson: '护士长 李某' }, '签收，责任人 护士长 李某，整改措施：更换呼叫铃'],
    ['decline', { reason: '该区域归门诊部' }, '认为不属于本人负责，退回：该区域归门诊部'],
    ['request_extension', { requestedDeadline: '2026-12-20', reason: '设备到货延迟' }, '申请延期至 2026年12月20日：设备到货延迟'],
    ['approve_extension', { from: '2026-12-10', to: '2026-12-20' }, '同意延期：12月10日 → 12月20日'],
    ['refuse_extension', { reason: '' }, '不同意延期'],
    ['submit', { note: '已更换', closureKind: 'long_term' }, '提交整改完成（长期坚持）：已更换'],
    ['reassign', { from: LEADER, to: OTHER_LEADER, deadline: '2026-12-31' }, `重新指派：<@${LEADER}> → <@${OTHER_LEADER}>，整改完成时间改为 2026年12月31日`],
    ['reassign', { from: LEADER, to: OTHER_LEADER, deadline: null }, `重新指派：<@${LEADER}> → <@${OTHER_LEADER}>`],
    ['verify_pass', { closureKind: 'done' }, '验收通过，销号（已整改完成）'],
    ['verify_fail', { reason: '呼叫铃仍无人应答', returnsCount: 2 }, '验收不通过，退回整改（第2次）：呼叫铃仍无人应答'],
    ['cancel', { reason: '重复登记' }, '撤销：重复登记'],
    ['reopen', { reason: '回头看发现反弹' }, '回头看发现反弹，重新整改：回头看发现反弹'],
    ['report_progress', { note: '坚持每日巡查' }, '反馈长期坚持事项进展：坚持每日巡查'],
    [
      'edit_finding',
      { before: { departmentId: 'd-1', category: '服务态度', description: '旧' }, after: { departmentId: 'd-2', category: '服务流程', description: '新' } },
      '修改问题：责任科室 门诊部 → 已删除的科室；问题类别 服务态度 → 服务流程；主要问题已改写',
    ],
    ['edit_finding', { before: { area: '' }, after: { area: '二楼' } }, '修改问题：督查区域 （空） → 二楼'],
    ['urge', { note: '周五院领导检查' }, '催办：周五院领导检查'],
    ['urge', { note: '' }, '催办'],
    ['revise_measures', { before: { responsiblePerson: '护士长 李某' }, after: { measures: '增加夜间巡查', responsiblePerson: '护士长 王某' } }, '修改整改措施：整改措施：增加夜间巡查；责任人 护士长 李某 → 护士长 王某'],
    ['revise_measures', { before: { responsiblePerson: null }, after: { responsiblePerson: '护士长 王某' } }, '修改整改措施：责任人 （空） → 护士长 王某'],
    ['set_deadline', { from: '2026-12-10', to: '2026-12-18', reason: '设备到货延迟' }, '调整整改完成时间 12月10日 → 12月18日：设备到货延迟'],
    ['a_future_action', {}, '操作「a_future_action」'],
  ])('%s reads as a sentence', (action, data, sentence) => {
    expect(eventSentence(event(action, data), new Map([['d-1', '门诊部']]))).toBe(sentence);
  });

  it('keeps what people wrote from faking a mention, and quotes at most 100 characters of it', () => {
    expect(eventSentence(event('decline', { reason: `<@${SUPERVISOR}> 不归我管` }))).toBe(`认为不属于本人负责，退回：＜@${SUPERVISOR}＞ 不归我管`);
    const long = eventSentence(event('accept', { measures: '措'.repeat(300) }));
    expect(long).toBe(`签收，整改措施：${'措'.repeat(100)}…`);
  });
});

describe('the 处理记录 card', () => {
  const ctx = makeContext({ state: 'in_progress' });

  it('lists the events oldest first, each with its time in the business time zone and who acted', () => {
    const events = [event('create', { leaderUserId: LEADER, deadline: '2026-12-10' }, INSPECTOR), event('accept', { measures: '每日巡查' })];
    const card = taskHistoryCard({ ctx, events, departmentNames: new Map(), timezone: 'Asia/Shanghai' });
    const text = JSON.stringify(card.elements);
    const first = text.indexOf(`**2026年11月23日 09:${String(5 + events[0]!.seq).padStart(2, '0')}** <@${INSPECTOR}> 登记问题`);
    const second = text.indexOf(`<@${LEADER}> 签收，整改措施：每日巡查`);
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(card.title).toBe(`处理记录 · 第${ctx.finding.number}号问题`);
    expect(text).toContain('共 2 条记录');
  });

  it('shows the newest events and says how many earlier ones it leaves out', () => {
    const events = Array.from({ length: HISTORY_EVENTS_PER_CARD + 5 }, (_, i) => event('report_progress', { note: `第${i + 1}次进展` }));
    const text = JSON.stringify(taskHistoryCard({ ctx, events, departmentNames: new Map(), timezone: 'Asia/Shanghai' }).elements);
    expect(text).toContain('较早的 5 条记录未显示');
    expect(text).not.toContain('第5次进展');
    expect(text).toContain('第6次进展');
    expect(text).toContain(`第${HISTORY_EVENTS_PER_CARD + 5}次进展`);
  });

  it('stays valid and under 30 KB with every event at its longest', () => {
    const wordy = (n: number) => '𠀀措'.repeat(n);
    const events = Array.from({ length: HISTORY_EVENTS_PER_CARD }, (_, i) =>
      i % 2
        ? event('edit_finding', { before: { area: '区'.repeat(100), category: '类'.repeat(20), description: wordy(500) }, after: { area: '域'.repeat(100), category: '别'.repeat(20), description: wordy(500) } }, `ou_${'x'.repeat(40)}`)
        : event('reassign', { from: `ou_${'a'.repeat(40)}`, to: `ou_${'b'.repeat(40)}`, deadline: '2026-12-31' }, `ou_${'y'.repeat(40)}`),
    );
    events.push(event('verify_fail', { reason: wordy(500), returnsCount: 9 }), event('import', { file: `${'名'.repeat(200)}.xlsx`, row: 9999, state: 'in_progress', history: wordy(1000) }));
    const json = renderFeishuCard(taskHistoryCard({ ctx, events, departmentNames: new Map(), timezone: 'Asia/Shanghai' }));
    expect(checkFeishuCard(json)).toEqual([]);
    const bytes = new TextEncoder().encode(JSON.stringify(json)).length;
    expect(bytes).toBeLessThan(30 * 1024);
    expect(bytes).toBeGreaterThan(15 * 1024); // the events above are as long as they get, not a token history
  });
});

describe('photos in the 处理记录', () => {
  const photo = (id: string, uploaderUserId: string, purpose: 'finding_photo' | 'evidence', minutes: number) => ({
    id, tenantId: TENANT_ID, findingId: 'finding-1', taskId: 'task-1', purpose, blobKey: `b/${id}`, platformImageKey: `img_${id}`, uploaderUserId, chatId: 'oc', replyToMessageId: null,
    createdAt: at + minutes * 60_000,
  });

  it('counts a burst of photos from one person as one line, in its place among the events', () => {
    const ctx = makeContext({ state: 'submitted' });
    ctx.attachments = [
      photo('p1', INSPECTOR, 'finding_photo', 0),
      photo('p2', INSPECTOR, 'finding_photo', 1),
      photo('e1', LEADER, 'evidence', 100),
      photo('e2', LEADER, 'evidence', 105),
      photo('e3', LEADER, 'evidence', 130), // more than ten minutes after the last: a new line
    ];
    const events: TaskEvent[] = [
      { tenantId: TENANT_ID, taskId: 'task-1', seq: 1, action: 'create', actorUserId: INSPECTOR, at: at + 2 * 60_000, data: { leaderUserId: LEADER, deadline: '2026-12-10' } },
      { tenantId: TENANT_ID, taskId: 'task-1', seq: 2, action: 'submit', actorUserId: LEADER, at: at + 140 * 60_000, data: { note: '已整改', closureKind: 'done' } },
    ];
    const text = JSON.stringify(taskHistoryCard({ ctx, events, departmentNames: new Map(), timezone: 'Asia/Shanghai' }).elements);
    const order = [`<@${INSPECTOR}> 发送现场照片 2 张`, `<@${INSPECTOR}> 登记问题`, `<@${LEADER}> 发送整改佐证照片 2 张`, `<@${LEADER}> 发送整改佐证照片 1 张`, `<@${LEADER}> 提交整改完成`].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0), text).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('共 5 条记录');
  });
});
