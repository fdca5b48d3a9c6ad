// The project's written-down understanding of Feishu card JSON 2.0, run on every card a test
// produces. JSON 2.0 rejects unknown properties (error 200621), so every object is checked
// against a whitelist. Sources, cited per row:
//   CLI  = larksuite/cli skills/lark-im/card-examples/*.json (28 official sample cards, every key seen)
//   DOC  = open.feishu.cn card-json-v2-components/* pages and shared/notes/platform.md §2
//   RS   = adamcavendish/larksuite-oapi-sdk-rs src/card/v2.rs (third party, deny_unknown_fields)

type Kind =
  | 'any' | 'text' | 'icon' | 'behaviors' | 'confirm' | 'elements' | 'columns' | 'options'
  | 'person_options' | 'table_columns' | 'header_style' | 'div_fields' | 'panel_header';

interface Shape {
  props: string;
  /** properties whose value is itself checked; the rest are opaque */
  kinds?: Record<string, Kind>;
  src: string;
}

const COMMON = 'element_id margin';
const CONTROL = `${COMMON} name required placeholder width disabled disabled_tips hover_tips behaviors confirm`;
const TEXTS: Record<string, Kind> = {
  text: 'text', title: 'text', placeholder: 'text', alt: 'text', label: 'text',
  disabled_tips: 'text', hover_tips: 'text', icon: 'icon', ud_icon: 'icon',
  behaviors: 'behaviors', confirm: 'confirm', elements: 'elements',
};

// tag                     allowed properties besides `tag`                                         source
const COMPONENTS: Record<string, Shape> = {
  markdown:              { props: `${COMMON} content text_size text_align icon i18n_content`, src: 'CLI, RS, DOC markdown' },
  div:                   { props: `${COMMON} text fields icon width`, kinds: { fields: 'div_fields' }, src: 'CLI, RS' },
  img:                   { props: `${COMMON} img_key alt title scale_type size corner_radius transparent preview`, src: 'CLI, RS' },
  img_combination:       { props: `${COMMON} combination_mode img_list img_list_length combination_transparent corner_radius`, src: 'CLI, RS' },
  person:                { props: `${COMMON} user_id size show_avatar show_name style`, src: 'RS' },
  person_list:           { props: `${COMMON} persons show_name show_avatar size lines drop_invalid_user_id icon ud_icon`, src: 'CLI, RS' },
  chart:                 { props: `${COMMON} chart_spec aspect_ratio color_theme height preview`, src: 'CLI, RS' },
  table:                 { props: `${COMMON} columns rows page_size row_height row_max_height freeze_first_column header_style`,
                           kinds: { columns: 'table_columns', header_style: 'header_style' }, src: 'CLI, RS, DOC table' },
  hr:                    { props: COMMON, src: 'CLI, RS' },
  column_set:            { props: `${COMMON} flex_mode horizontal_spacing horizontal_align background_style action columns`,
                           kinds: { columns: 'columns' }, src: 'CLI, RS' },
  column:                { props: `${COMMON} width weight vertical_align horizontal_align direction horizontal_spacing vertical_spacing padding background_style action elements`, src: 'CLI, RS' },
  form:                  { props: `${COMMON} name direction horizontal_spacing vertical_spacing horizontal_align vertical_align padding elements`, src: 'CLI, RS, DOC form-container' },
  collapsible_panel:     { props: `${COMMON} header elements expanded background_color border direction vertical_spacing horizontal_spacing padding`,
                           kinds: { header: 'panel_header' }, src: 'RS' },
  interactive_container: { props: `${COMMON} elements behaviors width height direction horizontal_align vertical_align horizontal_spacing vertical_spacing background_style has_border border_color corner_radius padding disabled disabled_tips hover_tips confirm`, src: 'CLI, RS' },
  repeat:                { props: `${COMMON} elements variable`, src: 'CLI' },
  button:                { props: `${COMMON} text type size width icon disabled disabled_tips hover_tips confirm name form_action_type behaviors`, src: 'CLI, RS, DOC button' },
  input:                 { props: `${CONTROL} label label_position default_value input_type rows auto_resize max_rows max_length`, src: 'CLI, RS, DOC input' },
  overflow:              { props: `${CONTROL} options`, src: 'RS' },
  select_static:         { props: `${CONTROL} options initial_option initial_index type`, src: 'CLI, RS' },
  multi_select_static:   { props: `${CONTROL} options selected_values type`, src: 'RS' },
  select_person:         { props: `${CONTROL} options initial_option type`, kinds: { options: 'person_options' }, src: 'CLI, RS' },
  multi_select_person:   { props: `${CONTROL} options selected_values type`, kinds: { options: 'person_options' }, src: 'RS' },
  date_picker:           { props: `${CONTROL} initial_date`, src: 'RS, DOC notes §2.2' },
  picker_time:           { props: `${CONTROL} initial_time`, src: 'RS' },
  picker_datetime:       { props: `${CONTROL} initial_datetime`, src: 'RS' },
  select_img:            { props: `${CONTROL} options multi_select layout aspect_ratio can_preview value`, kinds: { options: 'any' }, src: 'RS' },
  checker:               { props: `${CONTROL} checked text overall_checkable button_area checked_style`, src: 'RS' },
};

// Nested objects that are not components.              allowed properties               source
const OBJECTS = {
  root:          'schema config card_link header body',                              // RS Card, CLI
  config:        'streaming_mode streaming_config summary locales enable_forward update_multi width_mode use_custom_translation enable_forward_interaction style', // RS Config, CLI, notes §2.1
  summary:       'content i18n_content',                                             // RS Summary
  header:        'title subtitle template text_tag_list i18n_text_tag_list icon padding', // CLI, RS Header
  text_tag:      'tag element_id text color',                                        // CLI, RS HeaderTag
  body:          'direction padding horizontal_spacing vertical_spacing horizontal_align vertical_align elements', // CLI, RS Body
  text:          'tag content text_size text_color text_align lines i18n_content',  // CLI plain_text, RS Text
  icon:          'tag token color size img_key',                                     // CLI standard_icon, RS HeaderIcon
  callback:      'type value',                                                       // CLI, DOC button
  open_url:      'type default_url pc_url ios_url android_url',                      // CLI, DOC button
  confirm:       'title text',                                                       // RS Confirm, notes §2.2
  option:        'text value icon multi_url',                                        // CLI, RS SelectOption
  person_option: 'value',                                                            // RS PersonOption, notes §2.2
  table_column:  'name display_name data_type width horizontal_align vertical_align format date_format', // CLI, RS
  header_style:  'text_align text_size background_style text_color bold lines',     // CLI, RS, notes §2.4
  div_field:     'is_short text',                                                    // RS TextField, notes §2.2
  panel_header:  'title background_color width vertical_align icon icon_position icon_expanded_angle', // RS
} as const;

const HEADER_TEMPLATES = 'blue wathet turquoise green yellow orange red carmine violet purple indigo grey default'.split(' ');
const TAG_COLOURS = 'neutral blue turquoise lime orange violet indigo wathet green yellow red purple carmine'.split(' ');
const BUTTON_TYPES = 'default primary danger text primary_text danger_text primary_filled danger_filled laser'.split(' ');
const CONTAINERS = new Set(['column_set', 'form', 'collapsible_panel', 'interactive_container', 'repeat']);
// Components that hand a value to a form submit, so Feishu needs a name to key form_value by.
const NAMED_IN_FORM = new Set([
  'input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker',
  'picker_time', 'picker_datetime', 'checker', 'select_img', 'overflow', 'button',
]);

export const LIMITS = { bytes: 30 * 1024, elements: 200, tables: 5, depth: 5, headerTags: 3, inputMaxLength: 1000 };

interface FormScope {
  name: string;
  names: Set<string>;
  submits: number;
}

interface Ctx {
  errors: string[];
  elementCount: number;
  tables: number;
  formNames: Set<string>;
  cardNames: Set<string>;
  elementIds: Set<string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const words = (s: string): Set<string> => new Set(s.split(/\s+/).filter(Boolean));

export function checkFeishuCard(json: unknown): string[] {
  const ctx: Ctx = { errors: [], elementCount: 0, tables: 0, formNames: new Set(), cardNames: new Set(), elementIds: new Set() };
  const err = (m: string): void => void ctx.errors.push(m);
  if (!isObj(json)) return ['card is not a JSON object'];

  const bytes = new TextEncoder().encode(JSON.stringify(json)).length;
  if (bytes > LIMITS.bytes) err(`card is ${bytes} bytes; the limit is ${LIMITS.bytes}`);

  allowed(ctx, json, OBJECTS.root, 'card');
  if (json.schema !== '2.0') err(`schema must be "2.0", got ${JSON.stringify(json.schema)}`);

  if (json.config !== undefined) {
    if (!isObj(json.config)) err('config must be an object');
    else {
      allowed(ctx, json.config, OBJECTS.config, 'config');
      if (json.config.update_multi === false) err('config.update_multi must be true: JSON 2.0 cards are shared cards');
      if (json.config.summary !== undefined) {
        if (!isObj(json.config.summary) || typeof json.config.summary.content !== 'string') err('config.summary needs a string content');
        else allowed(ctx, json.config.summary, OBJECTS.summary, 'config.summary');
      }
    }
  }

  if (json.header !== undefined) checkHeader(ctx, json.header);

  if (!isObj(json.body)) err('body must be an object');
  else {
    allowed(ctx, json.body, OBJECTS.body, 'body');
    if (!Array.isArray(json.body.elements)) err('body.elements must be an array');
    else json.body.elements.forEach((e, i) => checkElement(ctx, e, `body.elements[${i}]`, { root: true, depth: 0, form: null }));
  }

  if (ctx.tables > LIMITS.tables) err(`${ctx.tables} tables; at most ${LIMITS.tables} per card`);
  if (ctx.elementCount > LIMITS.elements) err(`${ctx.elementCount} components; at most ${LIMITS.elements} per card`);
  return ctx.errors;
}

function checkHeader(ctx: Ctx, header: unknown): void {
  if (!isObj(header)) return void ctx.errors.push('header must be an object');
  allowed(ctx, header, OBJECTS.header, 'header');
  if (header.title === undefined) ctx.errors.push('header.title is required');
  else checkText(ctx, header.title, 'header.title');
  if (header.subtitle !== undefined) checkText(ctx, header.subtitle, 'header.subtitle');
  if (header.icon !== undefined) checkIcon(ctx, header.icon, 'header.icon');
  if (header.template !== undefined && !HEADER_TEMPLATES.includes(String(header.template))) {
    ctx.errors.push(`header.template ${JSON.stringify(header.template)} is not a Feishu colour`);
  }
  const tags = header.text_tag_list;
  if (tags === undefined) return;
  if (!Array.isArray(tags)) return void ctx.errors.push('header.text_tag_list must be an array');
  if (tags.length > LIMITS.headerTags) ctx.errors.push(`header has ${tags.length} tags; at most ${LIMITS.headerTags}`);
  tags.forEach((t, i) => {
    const path = `header.text_tag_list[${i}]`;
    if (!isObj(t) || t.tag !== 'text_tag') return void ctx.errors.push(`${path} must be a text_tag`);
    allowed(ctx, t, OBJECTS.text_tag, path);
    checkText(ctx, t.text, `${path}.text`);
    if (!TAG_COLOURS.includes(String(t.color))) ctx.errors.push(`${path}.color ${JSON.stringify(t.color)} is not a tag colour`);
  });
}

interface Where {
  root: boolean;
  depth: number;
  form: FormScope | null;
}

function checkElement(ctx: Ctx, el: unknown, path: string, where: Where): void {
  const err = (m: string): void => void ctx.errors.push(`${path}: ${m}`);
  if (!isObj(el)) return err('element must be an object');
  const tag = el.tag;
  if (tag === 'action') return err('tag "action" is JSON 1.0; put buttons straight into elements');
  if (typeof tag !== 'string' || !(tag in COMPONENTS)) return err(`unknown tag ${JSON.stringify(tag)}`);
  const shape = COMPONENTS[tag]!;
  if (tag !== 'column') ctx.elementCount++;
  allowed(ctx, el, `tag ${shape.props}`, path, tag);

  if (typeof el.element_id === 'string') {
    if (ctx.elementIds.has(el.element_id)) err(`element_id "${el.element_id}" is used twice`);
    ctx.elementIds.add(el.element_id);
  }

  let depth = where.depth;
  if (CONTAINERS.has(tag)) {
    depth += 1;
    if (depth > LIMITS.depth) err(`containers nested ${depth} deep; at most ${LIMITS.depth}`);
  }

  if (tag === 'form') return checkForm(ctx, el, path, where, depth);
  if (tag === 'table') {
    ctx.tables++;
    if (!where.root) err('table may only sit at the body root');
    if (el.page_size !== undefined && !(Number.isInteger(el.page_size) && Number(el.page_size) >= 1 && Number(el.page_size) <= 10)) {
      err('table.page_size must be 1–10');
    }
  }
  if (NAMED_IN_FORM.has(tag)) {
    const name = typeof el.name === 'string' && el.name !== '' ? el.name : null;
    if (where.form && !name) err(`${tag} inside form "${where.form.name}" needs a name`);
    if (name) {
      // Feishu keys form_value by name and wants names unique card-wide (input doc).
      if (where.form?.names.has(name)) err(`name "${name}" is used twice in form "${where.form.name}"`);
      else if (ctx.cardNames.has(name)) err(`name "${name}" is used twice in the card`);
      where.form?.names.add(name);
      ctx.cardNames.add(name);
    }
  }
  if (tag === 'button') {
    if (el.type !== undefined && !BUTTON_TYPES.includes(String(el.type))) err(`button type ${JSON.stringify(el.type)} is not known`);
    if (el.form_action_type !== undefined && el.form_action_type !== 'submit' && el.form_action_type !== 'reset') {
      err('form_action_type must be "submit" or "reset"');
    }
    if (el.form_action_type !== undefined && !where.form) err('form_action_type only works inside a form');
    if (el.form_action_type === 'submit' && where.form) where.form.submits++;
  }
  if (tag === 'input' && el.max_length !== undefined) {
    const n = el.max_length;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LIMITS.inputMaxLength) err('input.max_length must be 1–1000');
  }
  if (tag === 'input' && el.input_type !== undefined && !['text', 'multiline_text', 'password'].includes(String(el.input_type))) {
    err(`input_type ${JSON.stringify(el.input_type)} is not known`);
  }

  for (const [prop, value] of Object.entries(el)) {
    const kind = shape.kinds?.[prop] ?? TEXTS[prop] ?? 'any';
    checkValue(ctx, kind, value, `${path}.${prop}`, { root: false, depth, form: where.form });
  }
}

function checkForm(ctx: Ctx, el: Obj, path: string, where: Where, depth: number): void {
  const err = (m: string): void => void ctx.errors.push(`${path}: ${m}`);
  if (where.form) err(`form nested inside form "${where.form.name}"`);
  else if (!where.root) err('form may only sit at the body root');
  const name = typeof el.name === 'string' ? el.name : '';
  if (!name) err('form needs a name');
  else if (ctx.formNames.has(name)) err(`form name "${name}" is used twice`);
  ctx.formNames.add(name);
  const scope: FormScope = { name, names: new Set(), submits: 0 };
  if (!Array.isArray(el.elements) || el.elements.length === 0) err('form needs elements');
  for (const [prop, value] of Object.entries(el)) {
    const kind = TEXTS[prop] ?? 'any';
    checkValue(ctx, kind, value, `${path}.${prop}`, { root: false, depth, form: scope });
  }
  if (scope.submits === 0) err(`form "${name}" has no submit button (form_action_type "submit")`);
}

function checkValue(ctx: Ctx, kind: Kind, value: unknown, path: string, where: Where): void {
  const err = (m: string): void => void ctx.errors.push(`${path}: ${m}`);
  const list = (each: (item: unknown, p: string) => void) => {
    if (!Array.isArray(value)) return err('must be an array');
    value.forEach((item, i) => each(item, `${path}[${i}]`));
  };
  const object = (props: string) => (item: unknown, p: string) => {
    if (!isObj(item)) return void ctx.errors.push(`${p}: must be an object`);
    allowed(ctx, item, props, p);
    for (const k of ['text', 'title', 'icon']) if (item[k] !== undefined) checkValue(ctx, TEXTS[k]!, item[k], `${p}.${k}`, where);
  };
  switch (kind) {
    case 'any': return;
    case 'text': return checkText(ctx, value, path);
    case 'icon': return checkIcon(ctx, value, path);
    case 'elements': return list((e, p) => checkElement(ctx, e, p, where));
    case 'columns': return list((c, p) => (isObj(c) && c.tag === 'column' ? checkElement(ctx, c, p, where) : void ctx.errors.push(`${p}: column_set may only hold tag "column"`)));
    case 'behaviors': return list((b, p) => checkBehavior(ctx, b, p));
    case 'confirm': return object(OBJECTS.confirm)(value, path);
    case 'options': return list(object(OBJECTS.option));
    case 'person_options': return list(object(OBJECTS.person_option));
    case 'table_columns': return list(object(OBJECTS.table_column));
    case 'header_style': return object(OBJECTS.header_style)(value, path);
    case 'div_fields': return list(object(OBJECTS.div_field));
    case 'panel_header': return object(OBJECTS.panel_header)(value, path);
  }
}

function checkBehavior(ctx: Ctx, b: unknown, path: string): void {
  if (!isObj(b)) return void ctx.errors.push(`${path}: behavior must be an object`);
  if (b.type === 'callback') {
    allowed(ctx, b, OBJECTS.callback, path);
    // Feishu echoes this back as action.value; other types are not round-tripped faithfully.
    if (!isObj(b.value) && typeof b.value !== 'string') ctx.errors.push(`${path}.value: callback value must be an object or a string`);
  } else if (b.type === 'open_url') {
    allowed(ctx, b, OBJECTS.open_url, path);
    if (typeof b.default_url !== 'string') ctx.errors.push(`${path}.default_url: required`);
  } else ctx.errors.push(`${path}.type: unknown behavior ${JSON.stringify(b.type)}`);
}

function checkText(ctx: Ctx, t: unknown, path: string): void {
  if (!isObj(t)) return void ctx.errors.push(`${path}: text must be an object`);
  if (t.tag !== 'plain_text' && t.tag !== 'lark_md') ctx.errors.push(`${path}.tag must be plain_text or lark_md`);
  if (typeof t.content !== 'string') ctx.errors.push(`${path}.content must be a string`);
  allowed(ctx, t, OBJECTS.text, path);
}

function checkIcon(ctx: Ctx, icon: unknown, path: string): void {
  if (!isObj(icon) || (icon.tag !== 'standard_icon' && icon.tag !== 'custom_icon')) {
    return void ctx.errors.push(`${path}: icon must be a standard_icon or custom_icon`);
  }
  allowed(ctx, icon, OBJECTS.icon, path);
}

function allowed(ctx: Ctx, obj: Obj, props: string, path: string, tag?: string): void {
  const ok = words(props);
  for (const key of Object.keys(obj)) {
    if (!ok.has(key)) ctx.errors.push(`${path}: unknown property "${key}"${tag ? ` on ${tag}` : ''}`);
  }
}
