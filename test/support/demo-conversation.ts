// The scripted conversation behind `npx duban demo`: a whole rectification loop on the built-in
// stub Feishu, narrated as a transcript. The demo test runs it too, so the demo cannot rot.
import { button, FeishuHarness, p2p, type Chat, type ClickResult, type Person } from './feishu-harness.js';
import { Transcript } from './transcript.js';

const inspector: Person = { openId: 'ou_inspector_li', name: '李督查' };
const wang: Person = { openId: 'ou_leader_wang', name: '王主任' };
const zhang: Person = { openId: 'ou_leader_zhang', name: '张主任' };
const outsider: Person = { openId: 'ou_someone_else', name: '路人甲' };
const group: Chat = { id: 'oc_supervision_group', type: 'group' };

export interface DemoResult {
  finalState: string;
  lines: number;
}

export async function runDemoConversation(write: (line: string) => void): Promise<DemoResult> {
  const h = await FeishuHarness.start({ startAt: '2026-11-23T09:30:00+08:00' });
  const names = new Map<string, string>([
    ...[inspector, wang, zhang, outsider].map((p) => [p.openId, p.name] as [string, string]),
    [h.stub.botOpenId, '督办'],
    [group.id, '督查群'],
    ...[inspector, wang, zhang].map((p) => [p2p(p).id, `与${p.name}的私聊`] as [string, string]),
  ]);
  let lines = 0;
  const out = (line: string) => {
    lines++;
    write(line);
  };
  const t = new Transcript(h, names, out);
  const say = async (who: Person, chat: Chat, text: string, mentions: Person[] = []) => {
    t.says(who.name, names.get(chat.id)!, text);
    await h.say(who, chat, text, { mentions });
    t.flush();
  };
  const click = async (who: Person, messageId: string, label: string, form?: Record<string, unknown>): Promise<ClickResult['body']> => {
    t.clicks(who.name, label, form);
    const result = await h.click(who, messageId, button(h.currentCard(messageId), label).value, form);
    t.answer(result.body);
    t.flush();
    return result.body;
  };
  /** opens an action's form with its button, then submits it */
  const act = async (who: Person, messageId: string, label: string, form: Record<string, unknown>) => {
    await click(who, messageId, label);
    return click(who, messageId, `提交：${label}`, form);
  };

  try {
    out('督办 Duban 演示：督查群里登记问题 → 责任领导整改 → 督查人验收销号（飞书，本机模拟平台）');
    await say(inspector, group, '@督办 设为督查群');
    await say(inspector, group, '@督办 科室 新增 急诊科 @王主任', [wang]);
    t.says(inspector.name, '督查群', '[发送一张现场照片]');
    await h.sendImage(inspector, group, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]));
    t.flush();
    await say(inspector, group, '@督办 督查 #服务态度 急诊科分诊台护士态度生硬 @王主任 3个工作日', [wang]);
    const intake = h.lastCardTo(group.id).messageId;
    await click(inspector, intake, '提交并下发整改', { area: '分诊台', category: '服务态度', description: '急诊科分诊台护士态度生硬', leader: wang.openId, deadline_date: '2026-11-26 +0800' });

    const wangCard = h.lastCardTo(wang.openId).messageId;
    await act(wang, wangCard, '非本科室问题', { reason: '分诊台归护理部管理' });
    await act(inspector, h.lastCardTo(inspector.openId).messageId, '重新指派', { new_leader: zhang.openId });

    const zhangCard = h.lastCardTo(zhang.openId).messageId;
    await click(outsider, zhangCard, '签收整改');
    await click(zhang, zhangCard, '签收整改');
    const accept = button(h.currentCard(zhangCard), '提交：签收整改');
    const measures = { measures: '组织分诊台护士服务礼仪培训，纳入科室考核' };
    t.clicks(zhang.name, '提交：签收整改', measures);
    t.answer((await h.click(zhang, zhangCard, accept.value, measures)).body);
    t.flush();
    t.clicks(zhang.name, '提交：签收整改（重复点击）');
    t.answer((await h.click(zhang, zhangCard, accept.value, measures)).body);
    t.flush();

    await act(zhang, zhangCard, '申请延期', { requested_date: '2026-12-04 +0800', reason: '培训需协调排班' });
    await click(inspector, h.lastCardTo(inspector.openId).messageId, '同意延期');
    await act(zhang, zhangCard, '提交整改完成', { note: '已培训一次', closure_kind: 'done' });
    await act(inspector, h.lastCardTo(inspector.openId).messageId, '退回整改', { reason: '未见考核记录' });
    await act(zhang, zhangCard, '提交整改完成', { note: '培训与考核记录已签字归档', closure_kind: 'done' });
    await click(inspector, h.lastCardTo(inspector.openId).messageId, '验收通过（销号）');
    await say(zhang, p2p(zhang), '我的任务');

    const row = h.server.database.sqlite.prepare('select state from tasks').get() as { state: string };
    out('');
    out(`演示结束：任务状态 ${row.state}。`);
    return { finalState: row.state, lines };
  } finally {
    await h.close();
  }
}
