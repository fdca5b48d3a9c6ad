// Plays DingTalk delivering to the bot: robot-message payloads and interactive-card callback payloads shaped
// like real ones, and the HTTP-mode signature, computed with node:crypto on its own so tests check the
// product's verifier against an independent implementation rather than against itself.
//
// Sources: open-dingtalk/developerpedia docs/learn/stream/protocol.md (a complete robot message, verbatim
// from DingTalk); dingtalk-stream-sdk-go chatbot/model.go and card/model.go; dingtalk-stream-sdk-python
// chatbot.py and card_callback.py; dingtalk-card-examples (CardCallbackMessage.java, index.ts); platform
// notes §4.3/§4.5. The same JSON goes out as the Stream frame's `data` and as the HTTP-mode POST body.
import { createHmac, randomBytes } from 'node:crypto';

/** what a robot message looks like (fields as DingTalk sends them; optional ones depend on the chat) */
export interface RobotMessagePayload {
  conversationId: string;
  /** "1" one-to-one, "2" group */
  conversationType: '1' | '2';
  conversationTitle?: string;
  chatbotCorpId: string;
  chatbotUserId: string;
  msgId: string;
  senderNick: string;
  isAdmin: boolean;
  senderStaffId: string;
  senderId: string;
  senderCorpId: string;
  senderPlatform?: string;
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
  createAt: number;
  robotCode: string;
  isInAtList?: boolean;
  atUsers?: { dingtalkId: string; staffId?: string }[];
  msgtype: string;
  text?: { content: string };
  content?: Record<string, unknown>;
}

export interface RobotMessageOptions {
  /** a group (default when `conversationId` or `title` is given) or a one-to-one chat */
  group?: boolean;
  conversationId?: string;
  /** group name */
  title?: string;
  senderStaffId?: string;
  senderNick?: string;
  isAdmin?: boolean;
  robotCode?: string;
  corpId?: string;
  msgId?: string;
  createAt?: number;
  /** the robot's own encrypted user id (also its `dingtalkId` in atUsers) */
  chatbotUserId?: string;
  senderPlatform?: string;
}

const b64 = (n: number) => randomBytes(n).toString('base64');
const lwcp = () => `$:LWCP_v1:$${b64(24)}`;
/** sessionWebhookExpiredTime − createAt in DingTalk's own sample: 5,400,258 ms, i.e. about 90 minutes */
const SESSION_WEBHOOK_LIFE_MS = 90 * 60_000;

export const DINGTALK_DEFAULT_CORP_ID = 'dingstubcorp0000001';
export const DINGTALK_DEFAULT_ROBOT_CODE = 'dingstubappkey0001';

function base(opts: RobotMessageOptions, msgtype: string): RobotMessagePayload {
  const group = opts.group ?? (opts.conversationId !== undefined || opts.title !== undefined);
  const createAt = opts.createAt ?? Date.now();
  const corpId = opts.corpId ?? DINGTALK_DEFAULT_CORP_ID;
  const staffId = opts.senderStaffId ?? 'staff001';
  const robotCode = opts.robotCode ?? DINGTALK_DEFAULT_ROBOT_CODE;
  const msg: RobotMessagePayload = {
    conversationId: opts.conversationId ?? `cid${b64(18)}`,
    conversationType: group ? '2' : '1',
    chatbotCorpId: corpId,
    // encrypted, like senderId; stable per robot so tests can match it in atUsers
    chatbotUserId: opts.chatbotUserId ?? `$:LWCP_v1:$${Buffer.from(robotCode).toString('base64')}`,
    msgId: opts.msgId ?? `msg${b64(18)}`,
    // each sender their own name: a shared default would give everyone the same one
    senderNick: opts.senderNick ?? `用户${staffId}`,
    isAdmin: opts.isAdmin ?? false,
    senderStaffId: staffId,
    // senderId is an encrypted id, NOT the userId (that is senderStaffId)
    senderId: lwcp(),
    senderCorpId: corpId,
    sessionWebhook: `https://oapi.dingtalk.com/robot/sendBySession?session=${randomBytes(16).toString('hex')}`,
    sessionWebhookExpiredTime: createAt + SESSION_WEBHOOK_LIFE_MS,
    createAt,
    robotCode,
    msgtype,
  };
  if (opts.senderPlatform) msg.senderPlatform = opts.senderPlatform;
  if (group) {
    // [unconfirmed] whether one-to-one messages carry these; DingTalk's samples are group messages
    msg.conversationTitle = opts.title ?? '督查群';
    msg.isInAtList = true;
  }
  return msg;
}

/**
 * A text message. In a group, DingTalk delivers only messages that @ the robot; it strips the robot's
 * "@name" from the text, leaving the leading space seen in its sample (" 测试数据"), and lists the robot in
 * `atUsers` by its dingtalkId alone. Other people @-mentioned are listed with `dingtalkId` and `staffId`;
 * their "@nick" stays in the text ([unconfirmed] — pass the text as the user typed it).
 */
export function robotTextMessage(text: string, opts: RobotMessageOptions & { mentions?: { staffId: string; dingtalkId?: string }[] } = {}): RobotMessagePayload {
  const msg = base(opts, 'text');
  const group = msg.conversationType === '2';
  msg.text = { content: group && !text.startsWith(' ') ? ` ${text}` : text };
  const others = (opts.mentions ?? []).map((m) => ({ dingtalkId: m.dingtalkId ?? lwcp(), staffId: m.staffId }));
  if (group) msg.atUsers = [{ dingtalkId: msg.chatbotUserId }, ...others];
  else if (others.length > 0) msg.atUsers = others;
  return msg;
}

/** A picture: msgtype "picture", content.downloadCode (and pictureDownloadCode) → messageFiles/download. */
export function robotPictureMessage(downloadCode: string, opts: RobotMessageOptions = {}): RobotMessagePayload {
  const msg = base(opts, 'picture');
  msg.content = { downloadCode, pictureDownloadCode: `${downloadCode}.pic` };
  return msg;
}

/**
 * A file: msgtype "file", content {downloadCode, fileName, spaceId, fileId}. DingTalk delivers files only in
 * one-to-one chats with the robot ("群聊会话中…机器人不支持接收语音、文件、视频类型"), so this defaults to one.
 */
export function robotFileMessage(downloadCode: string, fileName: string, opts: RobotMessageOptions = {}): RobotMessagePayload {
  const msg = base({ group: false, ...opts }, 'file');
  msg.content = { downloadCode, fileName, spaceId: String(20_000_000_000 + Math.floor(Math.random() * 1e9)), fileId: String(100_000_000_000 + Math.floor(Math.random() * 1e10)) };
  return msg;
}

// ---------------------------------------------------------------------------------------------------
// HTTP-mode signature (platform notes §4.3): headers `timestamp` (ms) and
// `sign` = base64(HmacSHA256(key = appSecret, timestamp + "\n" + appSecret)); within 1 hour of now.
// ---------------------------------------------------------------------------------------------------

export function dingtalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export interface DingTalkWebhookRequest {
  rawBody: string;
  headers: Record<string, string>;
}

/** the POST DingTalk makes to an HTTP-mode robot's message URL */
export function signedRobotDelivery(message: object, opts: { appSecret: string; nowMs?: number }): DingTalkWebhookRequest {
  const timestamp = String(opts.nowMs ?? Date.now());
  return {
    rawBody: JSON.stringify(message),
    headers: { 'content-type': 'application/json; charset=utf-8', timestamp, sign: dingtalkSign(timestamp, opts.appSecret) },
  };
}

// ---------------------------------------------------------------------------------------------------
// Interactive-card callbacks (互动卡片 "回传请求")
// ---------------------------------------------------------------------------------------------------

/** what a card callback carries, as the Stream frame's `data` (field list: CardCallbackMessage.java) */
export interface CardCallbackPayload {
  type: 'actionCallback';
  outTrackId: string;
  userId: string;
  userIdType: number;
  corpId: string;
  spaceType: 'IM_GROUP' | 'IM_ROBOT';
  spaceId: string;
  /** a JSON string: `{"cardPrivateData":{"actionIds":[…],"params":{…}}}` — the button's params and inputs */
  content: string;
  /** [unconfirmed] DingTalk's samples leave it out; filled with the same JSON as `content` */
  value: string;
  /** a JSON string (the Python SDK json.loads it) */
  extension: string;
}

export function cardCallbackPayload(opts: {
  outTrackId: string;
  userId: string;
  /** the button's callback params (e.g. {action: "accept"}) and form inputs */
  params: Record<string, unknown>;
  actionIds?: string[];
  corpId?: string;
  /** where the card is: a group (openConversationId) or the user's chat with the robot (default) */
  space?: { type: 'IM_GROUP'; openConversationId: string } | { type: 'IM_ROBOT' };
}): CardCallbackPayload {
  const content = JSON.stringify({ cardPrivateData: { actionIds: opts.actionIds ?? ['action_1'], params: opts.params } });
  const space = opts.space ?? { type: 'IM_ROBOT' };
  return {
    type: 'actionCallback',
    outTrackId: opts.outTrackId,
    userId: opts.userId,
    userIdType: 1,
    corpId: opts.corpId ?? DINGTALK_DEFAULT_CORP_ID,
    spaceType: space.type,
    // [unconfirmed] the spaceId format: the openConversationId for a group, the userId for the robot chat
    spaceId: space.type === 'IM_GROUP' ? space.openConversationId : opts.userId,
    content,
    value: content,
    extension: '{}',
  };
}

/**
 * The HTTP-mode card callback: DingTalk POSTs the same JSON to the callbackUrl registered under the card's
 * callbackRouteKey (POST /v1.0/card/callbacks/register {callbackRouteKey, callbackUrl, apiSecret}).
 * [unconfirmed] signing: the register call's `apiSecret` is described only as "用于校验回调来源的加密密钥";
 * no source shows the algorithm. This assumes the robot's scheme with apiSecret as the key (headers
 * `timestamp` + `sign`); the product's verifier must be checked against a captured real callback before
 * relying on it (platform notes §4.5).
 */
export function signedCardCallback(payload: CardCallbackPayload, opts: { apiSecret: string; nowMs?: number }): DingTalkWebhookRequest {
  return signedRobotDelivery(payload, { appSecret: opts.apiSecret, nowMs: opts.nowMs });
}

/** the params of a card callback, parsed out of `content` */
export function cardCallbackParams(payload: { content: string }): Record<string, unknown> {
  const parsed = JSON.parse(payload.content) as { cardPrivateData?: { params?: Record<string, unknown> } };
  return parsed.cardPrivateData?.params ?? {};
}
