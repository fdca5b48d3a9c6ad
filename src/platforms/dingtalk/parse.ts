// Turns a verified DingTalk robot delivery (HTTP mode body, or a Stream frame's data) into the
// neutral inbound events (platform notes §4.3). Loose schemas: DingTalk adds fields over time.
import { z } from 'zod';
import type { InboundCardAction, InboundEvent, InboundMention, InboundMessage } from '../../app/inbound.js';

/** The body is not a DingTalk robot message we can read; the HTTP layer answers 400. */
export class DingTalkParseError extends Error {
  override readonly name = 'DingTalkParseError';
}

const atUser = z.looseObject({ dingtalkId: z.string(), staffId: z.string().optional() });

const robotMessage = z.looseObject({
  msgId: z.string().min(1),
  msgtype: z.string().min(1),
  conversationId: z.string().min(1),
  /** "1": one-to-one, "2": group */
  conversationType: z.string(),
  chatbotCorpId: z.string().min(1).optional(),
  senderCorpId: z.string().min(1).optional(),
  chatbotUserId: z.string().min(1).optional(),
  senderStaffId: z.string().min(1).optional(),
  senderId: z.string().min(1),
  /** the sender's name as DingTalk shows it */
  senderNick: z.string().optional(),
  createAt: z.number().optional(),
  text: z.looseObject({ content: z.string() }).optional(),
  content: z.unknown().optional(),
  atUsers: z.array(atUser).optional(),
});

type RobotMessage = z.infer<typeof robotMessage>;

const pictureContent = z.looseObject({ downloadCode: z.string().min(1).optional(), pictureDownloadCode: z.string().min(1).optional() });
const fileContent = z.looseObject({ downloadCode: z.string().min(1), fileName: z.string().min(1) });
/** richText: a list of runs, each text or a picture */
const richTextContent = z.looseObject({
  richText: z.array(z.looseObject({ text: z.string().optional(), downloadCode: z.string().optional(), pictureDownloadCode: z.string().optional() })),
});

interface Read {
  text: string;
  imageKeys: string[];
  files: { key: string; name: string }[];
}

function readContent(message: RobotMessage): Read {
  const empty: Read = { text: '', imageKeys: [], files: [] };
  switch (message.msgtype) {
    case 'text':
      return { ...empty, text: message.text?.content ?? '' };
    case 'picture': {
      const parsed = pictureContent.safeParse(message.content);
      const key = parsed.success ? (parsed.data.downloadCode ?? parsed.data.pictureDownloadCode) : undefined;
      return { ...empty, imageKeys: key ? [key] : [] };
    }
    case 'file': {
      const parsed = fileContent.safeParse(message.content);
      return parsed.success ? { ...empty, files: [{ key: parsed.data.downloadCode, name: parsed.data.fileName }] } : empty;
    }
    case 'richText': {
      const parsed = richTextContent.safeParse(message.content);
      if (!parsed.success) return empty;
      const imageKeys = parsed.data.richText.flatMap((run) => {
        const key = run.downloadCode ?? run.pictureDownloadCode;
        return key ? [key] : [];
      });
      const text = parsed.data.richText.map((run) => run.text ?? '').join('');
      return { ...empty, text, imageKeys };
    }
    default:
      // audio, video, stickers…: a message in the chat with nothing for us to read
      return empty;
  }
}

/**
 * DingTalk lists who was @-mentioned (atUsers: ids, no names) and leaves "@昵称" in the text, with
 * the robot's own mention already taken out [unconfirmed: seen in public clients, not in DingTalk's
 * docs]. Names are paired with the non-robot ids in the order both appear; when the counts differ
 * no name is guessed.
 */
function readMentions(message: RobotMessage, text: string): InboundMention[] {
  const people = (message.atUsers ?? []).filter((user) => user.dingtalkId !== message.chatbotUserId);
  const names = [...text.matchAll(/@([^\s@]+)/g)].map((m) => m[1]!);
  const paired = names.length === people.length;
  const mentions: InboundMention[] = people.map((user, i) => ({ userId: user.staffId ?? user.dingtalkId, name: paired ? names[i]! : '' }));
  // a group message reaches the robot only when it is @-mentioned; the mention is kept nameless,
  // since its text is no longer in the message
  const botMentioned = (message.atUsers ?? []).some((user) => user.dingtalkId === message.chatbotUserId);
  if (message.chatbotUserId && (botMentioned || message.conversationType === '2')) mentions.unshift({ userId: message.chatbotUserId, name: '' });
  return mentions;
}

/** `appId`: the app the body came through (ChatApp.id), null for the environment's app. */
export function parseDingTalkMessage(body: Record<string, unknown>, appId: string | null = null): InboundEvent {
  const parsed = robotMessage.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
    throw new DingTalkParseError(`dingtalk: not a robot message (${where})`);
  }
  const message = parsed.data;
  const tenantKey = message.chatbotCorpId ?? message.senderCorpId;
  if (!tenantKey) throw new DingTalkParseError('dingtalk: robot message without chatbotCorpId or senderCorpId');
  const read = readContent(message);
  const text = read.text.trim();
  const event: InboundMessage = {
    kind: 'message',
    platform: 'dingtalk',
    appId,
    tenantKey,
    deliveryId: message.msgId,
    messageId: message.msgId,
    chatId: message.conversationId,
    chatType: message.conversationType === '2' ? 'group' : 'p2p',
    // the enterprise userId, which the send and card APIs take; an outside contact has only senderId
    senderUserId: message.senderStaffId ?? message.senderId,
    ...(message.senderNick?.trim() ? { senderName: message.senderNick.trim().slice(0, 50) } : {}),
    text,
    mentions: readMentions(message, text),
    botUserId: message.chatbotUserId ?? null,
    imageKeys: read.imageKeys,
    files: read.files,
    parentMessageId: null,
    sentAt: message.createAt ?? 0,
  };
  return event;
}

const cardCallback = z.looseObject({
  outTrackId: z.string().min(1),
  userId: z.string().min(1),
  corpId: z.string().min(1),
  spaceType: z.string().optional(),
  spaceId: z.string().optional(),
  /** `{"cardPrivateData":{"actionIds":[…],"params":{…}}}` as a string */
  content: z.string(),
});

const cardContent = z.looseObject({
  cardPrivateData: z.looseObject({ params: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** djb2 over the text: a short, stable name for a click that came without a delivery id */
function digest(text: string): string {
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = ((hash << 5) + hash + text.charCodeAt(i)) | 0;
  return (hash >>> 0).toString(36);
}

/**
 * How long an HTTP click is taken for a retry of an earlier one that said the same: at least this,
 * at most twice it (a click is looked for in its own window and the one before). Platforms retry
 * within seconds; past this, the same words on the same card are a new click (the next day's 催办,
 * the task card opened again a week later), which must act, not replay the first answer.
 */
export const CLICK_RETRY_WINDOW_MS = 10 * 60_000;

function namedByContent(callback: { outTrackId: string; userId: string; content: string }, window: number): Pick<InboundCardAction, 'deliveryId' | 'namedByContent'> {
  const name = `card:${callback.outTrackId}:${callback.userId}:${digest(callback.content)}`;
  return { deliveryId: `${name}:${window}`, namedByContent: { previousWindowId: `${name}:${window - 1}` } };
}

/**
 * A card click (Stream topic /v1.0/card/instances/callback, or an HTTP-mode callback). The general
 * template sends the button's `payload` (our ActionPayload as JSON) and the form's inputs by name.
 * `deliveryId`: the Stream frame's messageId. An HTTP callback carries none, so the click is named by
 * what it says and when (`receivedAtMs`, in windows of CLICK_RETRY_WINDOW_MS), and by the same in
 * the window before, where a retry's first copy may have been recorded: the same click on the same
 * card version twice within the window is one delivery, as a retry should be.
 */
export function parseDingTalkCardCallback(body: Record<string, unknown>, appId: string | null, deliveryId: string | null, receivedAtMs: number): InboundCardAction {
  const parsed = cardCallback.safeParse(body);
  if (!parsed.success) throw new DingTalkParseError(`dingtalk: not a card callback (${parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')})`);
  const callback = parsed.data;
  let params: Record<string, unknown> = {};
  try {
    params = cardContent.parse(JSON.parse(callback.content)).cardPrivateData?.params ?? {};
  } catch {
    throw new DingTalkParseError('dingtalk: card callback content is not the expected JSON');
  }
  const { payload, ...inputs } = params;
  let value: unknown;
  try {
    value = typeof payload === 'string' ? JSON.parse(payload) : payload;
  } catch {
    // a damaged payload: the router answers it like any unreadable click
    value = payload;
  }
  return {
    kind: 'card_action',
    platform: 'dingtalk',
    appId,
    tenantKey: callback.corpId,
    ...(deliveryId !== null ? { deliveryId } : namedByContent(callback, Math.floor(receivedAtMs / CLICK_RETRY_WINDOW_MS))),
    operatorUserId: callback.userId,
    messageId: callback.outTrackId,
    chatId: callback.spaceType === 'IM_GROUP' ? (callback.spaceId ?? null) : null,
    value,
    formValue: Object.keys(inputs).length > 0 ? inputs : null,
  };
}
