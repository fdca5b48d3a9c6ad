// Neutral Card → Feishu card JSON 2.0. Runs on Node and on Workers, so web standards only.
// Property choices follow shared/notes/platform.md §2 and larksuite/cli card-examples; JSON 2.0
// rejects unknown properties, so nothing is emitted here that test/support/feishu-card-rules.ts
// would not accept.
import { EMPTY_INPUT_HINTS, MENTION_PATTERN } from '../../../cards/model.js';
import type { ActionPayload, Card, CardButton, CardColour, CardElement, FormField, TableColumn } from '../../../cards/model.js';

export interface FeishuText {
  tag: 'plain_text';
  content: string;
}

/** One component of body.elements; loosely typed because JSON 2.0 has dozens of shapes. */
export interface FeishuElement {
  tag: string;
  [property: string]: unknown;
}

export interface FeishuCardJson {
  schema: '2.0';
  config: { update_multi: true; enable_forward: boolean; summary?: { content: string } };
  header: {
    title: FeishuText;
    subtitle?: FeishuText;
    template: string;
    text_tag_list?: { tag: 'text_tag'; text: FeishuText; color: string }[];
  };
  body: { elements: FeishuElement[] };
}

const HEADER_TEMPLATE: Record<CardColour, string> = {
  blue: 'blue',
  yellow: 'yellow',
  red: 'red',
  green: 'green',
  grey: 'grey',
  orange: 'orange',
};

// text_tag has no "grey"; "neutral" is its grey.
const TAG_COLOUR: Record<CardColour, string> = {
  blue: 'blue',
  yellow: 'yellow',
  red: 'red',
  green: 'green',
  grey: 'neutral',
  orange: 'orange',
};

const BUTTON_TYPE: Record<CardButton['style'], string> = {
  primary: 'primary_filled',
  danger: 'danger',
  default: 'default',
};

// The header shows at most three tags; further ones would be dropped by the client anyway.
const MAX_HEADER_TAGS = 3;
const INPUT_MAX_LENGTH = 1000;
const MULTILINE_ROWS = 4;

export function renderFeishuCard(card: Card): FeishuCardJson {
  const header: FeishuCardJson['header'] = {
    title: plainText(card.title),
    template: HEADER_TEMPLATE[card.colour],
  };
  if (card.subtitle) header.subtitle = plainText(card.subtitle);
  if (card.tags && card.tags.length > 0) {
    header.text_tag_list = card.tags.slice(0, MAX_HEADER_TAGS).map((t) => ({
      tag: 'text_tag' as const,
      text: plainText(t.text),
      color: TAG_COLOUR[t.colour],
    }));
  }
  const config: FeishuCardJson['config'] = { update_multi: true, enable_forward: true };
  if (card.summary) config.summary = { content: withoutMentions(card.summary) };

  const usedNames = new Set<string>();
  const elements = card.elements.flatMap((element) => renderElement(element, usedNames));
  return { schema: '2.0', config, header, body: { elements } };
}

function renderElement(element: CardElement, usedNames: Set<string>): FeishuElement[] {
  switch (element.kind) {
    case 'markdown':
      return [markdown(element.text)];
    case 'note':
      return [{ ...markdown(element.text), text_size: 'notation' }];
    case 'fields':
      if (element.fields.length === 0) return [];
      return [markdown(element.fields.map((f) => `**${f.label}**：${f.value}`).join('\n'))];
    case 'image':
      return [{ tag: 'img', img_key: element.imageKey, alt: plainText(element.alt) }];
    case 'divider':
      return [{ tag: 'hr' }];
    case 'buttons':
      return renderButtonRow(element.buttons);
    case 'form':
      return [renderForm(element, usedNames)];
    case 'table':
      return [renderTable(element)];
    case 'chart':
      // A chart without points draws an empty frame; saying nothing is clearer.
      return element.points.length === 0 ? [] : [renderChart(element)];
  }
}

// lark_md (client ≥ 7.10) rather than full markdown (≥ 7.14): it shows links, bold and
// <at id=…></at>, which is all a cell needs, on more clients [doc table.md, data_type].
const TABLE_DATA_TYPE: Record<TableColumn['kind'], string> = { text: 'text', number: 'number', markdown: 'lark_md' };
const TABLE_PAGE_MAX = 10;

function renderTable(table: Extract<CardElement, { kind: 'table' }>): FeishuElement {
  // A number column takes JSON numbers (doc table.md); one that holds anything else, such as
  // a "—", is sent as text so the cell still reads instead of risking a blank or a refusal.
  const numeric = new Set(
    table.columns
      .filter((c) => c.kind === 'number' && table.rows.every((r) => r[c.name] === undefined || asNumber(r[c.name]) !== null))
      .map((c) => c.name),
  );
  const dataType = (c: TableColumn) => (c.kind === 'number' && !numeric.has(c.name) ? 'text' : TABLE_DATA_TYPE[c.kind]);
  const columns = table.columns.map((c) => ({ name: c.name, display_name: withoutMentions(c.label), data_type: dataType(c) }));
  // Only declared columns travel: anything else in a row is bytes the client never shows.
  const rows = table.rows.map((row) => {
    const out: Record<string, string | number> = {};
    for (const c of table.columns) {
      const cell = row[c.name];
      if (cell === undefined) continue;
      if (numeric.has(c.name)) out[c.name] = asNumber(cell)!;
      else out[c.name] = c.kind === 'markdown' ? withFeishuMentions(String(cell)) : withoutMentions(String(cell));
    }
    return out;
  });
  return {
    tag: 'table',
    page_size: clamp(Math.round(table.pageSize ?? table.rows.length), 1, TABLE_PAGE_MAX),
    // Keeps the names in view while a wide table scrolls sideways on a phone.
    freeze_first_column: true,
    header_style: { background_style: 'grey', bold: true },
    columns,
    rows,
  };
}

function asNumber(cell: string | number | undefined): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (cell === undefined || cell.trim() === '') return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}

// A VChart spec in the shape of the Feishu chart doc's line and bar examples: one data
// list, x/y/series fields, legend below. A bar chart groups its bars by series through the
// two-level xField, as the doc's bar example does.
function renderChart(chart: Extract<CardElement, { kind: 'chart' }>): FeishuElement {
  return {
    tag: 'chart',
    aspect_ratio: '16:9',
    chart_spec: {
      type: chart.chartType,
      title: { text: withoutMentions(chart.title) },
      data: { values: chart.points.map((p) => ({ x: p.x, series: p.series, y: p.y })) },
      xField: chart.chartType === 'bar' ? ['x', 'series'] : 'x',
      yField: 'y',
      seriesField: 'series',
      legends: { visible: true, orient: 'bottom' },
    },
  };
}

function renderButtonRow(buttons: CardButton[]): FeishuElement[] {
  if (buttons.length === 0) return [];
  const [only] = buttons;
  if (buttons.length === 1 && only) return [button(only)];
  // "flow" wraps the row on narrow phone screens instead of squeezing every label.
  return [
    {
      tag: 'column_set',
      flex_mode: 'flow',
      horizontal_spacing: '8px',
      horizontal_align: 'left',
      columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [button(b)] })),
    },
  ];
}

function button(b: CardButton): FeishuElement {
  const out: FeishuElement = {
    tag: 'button',
    text: plainText(b.label),
    type: BUTTON_TYPE[b.style],
    behaviors: [{ type: 'callback', value: payloadValue(b.action) }],
  };
  if (b.confirm) out.confirm = { title: plainText('请确认'), text: plainText(b.confirm) };
  return out;
}

function renderForm(form: Extract<CardElement, { kind: 'form' }>, usedNames: Set<string>): FeishuElement {
  // Feishu wants component names unique across the whole card, not only within the form.
  for (const field of form.fields) usedNames.add(field.name);
  const elements = form.fields.flatMap(renderField);
  const submit = button(form.submit);
  submit.name = uniqueName(`${form.name}_submit`, usedNames);
  submit.form_action_type = 'submit';
  elements.push(submit);
  return { tag: 'form', name: form.name, elements };
}

function renderField(field: FormField): FeishuElement[] {
  const common: Record<string, unknown> = { name: field.name };
  if (field.required) common.required = true;
  if (field.placeholder) common.placeholder = plainText(field.placeholder);
  switch (field.kind) {
    case 'text': {
      // input is the one field component with a label of its own.
      const input: FeishuElement = {
        tag: 'input',
        ...common,
        label: plainText(field.label),
        label_position: 'top',
        width: 'fill',
      };
      if (field.multiline) {
        input.input_type = 'multiline_text';
        input.rows = MULTILINE_ROWS;
      }
      if (field.maxLength !== undefined) input.max_length = clamp(Math.round(field.maxLength), 1, INPUT_MAX_LENGTH);
      if (field.initial !== undefined) input.default_value = field.initial;
      return [input];
    }
    case 'select': {
      const select: FeishuElement = {
        tag: 'select_static',
        ...common,
        width: 'fill',
        options: field.options.map((o) => ({ text: plainText(o.label), value: o.value })),
      };
      if (field.initial !== undefined && field.options.some((o) => o.value === field.initial)) {
        select.initial_option = field.initial;
      }
      emptyPickerHint(select, field);
      return [fieldLabel(field), select];
    }
    case 'person': {
      // Empty options lets the user pick anyone rather than a fixed list.
      const person: FeishuElement = { tag: 'select_person', ...common, width: 'fill', options: [] };
      if (field.initial) person.initial_option = field.initial;
      emptyPickerHint(person, field);
      return [fieldLabel(field), person];
    }
    case 'date': {
      const date: FeishuElement = { tag: 'date_picker', ...common, width: 'fill' };
      if (field.initial) date.initial_date = field.initial;
      emptyPickerHint(date, field);
      return [fieldLabel(field), date];
    }
  }
}

/** A picker with neither a value nor a placeholder renders as a blank box. */
function emptyPickerHint(picker: FeishuElement, field: FormField): void {
  const chosen = picker['initial_option'] ?? picker['initial_date'];
  if (chosen === undefined && !field.placeholder) picker['placeholder'] = plainText(EMPTY_INPUT_HINTS[field.kind]);
}

function fieldLabel(field: FormField): FeishuElement {
  const star = field.required ? "<font color='red'>*</font>" : '';
  return markdown(`**${field.label}**${star}`);
}

function markdown(text: string): FeishuElement {
  return { tag: 'markdown', content: withFeishuMentions(text) };
}

function plainText(content: string): FeishuText {
  return { tag: 'plain_text', content: withoutMentions(content) };
}

export function withFeishuMentions(text: string): string {
  return text.replace(MENTION_PATTERN, (_marker, id: string) => `<at id=${id}></at>`);
}

// plain_text cannot show a mention; the bare id beats a raw "<@…>" marker.
function withoutMentions(text: string): string {
  return text.replace(MENTION_PATTERN, (_marker, id: string) => `@${id}`);
}

/** A fresh, undefined-free object: Feishu echoes it back verbatim as action.value. */
function payloadValue(action: ActionPayload): Record<string, unknown> {
  const value: Record<string, unknown> = { a: action.a };
  if (action.t !== undefined) value.t = action.t;
  if (action.v !== undefined) value.v = action.v;
  if (action.x !== undefined) value.x = { ...action.x };
  return value;
}

function uniqueName(wanted: string, used: Set<string>): string {
  let name = wanted;
  for (let i = 2; used.has(name); i++) name = `${wanted}_${i}`;
  used.add(name);
  return name;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
