// People talking to the bot on DingTalk in HTTP mode, for the end-to-end suites: signed robot
// messages posted to our real route, card clicks posted as DingTalk posts them (the answer then
// applied to the stub's card, as DingTalk does, so what a card shows now can be read), and the
// reading of the general template's buttons and form.
import { expect } from 'vitest';
import type { DingTalkStub, DingTalkStubCard } from './dingtalk-stub.js';
import { cardCallbackPayload, robotPictureMessage, robotTextMessage, signedCardCallback, signedRobotDelivery } from './dingtalk-webhook.js';

export interface DtButton {
  text: string;
  style: string;
  payload: string;
}
export interface DtForm {
  name: string;
  fields: { name: string; initial: string; label: string; required: boolean }[];
  submit: DtButton;
}
export interface Answer {
  cardData?: { cardParamMap: Record<string, string> };
  userPrivateData?: { cardParamMap: Record<string, string> };
}

export const notice = (answer: Answer) => ({ type: answer.userPrivateData?.cardParamMap['noticeType'], text: answer.userPrivateData?.cardParamMap['notice'] ?? '' });

export function buttonsOf(p: Record<string, string>): DtButton[] {
  return JSON.parse(p['buttons'] || '[]') as DtButton[];
}
export function formOf(p: Record<string, string>): DtForm | null {
  return p['form'] ? (JSON.parse(p['form']) as DtForm) : null;
}
/** a button or the form's submit, by its label (or the start of it) */
export function button(p: Record<string, string>, label: string): DtButton {
  const all = [...buttonsOf(p), ...(formOf(p) ? [formOf(p)!.submit] : [])];
  const match = all.find((b) => b.text === label || b.text.startsWith(label));
  if (!match) throw new Error(`no button "${label}" on card "${p['title']}"; has: ${all.map((b) => b.text).join(', ')}`);
  return match;
}
export const labels = (p: Record<string, string>) => buttonsOf(p).map((b) => b.text);

export interface DingTalkConversation {
  /** posts a signed robot message; expects 200 */
  post(message: object): Promise<Response>;
  /** `who` types `text` in the group `group` (@-ing the robot), or in their one-to-one chat with it */
  say(who: string, text: string, options?: { group?: boolean; mentions?: { staffId: string }[] }): Promise<Response>;
  sendPicture(who: string, downloadCode: string, options: { group: boolean }): Promise<Response>;
  /** `who` clicks a button (or submits the form) of the card `outTrackId`; expects 200 */
  click(who: string, outTrackId: string, button: DtButton, inputs?: Record<string, string>): Promise<Answer>;
  /** what a card shows now */
  params(outTrackId: string): Record<string, string>;
  cardsTo(id: string): DingTalkStubCard[];
  lastCardTo(id: string): DingTalkStubCard;
}

/** The stub and the bot it talks to: our Node server, or the Worker in workerd. */
export interface DingTalkEnds {
  stub: DingTalkStub;
  server: { url: string; settle(): Promise<void> };
}

/**
 * `world`: read on every call, so a suite may start it in beforeAll; `clock` is the server's;
 * `group` the conversation `say` speaks in; `nicks` each person's name.
 */
export function dingTalkConversation(world: () => DingTalkEnds, clock: () => number, group: string, nicks: Record<string, string>): DingTalkConversation {
  const post = async (message: object) => {
    const { stub, server } = world();
    const request = signedRobotDelivery(message, { appSecret: stub.appSecret, nowMs: clock() });
    const response = await fetch(`${server.url}/webhooks/dingtalk`, { method: 'POST', headers: request.headers, body: request.rawBody });
    await server.settle();
    expect(response.status).toBe(200);
    return response;
  };
  const where = (inGroup: boolean) => (inGroup ? { conversationId: group } : { group: false });
  const cardsTo = (id: string) => [...world().stub.cards.values()].filter((c) => c.spaces.some((s) => s.spaceId === id));
  return {
    post,
    say: (who, text, options = {}) =>
      post(
        robotTextMessage(text, {
          senderStaffId: who,
          senderNick: nicks[who]!,
          createAt: clock(),
          ...where(options.group !== false),
          ...(options.mentions ? { mentions: options.mentions } : {}),
        }),
      ),
    sendPicture: (who, downloadCode, options) => post(robotPictureMessage(downloadCode, { senderStaffId: who, senderNick: nicks[who]!, createAt: clock(), ...where(options.group) })),
    async click(who, outTrackId, pressed, inputs = {}) {
      const { stub, server } = world();
      const card = stub.cards.get(outTrackId)!;
      const inGroup = card.spaces.find((s) => s.spaceType === 'IM_GROUP');
      const space = inGroup ? ({ type: 'IM_GROUP', openConversationId: inGroup.spaceId } as const) : ({ type: 'IM_ROBOT' } as const);
      const request = signedCardCallback(cardCallbackPayload({ outTrackId, userId: who, params: { payload: pressed.payload, ...inputs }, space }), { apiSecret: stub.appSecret, nowMs: clock() });
      const response = await fetch(`${server.url}/webhooks/dingtalk/card`, { method: 'POST', headers: request.headers, body: request.rawBody });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Answer;
      await server.settle();
      stub.applyCardCallbackResponse(outTrackId, who, body);
      return body;
    },
    params: (outTrackId) => world().stub.cardParams(outTrackId),
    cardsTo,
    lastCardTo(id) {
      const card = cardsTo(id).at(-1);
      if (!card) throw new Error(`no card delivered to ${id}`);
      return card;
    },
  };
}
