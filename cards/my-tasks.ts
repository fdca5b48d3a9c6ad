// 我的任务: the sender's open tasks, most urgent first, each with a button to open its card.
import { TASK_STATE_LABELS, type TaskContext } from '../src/domain/model.js';
import { formatShortZh } from '../src/domain/deadline.js';
import { findingTitle, plain, whereText } from './format.js';
import type { Card, CardColour, CardElement } from './model.js';
import { clip } from '../src/domain/text.js';

export interface MyTaskLine {
  ctx: TaskContext;
  colour: CardColour;
  /** what the viewer is expected to do, e.g. "待您签收", "待您验收"; empty when nothing is left to do */
  todo: string;
  /** more about the line, after the deadline (e.g. who is responsible) */
  remark?: string;
}

const DOT: Record<CardColour, string> = { red: '🔴', yellow: '🟡', blue: '🔵', green: '🟢', grey: '⚪', orange: '🟠' };
export const MY_TASKS_LIMIT = 20;

export function myTasksCard(lines: readonly MyTaskLine[]): Card {
  const elements: CardElement[] = [];
  if (lines.length === 0) {
    elements.push({ kind: 'markdown', text: '没有需要您办理的任务。' });
  }
  elements.push(...taskLines(lines));
  return {
    title: `我的任务（${lines.length}）`,
    colour: listColour(lines),
    summary: `我的任务：${lines.length}项`,
    elements,
  };
}

/** The first MY_TASKS_LIMIT lines, each with a button that opens the task's own card. */
export function taskLines(lines: readonly MyTaskLine[]): CardElement[] {
  const elements: CardElement[] = [];
  for (const line of lines.slice(0, MY_TASKS_LIMIT)) {
    const { task, finding, department } = line.ctx;
    elements.push({
      kind: 'markdown',
      text: `${DOT[line.colour]} **${findingTitle(finding)}** ${plain(whereText(finding.area, department?.name ?? null))} · ${plain(finding.category)}\n${plain(clip(finding.description, 60))}${finding.description.length > 60 ? '…' : ''}\n${TASK_STATE_LABELS[task.state]} · 期限 ${formatShortZh(task.deadline)}${line.todo ? ` · **${line.todo}**` : ''}${line.remark ? ` · ${line.remark}` : ''}`,
    });
    elements.push({ kind: 'buttons', buttons: [{ label: '打开任务卡片', style: 'default', action: { a: 'open', t: task.id, v: task.version } }] });
  }
  if (lines.length > MY_TASKS_LIMIT) {
    elements.push({ kind: 'note', text: `另有 ${lines.length - MY_TASKS_LIMIT} 项未显示。` });
  }
  return elements;
}

export const listColour = (lines: readonly MyTaskLine[]): CardColour =>
  lines.some((l) => l.colour === 'red') ? 'red' : lines.some((l) => l.colour === 'yellow') ? 'yellow' : 'blue';
