// Turns what an inspector types after 督查 into a pre-filled intake form:
//   "督查 #服务态度 门诊挂号窗口工作人员态度生硬 @王主任 3个工作日"
// Everything here is a guess the inspector confirms on the form, so when in doubt a part is
// left for the form to ask rather than filled in wrongly.
import type { IsoDate } from './model.js';
import { parseDeadline } from './deadline.js';
import { parseIsoDate } from './working-days.js';

export interface IntakeMention {
  userId: string;
  name: string;
}

export interface IntakeTextInput {
  /** the message text with every mention already rendered as `@Name` */
  text: string;
  mentions: readonly IntakeMention[];
  botUserId: string | null;
  categories: readonly string[];
  departments: readonly { id: string; name: string }[];
  today: IsoDate;
}

export interface IntakePrefill {
  description: string;
  category: string | null;
  leaderUserId: string | null;
  deadline: IsoDate | null;
  departmentId: string | null;
  departmentName: string | null;
}

// Words that begin with 督查 but are not the command ("督查组发现…").
const COMMAND = /^[\s\u0000]*督查(?![组室科办处])\s*[:：]?/;
/** `#服务态度`: a category tag, as typed in 督查 and 设为督查群 */
export const CATEGORY_TAG = /[#＃]([^\s#＃@＠,，。;；:：、!！?？()（）]+)/;
const CATEGORY = CATEGORY_TAG;
const AT = ['@', '＠'] as const;
const EDGE_PUNCTUATION = /^[\s,，。;；:：、]+|[\s,，。;；:：、]+$/g;

const D = '[0-9０-９]';
const N = `(?:${D}{1,6}|[一二两三四五六七八九十]{1,3})`;
const SEP = '[-/.／．－]';
const CORES = [
  `(?<full>${D}{4}${SEP}${D}{1,2}${SEP}${D}{1,2}(?:\\s*[+＋-]${D}{4})?|${D}{4}年${D}{1,2}月${D}{1,2}[日号]?)`,
  `(?<workdays>${N}\\s*个?\\s*工作日)`,
  `(?<other>${D}{1,2}月${D}{1,2}[日号]?|${N}\\s*个?\\s*[天日]|(?:本|这|下)个?(?:周|星期|礼拜)[一二三四五六日天])`,
  // "3号窗口", "1.5 米", "周五下午" are everyday words in a finding; only 前/限 makes them a limit.
  `(?<loose>${D}{1,2}${SEP}${D}{1,2}|${D}{1,2}号|(?:周|星期|礼拜)[一二三四五六日天])`,
];
const DEADLINE = new RegExp(
  `(?<![0-9０-９A-Za-z.．/／])(?:(?<prefix>请于|限期|限)\\s*)?(?:${CORES.join('|')})(?<suffix>之前|以前|前|以内|之内|内)?(?![0-9０-９])`,
  'g',
);
const BOUNDARY = /[\s\u0000,，。;；:：、()（）]/;
/** Marks where a part was taken out, so tidy() can decide between a space and nothing. */
const CUT = '\u0000';
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

interface Found {
  start: number;
  end: number;
  deadline: IsoDate;
  marked: boolean;
}

function isBoundary(ch: string | undefined): boolean {
  return ch === undefined || BOUNDARY.test(ch);
}

function cut(text: string, start: number, end: number): string {
  return `${text.slice(0, start)}${CUT}${text.slice(end)}`;
}

/** Collapses whitespace; where a part was cut out between Chinese text the two sides rejoin. */
function tidy(text: string): string {
  return text
    .replace(/[\s\u0000]+/g, (run, offset: number, whole: string) => {
      if (!run.includes(CUT)) return ' ';
      const before = whole[offset - 1];
      const after = whole[offset + run.length];
      return before && after && CJK.test(before) && CJK.test(after) ? '' : ' ';
    })
    .replace(EDGE_PUNCTUATION, '');
}

function findMention(text: string, name: string): { index: number; length: number } | null {
  if (name === '') return null;
  for (const at of AT) {
    const index = text.indexOf(at + name);
    if (index >= 0) return { index, length: at.length + name.length };
  }
  return null;
}

function findDeadline(text: string, today: IsoDate): Found | null {
  const todayParts = parseIsoDate(today);
  if (!todayParts) return null;
  let best: Found | null = null;
  for (const m of text.matchAll(DEADLINE)) {
    const g = m.groups ?? {};
    const start = m.index;
    const end = start + m[0].length;
    const parsed = parseDeadline(m[0], today);
    if (!parsed.ok) continue;
    const marked = g.prefix !== undefined || g.suffix !== undefined;
    const standalone = isBoundary(text[start - 1]) && isBoundary(text[end]);
    if (g.loose !== undefined && !marked) continue;
    if (g.other !== undefined) {
      // "等候3天未获答复" describes the problem; only a phrase set apart or marked as a limit
      // is a deadline.
      if (!marked && !standalone) continue;
      // An unmarked date already past this year is more likely when the problem was found.
      const rolledOver = parsed.kind === 'date' && Number(parsed.deadline.slice(0, 4)) !== todayParts.year;
      if (!marked && rolledOver && g.other.includes('月')) continue;
    }
    const candidate: Found = { start, end, deadline: parsed.deadline, marked: marked || g.workdays !== undefined };
    // Prefer a marked phrase; otherwise the last one, as a deadline usually ends the message.
    if (!best || candidate.marked || !best.marked) best = candidate;
  }
  return best;
}

/** The department a text names: the longest name in it (one-character names never match). */
export function findDepartment<D extends { id: string; name: string }>(text: string, departments: readonly D[]): D | null {
  const normalised = text.normalize('NFKC');
  let best: D | null = null;
  let bestLength = 1;
  for (const d of departments) {
    const name = d.name.trim();
    // One-character names ("药") would match all over ordinary sentences; ties go to the first listed.
    if (name.length <= bestLength) continue;
    if (text.includes(name) || normalised.includes(name.normalize('NFKC'))) {
      best = d;
      bestLength = name.length;
    }
  }
  return best;
}

function parse(input: IntakeTextInput): IntakePrefill {
  let text = input.text.replace(COMMAND, ' ');
  const mentions = input.mentions.filter((m) => m.userId !== input.botUserId);

  for (const bot of input.mentions.filter((m) => m.userId === input.botUserId)) {
    for (let found = findMention(text, bot.name); found; found = findMention(text, bot.name)) {
      text = cut(text, found.index, found.index + found.length);
    }
  }
  // The bot is often addressed first ("@督办 督查 …"), so the command word may follow it.
  text = text.replace(COMMAND, ' ');

  // First in the text, falling back to the platform's order when a name is not in the text.
  const positioned = mentions
    .map((m, order) => ({ m, order, found: findMention(text, m.name) }))
    .sort((a, b) => (a.found?.index ?? Infinity) - (b.found?.index ?? Infinity) || a.order - b.order);
  const leader = positioned[0] ?? null;
  if (leader?.found) text = cut(text, leader.found.index, leader.found.index + leader.found.length);

  let category: string | null = null;
  const cat = CATEGORY.exec(text);
  if (cat) {
    const typed = cat[1]!.normalize('NFKC');
    category = input.categories.find((c) => c.normalize('NFKC') === typed) ?? typed;
    text = cut(text, cat.index, cat.index + cat[0].length);
  }

  const deadline = findDeadline(text, input.today);
  if (deadline) text = cut(text, deadline.start, deadline.end);

  const description = tidy(text);
  const department = findDepartment(description, input.departments);
  return {
    description,
    category,
    leaderUserId: leader?.m.userId ?? null,
    deadline: deadline?.deadline ?? null,
    departmentId: department?.id ?? null,
    departmentName: department?.name ?? null,
  };
}

/** Never throws: whatever cannot be read is left null for the form to ask. */
export function parseIntakeText(input: IntakeTextInput): IntakePrefill {
  try {
    return parse(input);
  } catch {
    const text = typeof input?.text === 'string' ? input.text : '';
    return {
      description: tidy(text.replace(COMMAND, ' ')),
      category: null,
      leaderUserId: null,
      deadline: null,
      departmentId: null,
      departmentName: null,
    };
  }
}

// 「督查 门诊部 未发现问题」: an inspection that found nothing is recorded, not filed. The phrase must
// stand apart (start, end, or between spaces, punctuation and the department's name), so
// 「称设备无问题但…」 stays a problem.
const NOTHING_FOUND = '(?:经检查)?(?:未发现|没有发现|没发现|未见|无)(?:明显|任何)?(?:问题|异常)|一切正常';
const NOTHING_APART = new RegExp(`(?:^|[\\s\\u0000,，。;；])(?<phrase>${NOTHING_FOUND})(?=$|[\\s\\u0000,，。;；!！])`);
const NOTHING_AT_END = new RegExp(`(?<phrase>${NOTHING_FOUND})[。.!！]?$`);
/** what an inspector adds to 未发现问题 (「环境整洁，标识清楚」) is kept, within reason */
export const MAX_VISIT_NOTE = 200;

export interface NothingFound {
  /** the rest of the text: where exactly, what was seen; '' when nothing */
  note: string;
}

/**
 * Whether the text after 督查 says the inspection found nothing (with the department's name, when
 * one was recognised, taken out first), and what else it says. null: it describes a problem.
 */
export function readNothingFound(description: string, departmentName: string | null): NothingFound | null {
  const text = (departmentName ? description.split(departmentName).join(CUT) : description).normalize('NFKC');
  const m = NOTHING_APART.exec(text) ?? NOTHING_AT_END.exec(text);
  if (!m) return null;
  const start = m.index + m[0].length - m.groups!.phrase!.length;
  const rest = cut(text, start, start + m.groups!.phrase!.length).replace(/^[\s\u0000,，。;；:：、!！.]+|[\s\u0000,，。;；:：、!！.]+$/g, '');
  return { note: tidy(rest) };
}
