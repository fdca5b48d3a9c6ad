// DingTalk's HTTP-mode card clicks carry no delivery id, so the bot names each click by what it says:
// the same words on the same card by the same person. That name must catch a retry and nothing
// else. Here, over real HTTP against the stub DingTalk: a retry seconds later acts once, even across
// the turn of a ten-minute window; the same click made again later (the task card opened again, the
// next day's 催办) acts again; and a click refused before its clicker was given the role acts once
// the role is given, however soon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../src/runtime/node.js';
import { button, dingTalkConversation, formOf, notice, type DingTalkConversation } from '../support/dingtalk-conversation.js';
import { startDingTalkWorld, type DingTalkWorld } from '../support/dingtalk-server.js';

const TEMPLATE = 'duban-general.schema';
const GROUP = 'cidSupervisionGroupRepeat1';
const ADMIN = 'staff_rc_admin';
const QIAN = 'staff_rc_qian';
const WANG = 'staff_rc_wang';
const ZHOU = 'staff_rc_zhou';
const NICK: Record<string, string> = { [ADMIN]: '刘主任', [QIAN]: '钱督查', [WANG]: '王主任', [ZHOU]: '周监督' };

let world: DingTalkWorld;
let server: NodeServer;
let talk: DingTalkConversation;
// a Tuesday morning in Beijing
let clock = Date.parse('2026-11-24T09:00:00+08:00');
const later = (minutes: number) => {
  clock += minutes * 60_000;
};
const at = (iso: string) => {
  clock = Date.parse(iso);
};

const urges = () => (server.database.sqlite.prepare("select count(*) n from task_events where action = 'urge'").get() as { n: number }).n;
let noticeId = '';

beforeAll(async () => {
  world = await startDingTalkWorld(() => clock, TEMPLATE);
  server = world.server;
  talk = dingTalkConversation(() => world, () => clock, GROUP, NICK);
  await talk.say(ADMIN, '设为督查群');
  await talk.say(ADMIN, '授权 督查员 @钱督查', { mentions: [{ staffId: QIAN }] });
  await talk.say(QIAN, '督查');
  const intake = talk.lastCardTo(GROUP);
  const filed = await talk.click(QIAN, intake.outTrackId, button(talk.params(intake.outTrackId), '提交并下发整改'), {
    area: '门诊二楼',
    category: '服务流程',
    description: '自助机故障无人处理',
    leader: WANG,
    deadline_text: '5个工作日',
  });
  expect(notice(filed).type).toBe('success');
  noticeId = talk.lastCardTo(GROUP).outTrackId;
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('the same click on DingTalk, again', () => {
  it('opens the task card once for a retry, and again when the same button is pressed later', async () => {
    const open = button(talk.params(noticeId), '查看 / 办理');
    const first = await talk.click(QIAN, noticeId, open);
    expect(notice(first).text).toContain('私聊');
    expect(talk.cardsTo(QIAN)).toHaveLength(1);

    // DingTalk delivering the same click again a few seconds later: the first answer, no second card
    later(0.1);
    expect(await talk.click(QIAN, noticeId, open)).toEqual(first);
    expect(talk.cardsTo(QIAN)).toHaveLength(1);

    // the same button pressed again after lunch: the card is sent again
    at('2026-11-24T13:09:57+08:00');
    const afternoon = await talk.click(QIAN, noticeId, open);
    expect(notice(afternoon).text).toContain('私聊');
    expect(talk.cardsTo(QIAN)).toHaveLength(2);

    // and a retry of it that lands seconds later, past the turn of a ten-minute window, is a retry
    at('2026-11-24T13:10:02+08:00');
    expect(await talk.click(QIAN, noticeId, open)).toEqual(afternoon);
    expect(talk.cardsTo(QIAN)).toHaveLength(2);
  });

  it('urges again the next day with the same words, after the same day’s second 催办 was refused', async () => {
    const own = talk.lastCardTo(QIAN).outTrackId;
    const urge = async () => {
      const form = await talk.click(QIAN, own, button(talk.params(own), '催办'));
      expect(formOf(form.cardData!.cardParamMap)).not.toBeNull();
      return talk.click(QIAN, own, button(talk.params(own), '提交：催办'));
    };
    expect(notice(await urge()).type).toBe('success');
    expect(urges()).toBe(1);

    later(30);
    const refused = await urge();
    expect(notice(refused).type).not.toBe('success');
    expect(notice(refused).text).toContain('今天');
    expect(urges()).toBe(1);

    // the next morning the card still shows the form, and its submit says what the refused one said
    later(24 * 60);
    const again = await talk.click(QIAN, own, button(talk.params(own), '提交：催办'));
    expect(notice(again).type).toBe('success');
    expect(urges()).toBe(2);
  });

  it('acts on a click refused before its clicker had the role, as soon as the role is given', async () => {
    // 监督小组 may press any task; 周 opens his own copy while he is one
    await talk.say(ADMIN, '授权 监督小组 @周监督', { mentions: [{ staffId: ZHOU }] });
    await talk.click(ZHOU, noticeId, button(talk.params(noticeId), '查看 / 办理'));
    const own = talk.lastCardTo(ZHOU).outTrackId;
    const press = button(talk.params(own), '催办');

    await talk.say(ADMIN, '取消授权 监督小组 @周监督', { mentions: [{ staffId: ZHOU }] });
    const refused = await talk.click(ZHOU, own, press);
    expect(notice(refused).type).toBe('error');
    expect(notice(refused).text).toContain('无权');

    // given back a minute later: the same press now opens the 催办 form
    await talk.say(ADMIN, '授权 监督小组 @周监督', { mentions: [{ staffId: ZHOU }] });
    later(1);
    const allowed = await talk.click(ZHOU, own, press);
    expect(notice(allowed).type).toBe('info');
    expect(formOf(allowed.cardData!.cardParamMap)?.submit.text).toBe('提交：催办');
  });
});
