// On DingTalk the bot names its cards itself (the outTrackId is the outbox row's key), so a card
// exists and can be clicked as soon as DingTalk has made it, even when the server was killed before
// recording it as sent. Until the restarted server sends it again (DingTalk refuses the repeat as
// outTrackIdDuplicated), the card's copy has no message id. Found by the DingTalk crash drill: an
// intake card submitted in that window filed its finding unlinked, so it could be submitted again
// and file a second finding. Here the window is made as a kill leaves it, over real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/app/deliver-outbox.js';
import type { NodeServer } from '../../src/runtime/node.js';
import { button, dingTalkConversation, formOf, notice, type DingTalkConversation } from '../support/dingtalk-conversation.js';
import { startDingTalkWorld, type DingTalkWorld } from '../support/dingtalk-server.js';

const TEMPLATE = 'duban-general.schema';
const GROUP = 'cidSupervisionGroupUnconfirmed';
const ADMIN = 'staff_uc_admin';
const QIAN = 'staff_uc_qian';
const WANG = 'staff_uc_wang';
const NICK: Record<string, string> = { [ADMIN]: '刘主任', [QIAN]: '钱督查', [WANG]: '王主任' };

let world: DingTalkWorld;
let server: NodeServer;
let talk: DingTalkConversation;
let clock = Date.parse('2026-11-24T09:00:00+08:00');

beforeEach(async () => {
  world = await startDingTalkWorld(() => clock, TEMPLATE);
  server = world.server;
  talk = dingTalkConversation(() => world, () => clock, GROUP, NICK);
  await talk.say(ADMIN, '设为督查群');
  await talk.say(ADMIN, '授权 督查员 @钱督查', { mentions: [{ staffId: QIAN }] });
}, 60_000);

afterEach(async () => {
  await world?.close();
});

const sql = <T>(query: string, ...values: unknown[]) => server.database.sqlite.prepare(query).all(...values) as T[];

/** What the database holds when the server is killed right after DingTalk made the card `outTrackId`. */
function killedBeforeMarkedSent(outTrackId: string): void {
  const [row] = sql<{ id: string; card_copy_id: string }>('select id, card_copy_id from outbox where idempotency_key = ?', outTrackId);
  server.database.sqlite.prepare("update outbox set status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = null, sent_at = null, message_id = null where id = ?").run(row!.id);
  server.database.sqlite.prepare('update card_copies set message_id = null where id = ?').run(row!.card_copy_id);
}

const intakeForm = (description: string) => ({ area: '门诊二楼', category: '服务流程', description, leader: WANG, deadline_text: '5个工作日' });

describe('a DingTalk card clicked before the server recorded it as sent', () => {
  it('files an intake card once: a second submit of it is refused, and the card is not made again', async () => {
    await talk.say(QIAN, '督查');
    const intake = talk.lastCardTo(GROUP);
    killedBeforeMarkedSent(intake.outTrackId);
    const submit = button(talk.params(intake.outTrackId), '提交并下发整改');

    expect(notice(await talk.click(QIAN, intake.outTrackId, submit, intakeForm('自助机故障无人处理'))).type).toBe('success');
    const [copy] = sql<{ id: string }>("select id from card_copies where purpose = 'intake'");
    expect(sql('select number, intake_card_id from findings')).toEqual([{ number: 1, intake_card_id: copy!.id }]);

    // the same card submitted again with another word: not a retry, and still the same form
    const again = await talk.click(QIAN, intake.outTrackId, submit, intakeForm('自助机故障，无人处理'));
    expect(notice(again)).toEqual({ type: 'info', text: '该登记表已提交过（第1号问题），无需重复提交。' });
    expect(sql('select count(*) n from findings')).toEqual([{ n: 1 }]);

    // the restarted courier sends it again: DingTalk says it exists, and it is taken as sent
    const cards = world.stub.cards.size;
    await deliverOutbox(server.deps);
    expect(sql('select message_id from card_copies where id = ?', copy!.id)).toEqual([{ message_id: intake.outTrackId }]);
    expect(world.stub.cards.size).toBe(cards);
    expect(world.stub.cards.has(intake.outTrackId)).toBe(true);
  });

  it('opens a task card’s form in place, instead of sending the leader another card', async () => {
    await talk.say(QIAN, '督查');
    const intake = talk.lastCardTo(GROUP);
    await talk.click(QIAN, intake.outTrackId, button(talk.params(intake.outTrackId), '提交并下发整改'), intakeForm('自助机故障无人处理'));
    const own = talk.lastCardTo(WANG);
    killedBeforeMarkedSent(own.outTrackId);

    const opened = await talk.click(WANG, own.outTrackId, button(talk.params(own.outTrackId), '签收整改'));
    expect(notice(opened)).toEqual({ type: 'info', text: '请填写后提交' });
    expect(formOf(talk.params(own.outTrackId))?.submit.text).toBe('提交：签收整改');
    expect(talk.cardsTo(WANG)).toHaveLength(1);

    const accepted = await talk.click(WANG, own.outTrackId, button(talk.params(own.outTrackId), '提交：签收整改'), { measures: '增设导诊岗，每日巡查自助机' });
    expect(notice(accepted).type).toBe('success');
    expect(sql("select state from tasks")).toEqual([{ state: 'in_progress' }]);
    // the clicked card is answered in place; no update of it waits in the outbox as well
    const [copy] = sql<{ card_copy_id: string }>('select card_copy_id from outbox where idempotency_key = ?', own.outTrackId);
    expect(sql("select count(*) n from outbox where kind = 'update' and card_copy_id = ?", copy!.card_copy_id)).toEqual([{ n: 0 }]);
  });
});
