// 查找: the findings that mention what was asked, newest first, each with a button to its card —
// how a meeting finds "the call-bell problem" without knowing its number.
import { plain } from './format.js';
import type { Card, CardElement } from './model.js';
import { listColour, MY_TASKS_LIMIT, taskLines, type MyTaskLine } from './my-tasks.js';

export interface SearchResultsView {
  words: readonly string[];
  lines: readonly MyTaskLine[];
  /** more matched than the card lists */
  more: boolean;
  /** the asker sees only tasks they lead or inspected */
  ownOnly: boolean;
}

export function searchResultsCard(view: SearchResultsView): Card {
  const asked = view.words.map((w) => `「${plain(w)}」`).join('');
  const elements: CardElement[] = [];
  if (view.lines.length === 0) {
    elements.push({ kind: 'markdown', text: `没有找到包含${asked}的问题。可换个说法，或发送「第12号问题」按编号查看。` });
  }
  elements.push(...taskLines(view.lines.slice(0, MY_TASKS_LIMIT)));
  if (view.more) elements.push({ kind: 'note', text: `结果较多，只列出最近登记的 ${MY_TASKS_LIMIT} 项；可多写几个词缩小范围。` });
  if (view.ownOnly) elements.push({ kind: 'note', text: '只列出您负责或登记的问题。' });
  const count = view.more ? `${MY_TASKS_LIMIT}+` : String(view.lines.length);
  return {
    title: `查找${asked}（${count}）`,
    colour: view.lines.length ? listColour(view.lines) : 'grey',
    summary: `查找${asked}：${count}项`,
    elements,
  };
}
