// Turns a verified, decrypted Feishu body into the neutral inbound events (platform notes §1.4, §3).
// Schemas are loose objects: Feishu adds fields over time and unknown ones must not break delivery.
import { z } from 'zod';
import { menuCommandText } from '../../domain/commands.js';
import type {
  InboundCardAction,
  InboundEvent,
  InboundIgnored,
  InboundMention,
  InboundMessage,
} from '../../app/inbound.js';

/** The body is not a Feishu event we can read; the HTTP layer answers 400. */
export class FeishuParseError extends Error {
  override readonly name = 'FeishuParseError';
}

const header = z.looseObject({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  tenant_key: z.string().optional(),
  create_time: z.string().optional(),
});

const envelopeV2 = z.looseObject({
  schema: z.literal('2.0'),
  header,
  event: z.looseObject({}).optional(),
});

/** schema 1.0 events: answered and ignored, but still recognised as events */
const envelopeV1 = z.looseObject({
  type: z.literal('event_callback'),
  uuid: z.string().optional(),
  event: z.looseObject({ type: z.string().min(1), tenant_key: z.string().optional() }),
});

const mention = z.looseObject({
  key: z.string(),
  id: z.looseObject({ open_id: z.string().optional() }),
  name: z.string(),
});

const messageEvent = z.looseObject({
  sender: z.looseObject({ sender_id: z.looseObject({ open_id: z.string().min(1) }) }),
  message: z.looseObject({
    message_id: z.string().min(1),
    parent_id: z.string().nullish(),
    create_time: z.string().regex(/^\d+$/),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    mentions: z.array(mention).nullish(),
  }),
});

const cardActionEvent = z.looseObject({
  operator: z.looseObject({ open_id: z.string().min(1), tenant_key: z.string().optional() }),
  action: z.looseObject({
    // absent on a malformed click: the router answers it with a toast, not the transport with a 400
    value: z.unknown().optional(),
    form_value: z.record(z.string(), z.unknown()).nullish(),
  }),
  context: z
    .looseObject({ open_message_id: z.string().nullish(), open_chat_id: z.string().nullish() })
    .nullish(),
});

/** application.bot.menu_v6: someone tapped a bot menu item (in their chat with the bot) */
const menuEvent = z.looseObject({
  operator: z.looseObject({
    operator_name: z.string().optional(),
    operator_id: z.looseObject({ open_id: z.string().min(1) }),
  }),
  event_key: z.string().min(1).max(100),
  timestamp: z.union([z.string(), z.number()]).optional(),
});

const textContent = z.looseObject({ text: z.string() });
const imageContent = z.looseObject({ image_key: z.string().min(1) });
const fileContent = z.looseObject({ file_key: z.string().min(1), file_name: z.string().default('') });
const postElement = z.looseObject({
  tag: z.string(),
  text: z.string().optional(),
  user_id: z.string().optional(),
  user_name: z.string().optional(),
  image_key: z.string().optional(),
});
const postBody = z.looseObject({ content: z.array(z.array(postElement)) });

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new FeishuParseError(`feishu: malformed ${what}${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function parseContentJson(content: string, messageType: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    throw new FeishuParseError(`feishu: ${messageType} message content is not JSON`);
  }
}

type RawMention = z.infer<typeof mention>;

/**
 * Longest keys first: `@_user_1` is a prefix of `@_user_10`, and replacing it first would leave `@Name0`.
 * split/join rather than a RegExp because keys are data, not patterns.
 */
function replacePlaceholders(text: string, mentions: RawMention[]): string {
  const sorted = [...mentions].sort((a, b) => b.key.length - a.key.length);
  return sorted.reduce((acc, m) => (m.key ? acc.split(m.key).join(`@${m.name}`) : acc), text);
}

/**
 * Received posts are normally `{title, content}`, but the send format wraps that in a locale key
 * (`{zh_cn: {...}}`); accept either so a forwarded or bot-authored post still reads.
 */
function postParagraphs(raw: unknown): z.infer<typeof postBody> {
  const direct = postBody.safeParse(raw);
  if (direct.success) return direct.data;
  if (typeof raw === 'object' && raw !== null) {
    for (const inner of Object.values(raw)) {
      const localised = postBody.safeParse(inner);
      if (localised.success) return localised.data;
    }
  }
  throw new FeishuParseError('feishu: post message content has no paragraphs');
}

function readContent(
  messageType: string,
  content: string,
  mentions: RawMention[],
): { text: string; imageKeys: string[]; files?: { key: string; name: string }[] } {
  switch (messageType) {
    case 'text': {
      const { text } = parseWith(textContent, parseContentJson(content, messageType), 'text content');
      return { text: replacePlaceholders(text, mentions).trim(), imageKeys: [] };
    }
    case 'image': {
      const { image_key } = parseWith(imageContent, parseContentJson(content, messageType), 'image content');
      return { text: '', imageKeys: [image_key] };
    }
    case 'file': {
      const { file_key, file_name } = parseWith(fileContent, parseContentJson(content, messageType), 'file content');
      return { text: '', imageKeys: [], files: [{ key: file_key, name: file_name }] };
    }
    case 'post': {
      const { content: paragraphs } = postParagraphs(parseContentJson(content, messageType));
      const imageKeys: string[] = [];
      const lines = paragraphs.map((elements) =>
        elements
          .map((el) => {
            if (el.tag === 'text' || el.tag === 'a') return el.text ?? '';
            if (el.tag === 'at') {
              // user_name is absent on some clients; the mention list keyed by the placeholder still has it.
              const name = el.user_name ?? mentions.find((m) => m.key === el.user_id)?.name ?? el.user_id ?? '';
              return `@${name}`;
            }
            if (el.tag === 'img' && el.image_key) imageKeys.push(el.image_key);
            return '';
          })
          .join(''),
      );
      return { text: lines.join('\n').trim(), imageKeys };
    }
    default:
      // Stickers, audio, video…: still a message in the chat, with nothing for us to read.
      return { text: '', imageKeys: [] };
  }
}

function toMessage(appId: string | null, tenantKey: string, deliveryId: string, rawEvent: unknown): InboundMessage {
  const { sender, message } = parseWith(messageEvent, rawEvent, 'im.message.receive_v1 event');
  const rawMentions = message.mentions ?? [];
  const { text, imageKeys, files = [] } = readContent(message.message_type, message.content, rawMentions);
  const mentions: InboundMention[] = rawMentions.flatMap((m) =>
    m.id.open_id ? [{ userId: m.id.open_id, name: m.name }] : [],
  );
  return {
    kind: 'message',
    platform: 'feishu',
    appId,
    tenantKey,
    deliveryId,
    messageId: message.message_id,
    chatId: message.chat_id,
    chatType: message.chat_type === 'p2p' ? 'p2p' : 'group',
    senderUserId: sender.sender_id.open_id,
    text,
    mentions,
    botUserId: null,
    imageKeys,
    files,
    parentMessageId: message.parent_id || null,
    sentAt: Number(message.create_time),
  };
}

/**
 * A menu tap reads as the person typing the item's command in their chat with the bot: the event
 * names no chat, and the answer goes to the person, as every answer in a one-to-one chat does.
 */
function toMenuMessage(appId: string | null, tenantKey: string, deliveryId: string, createTime: string | undefined, rawEvent: unknown): InboundMessage {
  const { operator, event_key, timestamp } = parseWith(menuEvent, rawEvent, 'application.bot.menu_v6 event');
  const sentAt = Number(timestamp ?? createTime ?? 0);
  return {
    kind: 'message',
    platform: 'feishu',
    appId,
    tenantKey,
    deliveryId,
    messageId: `menu_${deliveryId}`,
    chatId: '',
    chatType: 'p2p',
    senderUserId: operator.operator_id.open_id,
    ...(operator.operator_name ? { senderName: operator.operator_name } : {}),
    text: menuCommandText(event_key.trim()),
    mentions: [],
    botUserId: null,
    imageKeys: [],
    files: [],
    parentMessageId: null,
    sentAt: Number.isFinite(sentAt) ? sentAt : 0,
  };
}

function toCardAction(appId: string | null, headerTenant: string | undefined, deliveryId: string, rawEvent: unknown): InboundCardAction {
  const { operator, action, context } = parseWith(cardActionEvent, rawEvent, 'card.action.trigger event');
  const tenantKey = headerTenant || operator.tenant_key;
  if (!tenantKey) throw new FeishuParseError('feishu: card.action.trigger without a tenant_key');
  return {
    kind: 'card_action',
    platform: 'feishu',
    appId,
    tenantKey,
    deliveryId,
    operatorUserId: operator.open_id,
    messageId: context?.open_message_id ?? null,
    chatId: context?.open_chat_id ?? null,
    value: action.value,
    formValue: action.form_value ?? null,
  };
}

/** `appId`: the app the body came through (ChatApp.id), null for the environment's app. */
export function parseFeishuEvent(body: Record<string, unknown>, appId: string | null = null): InboundEvent {
  if (body.schema === '2.0') {
    const env = parseWith(envelopeV2, body, 'schema 2.0 envelope');
    const { event_id: deliveryId, event_type: eventType, tenant_key: tenantKey } = env.header;
    if (eventType === 'im.message.receive_v1') {
      if (!tenantKey) throw new FeishuParseError('feishu: message event without header.tenant_key');
      return toMessage(appId, tenantKey, deliveryId, env.event);
    }
    if (eventType === 'card.action.trigger') return toCardAction(appId, tenantKey, deliveryId, env.event);
    if (eventType === 'application.bot.menu_v6') {
      if (!tenantKey) throw new FeishuParseError('feishu: menu event without header.tenant_key');
      return toMenuMessage(appId, tenantKey, deliveryId, env.header.create_time, env.event);
    }
    const ignored: InboundIgnored = {
      kind: 'ignored',
      platform: 'feishu',
      tenantKey: tenantKey ?? null,
      deliveryId,
      eventType,
    };
    return ignored;
  }
  if (body.type === 'event_callback') {
    const env = parseWith(envelopeV1, body, 'schema 1.0 envelope');
    return {
      kind: 'ignored',
      platform: 'feishu',
      tenantKey: env.event.tenant_key ?? null,
      deliveryId: env.uuid ?? null,
      eventType: env.event.type,
    };
  }
  throw new FeishuParseError('feishu: body is neither a schema 2.0 nor a schema 1.0 event');
}
