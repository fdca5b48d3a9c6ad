// The neutral card: what every chat platform can show. Views in cards/ build these; each
// platform's render-card turns one into its own JSON. No platform vocabulary here.

export type CardColour = 'blue' | 'yellow' | 'red' | 'green' | 'grey' | 'orange';

/** What a button or form submit sends back. Kept short: it travels inside every card. */
export interface ActionPayload {
  /** the action name, e.g. "accept" */
  a: string;
  /** task id, when the action is about a task */
  t?: string;
  /** task version the card was drawn from: a stale click is recognised by it */
  v?: number;
  /** any extra, small, string values */
  x?: Record<string, string>;
}

export interface CardButton {
  label: string;
  style: 'primary' | 'default' | 'danger';
  action: ActionPayload;
  /** ask "are you sure?" before sending */
  confirm?: string;
}

export type FormField =
  | {
      kind: 'text';
      name: string;
      label: string;
      placeholder?: string;
      multiline?: boolean;
      required?: boolean;
      initial?: string;
      maxLength?: number;
    }
  | {
      kind: 'select';
      name: string;
      label: string;
      placeholder?: string;
      required?: boolean;
      options: { value: string; label: string }[];
      initial?: string;
    }
  | { kind: 'person'; name: string; label: string; placeholder?: string; required?: boolean; initial?: string }
  | { kind: 'date'; name: string; label: string; placeholder?: string; required?: boolean; initial?: string };

/**
 * What an input shows while empty and without a placeholder of its own: a picker with neither a
 * value nor a hint looks like a blank box, and people do not see that it is to be filled.
 */
export const EMPTY_INPUT_HINTS: Record<FormField['kind'], string> = {
  text: '请输入',
  select: '请选择',
  person: '请选择人员',
  date: '请选择日期',
};

export type CardElement =
  /** Markdown; `<@userId>` marks a mention, rendered by each platform in its own way. */
  | { kind: 'markdown'; text: string }
  | { kind: 'fields'; fields: { label: string; value: string }[] }
  | { kind: 'image'; imageKey: string; alt: string }
  | { kind: 'buttons'; buttons: CardButton[] }
  | { kind: 'form'; name: string; fields: FormField[]; submit: CardButton }
  | { kind: 'divider' }
  | { kind: 'note'; text: string }
  /** a table of figures; cells may hold mentions and short markdown */
  | { kind: 'table'; columns: TableColumn[]; rows: Record<string, string | number>[]; pageSize?: number }
  /** a small chart: one point per (x, series) */
  | { kind: 'chart'; chartType: 'line' | 'bar'; title: string; points: { x: string; series: string; y: number }[] };

export interface TableColumn {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'markdown';
}

export interface Card {
  title: string;
  subtitle?: string;
  colour: CardColour;
  /** short status chips next to the title, e.g. "整改中" */
  tags?: { text: string; colour: CardColour }[];
  elements: CardElement[];
  /** one line shown in the chat list */
  summary?: string;
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

export const MENTION_PATTERN = /<@([^>\s]+)>/g;

/** The people a card or a text mentions, each once, in the order they first appear. */
export function mentionsIn(body: Card | string): string[] {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return [...new Set(Array.from(text.matchAll(MENTION_PATTERN), (m) => m[1]!))];
}

/** `<@id>` as the reader should see it where a platform writes mentions as text: `@name`, else `@id`. */
export function mentionAsText(userId: string, names: ReadonlyMap<string, string> | undefined): string {
  return `@${names?.get(userId) ?? userId}`;
}
