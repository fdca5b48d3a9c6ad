import { describe, expect, it } from 'vitest';
import { mention, type Card, type CardColour, type CardElement } from '../../../cards/model.js';
import { renderFeishuCard, type FeishuElement } from '../../../src/platforms/feishu/render-card.js';
import { checkFeishuCard } from '../../support/feishu-card-rules.js';

const ACCEPT = { a: 'accept', t: 'T1', v: 3 };
const REJECT = { a: 'reject', t: 'T1', v: 3, x: { why: 'dup' } };

const measuresForm: CardElement = {
  kind: 'form',
  name: 'rect',
  fields: [
    { kind: 'text', name: 'measures', label: '整改措施', placeholder: '请输入', multiline: true, required: true, maxLength: 5000 },
    { kind: 'text', name: 'code', label: '编号', initial: 'A-1', maxLength: 0 },
    { kind: 'select', name: 'level', label: '等级', options: [{ value: 'p0', label: 'P0' }, { value: 'p1', label: 'P1' }], initial: 'p1' },
    { kind: 'person', name: 'owner', label: '负责人', initial: 'ou_owner', required: true },
    { kind: 'date', name: 'due', label: '期限', initial: '2025-03-01' },
    { kind: 'date', name: 'review', label: '复查日' },
  ],
  submit: { label: '提交', style: 'primary', action: { a: 'submit_measures', t: 'T1', v: 3 }, confirm: '确认提交？' },
};

const everything: Card = {
  title: '第3号问题',
  subtitle: `由 ${mention('ou_boss')} 交办`,
  colour: 'orange',
  tags: [{ text: '整改中', colour: 'grey' }, { text: '逾期', colour: 'red' }],
  summary: '第3号问题 待整改',
  elements: [
    { kind: 'markdown', text: `请 ${mention('ou_a')} 处理` },
    { kind: 'fields', fields: [{ label: '负责人', value: mention('ou_b') }, { label: '期限', value: '3月1日' }] },
    { kind: 'image', imageKey: 'img_v3_x', alt: '现场照片' },
    { kind: 'divider' },
    { kind: 'buttons', buttons: [{ label: '接受', style: 'primary', action: ACCEPT }] },
    { kind: 'buttons', buttons: [
      { label: '接受', style: 'primary', action: ACCEPT },
      { label: '退回', style: 'danger', action: REJECT, confirm: '确定退回？' },
      { label: '详情', style: 'default', action: { a: 'detail' } },
    ] },
    measuresForm,
    { kind: 'note', text: `抄送 ${mention('ou_c')}` },
  ],
};

function card(elements: CardElement[], colour: CardColour = 'blue'): Card {
  return { title: 't', colour, elements };
}

const els = (c: Card) => renderFeishuCard(c).body.elements;
const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('renderFeishuCard', () => {
  it('renders a card using every element and field kind into valid JSON 2.0', () => {
    const json = renderFeishuCard(everything);
    expect(checkFeishuCard(json)).toEqual([]);
    expect(checkFeishuCard(roundTrip(json))).toEqual([]);
    expect(json.schema).toBe('2.0');
    expect(json.config).toEqual({ update_multi: true, enable_forward: true, summary: { content: '第3号问题 待整改' } });
    expect(json.body.elements.map((e) => e.tag)).toEqual(['markdown', 'markdown', 'img', 'hr', 'button', 'column_set', 'form', 'markdown']);
  });

  it('builds the header with mapped colours and text tags', () => {
    const { header } = renderFeishuCard(everything);
    expect(header.title).toEqual({ tag: 'plain_text', content: '第3号问题' });
    // plain_text cannot show a mention, so the marker becomes the bare id
    expect(header.subtitle).toEqual({ tag: 'plain_text', content: '由 @ou_boss 交办' });
    expect(header.template).toBe('orange');
    expect(header.text_tag_list).toEqual([
      { tag: 'text_tag', text: { tag: 'plain_text', content: '整改中' }, color: 'neutral' },
      { tag: 'text_tag', text: { tag: 'plain_text', content: '逾期' }, color: 'red' },
    ]);
  });

  it.each(['blue', 'yellow', 'red', 'green', 'grey', 'orange'] as const)('maps colour %s to the same header template', (colour) => {
    const json = renderFeishuCard(card([], colour));
    expect(json.header.template).toBe(colour);
    expect(checkFeishuCard(json)).toEqual([]);
  });

  it('keeps at most three header tags and omits optional header parts', () => {
    const tags = ['a', 'b', 'c', 'd'].map((text) => ({ text, colour: 'blue' as const }));
    const json = renderFeishuCard({ ...card([]), tags });
    expect(json.header.text_tag_list).toHaveLength(3);
    const bare = renderFeishuCard(card([]));
    expect(bare.header).not.toHaveProperty('subtitle');
    expect(bare.header).not.toHaveProperty('text_tag_list');
    expect(bare.config).not.toHaveProperty('summary');
  });

  it('turns <@id> markers into <at id=…></at> in markdown, fields and notes', () => {
    const [md, fields, , , , , , note] = els(everything);
    expect(md).toEqual({ tag: 'markdown', content: '请 <at id=ou_a></at> 处理' });
    expect(fields).toEqual({ tag: 'markdown', content: '**负责人**：<at id=ou_b></at>\n**期限**：3月1日' });
    expect(note).toEqual({ tag: 'markdown', content: '抄送 <at id=ou_c></at>', text_size: 'notation' });
  });

  it('renders images and dividers', () => {
    const [, , img, hr] = els(everything);
    expect(img).toEqual({ tag: 'img', img_key: 'img_v3_x', alt: { tag: 'plain_text', content: '现场照片' } });
    expect(hr).toEqual({ tag: 'hr' });
  });

  it('puts a lone button straight into elements with a callback carrying the action', () => {
    const button = els(everything)[4]!;
    expect(button).toEqual({
      tag: 'button',
      text: { tag: 'plain_text', content: '接受' },
      type: 'primary_filled',
      behaviors: [{ type: 'callback', value: ACCEPT }],
    });
  });

  it('lays several buttons out in a flowing column_set and keeps their values as objects', () => {
    const row = els(everything)[5]!;
    expect(row).toMatchObject({ tag: 'column_set', flex_mode: 'flow' });
    const buttons = (row.columns as { elements: FeishuElement[] }[]).map((c) => c.elements[0]!);
    expect(buttons.map((b) => b.type)).toEqual(['primary_filled', 'danger', 'default']);
    const values = buttons.map((b) => (roundTrip(b.behaviors) as { value: unknown }[])[0]!.value);
    expect(values).toEqual([ACCEPT, REJECT, { a: 'detail' }]);
    expect(buttons[1]!.confirm).toEqual({
      title: { tag: 'plain_text', content: '请确认' },
      text: { tag: 'plain_text', content: '确定退回？' },
    });
  });

  it('does not leak undefined keys or share objects with the neutral action', () => {
    const action = { a: 'x', t: undefined, x: { k: 'v' } };
    const button = els(card([{ kind: 'buttons', buttons: [{ label: 'b', style: 'default', action }] }]))[0]!;
    const value = (button.behaviors as { value: Record<string, unknown> }[])[0]!.value;
    expect(Object.keys(value)).toEqual(['a', 'x']);
    expect(value.x).not.toBe(action.x);
  });

  it('renders a form at the body root with named fields and a submit button', () => {
    const form = els(everything)[6]!;
    expect(form.tag).toBe('form');
    expect(form.name).toBe('rect');
    const inner = form.elements as FeishuElement[];
    expect(inner.map((e) => e.tag)).toEqual([
      'input', 'input', 'markdown', 'select_static', 'markdown', 'select_person', 'markdown', 'date_picker', 'markdown', 'date_picker', 'button',
    ]);
    expect(inner.filter((e) => e.tag !== 'markdown').map((e) => e.name)).toEqual([
      'measures', 'code', 'level', 'owner', 'due', 'review', 'rect_submit',
    ]);
    const submit = inner.at(-1)!;
    expect(submit).toMatchObject({
      form_action_type: 'submit',
      type: 'primary_filled',
      behaviors: [{ type: 'callback', value: { a: 'submit_measures', t: 'T1', v: 3 } }],
      confirm: { text: { tag: 'plain_text', content: '确认提交？' } },
    });
  });

  it('maps text fields to input with label, multiline rows and a clamped max_length', () => {
    const [measures, code] = els(everything)[6]!.elements as FeishuElement[];
    expect(measures).toEqual({
      tag: 'input',
      name: 'measures',
      required: true,
      placeholder: { tag: 'plain_text', content: '请输入' },
      label: { tag: 'plain_text', content: '整改措施' },
      label_position: 'top',
      width: 'fill',
      input_type: 'multiline_text',
      rows: 4,
      max_length: 1000,
    });
    expect(code).toMatchObject({ name: 'code', default_value: 'A-1', max_length: 1 });
    expect(code).not.toHaveProperty('input_type');
  });

  it('maps select, person and date fields with labels before them and initial values', () => {
    const inner = els(everything)[6]!.elements as FeishuElement[];
    expect(inner[2]).toEqual({ tag: 'markdown', content: '**等级**' });
    expect(inner[3]).toMatchObject({
      tag: 'select_static',
      options: [
        { text: { tag: 'plain_text', content: 'P0' }, value: 'p0' },
        { text: { tag: 'plain_text', content: 'P1' }, value: 'p1' },
      ],
      initial_option: 'p1',
    });
    expect(inner[4]).toEqual({ tag: 'markdown', content: "**负责人**<font color='red'>*</font>" });
    expect(inner[5]).toMatchObject({ tag: 'select_person', options: [], initial_option: 'ou_owner', required: true });
    expect(inner[7]).toMatchObject({ tag: 'date_picker', initial_date: '2025-03-01' });
    expect(inner[9]).toMatchObject({ tag: 'date_picker', placeholder: { tag: 'plain_text', content: '请选择日期' } });
    expect(inner[9]).not.toHaveProperty('initial_date');
  });

  it('drops a select initial value that is not one of the options', () => {
    const form: CardElement = {
      kind: 'form', name: 'f',
      fields: [{ kind: 'select', name: 's', label: 'S', options: [{ value: 'a', label: 'A' }], initial: 'zzz' }],
      submit: { label: 'go', style: 'primary', action: { a: 'go' } },
    };
    const select = (els(card([form]))[0]!.elements as FeishuElement[])[1]!;
    expect(select.tag).toBe('select_static');
    expect(select).not.toHaveProperty('initial_option');
  });

  it("gives every empty picker a hint, and keeps the form's own placeholder or value", () => {
    const form: CardElement = {
      kind: 'form', name: 'f',
      fields: [
        { kind: 'select', name: 's', label: 'S', options: [{ value: 'a', label: 'A' }] },
        { kind: 'person', name: 'p', label: 'P' },
        { kind: 'date', name: 'd', label: 'D' },
        { kind: 'person', name: 'q', label: 'Q', placeholder: '不选则用科室的责任领导' },
        { kind: 'person', name: 'r', label: 'R', initial: 'ou_owner' },
        { kind: 'select', name: 't', label: 'T', options: [{ value: 'a', label: 'A' }], initial: 'a' },
      ],
      submit: { label: 'go', style: 'primary', action: { a: 'go' } },
    };
    const json = renderFeishuCard(card([form]));
    expect(checkFeishuCard(json)).toEqual([]);
    const pickers = (json.body.elements[0]!.elements as FeishuElement[]).filter((e) => e.tag !== 'markdown' && e.tag !== 'button');
    expect(pickers.map((e) => (e['placeholder'] as { content: string } | undefined)?.content ?? null)).toEqual([
      '请选择', '请选择人员', '请选择日期', '不选则用科室的责任领导', null, null,
    ]);
  });

  it('keeps the submit button name clear of field names anywhere in the card', () => {
    const form = (name: string, field: string): CardElement => ({
      kind: 'form', name,
      fields: [{ kind: 'text', name: field, label: field }],
      submit: { label: 'go', style: 'primary', action: { a: name } },
    });
    const json = renderFeishuCard(card([form('a', 'a_submit'), form('b', 'x')]));
    expect(checkFeishuCard(json)).toEqual([]);
    const submit = (json.body.elements[0]!.elements as FeishuElement[]).at(-1)!;
    expect(submit.name).toBe('a_submit_2');
  });

  it('renders nothing for empty button rows and empty field lists', () => {
    const json = renderFeishuCard(card([{ kind: 'buttons', buttons: [] }, { kind: 'fields', fields: [] }]));
    expect(json.body.elements).toEqual([]);
    expect(checkFeishuCard(json)).toEqual([]);
  });
});

// A minimal valid card to break one rule at a time.
function base(elements: unknown[]): Record<string, unknown> {
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: 't' }, template: 'blue' },
    body: { elements },
  };
}
const btn = (extra: Record<string, unknown> = {}) => ({
  tag: 'button', text: { tag: 'plain_text', content: 'b' }, behaviors: [{ type: 'callback', value: { a: 'x' } }], ...extra,
});
const submit = (name = 'go') => btn({ name, form_action_type: 'submit' });
const input = (name?: string) => ({ tag: 'input', ...(name ? { name } : {}) });
const form = (elements: unknown[], name = 'f') => ({ tag: 'form', name, elements });
const table = () => ({ tag: 'table', columns: [{ name: 'a', display_name: 'A' }], rows: [{ a: '1' }] });
const expectError = (json: unknown, pattern: RegExp) => {
  const errors = checkFeishuCard(json);
  expect(errors.some((e) => pattern.test(e)), errors.join('\n') || '(no errors)').toBe(true);
};

describe('checkFeishuCard', () => {
  it('accepts a minimal card', () => {
    expect(checkFeishuCard(base([{ tag: 'markdown', content: 'hi' }, form([input('n'), submit()])]))).toEqual([]);
  });

  it('catches an unknown property, nested ones included', () => {
    expectError(base([{ tag: 'markdown', content: 'x', colour: 'red' }]), /unknown property "colour" on markdown/);
    expectError(base([btn({ text: { tag: 'plain_text', content: 'b', bold: true } })]), /elements\[0\]\.text: unknown property "bold"/);
    expectError(base([btn({ confirm: { title: { tag: 'plain_text', content: 'a' }, text: { tag: 'plain_text', content: 'b' }, ok: 1 } })]), /unknown property "ok"/);
  });

  it('catches a JSON 1.0 action wrapper', () => {
    expectError(base([{ tag: 'action', actions: [btn()] }]), /tag "action" is JSON 1\.0/);
  });

  it('catches a form nested in a column and a form inside a form', () => {
    const nested = { tag: 'column_set', columns: [{ tag: 'column', elements: [form([input('n'), submit()])] }] };
    expectError(base([nested]), /form may only sit at the body root/);
    expectError(base([form([input('n'), submit(), form([submit('g2')], 'inner')])]), /form nested inside form "f"/);
  });

  it('catches a form without a submit button', () => {
    expectError(base([form([input('n'), btn({ name: 'b' })])]), /form "f" has no submit button/);
  });

  it('catches duplicate and missing field names', () => {
    expectError(base([form([input('n'), input('n'), submit()])]), /name "n" is used twice in form "f"/);
    expectError(base([form([input('n'), submit()], 'f1'), form([input('n'), submit('go2')], 'f2')]), /name "n" is used twice in the card/);
    expectError(base([form([input(), submit()])]), /input inside form "f" needs a name/);
  });

  it('catches a card over 30 KB', () => {
    const big = base([{ tag: 'markdown', content: '督'.repeat(11 * 1024) }]);
    expectError(big, /bytes; the limit is 30720/);
  });

  it('catches more than five tables and tables below the root', () => {
    expect(checkFeishuCard(base([1, 2, 3, 4, 5].map(table)))).toEqual([]);
    expectError(base([1, 2, 3, 4, 5, 6].map(table)), /6 tables; at most 5/);
    expectError(base([{ tag: 'column_set', columns: [{ tag: 'column', elements: [table()] }] }]), /table may only sit at the body root/);
  });

  it('catches a bad skeleton', () => {
    expectError({ ...base([]), schema: '1.0' }, /schema must be "2\.0"/);
    expectError({ ...base([]), config: { update_multi: false } }, /update_multi must be true/);
    expectError({ ...base([]), header: { template: 'blue' } }, /header\.title is required/);
    expectError({ ...base([]), body: { elements: 'x' } }, /body\.elements must be an array/);
  });

  it('catches callback values that are neither objects nor strings', () => {
    expectError(base([btn({ behaviors: [{ type: 'callback', value: 42 }] })]), /callback value must be an object or a string/);
  });

  it('catches containers nested more than five deep and more than 200 components', () => {
    let deep: unknown = { tag: 'markdown', content: 'x' };
    for (let i = 0; i < 6; i++) deep = { tag: 'column_set', columns: [{ tag: 'column', elements: [deep] }] };
    expectError(base([deep]), /containers nested 6 deep; at most 5/);
    expectError(base(Array.from({ length: 201 }, () => ({ tag: 'hr' }))), /201 components; at most 200/);
  });
});

describe('renderFeishuCard tables and charts', () => {
  const columns = [
    { name: 'dept', label: '科室', kind: 'text' as const },
    { name: 'n', label: '在办', kind: 'number' as const },
    { name: 'who', label: '负责人', kind: 'markdown' as const },
  ];
  it('renders a table at the body root with mapped data types and mentions only in markdown cells', () => {
    const rows: Record<string, string | number>[] = [{ dept: `急诊科 ${mention('ou_x')}`, n: 3, who: `**${mention('ou_a')}**`, stray: 'dropped' }, { dept: '门诊部', n: '2' }];
    const json = renderFeishuCard(card([{ kind: 'table', columns, rows, pageSize: 50 }]));
    expect(checkFeishuCard(json)).toEqual([]);
    expect(json.body.elements).toEqual([{
      tag: 'table', page_size: 10, freeze_first_column: true, header_style: { background_style: 'grey', bold: true },
      columns: [
        { name: 'dept', display_name: '科室', data_type: 'text' },
        { name: 'n', display_name: '在办', data_type: 'number' },
        { name: 'who', display_name: '负责人', data_type: 'lark_md' },
      ],
      rows: [{ dept: '急诊科 @ou_x', n: 3, who: '**<at id=ou_a></at>**' }, { dept: '门诊部', n: 2 }],
    }]);
  });
  it('shows a number column holding non-numbers as text and keeps page_size within 1–10', () => {
    const [t] = els(card([{ kind: 'table', columns, rows: [{ dept: 'a', n: '—' }] }]));
    expect((t!.columns as { data_type: string }[])[1]!.data_type).toBe('text');
    expect(t!.rows).toEqual([{ dept: 'a', n: '—' }]);
    expect(els(card([{ kind: 'table', columns, rows: [] }]))[0]!.page_size).toBe(1);
  });
  it('renders a line chart as a VChart spec and a bar chart grouped by series', () => {
    const points = [{ x: '第1周', series: '新发现', y: 3 }, { x: '第1周', series: '已销号', y: 1 }];
    const json = renderFeishuCard(card([{ kind: 'chart', chartType: 'line', title: '趋势', points }]));
    expect(checkFeishuCard(json)).toEqual([]);
    expect(json.body.elements).toEqual([{
      tag: 'chart', aspect_ratio: '16:9',
      chart_spec: {
        type: 'line', title: { text: '趋势' },
        data: { values: [{ x: '第1周', series: '新发现', y: 3 }, { x: '第1周', series: '已销号', y: 1 }] },
        xField: 'x', yField: 'y', seriesField: 'series', legends: { visible: true, orient: 'bottom' },
      },
    }]);
    const [bar] = els(card([{ kind: 'chart', chartType: 'bar', title: 'b', points }]));
    expect((bar!.chart_spec as { xField: unknown }).xField).toEqual(['x', 'series']);
    expect(els(card([{ kind: 'chart', chartType: 'line', title: 'empty', points: [] }]))).toEqual([]);
  });
});
