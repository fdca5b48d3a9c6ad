// 今日督办提醒: one person's daily digest as one card (DESIGN.md §2.4), and 回头看, the
// periodic check on items closed as 长期坚持.
import { formatShortZh } from '../src/domain/deadline.js';
import type { Digest, DigestItem, DigestReason } from '../src/domain/digest.js';
import type { TaskFacts } from '../src/domain/task-facts.js';
import type { WarningColour } from '../src/domain/warning-colour.js';
import { findingTitle, plain, whereText } from './format.js';
import type { Card, CardColour, CardElement } from './model.js';

/** Items with a button on one card; the rest are a note away (「我的任务」 lists everything). */
export const DIGEST_CARD_LIMIT = 15;
export const LONG_TERM_CARD_LIMIT = 15;
const DESCRIPTION_CHARS = 40;

const DOT: Record<WarningColour, string> = { red: '🔴', yellow: '🟡', blue: '🔵', green: '🟢', grey: '⚪' };

const TODO: Record<Exclude<DigestReason, 'overdue' | 'due_soon'>, string> = {
  to_verify: '待您验收',
  to_decide_extension: '待您审批延期',
  to_reassign: '待您重新指派',
};

function short(text: string): string {
  // Array.from counts code points, so an emoji is never cut in half.
  const chars = Array.from(text);
  return plain(chars.length > DESCRIPTION_CHARS ? `${chars.slice(0, DESCRIPTION_CHARS).join('')}…` : text);
}

function headline(f: TaskFacts): string {
  return `**${findingTitle({ number: f.findingNumber })}** ${plain(whereText(f.area, f.departmentName))} · ${plain(f.category)}`;
}

function status(item: DigestItem): string {
  switch (item.reason) {
    case 'overdue':
      // Past the deadline over a weekend or holiday, no working day has elapsed yet.
      return item.overdueWorkingDays > 0 ? `逾期${item.overdueWorkingDays}个工作日` : '已逾期';
    case 'due_soon':
      return item.dueInWorkingDays === 0 ? '今天到期' : `剩余${item.dueInWorkingDays ?? 0}个工作日`;
    default:
      return TODO[item.reason];
  }
}

function itemText(item: DigestItem): string {
  const f = item.facts;
  return `${DOT[item.colour]} ${headline(f)}\n${short(f.description)}\n期限 ${formatShortZh(f.deadline)} · **${status(item)}**`;
}

function digestColour(digest: Digest): CardColour {
  if (digest.overdue.some((i) => i.colour === 'red')) return 'red';
  if (digest.overdue.length > 0 || digest.dueSoon.length > 0) return 'yellow';
  return 'blue';
}

/** `dayLabel` is the reminders period's label, e.g. "11月24日". */
export function digestCard(digest: Digest, dayLabel: string): Card {
  const sections: [string, DigestItem[]][] = [
    ['逾期', digest.overdue],
    ['即将到期', digest.dueSoon],
    ['待您办理', digest.awaiting],
  ];
  const total = digest.overdue.length + digest.dueSoon.length + digest.awaiting.length;
  const elements: CardElement[] = [];
  let shown = 0;
  for (const [name, items] of sections) {
    if (items.length === 0 || shown >= DIGEST_CARD_LIMIT) continue;
    if (elements.length > 0) elements.push({ kind: 'divider' });
    // The count is the whole section's, even when the limit cuts it short.
    elements.push({ kind: 'markdown', text: `**${name}（${items.length}）**` });
    for (const item of items.slice(0, DIGEST_CARD_LIMIT - shown)) {
      elements.push({ kind: 'markdown', text: itemText(item) });
      elements.push({
        kind: 'buttons',
        buttons: [
          {
            label: '办理',
            style: item.reason === 'overdue' ? 'primary' : 'default',
            action: { a: 'open', t: item.facts.taskId, v: item.facts.version },
          },
        ],
      });
      shown++;
    }
  }
  if (total === 0) elements.push({ kind: 'markdown', text: '今天没有需要您办理的督办事项。' });
  if (total > shown) elements.push({ kind: 'note', text: `另有${total - shown}项，发送「我的任务」查看全部` });

  const counts = [
    digest.overdue.length > 0 ? `逾期${digest.overdue.length}项` : '',
    digest.dueSoon.length > 0 ? `即将到期${digest.dueSoon.length}项` : '',
    digest.awaiting.length > 0 ? `待办理${digest.awaiting.length}项` : '',
  ].filter(Boolean);
  return {
    title: `今日督办提醒 · ${dayLabel}`,
    colour: digestColour(digest),
    summary: `今日督办提醒：${counts.join('，') || '无待办事项'}`,
    elements,
  };
}

/**
 * 回头看: the leader's items closed as 长期坚持, each with a button to report how the measure is
 * holding up. The caller picks the items (closed, closure kind long_term, this leader's); the card
 * shows what it is given. `monthLabel` names the round, e.g. "2026年10月".
 */
export function longTermCheckCard(items: TaskFacts[], monthLabel: string): Card {
  const elements: CardElement[] = [
    { kind: 'markdown', text: `以下事项已按「长期坚持」销号。请简要反馈${plain(monthLabel)}的坚持情况。` },
  ];
  for (const f of items.slice(0, LONG_TERM_CARD_LIMIT)) {
    elements.push({ kind: 'markdown', text: `${headline(f)}\n${short(f.description)}` });
    elements.push({
      kind: 'buttons',
      buttons: [
        { label: '反馈进展', style: 'default', action: { a: 'mode', t: f.taskId, v: f.version, x: { mode: 'report_progress' } } },
      ],
    });
  }
  if (items.length === 0) elements.push({ kind: 'markdown', text: '没有需要回头看的长期坚持事项。' });
  if (items.length > LONG_TERM_CARD_LIMIT) {
    // Not 「我的任务」: that lists open tasks, and these are closed.
    elements.push({ kind: 'note', text: `另有${items.length - LONG_TERM_CARD_LIMIT}项未显示，下次回头看时再反馈。` });
  }
  elements.push({
    kind: 'note',
    text: '回头看时如发现问题反弹，督查组可重新打开该事项，转回整改中继续整改。',
  });
  return {
    title: '回头看 · 长期坚持事项进展',
    subtitle: monthLabel,
    colour: 'blue',
    summary: `回头看：${items.length}项长期坚持事项待反馈进展`,
    elements,
  };
}
