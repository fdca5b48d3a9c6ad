// The rectification loop on DingTalk in HTTP mode, end to end: signed robot messages and card
// callbacks posted to our real routes, the real DingTalk client against the local stand-in of
// DingTalk's Open API, a real SQLite file. The same conversation as feishu-loop.test.ts — from
// 设为督查群 and 督查 to 销号, with a decline and reassignment, an approved extension, photo evidence
// and failed verifications — then one reminder digest and one weekly bulletin on an injected clock.
// DingTalk differs from Feishu in three ways this follows: a click is answered with the card's new
// parameters and a private `notice` (no toast); robots cannot reply in a thread, so replies land in
// the group chat; one-to-one answers go to the person (IM_ROBOT cards, oToMessages).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSheets } from '../../src/excel/read-sheets.js';
import { JOBS } from '../../src/jobs/registry.js';
import type { NodeServer } from '../../src/runtime/node.js';
import { DINGTALK_DOWNLOAD_PATH, DINGTALK_MEDIA_UPLOAD_PATH, type DingTalkStub, type DingTalkStubCard } from '../support/dingtalk-stub.js';
import { button, dingTalkConversation, formOf, labels, notice } from '../support/dingtalk-conversation.js';
import { startDingTalkWorld, type DingTalkWorld } from '../support/dingtalk-server.js';

const TEMPLATE = 'duban-general.schema';
const GROUP = 'cidSupervisionGroupLoop01';
const INSPECTOR = 'staff_inspector_li';
const WANG = 'staff_leader_wang';
const ZHANG = 'staff_leader_zhang';
const OUTSIDER = 'staff_someone_else';
/** the names DingTalk shows for them (senderNick); cards write mentions with these */
const NICK: Record<string, string> = { [INSPECTOR]: '李督查', [WANG]: '王主任', [ZHANG]: '张主任', [OUTSIDER]: '路人甲' };
const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);
const EVIDENCE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 9, 8, 8, 7, 7, 6, 6]);

let stub: DingTalkStub;
let server: NodeServer;
let world: DingTalkWorld;
let clock = Date.parse('2026-11-23T09:30:00+08:00');
const at = (iso: string) => {
  clock = Date.parse(iso);
};

beforeAll(async () => {
  world = await startDingTalkWorld(() => clock, TEMPLATE);
  ({ stub, server } = world);
});

afterAll(async () => {
  await world?.close();
});

// ---- the people's side, and what DingTalk holds ----------------------------------------------------

const { say, sendPicture, click, params, cardsTo, lastCardTo } = dingTalkConversation(() => world, () => clock, GROUP, NICK);
/** the PUT /v1.0/card/instances the product made itself (not the click answers applied above) */
const serverUpdates = (outTrackId: string) => stub.cards.get(outTrackId)!.updates.filter((u) => u['outTrackId'] === outTrackId);

// ---- what SQLite holds ---------------------------------------------------------------------------

const taskRow = (number = 1) =>
  server.database.sqlite.prepare('select t.* from tasks t join findings f on f.id = t.finding_id where f.number = ?').get(number) as Record<string, unknown>;
const count = (table: string) => (server.database.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
const actions = () => (server.database.sqlite.prepare('select action from task_events order by seq').all() as { action: string }[]).map((e) => e.action);

describe('the rectification loop on DingTalk (HTTP mode)', () => {
  let intakeId = '';
  let wangCardId = '';
  let zhangCardId = '';
  let groupNoticeId = '';

  it('binds the supervision group; the first user becomes admin and the group is told', async () => {
    await say(INSPECTOR, '设为督查群');
    const reply = stub.sentTo(GROUP).at(-1)!;
    expect(reply).toMatchObject({ kind: 'group', msgKey: 'sampleText' });
    expect(String(reply.param['content'])).toContain('已成为管理员');
    // a text message writes the mention with the sender's name (senderNick), not the staff id
    expect(String(reply.param['content'])).toContain('@李督查 是第一位使用者');
    expect(server.database.sqlite.prepare('select chat_id from chat_bindings').all()).toEqual([{ chat_id: GROUP }]);
    expect(server.database.sqlite.prepare('select user_id, role from member_roles').all()).toContainEqual({ user_id: INSPECTOR, role: 'admin' });
  });

  it('adds a department with its default leader', async () => {
    await say(INSPECTOR, '科室 新增 急诊科 @王主任', { mentions: [{ staffId: WANG }] });
    expect(String(stub.sentTo(GROUP).at(-1)!.param['content'])).toContain('已新增科室「急诊科」');
    await say(INSPECTOR, '科室');
    expect(lastCardTo(GROUP).params['content']).toContain('急诊科');
  });

  it('opens a pre-filled intake form and counts the photo sent just before', async () => {
    stub.addUserFile('dlcode_scene_photo', PHOTO, { contentType: 'image/jpeg' });
    await sendPicture(INSPECTOR, 'dlcode_scene_photo', { group: true });
    await say(INSPECTOR, '督查 #服务态度 急诊科分诊台护士态度生硬 @王主任 3个工作日', { mentions: [{ staffId: WANG }] });
    const intake = lastCardTo(GROUP);
    intakeId = intake.outTrackId;
    expect(intake.spaces).toEqual([{ spaceType: 'IM_GROUP', spaceId: GROUP }]);
    expect(intake.params['title']).toBe('督查登记');
    expect(intake.params['content']).toContain('已收到 1 张现场照片');
    const form = formOf(intake.params)!;
    const initial = Object.fromEntries(form.fields.map((f) => [f.name, f.initial]));
    expect(initial).toMatchObject({ category: '服务态度', leader: WANG, deadline_date: '2026-11-26' });
    expect(initial['description']).toContain('急诊科分诊台护士态度生硬');
    expect(form.submit.text).toBe('提交并下发整改');
    // the photo was fetched from DingTalk by its downloadCode
    expect(stub.requests.filter((r) => r.path === DINGTALK_DOWNLOAD_PATH)).toHaveLength(1);
  });

  it('refuses a form with a missing field, naming it, and creates nothing', async () => {
    const sentBefore = stub.sent.length;
    const cardsBefore = stub.cards.size;
    const answer = await click(INSPECTOR, intakeId, button(params(intakeId), '提交并下发整改'), { category: '服务态度', leader: WANG, deadline_text: '3个工作日' });
    expect(notice(answer).type).toBe('error');
    expect(notice(answer).text).toContain('主要问题');
    expect(count('findings')).toBe(0);
    expect(stub.sent.length).toBe(sentBefore);
    expect(stub.cards.size).toBe(cardsBefore);
  });

  it('files the finding: group notice @-mentions the leader, the leader gets the task card in the robot chat', async () => {
    const submit = button(params(intakeId), '提交并下发整改');
    const form = { department: '', area: '分诊台', category: '服务态度', description: '急诊科分诊台护士态度生硬', leader: WANG, deadline_date: '2026-11-26' };
    const answer = await click(INSPECTOR, intakeId, submit, form);
    expect(notice(answer)).toEqual({ type: 'success', text: '已登记第1号问题，已通知责任领导。' });
    expect(answer.cardData?.cardParamMap['title']).toBe('已登记 · 第1号问题');

    const groupNotice = lastCardTo(GROUP);
    groupNoticeId = groupNotice.outTrackId;
    expect(groupNotice.outTrackId).not.toBe(intakeId);
    // DingTalk card Markdown has no mention tag: the name is written, and the id goes to atUserIds
    expect(groupNotice.params['content']).toContain('@王主任 请签收整改任务');
    expect(groupNotice.params['content']).not.toContain('@staff_');
    expect(groupNotice.createBody['imGroupOpenDeliverModel']).toMatchObject({ atUserIds: { [WANG]: '王主任' } });
    expect(labels(groupNotice.params)).toEqual(['查看 / 办理']);
    // the scene photo: downloaded, re-uploaded through media/upload, shown by its media_id
    expect(stub.uploads).toHaveLength(1);
    expect(stub.uploads[0]).toMatchObject({ type: 'image' });
    expect(stub.uploads[0]!.bytes).toEqual(PHOTO);
    expect(JSON.parse(groupNotice.params['images']!)).toEqual([expect.objectContaining({ mediaId: stub.uploads[0]!.mediaId })]);

    const dm = lastCardTo(WANG);
    wangCardId = dm.outTrackId;
    expect(dm.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: WANG }]);
    expect(dm.callbackType).toBe('HTTP');
    expect(labels(dm.params)).toEqual(['签收整改', '申请延期', '非本科室问题']);
    expect(dm.params['content']).toContain('**责任领导**：@王主任');
    expect(dm.params['content']).toContain('**督查人**：@李督查');
    expect(taskRow()).toMatchObject({ state: 'pending', leader_user_id: WANG, deadline: '2026-11-26', version: 1 });

    // DingTalk delivering the same click again changes nothing and gets the same answer
    const sentBefore = stub.sent.length;
    const cardsBefore = stub.cards.size;
    const again = await click(INSPECTOR, intakeId, submit, form);
    expect(notice(again).text).toBe('已登记第1号问题，已通知责任领导。');
    expect(count('findings')).toBe(1);
    expect(stub.sent.length).toBe(sentBefore);
    expect(stub.cards.size).toBe(cardsBefore);

    // a second, different submission of the same form files nothing either
    const twice = await click(INSPECTOR, intakeId, submit, { ...form, area: '分诊台（二次）' });
    expect(notice(twice).text).toContain('已提交过');
    expect(count('findings')).toBe(1);
    expect(stub.cards.size).toBe(cardsBefore);
  });

  it('refuses the wrong person with a notice and no change', async () => {
    const answer = await click(OUTSIDER, wangCardId, button(params(wangCardId), '签收整改'));
    expect(notice(answer).type).toBe('error');
    expect(notice(answer).text).toContain('无权');
    expect(answer.cardData).toBeUndefined();
    expect(taskRow()['version']).toBe(1);
  });

  it('lets the leader decline; the inspector reassigns to another leader', async () => {
    const mode = await click(WANG, wangCardId, button(params(wangCardId), '非本科室问题'));
    expect(formOf(mode.cardData!.cardParamMap)).not.toBeNull();
    const declined = await click(WANG, wangCardId, button(params(wangCardId), '提交：非本科室问题'), { reason: '分诊台归护理部管理' });
    expect(notice(declined).type).toBe('success');
    expect(taskRow()).toMatchObject({ state: 'declined', version: 2 });

    const inspectorCard = lastCardTo(INSPECTOR);
    expect(inspectorCard.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: INSPECTOR }]);
    expect(inspectorCard.params['content']).toContain('分诊台归护理部管理');
    await click(INSPECTOR, inspectorCard.outTrackId, button(inspectorCard.params, '重新指派'));
    const done = await click(INSPECTOR, inspectorCard.outTrackId, button(params(inspectorCard.outTrackId), '提交：重新指派'), { new_leader: ZHANG });
    expect(notice(done).type).toBe('success');
    expect(taskRow()).toMatchObject({ state: 'pending', leader_user_id: ZHANG, version: 3 });

    const zhangCard = lastCardTo(ZHANG);
    zhangCardId = zhangCard.outTrackId;
    expect(zhangCard.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: ZHANG }]);
    expect(labels(zhangCard.params)).toContain('签收整改');
    // wang's copy was updated in place by the product and no longer offers him anything
    expect(serverUpdates(wangCardId).length).toBeGreaterThan(0);
    expect(labels(params(wangCardId))).toEqual([]);
    expect(formOf(params(wangCardId))).toBeNull();
  });

  it('accepts with measures; a second, different submission is answered as stale and changes nothing', async () => {
    await click(ZHANG, zhangCardId, button(params(zhangCardId), '签收整改'));
    const submit = button(params(zhangCardId), '提交：签收整改');
    const updatesBefore = stub.cards.get(groupNoticeId)!.updates.length;
    const first = await click(ZHANG, zhangCardId, submit, { measures: '组织分诊台护士服务礼仪培训，纳入科室考核' });
    expect(notice(first).type).toBe('success');
    expect(taskRow()).toMatchObject({ state: 'in_progress', version: 4 });
    // names in the card the click's answer draws, and in the copies updated through the API
    expect(first.cardData!.cardParamMap['content']).toContain('**督查人**：@李督查');
    const update = stub.cards.get(groupNoticeId)!.updates.slice(updatesBefore).at(-1) as { cardData: { cardParamMap: Record<string, string> } };
    expect(update.cardData.cardParamMap['content']).toContain('**督查人**：@李督查');

    // the same click again is the same delivery (HTTP callbacks carry no id): no second event
    const eventsBefore = count('task_events');
    await click(ZHANG, zhangCardId, submit, { measures: '组织分诊台护士服务礼仪培训，纳入科室考核' });
    expect(count('task_events')).toBe(eventsBefore);

    // a click from the old form with other words is a new delivery, on a stale card
    const second = await click(ZHANG, zhangCardId, submit, { measures: '组织培训' });
    expect(notice(second).type).toBe('warning');
    expect(notice(second).text).toContain('卡片已过期');
    expect(labels(second.cardData!.cardParamMap)).toEqual(['提交整改完成', '申请延期', '修改整改措施']);
    expect(taskRow()['version']).toBe(4);
    expect(count('task_events')).toBe(eventsBefore);
  });

  it('requests an extension; the inspector approves and the deadline moves', async () => {
    await click(ZHANG, zhangCardId, button(params(zhangCardId), '申请延期'));
    const asked = await click(ZHANG, zhangCardId, button(params(zhangCardId), '提交：申请延期'), { requested_date: '2026-12-04', reason: '培训需协调排班' });
    expect(notice(asked).type).toBe('success');
    const decisionCard = lastCardTo(INSPECTOR);
    expect(decisionCard.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: INSPECTOR }]);
    expect(decisionCard.params['content']).toContain('申请延期至 2026年12月4日');
    const approved = await click(INSPECTOR, decisionCard.outTrackId, button(decisionCard.params, '同意延期'));
    expect(notice(approved).type).toBe('success');
    expect(taskRow()).toMatchObject({ deadline: '2026-12-04', version: 6 });
    expect(server.database.sqlite.prepare('select status, decided_by from extension_requests').get()).toEqual({ status: 'approved', decided_by: INSPECTOR });
    expect(lastCardTo(ZHANG).params['content']).toContain('延期申请已同意');
  });

  it('attaches a photo sent in the robot chat as evidence: downloaded, kept, re-uploaded for the card', async () => {
    stub.addUserFile('dlcode_evidence_1', EVIDENCE, { contentType: 'image/jpeg' });
    const downloadsBefore = stub.requests.filter((r) => r.path === DINGTALK_DOWNLOAD_PATH).length;
    const uploadsBefore = stub.uploads.length;
    await sendPicture(ZHANG, 'dlcode_evidence_1', { group: false });
    expect(stub.requests.filter((r) => r.path === DINGTALK_DOWNLOAD_PATH)).toHaveLength(downloadsBefore + 1);
    expect(stub.requests.filter((r) => r.path === DINGTALK_MEDIA_UPLOAD_PATH)).toHaveLength(uploadsBefore + 1);
    const upload = stub.uploads.at(-1)!;
    expect(stub.uploads).toHaveLength(uploadsBefore + 1);
    expect(upload).toMatchObject({ type: 'image' });
    expect(upload.bytes).toEqual(EVIDENCE);

    const evidence = server.database.sqlite.prepare("select task_id, platform_image_key from attachments where purpose = 'evidence'").all() as { task_id: string; platform_image_key: string }[];
    expect(evidence).toEqual([{ task_id: taskRow()['id'], platform_image_key: upload.mediaId }]);
    // the answer goes to zhang, one-to-one
    const answer = stub.sentTo(ZHANG).at(-1)!;
    expect(answer).toMatchObject({ kind: 'oto', userId: ZHANG, msgKey: 'sampleText' });
    expect(String(answer.param['content'])).toContain('整改佐证');
    // zhang's task card now shows the photo by its media_id
    expect(serverUpdates(zhangCardId).length).toBeGreaterThan(0);
    expect(params(zhangCardId)['images']).toContain(upload.mediaId);
  });

  async function submitDone(note: string): Promise<DingTalkStubCard> {
    await click(ZHANG, zhangCardId, button(params(zhangCardId), '提交整改完成'));
    const answer = await click(ZHANG, zhangCardId, button(params(zhangCardId), '提交：提交整改完成'), { note, closure_kind: 'done' });
    expect(notice(answer).type, notice(answer).text).toBe('success');
    return lastCardTo(INSPECTOR);
  }

  async function returnIt(verifyCard: DingTalkStubCard, reason: string) {
    await click(INSPECTOR, verifyCard.outTrackId, button(params(verifyCard.outTrackId), '退回整改'));
    const answer = await click(INSPECTOR, verifyCard.outTrackId, button(params(verifyCard.outTrackId), '提交：退回整改'), { reason });
    expect(notice(answer).type, notice(answer).text).toBe('success');
  }

  it('returns a submission twice with a reason, which escalates to the supervision group', async () => {
    const verify1 = await submitDone('已培训一次');
    expect(taskRow()).toMatchObject({ state: 'submitted' });
    expect(verify1.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: INSPECTOR }]);
    expect(labels(verify1.params)).toEqual(['验收通过（销号）', '退回整改', '撤销']);
    await returnIt(verify1, '未见考核记录');
    expect(taskRow()).toMatchObject({ state: 'in_progress', returns_count: 1 });
    expect(lastCardTo(ZHANG).params['content']).toContain('整改被退回：未见考核记录');

    const groupCardsBefore = cardsTo(GROUP).length;
    const verify2 = await submitDone('补充了考核记录');
    await returnIt(verify2, '考核记录未签字');
    const escalation = cardsTo(GROUP).slice(groupCardsBefore);
    expect(escalation).toHaveLength(1);
    expect(escalation[0]!.params['title']).toBe('红色督办 · 第1号问题');
    expect(escalation[0]!.params['content']).toContain('@张主任');
    expect(escalation[0]!.createBody['imGroupOpenDeliverModel']).toMatchObject({ atUserIds: { [ZHANG]: '张主任' } });
  });

  it('passes verification: the item is closed (销号) and every copy shows it', async () => {
    const verify3 = await submitDone('考核记录已签字归档');
    const answer = await click(INSPECTOR, verify3.outTrackId, button(verify3.params, '验收通过'));
    expect(notice(answer)).toEqual({ type: 'success', text: '验收通过，已销号。' });
    expect(taskRow()).toMatchObject({ state: 'closed', closure_kind: 'done', returns_count: 2 });
    // the group notice and zhang's card were updated by the product (PUT card/instances)
    expect(serverUpdates(groupNoticeId).length).toBeGreaterThan(0);
    expect(JSON.stringify(params(groupNoticeId))).toContain('已销号');
    expect(JSON.stringify(params(zhangCardId))).toContain('已销号');

    expect(actions()).toEqual([
      'create', 'decline', 'reassign', 'accept', 'request_extension', 'approve_extension',
      'submit', 'verify_fail', 'submit', 'verify_fail', 'submit', 'verify_pass',
    ]);
  });

  it('tells the whole story of the closed item on 「1号记录」, with names, in the order it happened', async () => {
    await say(INSPECTOR, '1号记录');
    const history = lastCardTo(GROUP);
    expect(history.params['title']).toBe('处理记录 · 第1号问题');
    const text = JSON.stringify(history.params);
    expect(text).not.toContain('@staff_');
    const steps = ['@李督查 登记问题，责任领导 @王主任', '@王主任 认为不属于本人负责', '@李督查 重新指派：@王主任 → @张主任', '@张主任 签收', '@李督查 同意延期', '@李督查 验收通过，销号（已整改完成）'];
    const at = steps.map((step) => text.indexOf(step));
    expect(at.every((i) => i >= 0), text).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // the photos count too: the one sent with the finding and the evidence sent before submitting
    expect(text).toContain('@李督查 发送现场照片 1 张');
    expect(text).toContain('@张主任 发送整改佐证照片 1 张');
    expect(text).toContain('共 14 条记录');
  });

  it('lists my tasks in the robot chat, and nothing is left in the outbox', async () => {
    await say(ZHANG, '我的任务', { group: false });
    const list = lastCardTo(ZHANG);
    expect(list.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: ZHANG }]);
    expect(list.params['title']).toBe('我的任务（0）');
    expect(server.database.sqlite.prepare("select count(*) n from outbox where status != 'sent'").get()).toEqual({ n: 0 });
  });

  it('sends a reminder digest at 09:05 on a working day for an overdue task', async () => {
    // a second finding, due Wednesday 11-25, left untouched
    await say(INSPECTOR, '督查');
    const form = lastCardTo(GROUP);
    const filed = await click(INSPECTOR, form.outTrackId, button(form.params, '提交并下发整改'), { department: '', area: '候诊区', category: '服务态度', description: '候诊区叫号不清', leader: WANG, deadline_date: '2026-11-25' });
    expect(notice(filed)).toEqual({ type: 'success', text: '已登记第2号问题，已通知责任领导。' });
    expect(taskRow(2)).toMatchObject({ state: 'pending', leader_user_id: WANG, deadline: '2026-11-25' });

    at('2026-11-26T09:05:00+08:00'); // Thursday
    const cardsBefore = stub.cards.size;
    const sentBefore = stub.sent.length;
    const result = await JOBS.reminders(server.deps);
    expect(result.period).toBe('reminders:2026-11-26');
    await server.settle();
    const fresh = [...stub.cards.values()].slice(cardsBefore);
    const toWang = fresh.filter((c) => c.spaces.some((s) => s.spaceType === 'IM_ROBOT' && s.spaceId === WANG));
    expect(toWang.map((c) => c.params['title'])).toEqual(['今日督办提醒 · 11月26日']);
    expect(toWang[0]!.params['content']).toContain('第2号问题');
    expect(toWang[0]!.params['content']).toContain('逾期1个工作日');
    expect(toWang[0]!.params['content']).not.toContain('第1号问题');
    // one digest per person, and nothing into the group for a task only a day late
    expect(fresh.filter((c) => c.spaces.some((s) => s.spaceId === GROUP))).toHaveLength(0);
    expect(stub.sent.slice(sentBefore).filter((m) => m.chatId === GROUP)).toHaveLength(0);

    // the same period again sends nothing
    const again = stub.cards.size;
    await JOBS.reminders(server.deps);
    await server.settle();
    expect(stub.cards.size).toBe(again);
  });

  it("sends last week's bulletin to the group as a DingTalk card on the next week's first working day", async () => {
    at('2026-11-30T09:05:00+08:00'); // Monday
    const cardsBefore = stub.cards.size;
    const result = await JOBS.weekly(server.deps);
    expect(result.period).toBe('weekly:2026-11-23');
    await server.settle();
    const bulletins = [...stub.cards.values()].slice(cardsBefore).filter((c) => c.spaces.some((s) => s.spaceId === GROUP));
    expect(bulletins).toHaveLength(1);
    const bulletin = bulletins[0]!;
    expect(bulletin).toMatchObject({ cardTemplateId: TEMPLATE, spaces: [{ spaceType: 'IM_GROUP', spaceId: GROUP }] });
    expect(bulletin.params['title']).toContain('督查通报');
    expect(Object.values(bulletin.params).every((v) => typeof v === 'string')).toBe(true);
    // hand count for 11-23..11-29: 2 new, 1 closed; now 1 open, overdue; 1 of 2 closed = 50.0%
    const text = bulletin.params['content']!;
    expect(text).toContain('新发现问题2个');
    expect(text).toContain('销号1个');
    expect(text).toContain('在办1个');
    expect(text).toContain('逾期1个');
    expect(text).toContain('50.0%');
    // the overdue item names its leader, who DingTalk notifies on delivery
    expect(text).toContain('@王主任');
    expect(bulletin.createBody['imGroupOpenDeliverModel']).toMatchObject({ atUserIds: { [WANG]: '王主任' } });
  });

  it('hands 王主任’s open task to 张主任 with 移交: the people in the order they were @-mentioned, named on the preview', async () => {
    await say(INSPECTOR, '移交 @王主任 @张主任', { mentions: [{ staffId: WANG }, { staffId: ZHANG }] });
    const preview = lastCardTo(GROUP);
    expect(preview.params['title']).toBe('移交整改任务');
    expect(preview.params['content']).toContain('将 @王主任 名下 **1项** 未办结的整改任务移交给 @张主任');
    const answer = await click(INSPECTOR, preview.outTrackId, button(preview.params, '确认移交'));
    expect(notice(answer)).toEqual({ type: 'success', text: '已移交1项任务' });
    expect(answer.cardData?.cardParamMap['title']).toBe('已移交整改任务');
    expect(taskRow(2)).toMatchObject({ leader_user_id: ZHANG, state: 'pending' });
    expect(lastCardTo(ZHANG).params['title']).toBe('您接手了1项整改任务');
  });

  it('lists what is overdue (逾期) with the leader named, and moves a deadline on 调整期限 through a DingTalk form', async () => {
    await say(INSPECTOR, '逾期');
    const list = lastCardTo(GROUP);
    expect(list.params['title']).toBe('逾期任务（1）');
    expect(list.params['content']).toContain('候诊区叫号不清');
    expect(list.params['content']).toContain('责任领导 @张主任');

    await say(INSPECTOR, '第2号问题', { group: false });
    const own = lastCardTo(INSPECTOR);
    await click(INSPECTOR, own.outTrackId, button(params(own.outTrackId), '调整期限'));
    const form = formOf(params(own.outTrackId))!;
    expect(form.fields.find((f) => f.name === 'deadline_date')).toMatchObject({ initial: '2026-11-25', required: true });
    const moved = await click(INSPECTOR, own.outTrackId, button(params(own.outTrackId), '提交：调整期限'), { deadline_date: '2026-12-10', reason: '张主任刚接手，给一周' });
    expect(notice(moved)).toEqual({ type: 'success', text: '整改完成时间已调整，责任领导将收到通知。' });
    expect(taskRow(2)).toMatchObject({ deadline: '2026-12-10' });
    expect(lastCardTo(ZHANG).params['content']).toContain('整改完成时间已调整为 2026年12月10日（原为 2026年11月25日）');
    await say(INSPECTOR, '逾期');
    expect(lastCardTo(GROUP).params['title']).toBe('逾期任务（0）');
  });

  it('sends 科室考核 to the group as a file with its summary line', async () => {
    const before = stub.sent.length;
    await say(INSPECTOR, '考核');
    const sent = stub.sent.slice(before).filter((m) => m.chatId === GROUP);
    expect(sent.map((m) => m.msgKey)).toEqual(['sampleText', 'sampleFile']);
    expect(String(sent[0]!.param['content'])).toContain('日常督查科室考核：2026年（截至11月30日）');
    expect(sent[1]!.param).toMatchObject({ fileName: '科室考核-日常督查-2026年-2026-11-30.xlsx', fileType: 'xlsx' });
    const sheets = await readSheets(stub.uploadOf(sent[1]!)!.bytes);
    expect(sheets.map((s) => s.name)).toEqual(['科室考核汇总', '问题明细']);
  });

  it('spoke only where it should: group messages to the group, the rest one-to-one, every card a string map', () => {
    expect(stub.sent.filter((m) => m.kind === 'group').every((m) => m.chatId === GROUP)).toBe(true);
    expect(stub.sent.filter((m) => m.kind === 'oto').every((m) => [INSPECTOR, WANG, ZHANG].includes(m.userId!))).toBe(true);
    const cards = [...stub.cards.values()];
    expect(cards.length).toBeGreaterThan(10);
    for (const card of cards) {
      expect(card.spaces).toHaveLength(1);
      const [space] = card.spaces;
      if (space!.spaceType === 'IM_GROUP') expect(space!.spaceId).toBe(GROUP);
      else expect([INSPECTOR, WANG, ZHANG]).toContain(space!.spaceId);
      expect(card).toMatchObject({ cardTemplateId: TEMPLATE, callbackType: 'HTTP' });
      expect(Object.values(card.params).every((v) => typeof v === 'string')).toBe(true);
    }
    expect(server.database.sqlite.prepare("select count(*) n from outbox where status != 'sent'").get()).toEqual({ n: 0 });
  });
});
