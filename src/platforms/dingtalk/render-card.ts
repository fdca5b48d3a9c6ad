// Neutral Card → the parameters of Duban's general DingTalk card template (cards/dingtalk/). A
// DingTalk interactive card is drawn by a template made in DingTalk's card platform and filled with
// a map of STRING parameters; one general template shows every Duban card: title, colour and tags,
// a Markdown body, pictures, buttons, and at most one form, each list passed as a JSON string for
// the template's loops. Web standards only: the Worker runs this too.
import { EMPTY_INPUT_HINTS, mentionAsText, MENTION_PATTERN } from '../../../cards/model.js';
import type { Card, CardButton, CardElement, FormField } from '../../../cards/model.js';

export interface DingTalkCardData {
  /** DingTalk takes only string values here */
  cardParamMap: Record<string, string>;
  /** people the card mentions: DingTalk notifies them when it is delivered to a group */
  atUserIds: string[];
}

/** A button as the template's loop reads it; `payload` comes back in the callback's params. */
export interface DingTalkButton {
  text: string;
  style: 'primary' | 'normal' | 'danger';
  payload: string;
  confirm: string;
}

export interface DingTalkFormField {
  kind: FormField['kind'];
  name: string;
  label: string;
  placeholder: string;
  required: boolean;
  initial: string;
  multiline: boolean;
  options: { value: string; label: string }[];
}

const STYLE: Record<CardButton['style'], DingTalkButton['style']> = { primary: 'primary', default: 'normal', danger: 'danger' };

/** Who a card mentions, and how each is written: DingTalk card Markdown has no mention tag. */
interface Mentions {
  ids: Set<string>;
  names: ReadonlyMap<string, string> | undefined;
}

/** `<@id>` → `@王主任` (`@id` when the name is unknown); the ids also go to atUserIds. */
function withMentions(text: string, mentioned: Mentions): string {
  return text.replace(MENTION_PATTERN, (_, id: string) => {
    mentioned.ids.add(id);
    return mentionAsText(id, mentioned.names);
  });
}

const cell = (value: string | number) => String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdownOf(element: CardElement, mentioned: Mentions): string | null {
  switch (element.kind) {
    case 'markdown':
      return withMentions(element.text, mentioned);
    case 'note':
      return `<font color="#8F959E">${withMentions(element.text, mentioned)}</font>`;
    case 'fields':
      return element.fields.map((f) => `**${f.label}**：${withMentions(f.value, mentioned)}`).join('\n\n');
    case 'divider':
      return '---';
    case 'table': {
      const head = `| ${element.columns.map((c) => cell(c.label)).join(' | ')} |`;
      const rule = `| ${element.columns.map((c) => (c.kind === 'number' ? '---:' : '---')).join(' | ')} |`;
      const rows = element.rows.map((row) => `| ${element.columns.map((c) => cell(withMentions(String(row[c.name] ?? ''), mentioned))).join(' | ')} |`);
      return [head, rule, ...rows].join('\n');
    }
    case 'chart': {
      // no charts in DingTalk card Markdown: the same figures as a table
      const series = [...new Set(element.points.map((p) => p.series))];
      const xs = [...new Set(element.points.map((p) => p.x))];
      const value = (x: string, s: string) => element.points.find((p) => p.x === x && p.series === s)?.y ?? '';
      return [`**${element.title}**`, `| | ${series.map(cell).join(' | ')} |`, `|---|${series.map(() => '---:').join('|')}|`, ...xs.map((x) => `| ${cell(x)} | ${series.map((s) => cell(value(x, s))).join(' | ')} |`)].join('\n');
    }
    default:
      return null;
  }
}

function button(b: CardButton): DingTalkButton {
  return { text: b.label, style: STYLE[b.style], payload: JSON.stringify(b.action), confirm: b.confirm ?? '' };
}

function formField(field: FormField): DingTalkFormField {
  return {
    kind: field.kind,
    name: field.name,
    label: field.label,
    // the template shows the placeholder in the empty input, so it never shows a blank box
    placeholder: field.placeholder || EMPTY_INPUT_HINTS[field.kind],
    required: field.required ?? false,
    initial: field.initial ?? '',
    multiline: field.kind === 'text' ? (field.multiline ?? false) : false,
    options: field.kind === 'select' ? field.options : [],
  };
}

export function renderDingTalkCard(card: Card, names?: ReadonlyMap<string, string>): DingTalkCardData {
  const mentioned: Mentions = { ids: new Set(), names };
  const paragraphs: string[] = [];
  const images: { mediaId: string; alt: string }[] = [];
  const buttons: DingTalkButton[] = [];
  let form: { name: string; fields: DingTalkFormField[]; submit: DingTalkButton } | null = null;
  for (const element of card.elements) {
    if (element.kind === 'image') images.push({ mediaId: element.imageKey, alt: element.alt });
    else if (element.kind === 'buttons') buttons.push(...element.buttons.map(button));
    else if (element.kind === 'form') form = { name: element.name, fields: element.fields.map(formField), submit: button(element.submit) };
    else {
      const text = markdownOf(element, mentioned);
      if (text) paragraphs.push(text);
    }
  }
  return {
    cardParamMap: {
      title: card.title,
      subtitle: card.subtitle ?? '',
      colour: card.colour,
      tags: (card.tags ?? []).map((t) => t.text).join(' · '),
      content: paragraphs.join('\n\n'),
      images: JSON.stringify(images),
      buttons: JSON.stringify(buttons),
      form: form ? JSON.stringify(form) : '',
      summary: card.summary ?? card.title,
    },
    atUserIds: [...mentioned.ids],
  };
}
