// A local stand-in for DingTalk's server APIs (platform notes §4), both hosts on one port:
//   api.dingtalk.com  — the "new" v1.0 APIs: token in header `x-acs-dingtalk-access-token`, errors as HTTP
//                       4xx/5xx with `{code, message, requestid}` (code is a dotted string);
//   oapi.dingtalk.com — the "old" APIs: token in the `access_token` query parameter, errors as HTTP 200
//                       with `{errcode, errmsg}` (errcode a number).
// Point the product at `stub.baseUrl` for both. Test support only: nothing here imports product code.
//
// Sources for the rules below (checked 2026; "[unconfirmed]" marks a shape no source pinned down — the
// most plausible choice is used and the report lists it):
//   token ........ open.dingtalk.com "获取企业内部应用的accessToken" (copy in the code corpus): 400
//                  invalidClientIdOrSecret "无效的clientId或者clientSecret"; 7200 s; "有效期内重复获取会返回相同结果
//                  并自动续期". A public no-credential probe confirmed that body (plus `requestid`).
//   auth ......... same probe: a bad header token → HTTP 400 {code:"InvalidAuthentication",message:"不合法的
//                  access_token"}; no header (or Bearer/query instead) → HTTP 400
//                  {code:"AuthenticationFailed.MissingParameter",message:"缺少参数：x-acs-dingtalk-access-token"}.
//                  An @alicloud/dingtalk SDKError dump in another repo shows the same 400 InvalidAuthentication.
//   robot send ... help.dingtalk.io the-robot-sends-a-group-message / …person-to-person…: msgParam is a
//                  String ≤ 15,000 bytes; 400 invalidParameter.msgKey.invalid / .msgParam.invalid ("must be
//                  in JSON format") / .robotCode.* / .userIds.*; batchSend answers processQueryKey,
//                  invalidStaffIdList, flowControlledStaffIdList (@alicloud/dingtalk robot_1_0 model).
//   QPS .......... open.dingtalk.com "如何处理钉钉服务端API限流": new APIs return
//                  Forbidden.AccessDenied.QpsLimitForAppkeyAndApi (per app+API, 20/s on the standard edition)
//                  and Forbidden.AccessDenied.QpsLimitForApi (platform-wide); HTTP 403 is what clients see
//                  (several third-party clients; the page gives no status) — [unconfirmed status].
//   cards ........ open-dingtalk/dingtalk-card-examples (cardReplier.ts), dingtalk-stream-sdk-python
//                  card_replier.py, @alicloud/dingtalk card_1_0; card error table (param.cardTemplateIdEmpty,
//                  param.outTrackIdEmpty, …) and global error list (param.openSpaceIdInvalid).
//   download ..... help.dingtalk.io download-the-file-content-of-the-robot-receiving-message → {downloadUrl}.
//   media upload . oapi /media/upload, multipart field `media`, `type` image|voice|video|file (query or form)
//                  → {errcode:0, errmsg:"ok", type, media_id, created_at}. The official Python Stream SDK
//                  (upload_to_dingtalk) sends a v1.0 accessToken there, so one token pool serves both hosts.
//   gettoken ..... probe: wrong credentials → {errcode:40096,errmsg:"不合法的appKey或appSecret"}; none →
//                  {errcode:40035,errmsg:"缺少参数 corpid or appkey"}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

export const DINGTALK_TOKEN_PATH = '/v1.0/oauth2/accessToken';
export const DINGTALK_LEGACY_TOKEN_PATH = '/gettoken';
export const DINGTALK_GROUP_SEND_PATH = '/v1.0/robot/groupMessages/send';
export const DINGTALK_OTO_SEND_PATH = '/v1.0/robot/oToMessages/batchSend';
export const DINGTALK_CARD_CREATE_PATH = '/v1.0/card/instances/createAndDeliver';
export const DINGTALK_CARD_UPDATE_PATH = '/v1.0/card/instances';
export const DINGTALK_CARD_CALLBACK_REGISTER_PATH = '/v1.0/card/callbacks/register';
export const DINGTALK_DOWNLOAD_PATH = '/v1.0/robot/messageFiles/download';
export const DINGTALK_MEDIA_UPLOAD_PATH = '/media/upload';
/** where the stub serves the bytes behind a downloadUrl (the real one is a signed, short-lived storage URL) */
const FILE_PATH_PREFIX = '/_stub/files/';

/** Error answers as DingTalk gives them. Only the codes are documented; the messages are plausible wording. */
export const DINGTALK_ERRORS = {
  /** per app and API: more than the allowed calls per second (20/s on the standard edition) */
  qpsLimit: { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '应用调用该接口的请求数超过限流阈值' },
  /** the API as a whole is over its platform-wide limit (peaks at the top of the hour) */
  globalQpsLimit: { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi', message: '该接口的全局请求数超过限流阈值' },
  /**
   * Robot message flow control. [unconfirmed] The code is the one third-party robot clients handle
   * (`send.too.fast`, alongside too.many.group / too.many.people / send.byToken.tooFast), HTTP 400 like the
   * other robot errors; no official page in the corpus shows it.
   */
  sendTooFast: { status: 400, code: 'send.too.fast', message: '发送速度太快，请稍后再试' },
  /** HTTP 500 with the body a public probe got from api.dingtalk.com for an unexpected failure */
  serverError: { status: 500, code: 'unknownError', message: '未知错误' },
  /** [unconfirmed] body; a 503 from the gateway in front of the API */
  serviceUnavailable: { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' },
  /** a 429 as a generic HTTP-level throttle (DingTalk itself uses the 403 codes above) */
  tooManyRequests: { status: 429, code: 'Throttling', message: 'Request was denied due to request throttling.' },
} as const;

export interface DingTalkStubFault {
  /** HTTP status of the failure (default 500; ignored for `hang`) */
  status?: number;
  /** DingTalk's error `code` in the body (defaults by status) */
  code?: string;
  message?: string;
  /** answer only after this long: with no status/code the call then goes through (a slow success) */
  delayMs?: number;
  /** never answer: the request stays open until the client gives up or the stub closes */
  hang?: boolean;
  /**
   * only a call aimed at this meets the fault; others pass it by: an openConversationId (group send, or a
   * card's openSpaceId), a userId (batchSend userIds), an outTrackId, or a downloadCode
   */
  target?: string;
  /** only calls to this path (default: every call except the token endpoints — a fault must name them — and file bytes) */
  path?: string;
  /**
   * batchSend only: instead of failing, answer HTTP 200 listing these users in flowControlledStaffIdList
   * (and not delivering to them), as DingTalk does when single users are throttled
   */
  flowControlledStaffIds?: string[];
  /** batchSend only: likewise for invalidStaffIdList (users outside the robot's visible range) */
  invalidStaffIds?: string[];
}

/** one delivered robot message; a batchSend is recorded once per user it reached */
export interface DingTalkSentMessage {
  kind: 'group' | 'oto';
  processQueryKey: string;
  /** openConversationId of a group send */
  chatId: string | null;
  /** the user of a one-to-one send */
  userId: string | null;
  robotCode: string;
  msgKey: string;
  /** msgParam parsed */
  param: Record<string, unknown>;
  /** msgParam as sent (a JSON string) */
  rawParam: string;
  at: number;
}

export interface DingTalkCardSpace {
  spaceType: 'IM_GROUP' | 'IM_ROBOT';
  /** openConversationId for IM_GROUP, userId for IM_ROBOT */
  spaceId: string;
}

export interface DingTalkStubCard {
  outTrackId: string;
  cardTemplateId: string;
  callbackType: string | null;
  callbackRouteKey: string | null;
  spaces: DingTalkCardSpace[];
  /** what the card shows now (public data) */
  params: Record<string, string>;
  /** userId → that user's private data now */
  privateParams: Map<string, Record<string, string>>;
  /** the createAndDeliver request body, as sent */
  createBody: Record<string, unknown>;
  /** every PUT /v1.0/card/instances body for this card, in order */
  updates: Record<string, unknown>[];
  createdAt: number;
}

export interface DingTalkUpload {
  mediaId: string;
  type: string;
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
  at: number;
}

export interface DingTalkCallbackRoute {
  callbackRouteKey: string;
  callbackUrl: string;
  apiSecret: string | null;
  at: number;
}

export interface DingTalkStubRequest {
  method: string;
  path: string;
  query: string;
  at: number;
}

export interface DingTalkStubOptions {
  appKey?: string;
  appSecret?: string;
  /** the enterprise robot's code; for an internal app's robot it is the app's Client ID (appKey) */
  robotCode?: string;
  port?: number;
  /**
   * How long an issued token really stays valid. The answer always says `expireIn: 7200`, as DingTalk's
   * does; a shorter life here plays a token revoked or rotated early, so the product meets
   * InvalidAuthentication with a token it believed good.
   */
  tokenLifetimeMs?: number;
  /**
   * Per-group flow control on robot group sends. Once `max` sends to one openConversationId were accepted
   * within the last `windowMs`, further ones are refused with `error`; with `blockMs` the group then stays
   * blocked that long. Defaults: 20 a minute, no block — the custom (webhook) robot's documented limit
   * (platform notes §4.6, which also blocks for 10 minutes); the enterprise robot's own per-group figure
   * is [unconfirmed]. `false` = off.
   */
  groupLimit?: { max?: number; windowMs?: number; blockMs?: number; error?: { status: number; code: string; message: string } } | false;
  /** if given, group sends and cards to any other openConversationId are refused (robot not in the group) */
  knownGroups?: string[];
}

export interface DingTalkStub {
  readonly baseUrl: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly robotCode: string;
  /** every robot message accepted, in order */
  readonly sent: DingTalkSentMessage[];
  /** outTrackId → card */
  readonly cards: Map<string, DingTalkStubCard>;
  readonly uploads: DingTalkUpload[];
  readonly callbackRoutes: Map<string, DingTalkCallbackRoute>;
  readonly requests: DingTalkStubRequest[];
  /** messages to a group (openConversationId) or a user (userId) */
  sentTo(chatOrUserId: string): DingTalkSentMessage[];
  /** what a card shows now; throws for an unknown outTrackId */
  cardParams(outTrackId: string): Record<string, string>;
  /**
   * Applies a card-callback answer (`{cardData, userPrivateData, cardUpdateOptions}`, as the product
   * returns it over Stream or HTTP) to the card, as DingTalk does, so tests can read the result.
   */
  applyCardCallbackResponse(outTrackId: string, userId: string, response: unknown): void;
  /** the upload a sampleFile / sampleImageMsg message points at */
  uploadOf(message: DingTalkSentMessage): DingTalkUpload | undefined;
  /** how many times POST /v1.0/oauth2/accessToken was called */
  tokenRequests(): number;
  /** how many times GET /gettoken was called */
  legacyTokenRequests(): number;
  /** a file a user sent the robot (picture or file message), downloadable via messageFiles/download */
  addUserFile(downloadCode: string, bytes: Uint8Array, opts?: { contentType?: string }): void;
  /** the next `n` matching calls meet this fault */
  failNext(n: number, fault: DingTalkStubFault): void;
  /** every token issued so far stops working now (the next token request gets a new one) */
  expireTokens(): void;
  /** clears messages, cards, uploads, files, routes, requests, faults and flow-control windows; tokens survive */
  reset(): void;
  close(): Promise<void>;
}

// Required msgParam fields per msgKey (open.dingtalk.com "企业机器人发送消息的消息类型", quoted by clients and
// platform notes §4.4; key casing matters: singleURL, actionURL1, photoURL).
const MSG_PARAM_FIELDS: Record<string, string[]> = {
  sampleText: ['content'],
  sampleMarkdown: ['title', 'text'],
  sampleImageMsg: ['photoURL'],
  sampleLink: ['text', 'title', 'messageUrl'],
  sampleActionCard: ['title', 'text', 'singleTitle', 'singleURL'],
  sampleActionCard2: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2'],
  sampleActionCard3: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2', 'actionTitle3', 'actionURL3'],
  sampleActionCard4: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle4', 'actionURL4'],
  sampleActionCard5: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle5', 'actionURL5'],
  // [unconfirmed] button field names of the horizontal two-button card differ between clients
  sampleActionCard6: ['title', 'text'],
  sampleAudio: ['mediaId', 'duration'],
  sampleFile: ['mediaId', 'fileName', 'fileType'],
  sampleVideo: ['duration', 'videoMediaId', 'videoType'],
};
const MSG_PARAM_MAX_BYTES = 15_000;
/** [unconfirmed] the batchSend page limits userIds per call; 20 is the figure clients quote */
const OTO_MAX_USERS = 20;
const MEDIA_TYPES: Record<string, number> = { image: 20 * 1024 * 1024, voice: 2 * 1024 * 1024, video: 20 * 1024 * 1024, file: 20 * 1024 * 1024 };

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** an old-API (oapi) failure: HTTP 200 with a numeric errcode */
class OapiError extends Error {
  constructor(readonly errcode: number, errmsg: string) {
    super(errmsg);
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const requestId = () => randomUUID().toUpperCase();
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function startDingTalkStub(opts: DingTalkStubOptions = {}): Promise<DingTalkStub> {
  const appKey = opts.appKey ?? 'dingstubappkey0001';
  const appSecret = opts.appSecret ?? 'stub-dingtalk-secret';
  const robotCode = opts.robotCode ?? appKey;
  const tokenLifetimeMs = opts.tokenLifetimeMs ?? 7_200_000;
  const limit = opts.groupLimit === false ? null : {
    max: opts.groupLimit?.max ?? 20,
    windowMs: opts.groupLimit?.windowMs ?? 60_000,
    blockMs: opts.groupLimit?.blockMs ?? 0,
    error: opts.groupLimit?.error ?? DINGTALK_ERRORS.sendTooFast,
  };
  const knownGroups = opts.knownGroups ? new Set(opts.knownGroups) : null;

  const sent: DingTalkSentMessage[] = [];
  const cards = new Map<string, DingTalkStubCard>();
  const uploads: DingTalkUpload[] = [];
  const callbackRoutes = new Map<string, DingTalkCallbackRoute>();
  const requests: DingTalkStubRequest[] = [];
  const userFiles = new Map<string, { bytes: Uint8Array; contentType: string }>();
  /** one-time file tokens in downloadUrls → downloadCode */
  const fileLinks = new Map<string, string>();
  /** token → expiry (ms epoch) */
  const tokens = new Map<string, number>();
  let currentToken: string | null = null;
  const faults: DingTalkStubFault[] = [];
  /** openConversationId → times of accepted sends inside the window, and a block-until */
  const groupWindows = new Map<string, { times: number[]; blockedUntil: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  function issueToken(): string {
    const now = Date.now();
    if (!currentToken || (tokens.get(currentToken) ?? 0) <= now) currentToken = hex(16);
    // "有效期内重复获取会返回相同结果并自动续期": the same token again, its life renewed
    tokens.set(currentToken, now + tokenLifetimeMs);
    return currentToken;
  }

  const tokenValid = (token: string | null | undefined) => !!token && (tokens.get(token) ?? 0) > Date.now();

  function requireHeaderToken(req: IncomingMessage) {
    const token = req.headers['x-acs-dingtalk-access-token'];
    if (typeof token !== 'string' || token === '') {
      throw new ApiError(400, 'AuthenticationFailed.MissingParameter', '缺少参数：x-acs-dingtalk-access-token');
    }
    if (!tokenValid(token)) throw new ApiError(400, 'InvalidAuthentication', '不合法的access_token');
  }

  function parseJson(raw: Buffer): Record<string, unknown> {
    try {
      const v: unknown = JSON.parse(raw.toString('utf8') || '{}');
      if (isRecord(v)) return v;
    } catch {
      // falls through to the error DingTalk's gateway gives a malformed body
    }
    throw new ApiError(400, 'InvalidParameter', 'body is mandatory for this action.');
  }

  /** a fault applies if its path and target match; `targets` are what this call is aimed at */
  async function applyFault(
    res: ServerResponse,
    path: string,
    targets: string[],
    explicitOnly = false,
  ): Promise<DingTalkStubFault | 'answered' | null> {
    const index = faults.findIndex(
      (f) => (f.path === path || (f.path === undefined && !explicitOnly)) && (f.target === undefined || targets.includes(f.target)),
    );
    if (index < 0) return null;
    const [fault] = faults.splice(index, 1);
    if (!fault) return null;
    if (fault.hang) return 'answered'; // the response is never written; close() tears the socket down
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.flowControlledStaffIds || fault.invalidStaffIds) return fault; // batchSend answers it itself
    if (fault.status === undefined && fault.code === undefined) return null; // a slow success
    const status = fault.status ?? 500;
    const code = fault.code ?? (status === 429 ? DINGTALK_ERRORS.tooManyRequests.code : status >= 500 ? DINGTALK_ERRORS.serverError.code : 'injected');
    sendJson(res, status, { code, message: fault.message ?? 'injected failure', requestid: requestId() });
    return 'answered';
  }

  function parseMsgParam(msgKey: unknown, msgParam: unknown): { msgKey: string; param: Record<string, unknown>; raw: string } {
    if (typeof msgKey !== 'string' || msgKey === '') throw new ApiError(400, 'invalidParameter.msgKey.empty', '缺少msgKey');
    const fields = MSG_PARAM_FIELDS[msgKey];
    if (!fields) throw new ApiError(400, 'invalidParameter.msgKey.invalid', '无效的msgKey');
    // The commonest client bug: msgParam sent as an object. DingTalk wants a JSON *string*.
    if (typeof msgParam !== 'string') throw new ApiError(400, 'invalidParameter.msgParam.invalid', 'msgParam必须是json格式');
    if (Buffer.byteLength(msgParam, 'utf8') > MSG_PARAM_MAX_BYTES) {
      throw new ApiError(400, 'invalidParameter.msgParam.tooLong', 'msgParam长度超过限制');
    }
    let param: unknown;
    try {
      param = JSON.parse(msgParam);
    } catch {
      throw new ApiError(400, 'invalidParameter.msgParam.invalid', 'msgParam必须是json格式');
    }
    if (!isRecord(param)) throw new ApiError(400, 'invalidParameter.msgParam.invalid', 'msgParam必须是json格式');
    // [unconfirmed] which code DingTalk gives a missing field; the msgParam one is the closest documented
    const missing = fields.filter((f) => param[f] === undefined || param[f] === null || param[f] === '');
    if (missing.length > 0) throw new ApiError(400, 'invalidParameter.msgParam.invalid', `msgParam缺少字段: ${missing.join(',')}`);
    if (msgKey === 'sampleFile' && !uploads.some((u) => u.mediaId === param.mediaId)) {
      // [unconfirmed] code; a mediaId that was never uploaded cannot be delivered
      throw new ApiError(400, 'invalidParameter.msgParam.invalid', 'mediaId不存在');
    }
    return { msgKey, param, raw: msgParam };
  }

  function checkRobotCode(value: unknown) {
    if (typeof value !== 'string' || value === '') throw new ApiError(400, 'invalidParameter.robotCode.empty', '机器人robotCode为空');
    if (value !== robotCode) throw new ApiError(400, 'invalidParameter.robotCode.auth', '此应用appkey和机器人robotCode不匹配，请使用机器人应用的appkey');
  }

  function checkGroupLimit(chatId: string) {
    if (!limit) return;
    const now = Date.now();
    const w = groupWindows.get(chatId) ?? { times: [], blockedUntil: 0 };
    groupWindows.set(chatId, w);
    w.times = w.times.filter((t) => t > now - limit.windowMs);
    if (w.blockedUntil > now || w.times.length >= limit.max) {
      if (limit.blockMs > 0 && w.blockedUntil <= now) w.blockedUntil = now + limit.blockMs;
      throw new ApiError(limit.error.status, limit.error.code, limit.error.message);
    }
  }

  function noteGroupSend(chatId: string) {
    if (limit) groupWindows.get(chatId)?.times.push(Date.now());
  }

  function checkGroup(chatId: string) {
    if (knownGroups && !knownGroups.has(chatId)) throw new ApiError(400, 'invalid.openConversationId', '无效的openConversationId');
  }

  /** cardParamMap values must all be strings (non-strings must be JSON.stringify'd by the caller) */
  function stringMap(value: unknown, where: string): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) throw new ApiError(400, 'param.cardDataInvalid', `${where} 必须是对象`);
    for (const [k, v] of Object.entries(value)) {
      // [unconfirmed] code; the rule itself is documented ("卡片数据 value 只支持 String")
      if (typeof v !== 'string') throw new ApiError(400, 'param.cardDataInvalid', `${where}.${k} 必须是字符串`);
    }
    return { ...(value as Record<string, string>) };
  }

  function parseOpenSpaceId(value: unknown): DingTalkCardSpace[] {
    // dtv1.card//IM_GROUP.<cid>, dtv1.card//IM_ROBOT.<userId>, several joined by ';'. Clients send the type
    // in either case, so it is matched case-insensitively.
    const m = typeof value === 'string' ? /^dtv1\.card\/\/(.+)$/.exec(value) : null;
    if (!m) throw new ApiError(400, 'param.openSpaceIdInvalid', 'param.openSpaceIdInvalid');
    return m[1]!.split(';').map((part) => {
      const s = /^(IM_GROUP|IM_ROBOT)\.(.+)$/i.exec(part);
      if (!s) throw new ApiError(400, 'param.openSpaceIdInvalid', 'param.openSpaceIdInvalid');
      return { spaceType: s[1]!.toUpperCase() as DingTalkCardSpace['spaceType'], spaceId: s[2]! };
    });
  }

  function createCard(body: Record<string, unknown>) {
    const { cardTemplateId, outTrackId } = body;
    if (typeof cardTemplateId !== 'string' || !cardTemplateId) throw new ApiError(400, 'param.cardTemplateIdEmpty', 'param.cardTemplateIdEmpty');
    if (typeof outTrackId !== 'string' || !outTrackId) throw new ApiError(400, 'param.outTrackIdEmpty', 'param.outTrackIdEmpty');
    // [unconfirmed] DingTalk's answer to a reused outTrackId; refusing it surfaces the client bug
    if (cards.has(outTrackId)) throw new ApiError(400, 'param.outTrackIdDuplicated', 'outTrackId已存在');
    const cardData = body.cardData;
    if (!isRecord(cardData)) throw new ApiError(400, 'param.cardPublicDataEmpty', 'param.cardPublicDataEmpty');
    const params = stringMap(cardData.cardParamMap, 'cardData.cardParamMap');
    const callbackType = typeof body.callbackType === 'string' ? body.callbackType : null;
    if (callbackType !== null && callbackType !== 'STREAM' && callbackType !== 'HTTP') {
      throw new ApiError(400, 'param.callbackTypeInvalid', 'callbackType只支持STREAM或HTTP');
    }
    const callbackRouteKey = typeof body.callbackRouteKey === 'string' ? body.callbackRouteKey : null;
    if (callbackType === 'HTTP' && (!callbackRouteKey || !callbackRoutes.has(callbackRouteKey))) {
      // [unconfirmed] code; an HTTP-callback card needs a route registered via /v1.0/card/callbacks/register
      throw new ApiError(400, 'param.callbackRouteKeyInvalid', 'callbackRouteKey未注册');
    }
    const spaces = parseOpenSpaceId(body.openSpaceId);
    for (const s of spaces) if (s.spaceType === 'IM_GROUP') checkGroup(s.spaceId);
    const privateParams = new Map<string, Record<string, string>>();
    if (isRecord(body.privateData)) {
      for (const [userId, data] of Object.entries(body.privateData)) {
        privateParams.set(userId, stringMap(isRecord(data) ? data.cardParamMap : undefined, `privateData.${userId}.cardParamMap`));
      }
    }
    // Each space is delivered through its deliver model; without one DingTalk still answers 200 but reports
    // the space as failed ("200 不代表投递成功"). [unconfirmed] errorMsg wording.
    const deliverResults = spaces.map((s) => {
      const model = s.spaceType === 'IM_GROUP' ? body.imGroupOpenDeliverModel : body.imRobotOpenDeliverModel;
      const ok =
        isRecord(model) &&
        (s.spaceType === 'IM_GROUP' ? model.robotCode === robotCode : model.spaceType === undefined || model.spaceType === 'IM_ROBOT');
      return ok
        ? { spaceType: s.spaceType, spaceId: s.spaceId, success: true, carrierId: hex(12) }
        : { spaceType: s.spaceType, spaceId: s.spaceId, success: false, errorMsg: `${s.spaceType === 'IM_GROUP' ? 'imGroupOpenDeliverModel.robotCode' : 'imRobotOpenDeliverModel'} 无效` };
    });
    cards.set(outTrackId, {
      outTrackId,
      cardTemplateId,
      callbackType,
      callbackRouteKey,
      spaces,
      params,
      privateParams,
      createBody: structuredClone(body),
      updates: [],
      createdAt: Date.now(),
    });
    return { success: true, result: { outTrackId, deliverResults } };
  }

  function mergeInto(target: Record<string, string>, next: Record<string, string>, byKey: boolean): Record<string, string> {
    return byKey ? { ...target, ...next } : { ...next };
  }

  function updateCard(card: DingTalkStubCard, body: Record<string, unknown>) {
    const options = isRecord(body.cardUpdateOptions) ? body.cardUpdateOptions : {};
    // DingTalk's default is a full overwrite; updateCardDataByKey merges key by key.
    if (isRecord(body.cardData)) {
      card.params = mergeInto(card.params, stringMap(body.cardData.cardParamMap, 'cardData.cardParamMap'), options.updateCardDataByKey === true);
    }
    const privateData = body.privateData ?? body.userPrivateData;
    if (isRecord(privateData)) {
      for (const [userId, data] of Object.entries(privateData)) {
        const next = stringMap(isRecord(data) ? data.cardParamMap : undefined, `privateData.${userId}.cardParamMap`);
        card.privateParams.set(userId, mergeInto(card.privateParams.get(userId) ?? {}, next, options.updatePrivateDataByKey === true));
      }
    }
    card.updates.push(structuredClone(body));
  }

  async function route(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const url = new URL(req.url ?? '/', 'http://stub');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path, query: url.search, at: Date.now() });

    // ---- tokens (no fault injection unless a fault names the path) --------------------------------------
    if (method === 'POST' && path === DINGTALK_TOKEN_PATH) {
      if ((await applyFault(res, path, [], true)) === 'answered') return;
      const body = parseJson(raw);
      if (body.appKey !== appKey || body.appSecret !== appSecret) {
        throw new ApiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
      }
      return sendJson(res, 200, { accessToken: issueToken(), expireIn: 7200 });
    }
    if (method === 'GET' && path === DINGTALK_LEGACY_TOKEN_PATH) {
      const key = url.searchParams.get('appkey');
      const secret = url.searchParams.get('appsecret');
      if (!key || !secret) throw new OapiError(40035, '缺少参数 corpid or appkey');
      if (key !== appKey || secret !== appSecret) throw new OapiError(40096, '不合法的appKey或appSecret');
      return sendJson(res, 200, { errcode: 0, access_token: issueToken(), errmsg: 'ok', expires_in: 7200 });
    }
    if (method === 'GET' && path.startsWith(FILE_PATH_PREFIX)) {
      const code = fileLinks.get(decodeURIComponent(path.slice(FILE_PATH_PREFIX.length)));
      const file = code === undefined ? undefined : userFiles.get(code);
      if (!file) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        return void res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
      }
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
      return void res.end(Buffer.from(file.bytes));
    }

    // ---- oapi: media upload -------------------------------------------------------------------------------
    if (method === 'POST' && path === DINGTALK_MEDIA_UPLOAD_PATH) {
      if ((await applyFault(res, path, [])) === 'answered') return;
      const contentType = req.headers['content-type'] ?? '';
      if (!/^multipart\/form-data/i.test(contentType)) throw new OapiError(40005, '不合法的文件类型');
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
      // the token and type may come in the query (usual) or as form fields (the old SDKs' way)
      const formText = (name: string) => (typeof form.get(name) === 'string' ? (form.get(name) as string) : null);
      const token = url.searchParams.get('access_token') ?? formText('access_token');
      if (!token) throw new OapiError(40014, '不合法的access_token');
      if (!tokenValid(token)) throw new OapiError(40014, '不合法的access_token');
      const type = url.searchParams.get('type') ?? formText('type') ?? '';
      const maxBytes = MEDIA_TYPES[type];
      if (maxBytes === undefined) throw new OapiError(40004, '不合法的媒体文件类型');
      const media = form.get('media');
      if (!media || typeof media === 'string') throw new OapiError(41000, '缺少media参数');
      const bytes = new Uint8Array(await media.arrayBuffer());
      if (bytes.length === 0 || bytes.length > maxBytes) throw new OapiError(40006, '不合法的文件大小');
      const mediaId = `@lA${hex(16)}`;
      const createdAt = Date.now();
      uploads.push({ mediaId, type, fileName: media.name, contentType: media.type || 'application/octet-stream', bytes, at: createdAt });
      return sendJson(res, 200, { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: createdAt });
    }

    if (!path.startsWith('/v1.0/')) throw new ApiError(404, 'NotFound', `stub has no route for ${method} ${path}`);

    // ---- v1.0 APIs: faults first (a throttled call is refused before it is authenticated), then auth ------
    const body = method === 'GET' ? {} : parseJson(raw);
    const targets = [
      body.openConversationId,
      body.outTrackId,
      body.downloadCode,
      ...(Array.isArray(body.userIds) ? body.userIds : []),
      ...(typeof body.openSpaceId === 'string' ? parseSpacesLoosely(body.openSpaceId) : []),
    ].filter((t): t is string => typeof t === 'string');
    const fault = await applyFault(res, path, targets);
    if (fault === 'answered') return;
    requireHeaderToken(req);

    if (method === 'POST' && path === DINGTALK_GROUP_SEND_PATH) {
      checkRobotCode(body.robotCode);
      const chatId = body.openConversationId;
      if (typeof chatId !== 'string' || !chatId) throw new ApiError(400, 'miss.openConversationId', '缺少openConversationId');
      checkGroup(chatId);
      const msg = parseMsgParam(body.msgKey, body.msgParam);
      checkGroupLimit(chatId);
      noteGroupSend(chatId);
      const processQueryKey = `${hex(8)}=`;
      sent.push({ kind: 'group', processQueryKey, chatId, userId: null, robotCode, msgKey: msg.msgKey, param: msg.param, rawParam: msg.raw, at: Date.now() });
      return sendJson(res, 200, { processQueryKey });
    }

    if (method === 'POST' && path === DINGTALK_OTO_SEND_PATH) {
      checkRobotCode(body.robotCode);
      const userIds = body.userIds;
      if (!Array.isArray(userIds) || userIds.length === 0) throw new ApiError(400, 'invalidParameter.userIds.empty', '用户userId列表为空');
      if (userIds.length > OTO_MAX_USERS) throw new ApiError(400, 'invalidParameter.userIds.overMax', '用户userId列表长度超过上限');
      if (!userIds.every((u): u is string => typeof u === 'string' && u !== '')) {
        throw new ApiError(400, 'invalidParameter.userIds.empty', '用户userId列表为空');
      }
      const msg = parseMsgParam(body.msgKey, body.msgParam);
      const fc = fault; // a batchSend fault that lists users instead of failing
      const flowControlled = userIds.filter((u) => fc?.flowControlledStaffIds?.includes(u));
      const invalid = userIds.filter((u) => fc?.invalidStaffIds?.includes(u));
      const processQueryKey = `${hex(8)}=`;
      for (const userId of userIds) {
        if (flowControlled.includes(userId) || invalid.includes(userId)) continue;
        sent.push({ kind: 'oto', processQueryKey, chatId: null, userId, robotCode, msgKey: msg.msgKey, param: msg.param, rawParam: msg.raw, at: Date.now() });
      }
      return sendJson(res, 200, { processQueryKey, invalidStaffIdList: invalid, flowControlledStaffIdList: flowControlled });
    }

    if (method === 'POST' && path === DINGTALK_CARD_CREATE_PATH) return sendJson(res, 200, createCard(body));

    if (method === 'PUT' && path === DINGTALK_CARD_UPDATE_PATH) {
      const outTrackId = body.outTrackId;
      if (typeof outTrackId !== 'string' || !outTrackId) throw new ApiError(400, 'param.outTrackIdEmpty', 'param.outTrackIdEmpty');
      const card = cards.get(outTrackId);
      // [unconfirmed] code for an unknown outTrackId
      if (!card) throw new ApiError(400, 'param.cardInstanceNotExist', '卡片实例不存在');
      updateCard(card, body);
      return sendJson(res, 200, { success: true, result: true });
    }

    if (method === 'POST' && path === DINGTALK_CARD_CALLBACK_REGISTER_PATH) {
      const { callbackRouteKey, callbackUrl } = body;
      if (typeof callbackRouteKey !== 'string' || !callbackRouteKey) throw new ApiError(400, 'param.callbackRouteKeyEmpty', 'callbackRouteKey为空');
      if (typeof callbackUrl !== 'string' || !/^https?:\/\//.test(callbackUrl)) throw new ApiError(400, 'param.callbackUrlInvalid', 'callbackUrl不合法');
      // [unconfirmed] code; DingTalk refuses to overwrite an existing route unless forceUpdate is true
      if (callbackRoutes.has(callbackRouteKey) && body.forceUpdate !== true) {
        throw new ApiError(400, 'param.callbackRouteKeyExist', 'callbackRouteKey已存在，如需更新请设置forceUpdate');
      }
      const apiSecret = typeof body.apiSecret === 'string' ? body.apiSecret : null;
      callbackRoutes.set(callbackRouteKey, { callbackRouteKey, callbackUrl, apiSecret, at: Date.now() });
      return sendJson(res, 200, { success: true, result: { callbackRouteKey, callbackUrl, apiSecret } });
    }

    if (method === 'POST' && path === DINGTALK_DOWNLOAD_PATH) {
      checkRobotCode(body.robotCode);
      const code = body.downloadCode;
      if (typeof code !== 'string' || !code) throw new ApiError(400, 'invalidParameter.downloadCode.empty', '缺少downloadCode');
      // [unconfirmed] code for an unknown or expired downloadCode
      if (!userFiles.has(code)) throw new ApiError(400, 'invalidParameter.downloadCode.invalid', '无效的downloadCode');
      const link = hex(16);
      fileLinks.set(link, code);
      return sendJson(res, 200, { downloadUrl: `${baseUrl}${FILE_PATH_PREFIX}${link}` });
    }

    throw new ApiError(404, 'NotFound', `stub has no route for ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      route(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (e instanceof ApiError) sendJson(res, e.status, { code: e.code, message: e.message, requestid: requestId() });
        else if (e instanceof OapiError) sendJson(res, 200, { errcode: e.errcode, errmsg: e.message });
        else sendJson(res, 500, { code: 'unknownError', message: e instanceof Error ? e.message : String(e), requestid: requestId() });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    appKey,
    appSecret,
    robotCode,
    sent,
    cards,
    uploads,
    callbackRoutes,
    requests,
    sentTo: (id) => sent.filter((m) => m.chatId === id || m.userId === id),
    cardParams: (outTrackId) => {
      const card = cards.get(outTrackId);
      if (!card) throw new Error(`dingtalk-stub: no card ${outTrackId}`);
      return { ...card.params };
    },
    applyCardCallbackResponse: (outTrackId, userId, response) => {
      const card = cards.get(outTrackId);
      if (!card) throw new Error(`dingtalk-stub: no card ${outTrackId}`);
      if (!isRecord(response)) return;
      const privateData = isRecord(response.userPrivateData) ? { [userId]: response.userPrivateData } : undefined;
      updateCard(card, { cardData: response.cardData, privateData, cardUpdateOptions: response.cardUpdateOptions });
    },
    uploadOf: (message) => {
      const id = message.param.mediaId ?? message.param.photoURL;
      return uploads.find((u) => u.mediaId === id);
    },
    tokenRequests: () => requests.filter((r) => r.path === DINGTALK_TOKEN_PATH).length,
    legacyTokenRequests: () => requests.filter((r) => r.path === DINGTALK_LEGACY_TOKEN_PATH).length,
    addUserFile: (downloadCode, bytes, o = {}) =>
      void userFiles.set(downloadCode, { bytes: new Uint8Array(bytes), contentType: o.contentType ?? 'application/octet-stream' }),
    failNext: (n, fault) => {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    expireTokens: () => {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    reset: () => {
      for (const list of [sent, uploads, requests, faults] as unknown[][]) list.length = 0;
      for (const map of [cards, callbackRoutes, userFiles, fileLinks, groupWindows] as Map<unknown, unknown>[]) map.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** the space ids in an openSpaceId, for fault targeting only (validation happens later, after auth) */
function parseSpacesLoosely(openSpaceId: string): string[] {
  const m = /^dtv1\.card\/\/(.+)$/.exec(openSpaceId);
  return m ? m[1]!.split(';').map((p) => p.replace(/^(IM_GROUP|IM_ROBOT)\./i, '')) : [];
}

/** The environment that points Duban's DingTalk app (HTTP mode) at this stub, as the tests run it. */
export function stubDingTalkEnv(stub: DingTalkStub, templateId = 'duban-general.schema'): Record<string, string> {
  return {
    DINGTALK_CLIENT_ID: stub.appKey,
    DINGTALK_CLIENT_SECRET: stub.appSecret,
    DINGTALK_CARD_TEMPLATE_ID: templateId,
    DINGTALK_BASE_URL: stub.baseUrl,
    DINGTALK_OAPI_BASE_URL: stub.baseUrl,
    // HTTP-mode card clicks need a public origin to register; the tests post the clicks themselves
    PUBLIC_URL: 'https://duban.hospital.test',
  };
}
