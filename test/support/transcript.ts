// Renders what the stub Feishu received as a readable chat transcript (cards shown as text).
import type { FeishuHarness, FeishuCard } from './feishu-harness.js';

export class Transcript {
  private sentSeen = 0;
  private patchesSeen = 0;

  constructor(
    private readonly h: FeishuHarness,
    private readonly names: Map<string, string>,
    private readonly write: (line: string) => void,
  ) {}

  private name(id: string): string {
    return this.names.get(id) ?? id;
  }

  private people(text: string): string {
    return text
      .replace(/<at (?:id|user_id)=\"?([^\s>"]+)\"?><\/at>/g, (_, id: string) => `@${this.name(id)}`)
      .replace(/<\/?font[^>]*>/g, '');
  }

  cardLines(card: FeishuCard): string[] {
    const lines = [`┌ 【${card.header.title.content}】`];
    const walk = (elements: Record<string, unknown>[], indent: string) => {
      for (const e of elements) {
        const tag = e['tag'];
        if (tag === 'markdown') for (const l of this.people(String(e['content'])).split('\n')) lines.push(`│ ${indent}${l}`);
        else if (tag === 'img') lines.push(`│ ${indent}[图片]`);
        else if (tag === 'hr') lines.push(`│ ${indent}──────`);
        else if (tag === 'button') lines.push(`│ ${indent}[ ${(e['text'] as { content: string }).content} ]`);
        else if (['input', 'select_static', 'select_person', 'date_picker'].includes(String(tag))) {
          lines.push(`│ ${indent}▢ ${this.fieldText(e)}`);
        }
        for (const key of ['elements', 'columns']) if (Array.isArray(e[key])) walk(e[key] as Record<string, unknown>[], tag === 'form' ? indent + '  ' : indent);
      }
    };
    walk(card.body.elements, '');
    lines.push('└');
    return lines;
  }

  /** A text input shows its label and value; a picker (labelled by the line above it) what it shows: the chosen option, person or date, else its placeholder. */
  private fieldText(e: Record<string, unknown>): string {
    const initial = String(e['default_value'] ?? e['initial_option'] ?? e['initial_date'] ?? '');
    const options = (e['options'] ?? []) as { text: { content: string }; value: string }[];
    const shown = options.find((o) => o.value === initial)?.text.content ?? this.people(initial).replace(/^ou_\S+$/, (id) => '@' + this.name(id));
    const label = (e['label'] as { content?: string } | undefined)?.content;
    if (label) return shown ? `${label}：${shown}` : label;
    return shown || ((e['placeholder'] as { content?: string } | undefined)?.content ?? String(e['name']));
  }

  /** Prints what the bot sent and updated since the last call. */
  flush(): void {
    for (const m of this.h.stub.sent.slice(this.sentSeen)) {
      const where = m.receiveIdType === 'open_id' ? `私聊 ${this.name(m.receiveId!)}` : m.replyTo ? `回复（${this.name(m.chatId)}）` : this.name(m.chatId);
      if (m.msgType === 'interactive') {
        this.write(`  🤖 → ${where}：`);
        for (const l of this.cardLines(m.content as FeishuCard)) this.write(`     ${l}`);
      } else {
        this.write(`  🤖 → ${where}：${this.people((m.content as { text: string }).text)}`);
      }
    }
    for (const p of this.h.stub.patches.slice(this.patchesSeen)) {
      const card = p.content as FeishuCard;
      this.write(`  🤖 ✎ 同步更新卡片「${card.header.title.content}」（${this.name(this.h.stub.sent.find((m) => m.messageId === p.messageId)?.receiveId ?? '群')}）`);
    }
    this.sentSeen = this.h.stub.sent.length;
    this.patchesSeen = this.h.stub.patches.length;
  }

  says(who: string, where: string, text: string): void {
    this.write('');
    this.write(`👤 ${who}（${where}）：${text}`);
  }

  clicks(who: string, label: string, form?: Record<string, unknown>): void {
    this.write('');
    const filled = form ? `，填写 ${Object.entries(form).map(([k, v]) => `${k}=${this.people(String(v)).replace(/^ou_\S+$/, (id) => '@' + this.name(id))}`).join('，')}` : '';
    this.write(`👆 ${who} 点击 [${label}]${filled}`);
  }

  answer(body: { toast?: { type: string; content: string }; card?: { data: FeishuCard } }): void {
    if (body.toast) this.write(`  💬 提示（${body.toast.type}）：${body.toast.content}`);
    if (body.card) {
      this.write('  🔄 卡片原地更新为：');
      for (const l of this.cardLines(body.card.data)) this.write(`     ${l}`);
    }
  }
}
