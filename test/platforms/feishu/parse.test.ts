import { describe, expect, it } from 'vitest';
import { FeishuParseError, parseFeishuEvent } from '../../../src/platforms/feishu/parse.js';
import { verifyFeishuRequest } from '../../../src/platforms/feishu/verify.js';
import { buildFeishuWebhookRequest, cardActionEvent, menuEvent, messageEvent } from '../../support/feishu-webhook.js';

const TOKEN = 'vt_parse';
const SENT = Date.UTC(2026, 10, 23, 1, 30, 0);

function base(overrides: Partial<Parameters<typeof messageEvent>[0]> = {}) {
  return messageEvent({
    tenantKey: 'tk_hosp',
    eventId: 'ev_1',
    messageId: 'om_1',
    chatId: 'oc_ward',
    senderOpenId: 'ou_inspector',
    createTimeMs: SENT,
    token: TOKEN,
    ...overrides,
  });
}

/** Swaps the message content for another type, keeping everything else as Feishu sent it. */
function withContent(body: Record<string, unknown>, messageType: string, content: unknown) {
  const event = body.event as { message: Record<string, unknown> };
  event.message.message_type = messageType;
  event.message.content = JSON.stringify(content);
  return body;
}

describe('parseFeishuEvent: messages', () => {
  it('reads a text message, replacing mention placeholders by name', () => {
    const body = base({
      text: ' @_user_1 @_user_10 三楼护士站 @_user_1 ',
      mentions: [
        { key: '@_user_1', openId: 'ou_bot', name: '督办' },
        { key: '@_user_10', openId: 'ou_lead', name: '王主任' },
      ],
      parentId: 'om_parent',
    });
    expect(parseFeishuEvent(body)).toEqual({
      kind: 'message',
      platform: 'feishu',
      appId: null,
      tenantKey: 'tk_hosp',
      deliveryId: 'ev_1',
      messageId: 'om_1',
      chatId: 'oc_ward',
      chatType: 'group',
      senderUserId: 'ou_inspector',
      text: '@督办 @王主任 三楼护士站 @督办',
      mentions: [
        { userId: 'ou_bot', name: '督办' },
        { userId: 'ou_lead', name: '王主任' },
      ],
      // Feishu deliveries do not name the bot; the client asks the Open API
      botUserId: null,
      imageKeys: [],
      files: [],
      parentMessageId: 'om_parent',
      sentAt: SENT,
    });
  });

  it('maps p2p chats, a missing parent and no mentions', () => {
    const parsed = parseFeishuEvent(base({ chatType: 'p2p', text: 'hi' }));
    expect(parsed).toMatchObject({ chatType: 'p2p', parentMessageId: null, mentions: [], text: 'hi' });
  });

  it('treats any chat type other than p2p as a group', () => {
    const body = base({ text: 'x' });
    (body.event as { message: { chat_type: string } }).message.chat_type = 'topic_group';
    expect(parseFeishuEvent(body)).toMatchObject({ chatType: 'group' });
  });

  it('reads an image message as an image key with empty text', () => {
    const parsed = parseFeishuEvent(base({ imageKey: 'img_v3_abc' }));
    expect(parsed).toMatchObject({ kind: 'message', text: '', imageKeys: ['img_v3_abc'] });
  });

  it('reads a post: text, links and mentions as text, images as keys', () => {
    const body = withContent(
      base({ mentions: [{ key: '@_user_1', openId: 'ou_bot', name: '督办' }] }),
      'post',
      {
        title: '',
        content: [
          [
            { tag: 'at', user_id: '@_user_1', user_name: '督办' },
            { tag: 'text', text: ' 药房窗口 ', style: [] },
            { tag: 'a', text: '照片', href: 'https://example.com' },
          ],
          [{ tag: 'img', image_key: 'img_a', width: 300, height: 200 }],
          [{ tag: 'text', text: '排队过长' }, { tag: 'img', image_key: 'img_b' }],
        ],
      },
    );
    expect(parseFeishuEvent(body)).toMatchObject({
      text: '@督办 药房窗口 照片\n\n排队过长',
      imageKeys: ['img_a', 'img_b'],
      mentions: [{ userId: 'ou_bot', name: '督办' }],
    });
  });

  it('names an at element from the mention list when user_name is absent, and reads locale-wrapped posts', () => {
    const body = withContent(
      base({ mentions: [{ key: '@_user_1', openId: 'ou_lead', name: '王主任' }] }),
      'post',
      { zh_cn: { title: 't', content: [[{ tag: 'at', user_id: '@_user_1' }, { tag: 'text', text: ' 请整改' }]] } },
    );
    expect(parseFeishuEvent(body)).toMatchObject({ text: '@王主任 请整改', imageKeys: [] });
  });

  it('reads a file message as a file key with its name', () => {
    const body = withContent(base(), 'file', { file_key: 'file_v3_1', file_name: '问题清单.xlsx' });
    expect(parseFeishuEvent(body)).toMatchObject({ kind: 'message', text: '', imageKeys: [], files: [{ key: 'file_v3_1', name: '问题清单.xlsx' }] });
  });

  it('refuses a file message without a file key', () => {
    const body = withContent(base(), 'file', { file_name: 'a.xlsx' });
    expect(() => parseFeishuEvent(body)).toThrow(FeishuParseError);
  });

  it('keeps other message types as messages with nothing to read', () => {
    const body = withContent(base(), 'sticker', { file_key: 'sticker_1' });
    expect(parseFeishuEvent(body)).toMatchObject({ kind: 'message', text: '', imageKeys: [], files: [] });
  });
});

describe('parseFeishuEvent: card actions and other events', () => {
  it('reads a form submit with its form values', () => {
    const body = cardActionEvent({
      tenantKey: 'tk_hosp',
      eventId: 'ev_card',
      operatorOpenId: 'ou_lead',
      messageId: 'om_card',
      chatId: 'oc_ward',
      value: { action: 'accept', taskId: 't1', v: 3 },
      formValue: { measures: '加装防滑垫', deadline: '2026-12-01 +0800' },
      token: TOKEN,
    });
    // which app it came through is for the caller to say (from the webhook path)
    expect(parseFeishuEvent(body, 'hospital-b')).toEqual({
      kind: 'card_action',
      platform: 'feishu',
      appId: 'hospital-b',
      tenantKey: 'tk_hosp',
      deliveryId: 'ev_card',
      operatorUserId: 'ou_lead',
      messageId: 'om_card',
      chatId: 'oc_ward',
      value: { action: 'accept', taskId: 't1', v: 3 },
      formValue: { measures: '加装防滑垫', deadline: '2026-12-01 +0800' },
    });
  });

  it('reads a plain button click, falling back to the operator tenant', () => {
    const body = cardActionEvent({ tenantKey: 'tk_op', operatorOpenId: 'ou_x', messageId: 'om_c', value: 'go', token: TOKEN });
    delete (body.header as Record<string, unknown>).tenant_key;
    expect(parseFeishuEvent(body)).toMatchObject({
      kind: 'card_action',
      tenantKey: 'tk_op',
      chatId: null,
      value: 'go',
      formValue: null,
    });
  });

  it('reads a bot menu tap as the command its key names, typed by the operator in their chat with the bot', () => {
    const tap = (eventKey: string) => parseFeishuEvent(menuEvent({ tenantKey: 'tk_hosp', eventId: 'ev_menu', operatorOpenId: 'ou_leader', operatorName: '王主任', eventKey, token: TOKEN, timestampMs: SENT }));
    expect(tap('my_tasks')).toEqual({
      kind: 'message',
      platform: 'feishu',
      appId: null,
      tenantKey: 'tk_hosp',
      deliveryId: 'ev_menu',
      messageId: 'menu_ev_menu',
      chatId: '',
      chatType: 'p2p',
      senderUserId: 'ou_leader',
      senderName: '王主任',
      text: '我的任务',
      mentions: [],
      botUserId: null,
      imageKeys: [],
      files: [],
      parentMessageId: null,
      sentAt: SENT,
    });
    expect(tap('intake')).toMatchObject({ text: '督查' });
    // a key that is already command text passes as it is
    expect(tap('台账')).toMatchObject({ text: '台账' });
    // an inherited property name is a key like any other, not a command
    expect(tap('constructor')).toMatchObject({ text: 'constructor' });
  });

  it('refuses a menu tap without an operator or a tenant', () => {
    const body = menuEvent({ tenantKey: 'tk_hosp', operatorOpenId: 'ou_leader', eventKey: 'help', token: TOKEN });
    delete (body.event as Record<string, unknown>)['operator'];
    expect(() => parseFeishuEvent(body)).toThrow(FeishuParseError);
    const nameless = menuEvent({ tenantKey: 'tk_hosp', operatorOpenId: 'ou_leader', eventKey: 'help', token: TOKEN });
    delete (nameless.header as Record<string, unknown>)['tenant_key'];
    expect(() => parseFeishuEvent(nameless)).toThrow(FeishuParseError);
  });

  it('ignores other schema 2.0 event types, keeping what identifies the delivery', () => {
    const body = base({ text: 'x' });
    (body.header as Record<string, unknown>).event_type = 'im.chat.member.bot.added_v1';
    expect(parseFeishuEvent(body)).toEqual({
      kind: 'ignored',
      platform: 'feishu',
      tenantKey: 'tk_hosp',
      deliveryId: 'ev_1',
      eventType: 'im.chat.member.bot.added_v1',
    });
  });

  it('ignores schema 1.0 events', () => {
    const v1 = { uuid: 'u-1', token: TOKEN, ts: '1', type: 'event_callback', event: { type: 'app_open', tenant_key: 'tk' } };
    expect(parseFeishuEvent(v1)).toEqual({
      kind: 'ignored',
      platform: 'feishu',
      tenantKey: 'tk',
      deliveryId: 'u-1',
      eventType: 'app_open',
    });
  });

  it('throws FeishuParseError for bodies that are not readable events', () => {
    const noHeader = base({ text: 'x' });
    delete noHeader.header;
    const numericId = base({ text: 'x' });
    (numericId.header as Record<string, unknown>).event_id = 42;
    const noChat = base({ text: 'x' });
    delete (noChat.event as { message: Record<string, unknown> }).message.chat_id;
    const badContent = base({ text: 'x' });
    (badContent.event as { message: Record<string, unknown> }).message.content = '{not json';
    const badTime = base({ text: 'x' });
    (badTime.event as { message: Record<string, unknown> }).message.create_time = 'yesterday';
    const noOperator = cardActionEvent({ tenantKey: 't', operatorOpenId: 'ou', messageId: 'om', value: 1, token: TOKEN });
    delete (noOperator.event as Record<string, unknown>).operator;
    const cases = [noHeader, numericId, noChat, badContent, badTime, noOperator, { hello: 'world' }];
    for (const body of cases) {
      expect(() => parseFeishuEvent(body)).toThrow(FeishuParseError);
    }
  });
});

describe('webhook helper round trip', () => {
  it('produces a request that verifies and parses to the message it describes', async () => {
    const nowMs = Date.now();
    const req = buildFeishuWebhookRequest({ body: base({ text: '@_user_1 你好', mentions: [{ key: '@_user_1', openId: 'ou_bot', name: 'Bot' }] }), encryptKey: 'k', nowMs });
    expect(req.headers['content-type']).toBe('application/json');
    const verified = await verifyFeishuRequest({
      rawBody: req.rawBody,
      headers: {
        timestamp: req.headers['x-lark-request-timestamp'],
        nonce: req.headers['x-lark-request-nonce'],
        signature: req.headers['x-lark-signature'],
      },
      config: { encryptKey: 'k', verificationToken: TOKEN },
      nowMs,
    });
    if (!verified.ok) throw new Error(`verification failed: ${verified.reason}`);
    expect(parseFeishuEvent(verified.body)).toMatchObject({ kind: 'message', text: '@Bot 你好' });
  });

  it('gives every generated event a fresh event id', () => {
    const a = messageEvent({ tenantKey: 't', chatId: 'c', senderOpenId: 's', token: TOKEN });
    const b = messageEvent({ tenantKey: 't', chatId: 'c', senderOpenId: 's', token: TOKEN });
    expect((a.header as { event_id: string }).event_id).not.toBe((b.header as { event_id: string }).event_id);
  });
});
