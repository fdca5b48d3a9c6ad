// 逾期: what is past its deadline right now, most overdue first, each with who answers for it and a
// button to its card — the supervision office's daily glance and its meeting's agenda.
import { plain } from './format.js';
import type { Card, CardElement } from './model.js';
import { listColour, MY_TASKS_LIMIT, taskLines, type MyTaskLine } from './my-tasks.js';

export interface OverdueListView {
  /** the 专项 a group works on; null for everyday work or every campaign */
  campaignName: string | null;
  /** the most overdue first, at most MY_TASKS_LIMIT */
  lines: readonly MyTaskLine[];
  /** how many are overdue in all, and how many of them are red (督办) */
  total: number;
  red: number;
  /** the asker sees only tasks they lead or inspected */
  ownOnly: boolean;
}

export function overdueListCard(view: OverdueListView): Card {
  const scope = view.campaignName ? ` · ${plain(view.campaignName)}` : '';
  const elements: CardElement[] = [
    {
      kind: 'markdown',
      text: view.total
        ? `截至今日逾期未完成**${view.total}项**，其中红色督办${view.red}项。`
        : '没有逾期未完成的任务。',
    },
    ...taskLines(view.lines.slice(0, MY_TASKS_LIMIT)),
  ];
  if (view.total > view.lines.length) {
    elements.push({ kind: 'note', text: `只列出逾期最久的 ${view.lines.length} 项；完整清单请发送「台账」导出。` });
  }
  if (view.ownOnly) elements.push({ kind: 'note', text: '只列出您负责或登记的任务。' });
  elements.push({ kind: 'note', text: '逾期按待签收、整改中计；已提交待验收的不计。' });
  return {
    title: `逾期任务（${view.total}）${scope}`,
    colour: view.total ? (view.red ? 'red' : listColour(view.lines)) : 'green',
    summary: `逾期任务：${view.total}项`,
    elements,
  };
}
