// The people's side of a Feishu conversation with the bot, whichever runtime the bot runs on:
// people type messages, send photos and files, and click cards; each action is one signed,
// encrypted delivery to the bot's webhook exactly as Feishu would send it, after which the
// runtime waits until the bot has finished (`settle`). What the bot sent is read back from the
// stub Feishu Open API. FeishuHarness (Node) and WorkerHarness (workerd) differ only in how they
// reach the bot, which clock stamps the deliveries, and how they know the bot is done.
import { randomUUID } from 'node:crypto';
import type { FeishuStub, SentMessage } from './feishu-stub.js';
import { buildFeishuWebhookRequest, cardActionEvent, menuEvent, messageEvent } from './feishu-webhook.js';

export interface Person {
  openId: string;
  name: string;
}

export interface Chat {
  id: string;
  type: 'group' | 'p2p';
}

export interface ClickResult {
  status: number;
  body: { toast?: { type: string; content: string }; card?: { type: string; data: FeishuCard } } & Record<string, unknown>;
}

export interface FeishuCard {
  header: { title: { content: string }; subtitle?: { content: string }; template: string };
  body: { elements: Record<string, unknown>[] };
}

export interface Button {
  label: string;
  value: Record<string, unknown>;
  formName: string | null;
}

export const BOT_NAME = '督办';
export const ENCRYPT_KEY = 'test-encrypt-key-0123456789';
export const VERIFICATION_TOKEN = 'test-verification-token';
export const TENANT_KEY = 'tenant_hospital';
export const ADMIN_TOKEN = 'test-admin-token';

/** The bot's settings that point it at the stub, as environment variables (Node) or bindings (Worker). */
export function stubFeishuEnv(stub: FeishuStub): Record<string, string> {
  return {
    FEISHU_APP_ID: stub.appId,
    FEISHU_APP_SECRET: stub.appSecret,
    FEISHU_BASE_URL: stub.baseUrl,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    ADMIN_TOKEN,
  };
}

/** The keys an app's deliveries are encrypted and signed with (each organisation's app has its own). */
export interface AppKeys {
  encryptKey: string;
  verificationToken: string;
}

export const DEFAULT_KEYS: AppKeys = { encryptKey: ENCRYPT_KEY, verificationToken: VERIFICATION_TOKEN };

export abstract class FeishuConversation {
  protected constructor(
    readonly stub: FeishuStub,
    /** the organisation every delivery claims to come from */
    protected readonly tenantKey: string = TENANT_KEY,
    protected readonly keys: AppKeys = DEFAULT_KEYS,
  ) {}

  /** The time deliveries are signed and stamped with: the bot refuses a stale signature. */
  protected abstract clockMs(): number;

  /** Where the bot's Feishu webhook listens. */
  protected abstract webhookUrl(): string;

  /** Resolves once the bot has finished everything the last delivery set going. */
  protected abstract settle(): Promise<void>;

  readonly bot = (): Person => ({ openId: this.stub.botOpenId, name: BOT_NAME });

  /** Posts a body to our webhook, signed and encrypted as Feishu does. */
  async deliver(body: object, options: { nowMs?: number } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const request = buildFeishuWebhookRequest({ body, encryptKey: this.keys.encryptKey, nowMs: options.nowMs ?? this.clockMs() });
    const response = await fetch(this.webhookUrl(), { method: 'POST', headers: request.headers, body: request.rawBody });
    const json = (await response.json()) as Record<string, unknown>;
    if (!this.inBurst) await this.settle();
    return { status: response.status, json };
  }

  private inBurst = false;

  /**
   * Runs `actions` as a burst: each delivery goes out once the previous one is answered, as
   * Feishu sends them, without waiting for the bot to finish in between; then waits for the bot.
   */
  async burst<T>(actions: () => Promise<T>): Promise<T> {
    this.inBurst = true;
    try {
      return await actions();
    } finally {
      this.inBurst = false;
      await this.settle();
    }
  }

  /**
   * `person` types `text` in `chat`. `@Name` of a listed person (or of the bot) becomes a real
   * mention, with Feishu's `@_user_N` placeholders.
   */
  async say(person: Person, chat: Chat, text: string, options: { mentions?: Person[]; parentId?: string; eventId?: string } = {}) {
    const mentioned = [...(text.includes(`@${BOT_NAME}`) ? [this.bot()] : []), ...(options.mentions ?? [])];
    let body = text;
    const mentions = mentioned.map((p, i) => {
      const key = `@_user_${i + 1}`;
      body = body.replace(`@${p.name}`, key);
      return { key, openId: p.openId, name: p.name };
    });
    const messageId = `om_user_${randomUUID().slice(0, 12)}`;
    this.stub.noteUserMessage(messageId, chat.id);
    const event = messageEvent({
      tenantKey: this.tenantKey,
      messageId,
      chatId: chat.id,
      chatType: chat.type,
      senderOpenId: person.openId,
      text: body,
      mentions,
      token: this.keys.verificationToken,
      createTimeMs: this.clockMs(),
      ...(options.parentId ? { parentId: options.parentId } : {}),
      ...(options.eventId ? { eventId: options.eventId } : {}),
    });
    return { ...(await this.deliver(event)), messageId, event };
  }

  /** `person` sends a photo (the stub serves its bytes when the bot downloads it). */
  sendImage(person: Person, chat: Chat, bytes: Uint8Array, options: { parentId?: string } = {}) {
    const imageKey = `img_user_${randomUUID().slice(0, 8)}`;
    return this.sendResource(person, chat, 'om_img_', imageKey, bytes, { imageKey, ...(options.parentId ? { parentId: options.parentId } : {}) });
  }

  /** `person` sends a file (the stub serves its bytes when the bot downloads it). */
  sendFile(person: Person, chat: Chat, fileName: string, bytes: Uint8Array) {
    const key = `file_user_${randomUUID().slice(0, 8)}`;
    return this.sendResource(person, chat, 'om_file_', key, bytes, { file: { key, name: fileName } });
  }

  private async sendResource(
    person: Person,
    chat: Chat,
    idPrefix: string,
    key: string,
    bytes: Uint8Array,
    content: { imageKey?: string; file?: { key: string; name: string }; parentId?: string },
  ) {
    const messageId = `${idPrefix}${randomUUID().slice(0, 12)}`;
    this.stub.noteUserMessage(messageId, chat.id);
    this.stub.addUserFile(messageId, key, bytes);
    const event = messageEvent({
      tenantKey: this.tenantKey,
      messageId,
      chatId: chat.id,
      chatType: chat.type,
      senderOpenId: person.openId,
      token: this.keys.verificationToken,
      createTimeMs: this.clockMs(),
      ...content,
    });
    return { ...(await this.deliver(event)), messageId };
  }

  /** `person` taps the bot menu item whose event key is `eventKey`, in their chat with the bot. */
  tapMenu(person: Person, eventKey: string, options: { eventId?: string } = {}) {
    const event = menuEvent({
      tenantKey: this.tenantKey,
      operatorOpenId: person.openId,
      operatorName: person.name,
      eventKey,
      token: this.keys.verificationToken,
      timestampMs: this.clockMs(),
      ...(options.eventId ? { eventId: options.eventId } : {}),
    });
    return this.deliver(event);
  }

  /** `person` clicks a button (or submits a form) on the card in message `messageId`. */
  async click(person: Person, messageId: string, value: unknown, formValue?: Record<string, unknown>, eventId?: string): Promise<ClickResult> {
    const chatId = this.stub.sent.find((m) => m.messageId === messageId)?.chatId;
    const event = cardActionEvent({
      tenantKey: this.tenantKey,
      operatorOpenId: person.openId,
      messageId,
      ...(chatId ? { chatId } : {}),
      value,
      ...(formValue ? { formValue } : {}),
      token: this.keys.verificationToken,
      ...(eventId ? { eventId } : {}),
    });
    const { status, json } = await this.deliver(event);
    const body = json as ClickResult['body'];
    // Feishu shows the card from the callback's answer in place of the clicked one
    if (body.card?.type === 'raw') this.stub.messages.set(messageId, body.card.data);
    return { status, body };
  }

  /** Messages the bot sent into a chat (by chat id) or to a person (by open id), oldest first. */
  messagesTo(receiverOrChat: string): SentMessage[] {
    return this.stub.sent.filter((m) => m.receiveId === receiverOrChat || m.chatId === receiverOrChat || m.chatId === `oc_p2p_${receiverOrChat}`);
  }

  cardsTo(receiverOrChat: string): SentMessage[] {
    return this.messagesTo(receiverOrChat).filter((m) => m.msgType === 'interactive');
  }

  lastCardTo(receiverOrChat: string): SentMessage {
    const cards = this.cardsTo(receiverOrChat);
    const last = cards[cards.length - 1];
    if (!last) throw new Error(`no card was sent to ${receiverOrChat}`);
    return last;
  }

  /** The card as it stands now: its latest patch if it was updated, else as sent. */
  currentCard(messageId: string): FeishuCard {
    return this.stub.messages.get(messageId) as FeishuCard;
  }

  /**
   * `person` presses `label` on the card as it stands; with `form`, the action's form then opens in
   * place and is submitted filled in (「提交：label」). Returns the last click's answer, whatever it says.
   */
  async act(person: Person, messageId: string, label: string, form?: Record<string, unknown>): Promise<ClickResult> {
    const pressed = await this.click(person, messageId, button(this.currentCard(messageId), label).value);
    if (!form) return pressed;
    const opened = pressed.body.card?.data ?? this.currentCard(messageId);
    return this.click(person, messageId, button(opened, `提交：${label}`).value, form);
  }

  /**
   * `inspector` opens the intake form in `chat` and submits it with `fields`, as a person would;
   * throws unless the finding was filed. Returns the form's message id.
   */
  async fileFinding(inspector: Person, chat: Chat, fields: Record<string, unknown>): Promise<string> {
    await this.say(inspector, chat, chat.type === 'group' ? '@督办 督查' : '督查');
    const form = this.lastCardTo(chat.type === 'group' ? chat.id : inspector.openId).messageId;
    const submit = buttonsOf(this.currentCard(form)).find((b) => b.label === '提交并下发整改');
    if (!submit) throw new Error('the intake form has no 提交并下发整改 button');
    const filed = await this.click(inspector, form, submit.value, fields);
    if (filed.body.toast?.type !== 'success') throw new Error(`the finding was not filed: ${JSON.stringify(filed.body.toast)}`);
    return form;
  }
}

export function p2p(person: Person): Chat {
  return { id: `oc_p2p_${person.openId}`, type: 'p2p' };
}

/** Every button on a card, with the form it submits (if any). */
export function buttonsOf(card: FeishuCard): Button[] {
  const found: Button[] = [];
  const walk = (elements: unknown[], formName: string | null) => {
    for (const element of elements as Record<string, unknown>[]) {
      if (element['tag'] === 'button') {
        const behaviors = (element['behaviors'] as { type: string; value: Record<string, unknown> }[] | undefined) ?? [];
        const callback = behaviors.find((b) => b.type === 'callback');
        const text = element['text'] as { content: string };
        if (callback) found.push({ label: text.content, value: callback.value, formName });
      }
      const nextForm = element['tag'] === 'form' ? (element['name'] as string) : formName;
      for (const key of ['elements', 'columns']) {
        if (Array.isArray(element[key])) walk(element[key] as unknown[], nextForm);
      }
    }
  };
  walk(card.body.elements, null);
  return found;
}

export function button(card: FeishuCard, label: string): Button {
  const match = buttonsOf(card).find((b) => b.label === label || b.label.startsWith(label));
  if (!match) throw new Error(`no button "${label}" on card "${card.header.title.content}"; has: ${buttonsOf(card).map((b) => b.label).join(', ')}`);
  return match;
}

export function cardText(card: FeishuCard): string {
  return JSON.stringify(card);
}
