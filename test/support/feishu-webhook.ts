// Plays Feishu calling our webhook: schema 2.0 bodies shaped like real deliveries, encrypted and signed
// the way Feishu does it (platform notes §1.3, §1.4, §3). Built on node:crypto on purpose, so tests
// check src/platforms/feishu/verify.ts against an independent implementation rather than against itself.
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

export interface FeishuWebhookRequest {
  rawBody: string;
  headers: Record<string, string>;
}

export function feishuEncrypt(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export function feishuSign(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + rawBody, 'utf8').digest('hex');
}

/** Encrypts `body` into `{"encrypt": …}` (compact JSON, as Feishu sends it) and signs that raw string. */
export function buildFeishuWebhookRequest(opts: {
  body: object;
  encryptKey: string;
  nowMs?: number;
  nonce?: string;
}): FeishuWebhookRequest {
  const rawBody = JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(opts.body), opts.encryptKey) });
  const timestamp = String(Math.floor((opts.nowMs ?? Date.now()) / 1000));
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': feishuSign(timestamp, nonce, opts.encryptKey, rawBody),
    },
  };
}

function envelope(opts: {
  eventType: string;
  tenantKey: string;
  eventId?: string;
  token: string;
  createTimeMs: number;
  event: object;
}): Record<string, unknown> {
  return {
    schema: '2.0',
    header: {
      event_id: opts.eventId ?? randomUUID().replace(/-/g, ''),
      token: opts.token,
      create_time: String(opts.createTimeMs),
      event_type: opts.eventType,
      tenant_key: opts.tenantKey,
      app_id: 'cli_test_app',
    },
    event: opts.event,
  };
}

/** Derives a stable union_id from an open_id, so the same person looks the same across events. */
function unionIdOf(openId: string): string {
  return `on_${createHash('sha256').update(openId).digest('hex').slice(0, 32)}`;
}

/**
 * An `im.message.receive_v1` body. With `imageKey` it is an image message, with `file` a file message;
 * otherwise a text message whose
 * `text` should hold the mention placeholders (`@_user_1 …`) that match `mentions[].key`, as Feishu's does.
 */
export function messageEvent(opts: {
  tenantKey: string;
  eventId?: string;
  messageId?: string;
  chatId: string;
  chatType?: 'group' | 'p2p';
  senderOpenId: string;
  text?: string;
  mentions?: { key: string; openId: string; name: string }[];
  imageKey?: string;
  file?: { key: string; name: string };
  parentId?: string;
  createTimeMs?: number;
  token: string;
}): Record<string, unknown> {
  const createTimeMs = opts.createTimeMs ?? Date.now();
  const messageId = opts.messageId ?? `om_${randomUUID().replace(/-/g, '')}`;
  const isImage = opts.imageKey !== undefined;
  const mentions = (opts.mentions ?? []).map((m) => ({
    key: m.key,
    id: { open_id: m.openId, union_id: unionIdOf(m.openId), user_id: '' },
    name: m.name,
    tenant_key: opts.tenantKey,
  }));
  return envelope({
    eventType: 'im.message.receive_v1',
    tenantKey: opts.tenantKey,
    eventId: opts.eventId,
    token: opts.token,
    createTimeMs,
    event: {
      sender: {
        sender_id: { open_id: opts.senderOpenId, union_id: unionIdOf(opts.senderOpenId), user_id: '' },
        sender_type: 'user',
        tenant_key: opts.tenantKey,
      },
      message: {
        message_id: messageId,
        // Feishu sends '' rather than omitting these when the message starts no thread.
        root_id: opts.parentId ?? '',
        parent_id: opts.parentId ?? '',
        create_time: String(createTimeMs),
        update_time: String(createTimeMs),
        chat_id: opts.chatId,
        thread_id: '',
        chat_type: opts.chatType ?? 'group',
        message_type: isImage ? 'image' : opts.file ? 'file' : 'text',
        content: JSON.stringify(
          isImage ? { image_key: opts.imageKey } : opts.file ? { file_key: opts.file.key, file_name: opts.file.name } : { text: opts.text ?? '' },
        ),
        ...(mentions.length > 0 ? { mentions } : {}),
        user_agent: 'Mozilla/5.0 Lark/7.30.0',
      },
    },
  });
}

/** A `card.action.trigger` callback body (JSON 2.0 cards); `formValue` makes it a form submit. */
export function cardActionEvent(opts: {
  tenantKey: string;
  eventId?: string;
  operatorOpenId: string;
  messageId: string;
  chatId?: string;
  value: unknown;
  formValue?: Record<string, unknown>;
  token: string;
}): Record<string, unknown> {
  return envelope({
    eventType: 'card.action.trigger',
    tenantKey: opts.tenantKey,
    eventId: opts.eventId,
    token: opts.token,
    createTimeMs: Date.now(),
    event: {
      operator: {
        tenant_key: opts.tenantKey,
        user_id: '',
        open_id: opts.operatorOpenId,
        union_id: unionIdOf(opts.operatorOpenId),
      },
      // the delayed-update token (notes §2.6), not the verification token
      token: `c-${randomUUID().replace(/-/g, '')}`,
      action: {
        value: opts.value,
        tag: 'button',
        timezone: 'Asia/Shanghai',
        ...(opts.formValue !== undefined ? { form_value: opts.formValue, name: 'submit' } : {}),
      },
      host: 'im_message',
      context: {
        open_message_id: opts.messageId,
        ...(opts.chatId !== undefined ? { open_chat_id: opts.chatId } : {}),
      },
    },
  });
}

/** An `application.bot.menu_v6` event: someone tapped a bot menu item whose action pushes an event. */
export function menuEvent(opts: { tenantKey: string; eventId?: string; operatorOpenId: string; operatorName?: string; eventKey: string; token: string; timestampMs?: number }): Record<string, unknown> {
  const at = opts.timestampMs ?? Date.now();
  return envelope({
    eventType: 'application.bot.menu_v6',
    tenantKey: opts.tenantKey,
    eventId: opts.eventId,
    token: opts.token,
    createTimeMs: at,
    event: {
      operator: {
        ...(opts.operatorName ? { operator_name: opts.operatorName } : {}),
        operator_id: { open_id: opts.operatorOpenId, union_id: unionIdOf(opts.operatorOpenId), user_id: '' },
      },
      event_key: opts.eventKey,
      timestamp: String(at),
    },
  });
}
