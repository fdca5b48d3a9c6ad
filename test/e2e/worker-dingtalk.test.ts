// The rectification loop on DingTalk (HTTP mode) with the bot as the Cloudflare Worker: the bundle
// wrangler builds, in workerd over D1 and R2, against the stub DingTalk Open API. The same people
// and cards as dingtalk-loop.test.ts, cut to the path every item takes: 设为督查群, a scene photo and
// 督查, the intake form filed, 签收整改 with measures, an evidence photo, 提交整改完成 and 验收通过.
// Robot messages are acknowledged at once and worked in `ctx.waitUntil`; clicks are answered with
// the card after their D1 batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, dingTalkConversation, formOf, labels, notice } from '../support/dingtalk-conversation.js';
import { DINGTALK_DOWNLOAD_PATH } from '../support/dingtalk-stub.js';
import { robotTextMessage } from '../support/dingtalk-webhook.js';
import { startDingTalkWorker, type DingTalkWorkerWorld } from '../support/dingtalk-worker.js';

const GROUP = 'cidSupervisionGroupWorker1';
const INSPECTOR = 'staff_worker_inspector';
const WANG = 'staff_worker_wang';
const NICK: Record<string, string> = { [INSPECTOR]: '李督查', [WANG]: '王主任' };
const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 3, 1, 4, 1, 5, 9]);
const EVIDENCE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 2, 7, 1, 8, 2, 8]);

let world: DingTalkWorkerWorld;
beforeAll(async () => {
  world = await startDingTalkWorker();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

const { post, say, sendPicture, click, params, cardsTo, lastCardTo } = dingTalkConversation(() => world, () => Date.now(), GROUP, NICK);
const one = async <T>(sql: string, ...args: unknown[]) => (await world.query<T>(sql, ...args))[0]!;
const task = () => one<Record<string, unknown>>('select * from tasks');

describe('the rectification loop on DingTalk, in the Worker (workerd, D1, R2)', () => {
  let intakeId = '';
  let groupNoticeId = '';
  let wangCardId = '';

  it('binds the supervision group; the first user becomes admin and the group is told', async () => {
    await say(INSPECTOR, '设为督查群');
    expect(String(world.stub.sentTo(GROUP).at(-1)!.param['content'])).toContain('@李督查 是第一位使用者');
    expect(await world.query('select chat_id from chat_bindings')).toEqual([{ chat_id: GROUP }]);
  });

  it('opens the intake form with the photo sent just before, kept in R2 and counted', async () => {
    world.stub.addUserFile('dlcode_worker_scene', PHOTO, { contentType: 'image/jpeg' });
    await sendPicture(INSPECTOR, 'dlcode_worker_scene', { group: true });
    await say(INSPECTOR, '督查 #服务态度 急诊科分诊台护士态度生硬 @王主任 5个工作日', { mentions: [{ staffId: WANG }] });
    const intake = lastCardTo(GROUP);
    intakeId = intake.outTrackId;
    expect(intake.params['title']).toBe('督查登记');
    expect(intake.params['content']).toContain('已收到 1 张现场照片');
    expect(formOf(intake.params)!.submit.text).toBe('提交并下发整改');
    expect(world.stub.requests.filter((r) => r.path === DINGTALK_DOWNLOAD_PATH)).toHaveLength(1);
    expect(await one('select count(*) n from attachments where purpose = ?', 'finding_photo')).toEqual({ n: 1 });
  });

  it('files the finding once: the group notice shows the photo, the leader gets the task card', async () => {
    const submit = button(params(intakeId), '提交并下发整改');
    const form = { department: '', area: '分诊台', category: '服务态度', description: '急诊科分诊台护士态度生硬', leader: WANG, deadline_text: '5个工作日' };
    const answer = await click(INSPECTOR, intakeId, submit, form);
    expect(notice(answer)).toEqual({ type: 'success', text: '已登记第1号问题，已通知责任领导。' });
    const groupNotice = lastCardTo(GROUP);
    groupNoticeId = groupNotice.outTrackId;
    expect(groupNotice.params['content']).toContain('@王主任 请签收整改任务');
    expect(JSON.parse(groupNotice.params['images']!)).toEqual([expect.objectContaining({ mediaId: world.stub.uploads[0]!.mediaId })]);
    const dm = lastCardTo(WANG);
    wangCardId = dm.outTrackId;
    expect(dm.spaces).toEqual([{ spaceType: 'IM_ROBOT', spaceId: WANG }]);
    expect(labels(dm.params)).toEqual(['签收整改', '申请延期', '非本科室问题']);
    expect(await task()).toMatchObject({ state: 'pending', leader_user_id: WANG, version: 1 });

    // DingTalk delivering the same click again changes nothing and gets the same answer
    const cardsBefore = world.stub.cards.size;
    const again = await click(INSPECTOR, intakeId, submit, form);
    expect(notice(again).text).toBe('已登记第1号问题，已通知责任领导。');
    expect(await one('select count(*) n from findings')).toEqual({ n: 1 });
    expect(world.stub.cards.size).toBe(cardsBefore);
  });

  it('the leader accepts with measures; the group notice is updated in place', async () => {
    await click(WANG, wangCardId, button(params(wangCardId), '签收整改'));
    const accepted = await click(WANG, wangCardId, button(params(wangCardId), '提交：签收整改'), { measures: '组织分诊台护士服务礼仪培训' });
    expect(notice(accepted).type, notice(accepted).text).toBe('success');
    expect(await task()).toMatchObject({ state: 'in_progress', measures: '组织分诊台护士服务礼仪培训', version: 2 });
    expect(world.stub.cards.get(groupNoticeId)!.updates.length).toBeGreaterThan(0);
  });

  it('keeps a photo sent in the robot chat as evidence, and answers the leader', async () => {
    world.stub.addUserFile('dlcode_worker_evidence', EVIDENCE, { contentType: 'image/jpeg' });
    await sendPicture(WANG, 'dlcode_worker_evidence', { group: false });
    const evidence = await world.query<{ platform_image_key: string }>("select platform_image_key from attachments where purpose = 'evidence'");
    expect(evidence).toEqual([{ platform_image_key: world.stub.uploads.at(-1)!.mediaId }]);
    expect(world.stub.uploads.at(-1)!.bytes).toEqual(EVIDENCE);
    expect(String(world.stub.sentTo(WANG).at(-1)!.param['content'])).toContain('整改佐证');
  });

  it('submits, passes verification, and every copy shows it closed (销号)', async () => {
    await click(WANG, wangCardId, button(params(wangCardId), '提交整改完成'));
    const submitted = await click(WANG, wangCardId, button(params(wangCardId), '提交：提交整改完成'), { note: '已培训并纳入考核', closure_kind: 'done' });
    expect(notice(submitted).type, notice(submitted).text).toBe('success');
    const verify = lastCardTo(INSPECTOR);
    expect(labels(verify.params)).toEqual(['验收通过（销号）', '退回整改', '撤销']);
    const passed = await click(INSPECTOR, verify.outTrackId, button(verify.params, '验收通过'));
    expect(notice(passed)).toEqual({ type: 'success', text: '验收通过，已销号。' });
    expect(await task()).toMatchObject({ state: 'closed', closure_kind: 'done' });
    expect(JSON.stringify(params(groupNoticeId))).toContain('已销号');
    expect(JSON.stringify(params(wangCardId))).toContain('已销号');
    const events = await world.query<{ action: string }>('select action from task_events order by seq');
    expect(events.map((e) => e.action)).toEqual(['create', 'accept', 'submit', 'verify_pass']);
  });

  it('answers a robot message delivered twice once, and leaves nothing unsent', async () => {
    const message = robotTextMessage('帮助', { senderStaffId: WANG, senderNick: NICK[WANG]!, group: false, createAt: Date.now() });
    // the answer is a text or a card, whichever 「帮助」 sends
    const answers = () => world.stub.sentTo(WANG).length + cardsTo(WANG).length;
    const before = answers();
    await post(message);
    await post(message);
    expect(answers()).toBe(before + 1);
    expect(await one("select count(*) n from outbox where status != 'sent'")).toEqual({ n: 0 });
    expect(await one("select count(*) n from inbound_deliveries where status != 'done'")).toEqual({ n: 0 });
  });
});
