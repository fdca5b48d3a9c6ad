// 专项督查 end to end on Feishu: a group bound to a named campaign with its own categories files,
// reports and exports into that campaign, beside the everyday one (日常督查) in another group; each
// group gets its own weekly bulletin. Real HTTP, real Lark SDK, real SQLite, real Excel.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../src/jobs/registry.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { button, cardText, FeishuHarness, p2p, type Chat, type FeishuCard, type Person } from '../support/feishu-harness.js';

const admin: Person = { openId: 'ou_cp_admin', name: '纪检监察室刘主任' };
const inspector: Person = { openId: 'ou_cp_inspector', name: '督查员钱' };
const wang: Person = { openId: 'ou_cp_wang', name: '王主任' };
const everydayGroup: Chat = { id: 'oc_cp_everyday', type: 'group' };
const specialGroup: Chat = { id: 'oc_cp_special', type: 'group' };
const secondSpecialGroup: Chat = { id: 'oc_cp_special_2', type: 'group' };
const SPECIAL = '2025年作风建设专项督查';

let h: FeishuHarness;
const db = () => h.server.database.sqlite;
const lastText = (chat: Chat) => JSON.stringify(h.messagesTo(chat.id).at(-1)!.content);
const campaigns = () => db().prepare('select id, name, categories, is_default from campaigns order by created_at').all() as { id: string; name: string; categories: string; is_default: number }[];

async function file(group: Chat, category: string, description: string) {
  await h.say(inspector, group, '@督办 督查');
  const form = h.lastCardTo(group.id);
  const card = form.content as FeishuCard;
  const filed = await h.click(inspector, form.messageId, button(card, '提交并下发整改').value, {
    area: '门诊大厅',
    category,
    description,
    leader: wang.openId,
    deadline_date: '2026-12-11 +0800',
  });
  expect(filed.body.toast?.type).toBe('success');
  return card;
}

const campaignOf = (description: string) =>
  (db().prepare('select c.name from findings f join campaigns c on c.id = f.campaign_id where f.description = ?').get(description) as { name: string }).name;

beforeAll(async () => {
  h = await FeishuHarness.supervised(admin, everydayGroup, [inspector]);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** A form control of a Feishu card by its name (Card JSON 2.0 nests them in the form's elements). */
function control(card: FeishuCard, name: string): { options?: { value: string; text: { content: string } }[]; initial_option?: string } | undefined {
  let found: unknown;
  JSON.stringify(card, (key, value: unknown) => {
    if (!found && value && typeof value === 'object' && (value as { name?: unknown }).name === name && (value as { tag?: unknown }).tag !== 'form') found = value;
    return value;
  });
  return found as ReturnType<typeof control>;
}

describe('专项督查: a campaign of its own in its own group', () => {
  it('a direct chat’s intake form asks for no campaign while there is only the everyday one', async () => {
    await h.say(inspector, p2p(inspector), '督查');
    const form = h.lastCardTo(inspector.openId).content as FeishuCard;
    expect(form.header.title.content).toBe('督查登记');
    expect(control(form, 'category')).toBeDefined();
    expect(control(form, 'campaign')).toBeUndefined();
  });

  it('设为督查群 with a name and categories creates the campaign and binds the group to it', async () => {
    await h.say(admin, specialGroup, `@督办 设为督查群 ${SPECIAL} #服务态度 #医德医风`);
    expect(lastText(specialGroup)).toContain(`本群已设为督查群（${SPECIAL}）`);
    expect(lastText(specialGroup)).toContain('问题类别：服务态度、医德医风');
    const special = campaigns().find((c) => c.name === SPECIAL)!;
    expect(special).toMatchObject({ categories: JSON.stringify(['服务态度', '医德医风']), is_default: 0 });
    expect(db().prepare('select campaign_id from chat_bindings where chat_id = ?').get(specialGroup.id)).toEqual({ campaign_id: special.id });
    expect(db().prepare('select campaign_id from chat_bindings where chat_id = ?').get(everydayGroup.id)).toEqual({ campaign_id: campaigns()[0]!.id });
  });

  it('refuses categories without a name, and a bind by someone who is not an admin, changing nothing', async () => {
    const before = { campaigns: campaigns(), bindings: db().prepare('select * from chat_bindings order by chat_id').all() };
    await h.say(admin, secondSpecialGroup, '@督办 设为督查群 #服务态度');
    expect(lastText(secondSpecialGroup)).toContain('请写上专项名称');
    await h.say(inspector, secondSpecialGroup, `@督办 设为督查群 ${SPECIAL}`);
    expect(lastText(secondSpecialGroup)).toContain('只有管理员可以设置督查群');
    expect({ campaigns: campaigns(), bindings: db().prepare('select * from chat_bindings order by chat_id').all() }).toEqual(before);
  });

  it('files in the campaign’s group into the campaign, with its categories on the form', async () => {
    const form = await file(specialGroup, '医德医风', '收取患者红包');
    expect(form.header.title.content).toBe('督查登记');
    expect(form.header.subtitle?.content).toBe(`${SPECIAL} · 记录问题并下发整改任务`);
    const options = cardText(form);
    expect(options).toContain('医德医风');
    expect(options).not.toContain('服务环境');
    expect(checkFeishuCard(form)).toEqual([]);
    expect(campaignOf('收取患者红包')).toBe(SPECIAL);

    const everydayForm = await file(everydayGroup, '服务环境', '候诊区座椅破损');
    expect(everydayForm.header.subtitle?.content).toBe('记录问题并下发整改任务');
    expect(cardText(everydayForm)).toContain('服务环境');
    expect(cardText(everydayForm)).not.toContain('医德医风');
    expect(campaignOf('候诊区座椅破损')).toBe('日常督查');
  });

  it('a second group bound to the same name joins that campaign; no second campaign is made', async () => {
    const count = campaigns().length;
    await h.say(admin, secondSpecialGroup, `@督办 设为督查群 ${SPECIAL} #服务流程`);
    expect(lastText(secondSpecialGroup)).toContain('（该专项已有，问题类别不变）');
    expect(campaigns()).toHaveLength(count);
    await file(secondSpecialGroup, '服务态度', '挂号窗口态度生硬');
    expect(campaignOf('挂号窗口态度生硬')).toBe(SPECIAL);
  });

  it('通报 and 台账 in the campaign’s group are the campaign’s', async () => {
    await h.say(admin, specialGroup, '@督办 通报');
    const bulletin = cardText(h.lastCardTo(specialGroup.id).content as FeishuCard);
    expect(bulletin).toContain(SPECIAL);
    expect(bulletin).toContain('新发现问题2个');

    await h.say(admin, specialGroup, '@督办 台账');
    const message = h.messagesTo(specialGroup.id).filter((m) => m.msgType === 'file').at(-1)!;
    const ledger = h.stub.fileOf(message)!;
    expect(ledger.fileName).toBe(`整改台账-${SPECIAL}-2026-11-23.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(ledger.bytes) as unknown as ArrayBuffer);
    const cells = workbook.worksheets.flatMap((sheet) => sheet.getSheetValues().flat().map((v) => String(v ?? '')));
    expect(cells.some((c) => c.includes('收取患者红包'))).toBe(true);
    expect(cells.some((c) => c.includes('挂号窗口态度生硬'))).toBe(true);
    expect(cells.some((c) => c.includes('候诊区座椅破损'))).toBe(false);
  });

  it('台账 and 进展 name a campaign in a direct chat, for those whose role may export ledgers', async () => {
    await h.say(inspector, p2p(inspector), `台账 ${SPECIAL}`);
    const file = h.messagesTo(inspector.openId).filter((m) => m.msgType === 'file').at(-1)!;
    expect(h.stub.fileOf(file)!.fileName).toBe(`整改台账-${SPECIAL}-2026-11-23.xlsx`);
    await h.say(inspector, p2p(inspector), `进展：${SPECIAL}`);
    expect(cardText(h.lastCardTo(inspector.openId).content as FeishuCard)).toContain('共发现2条问题');
    await h.say(inspector, p2p(inspector), '台账 没有的专项');
    expect(JSON.stringify(h.messagesTo(inspector.openId).at(-1)!.content)).toContain('没有找到专项「没有的专项」');
    await h.say(wang, p2p(wang), `台账 ${SPECIAL}`);
    expect(JSON.stringify(h.messagesTo(wang.openId).at(-1)!.content)).toContain('台账请在督查群中获取');
    expect(h.messagesTo(wang.openId).some((m) => m.msgType === 'file')).toBe(false);
    // in the group, chatter that starts with 台账 is left alone
    const sent = h.stub.sent.length;
    await h.say(admin, specialGroup, '台账 这周还没整理');
    expect(h.stub.sent.length).toBe(sent);
  });

  it('a problem list sent in the campaign’s group is imported into the campaign', async () => {
    await h.say(admin, specialGroup, `@督办 授权 @${wang.name} 责任领导`, { mentions: [wang] });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('问题清单');
    sheet.addRow(['序号', '问题', '问题类别', '责任领导', '整改措施', '整改时限']);
    sheet.addRow([1, '科室公示栏信息过期', '医德医风', wang.name, '更新公示栏并指定专人维护', '2026-12-31']);
    await h.sendFile(admin, specialGroup, '专项问题清单.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()));
    const preview = h.lastCardTo(specialGroup.id);
    const confirmed = await h.click(admin, preview.messageId, button(preview.content as FeishuCard, '确认导入').value);
    expect(confirmed.body.toast).toMatchObject({ type: 'success' });
    expect(campaignOf('科室公示栏信息过期')).toBe(SPECIAL);
  });

  it('专项 lists every campaign with its figures and groups, for the supervision group and by role', async () => {
    await h.say(admin, everydayGroup, '@督办 专项');
    const card = h.lastCardTo(everydayGroup.id).content as FeishuCard;
    expect(card.header.title.content).toBe('督查专项');
    const text = cardText(card);
    expect(text).toContain('**日常督查**（日常）：问题1个，未办结1个；1个督查群');
    expect(text).toContain(`**${SPECIAL}**：问题3个，未办结3个；2个督查群`);
    expect(text).toContain('问题类别：服务态度、医德医风');
    expect(checkFeishuCard(card)).toEqual([]);
    await h.say(wang, p2p(wang), '专项');
    expect(JSON.stringify(h.messagesTo(wang.openId).at(-1)!.content)).toContain('督查专项请在督查群中查看');
  });

  it('the weekly bulletin goes to each campaign’s group with that campaign’s figures', async () => {
    h.now = Date.parse('2026-11-30T09:00:00+08:00');
    const before = h.stub.sent.length;
    const ran = await runDueJobs(h.server.deps);
    expect(ran.map((r) => r.job)).toContain('weekly');
    await h.server.settle();
    const bulletins = h.stub.sent.slice(before).filter((m) => (m.content as FeishuCard).header?.title.content.startsWith('督查通报'));
    const byChat = new Map(bulletins.map((m) => [m.chatId ?? m.receiveId, cardText(m.content as FeishuCard)]));
    // the campaign's bulletin goes to one of its groups, the everyday one to its own
    expect([...byChat.keys()].sort()).toEqual([everydayGroup.id, byChat.has(specialGroup.id) ? specialGroup.id : secondSpecialGroup.id].sort());
    expect(byChat.get(everydayGroup.id)).toContain('日常督查');
    expect(byChat.get(everydayGroup.id)).toContain('新发现问题1个');
    const special = byChat.get(specialGroup.id) ?? byChat.get(secondSpecialGroup.id)!;
    expect(special).toContain(SPECIAL);
    // two filed in its groups and one imported there
    expect(special).toContain('新发现问题3个');
  });

  it('a direct chat’s intake form offers every campaign, the everyday one first, and files into the one chosen', async () => {
    await h.say(inspector, p2p(inspector), '督查 #医德医风 收受患者家属购物卡');
    const sent = h.lastCardTo(inspector.openId);
    const form = sent.content as FeishuCard;
    expect(checkFeishuCard(form)).toEqual([]);
    const choice = control(form, 'campaign')!;
    expect(choice.options!.map((o) => o.text.content)).toEqual(['日常督查', SPECIAL]);
    expect(choice.initial_option).toBe(campaigns()[0]!.id);
    // the categories of both, and the prefilled one is the 专项's own
    const categories = control(form, 'category')!;
    expect(categories.options!.map((o) => o.value)).toEqual(expect.arrayContaining(['服务环境', '医德医风']));
    expect(categories.initial_option).toBe('医德医风');

    const special = campaigns().find((c) => c.name === SPECIAL)!;
    const fields = { category: '医德医风', description: '收受患者家属购物卡', area: '住院部', leader: wang.openId, deadline_date: '2026-12-11 +0800' };
    const filed = await h.click(inspector, sent.messageId, button(form, '提交并下发整改').value, { ...fields, campaign: special.id });
    expect(filed.body.toast?.type).toBe('success');
    expect(campaignOf('收受患者家属购物卡')).toBe(SPECIAL);
  });

  it('refuses a direct chat’s form whose campaign is not one of ours, and files nothing', async () => {
    await h.say(inspector, p2p(inspector), '督查');
    const sent = h.lastCardTo(inspector.openId);
    const findings = () => (db().prepare('select count(*) n from findings').get() as { n: number }).n;
    const before = findings();
    const fields = { category: '服务环境', description: '走廊堆放杂物', area: '住院部', leader: wang.openId, deadline_date: '2026-12-11 +0800' };
    const refused = await h.click(inspector, sent.messageId, button(sent.content as FeishuCard, '提交并下发整改').value, { ...fields, campaign: 'feishu:other:campaign:别家的专项' });
    expect(refused.body.toast).toMatchObject({ type: 'error', content: expect.stringContaining('督查专项') });
    expect(findings()).toBe(before);
    const filed = await h.click(inspector, sent.messageId, button(sent.content as FeishuCard, '提交并下发整改').value, { ...fields, campaign: campaigns()[0]!.id });
    expect(filed.body.toast?.type).toBe('success');
    expect(campaignOf('走廊堆放杂物')).toBe('日常督查');
  });

  it('结束专项 is for admins, never for the everyday campaign, and names a campaign that exists', async () => {
    await h.say(inspector, specialGroup, '@督办 结束专项');
    expect(lastText(specialGroup)).toContain('只有管理员可以结束专项');
    await h.say(admin, everydayGroup, '@督办 结束专项');
    expect(lastText(everydayGroup)).toContain('日常督查不能结束或恢复');
    await h.say(admin, p2p(admin), '结束专项 没有这个专项');
    expect(JSON.stringify(h.messagesTo(admin.openId).at(-1)!.content)).toContain('没有名为「没有这个专项」的专项');
    expect(campaigns().every((c) => (db().prepare('select ended_on from campaigns where id = ?').get(c.id) as { ended_on: string | null }).ended_on === null)).toBe(true);
  });

  it('ends a 专项: no new findings, no more bulletins after the week it ended, open work goes on; 恢复专项 resumes it', async () => {
    const special = campaigns().find((c) => c.name === SPECIAL)!;
    const endedOn = () => (db().prepare('select ended_on from campaigns where id = ?').get(special.id) as { ended_on: string | null }).ended_on;
    // a form drawn while the 专项 runs, submitted after it ended
    await h.say(inspector, specialGroup, '@督办 督查');
    const earlierForm = h.lastCardTo(specialGroup.id);
    const open = (db().prepare("select count(*) n from tasks where campaign_id = ? and state in ('pending', 'declined', 'in_progress', 'submitted')").get(special.id) as { n: number }).n;
    expect(open).toBeGreaterThan(0);

    await h.say(admin, specialGroup, '@督办 结束专项');
    expect(lastText(specialGroup)).toContain(`「${SPECIAL}」专项已于2026年11月30日结束`);
    expect(lastText(specialGroup)).toContain(`尚有 ${open} 项未办结`);
    expect(endedOn()).toBe('2026-11-30');
    await h.say(admin, specialGroup, '@督办 结束专项');
    expect(lastText(specialGroup)).toContain('专项已于2026年11月30日结束。');

    const findings = () => (db().prepare('select count(*) n from findings').get() as { n: number }).n;
    const before = findings();
    const cards = h.cardsTo(specialGroup.id).length;
    await h.say(inspector, specialGroup, '@督办 督查');
    expect(lastText(specialGroup)).toContain('专项已于2026年11月30日结束，不再登记新问题');
    expect(h.cardsTo(specialGroup.id)).toHaveLength(cards);
    const late = await h.click(inspector, earlierForm.messageId, button(earlierForm.content as FeishuCard, '提交并下发整改').value, {
      category: '服务态度', description: '结束后才提交的问题', area: '门诊', leader: wang.openId, deadline_date: '2026-12-11 +0800',
    });
    expect(late.body.toast).toMatchObject({ type: 'error', content: `「${SPECIAL}」专项已结束，不再登记新问题。` });
    expect(findings()).toBe(before);
    // a direct chat's form no longer offers it; the list says it ended; its reports can still be asked for
    await h.say(inspector, p2p(inspector), '督查');
    expect(control(h.lastCardTo(inspector.openId).content as FeishuCard, 'campaign')).toBeUndefined();
    await h.say(admin, everydayGroup, '@督办 专项');
    expect(cardText(h.lastCardTo(everydayGroup.id).content as FeishuCard)).toContain(`**${SPECIAL}**（已于11月30日结束）`);
    await h.say(admin, specialGroup, '@督办 通报');
    expect(cardText(h.lastCardTo(specialGroup.id).content as FeishuCard)).toContain(SPECIAL);

    // the week it ended gets its last bulletin; the week after, only the everyday group hears
    const bulletinChats = async (at: string) => {
      h.now = Date.parse(at);
      const sentBefore = h.stub.sent.length;
      await runDueJobs(h.server.deps);
      await h.server.settle();
      return h.stub.sent
        .slice(sentBefore)
        .filter((m) => (m.content as FeishuCard).header?.title.content.startsWith('督查通报 · 2026年第'))
        .map((m) => m.chatId ?? m.receiveId)
        .sort();
    };
    const specialGroups = [specialGroup.id, secondSpecialGroup.id];
    expect((await bulletinChats('2026-12-07T09:00:00+08:00')).filter((c) => specialGroups.includes(c!))).toHaveLength(1);
    expect(await bulletinChats('2026-12-14T09:00:00+08:00')).toEqual([everydayGroup.id]);

    await h.say(admin, p2p(admin), `恢复专项 ${SPECIAL}`);
    expect(JSON.stringify(h.messagesTo(admin.openId).at(-1)!.content)).toContain(`「${SPECIAL}」专项已恢复`);
    expect(endedOn()).toBeNull();
    await h.say(inspector, p2p(inspector), '督查');
    expect(control(h.lastCardTo(inspector.openId).content as FeishuCard, 'campaign')!.options!.map((o) => o.text.content)).toEqual(['日常督查', SPECIAL]);
  });
});
