// What the platforms deliver, in the use cases' words. Each platform's parse.ts produces these.
import type { Platform } from '../domain/model.js';

export interface InboundMention {
  userId: string;
  name: string;
}

export interface InboundMessage {
  kind: 'message';
  platform: Platform;
  /** the app it arrived through (ChatApp.id); null: the environment's app */
  appId: string | null;
  /** Feishu tenant_key / DingTalk corpId */
  tenantKey: string;
  /** the platform's delivery id (Feishu header.event_id): deduplicated in the database */
  deliveryId: string;
  messageId: string;
  chatId: string;
  chatType: 'group' | 'p2p';
  senderUserId: string;
  /** the sender's name when the platform gives it (DingTalk senderNick; Feishu gives none) */
  senderName?: string;
  /** text with mention placeholders already replaced by `@name`; empty for non-text messages */
  text: string;
  /** everyone mentioned, the bot included */
  mentions: InboundMention[];
  /** the bot's own id when the delivery names it (DingTalk's chatbotUserId); null: ask the platform client */
  botUserId: string | null;
  /** an image sent as the message itself (Feishu image_key / DingTalk downloadCode) */
  imageKeys: string[];
  /** a file sent as the message itself (a spreadsheet to import) */
  files: { key: string; name: string }[];
  /** the message this one replies to, if any */
  parentMessageId: string | null;
  sentAt: number;
}

export interface InboundCardAction {
  kind: 'card_action';
  platform: Platform;
  /** the app it arrived through (ChatApp.id); null: the environment's app */
  appId: string | null;
  tenantKey: string;
  deliveryId: string;
  /**
   * The platform gave no delivery id, so `deliveryId` is made from what the click says and the time
   * window it came in (DingTalk's HTTP mode); `previousWindowId` names the same click in the window
   * before, where a retry's first copy may have been recorded. Identical clicks share a name, and
   * only a retry should.
   */
  namedByContent?: { previousWindowId: string };
  operatorUserId: string;
  /** the message holding the card that was clicked */
  messageId: string | null;
  chatId: string | null;
  /** the button's value as the card sent it */
  value: unknown;
  /** the form's values, when the click was a form submit */
  formValue: Record<string, unknown> | null;
}

/** A delivery we acknowledge but do not act on (other event types). */
export interface InboundIgnored {
  kind: 'ignored';
  platform: Platform;
  tenantKey: string | null;
  deliveryId: string | null;
  eventType: string;
}

export type InboundEvent = InboundMessage | InboundCardAction | InboundIgnored;

export interface Toast {
  type: 'success' | 'error' | 'info' | 'warning';
  text: string;
}
