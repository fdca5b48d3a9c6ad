// The daily digest card and the 回头看 card: valid Feishu JSON 2.0, the right words per reason,
// and buttons that open the right task at the version the card was drawn from.
import { describe, expect, it } from 'vitest';
import { DIGEST_CARD_LIMIT, digestCard, longTermCheckCard } from '../../cards/digest.js';
import type { Card } from '../../cards/model.js';
import type { Digest, DigestItem, DigestReason } from '../../src/domain/digest.js';
import type { TaskFacts } from '../../src/domain/task-facts.js';
import type { WarningColour } from '../../src/domain/warning-colour.js';
import { renderFeishuCard } from '../../src/platforms/feishu/render-card.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';

function facts(n: number, overrides: Partial<TaskFacts> = {}): TaskFacts {
  return {
    taskId: `task-${n}`,
    tenantId: 't-1',
    campaignId: 'c-1',
    findingNumber: n,
    departmentName: '外科',
    area: '门诊大厅',
    category: '服务环境',
    description: '候诊区座椅破损',
    leaderUserId: 'u-leader',
    inspectorUserId: 'u-inspector',
    state: 'in_progress',
    deadline: '2026-10-09',
    returnsCount: 0,
    hasPendingExtension: false,
    closureKind: null,
    version: 3,
    ...overrides,
  };
}

// Items are written out by hand (not built by buildDigests) so the card is tested on its own.
function item(f: TaskFacts, reason: DigestReason, colour: WarningColour, overdue = 0, dueIn: number | null = null): DigestItem {
  return { facts: f, reason, colour, overdueWorkingDays: overdue, dueInWorkingDays: dueIn };
}

function digest(parts: Partial<Digest>): Digest {
  return { userId: 'u-leader', overdue: [], dueSoon: [], awaiting: [], ...parts };
}

interface Rendered {
  json: unknown;
  text: string;
  buttons: { label: string; value: unknown }[];
}

function render(card: Card): Rendered {
  const json = renderFeishuCard(card);
  expect(checkFeishuCard(json)).toEqual([]);
  const buttons: Rendered['buttons'] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (o.tag === 'button') {
      const behaviors = o.behaviors as { value: unknown }[];
      buttons.push({ label: (o.text as { content: string }).content, value: behaviors[0]!.value });
    }
    Object.values(o).forEach(walk);
  };
  walk(json.body.elements);
  return { json, text: JSON.stringify(json), buttons };
}

describe('digestCard', () => {
  const full = digest({
    overdue: [item(facts(12, { deadline: '2026-09-28', version: 4 }), 'overdue', 'red', 4)],
    dueSoon: [item(facts(7, { deadline: '2026-10-12', departmentName: null, area: '住院部三楼' }), 'due_soon', 'yellow', 0, 2)],
    awaiting: [
      item(facts(3, { state: 'submitted' }), 'to_verify', 'blue', 0, 0),
      item(facts(4, { hasPendingExtension: true }), 'to_decide_extension', 'blue', 0, 0),
      item(facts(5, { state: 'declined', category: '服务态度' }), 'to_reassign', 'blue', 0, 0),
    ],
  });

  it('is valid Feishu JSON, titled with the day, red when an overdue item is red', () => {
    const card = digestCard(full, '10月9日');
    expect(card.title).toBe('今日督办提醒 · 10月9日');
    expect(card.colour).toBe('red');
    const { json } = render(card);
    expect(json).toMatchObject({ header: { title: { content: '今日督办提醒 · 10月9日' }, template: 'red' } });
  });

  it('has the three sections in order, each line saying what it is and what is due', () => {
    const { text } = render(digestCard(full, '10月9日'));
    const order = ['逾期（1）', '即将到期（1）', '待您办理（3）'].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const expected of [
      '🔴 **第12号问题** 外科（门诊大厅） · 服务环境',
      '候诊区座椅破损',
      '期限 9月28日 · **逾期4个工作日**',
      '🟡 **第7号问题** 住院部三楼',
      '期限 10月12日 · **剩余2个工作日**',
      '**待您验收**',
      '**待您审批延期**',
      '🔵 **第5号问题** 外科（门诊大厅） · 服务态度',
      '**待您重新指派**',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('gives each item a 办理 button that opens its task at the drawn version', () => {
    const { buttons } = render(digestCard(full, '10月9日'));
    expect(buttons).toEqual([
      { label: '办理', value: { a: 'open', t: 'task-12', v: 4 } },
      { label: '办理', value: { a: 'open', t: 'task-7', v: 3 } },
      { label: '办理', value: { a: 'open', t: 'task-3', v: 3 } },
      { label: '办理', value: { a: 'open', t: 'task-4', v: 3 } },
      { label: '办理', value: { a: 'open', t: 'task-5', v: 3 } },
    ]);
  });

  it('is yellow with only yellow overdue or due-soon items, blue with only things to handle', () => {
    expect(digestCard(digest({ overdue: [item(facts(1), 'overdue', 'yellow', 1)] }), 'x').colour).toBe('yellow');
    expect(digestCard(digest({ dueSoon: [item(facts(1), 'due_soon', 'yellow', 0, 1)] }), 'x').colour).toBe('yellow');
    expect(digestCard(digest({ awaiting: [item(facts(1), 'to_verify', 'red', 5)] }), 'x').colour).toBe('blue');
  });

  it('words the edge cases: due today, and late over a weekend with no working day passed yet', () => {
    const { text } = render(digestCard(digest({
      overdue: [item(facts(1), 'overdue', 'yellow', 0)],
      dueSoon: [item(facts(2), 'due_soon', 'yellow', 0, 0)],
    }), '10月11日'));
    expect(text).toContain('**已逾期**');
    expect(text).toContain('**今天到期**');
    expect(text).not.toContain('逾期0个工作日');
  });

  it('shows 15 items with buttons out of 40, then points to 我的任务 for the rest', () => {
    const many = digest({
      overdue: Array.from({ length: 10 }, (_, i) => item(facts(100 + i), 'overdue', 'red', 9)),
      dueSoon: Array.from({ length: 10 }, (_, i) => item(facts(200 + i), 'due_soon', 'yellow', 0, 1)),
      awaiting: Array.from({ length: 20 }, (_, i) => item(facts(300 + i, { state: 'submitted' }), 'to_verify', 'blue')),
    });
    const card = digestCard(many, '10月9日');
    const { buttons, text } = render(card);
    expect(DIGEST_CARD_LIMIT).toBe(15);
    expect(buttons).toHaveLength(15);
    // Most urgent first: all ten overdue, then the first five due soon; nothing awaiting fits.
    expect(buttons.map((b) => (b.value as { t: string }).t)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `task-${100 + i}`),
      ...Array.from({ length: 5 }, (_, i) => `task-${200 + i}`),
    ]);
    expect(card.elements.at(-1)).toEqual({ kind: 'note', text: '另有25项，发送「我的任务」查看全部' });
    expect(text).toContain('逾期（10）');
    expect(text).toContain('即将到期（10）');
    expect(text).not.toContain('待您办理');
  });

  it('keeps user text from faking a mention', () => {
    const { text } = render(digestCard(digest({
      overdue: [item(facts(1, { description: '<@u-boss> 请看', area: '<b>区</b>' }), 'overdue', 'yellow', 1)],
    }), '10月9日'));
    expect(text).not.toContain('<at');
    expect(text).toContain('＜@u-boss＞ 请看');
  });
});

describe('longTermCheckCard', () => {
  const items = [
    facts(21, { state: 'closed', closureKind: 'long_term', version: 9, description: '门诊导医台长期坚持双人值守' }),
    facts(22, { state: 'closed', closureKind: 'long_term', version: 2, departmentName: '药剂科', area: '药剂科' }),
  ];

  it('is valid Feishu JSON and asks for progress on each long-term item', () => {
    const card = longTermCheckCard(items, '2026年10月');
    expect(card.title).toBe('回头看 · 长期坚持事项进展');
    const { text, buttons } = render(card);
    expect(text).toContain('**第21号问题** 外科（门诊大厅）');
    expect(text).toContain('门诊导医台长期坚持双人值守');
    expect(text).toContain('**第22号问题** 药剂科 · 服务环境');
    expect(text).toContain('2026年10月');
    expect(buttons).toEqual([
      { label: '反馈进展', value: { a: 'mode', t: 'task-21', v: 9, x: { mode: 'report_progress' } } },
      { label: '反馈进展', value: { a: 'mode', t: 'task-22', v: 2, x: { mode: 'report_progress' } } },
    ]);
  });

  it('tells the leader that a rebound may be reopened by the inspector', () => {
    const card = longTermCheckCard(items, '2026年10月');
    const notes = card.elements.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text);
    expect(notes.some((t) => t.includes('反弹') && t.includes('督查组') && t.includes('重新打开'))).toBe(true);
  });

  it('caps the buttons at 15 and says how many were left out', () => {
    const many = Array.from({ length: 20 }, (_, i) => facts(400 + i, { state: 'closed', closureKind: 'long_term' }));
    const card = longTermCheckCard(many, '2026年10月');
    const { buttons, text } = render(card);
    expect(buttons).toHaveLength(15);
    expect(text).toContain('另有5项未显示');
  });

  it('says so when there is nothing to check', () => {
    const { text, buttons } = render(longTermCheckCard([], '2026年10月'));
    expect(buttons).toEqual([]);
    expect(text).toContain('没有需要回头看的长期坚持事项');
  });
});
