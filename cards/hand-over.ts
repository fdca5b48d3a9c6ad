// 移交: a leader's open tasks and the departments they lead by default, passed to a successor.
// The preview asks for a confirmation, the result replaces it, and the successor gets one list
// of what they took over (never one card per task).
import { formatShortZh } from '../src/domain/deadline.js';
import { TASK_STATE_LABELS, type Department, type TaskContext } from '../src/domain/model.js';
import { clip } from '../src/domain/text.js';
import { findingTitle, plain, whereText } from './format.js';
import { mention, type Card, type CardElement } from './model.js';
import { listColour, taskLines, type MyTaskLine } from './my-tasks.js';

/** How many tasks the preview names; the rest are counted. */
export const HAND_OVER_SHOWN = 15;

export interface HandOverParties {
  from: string;
  to: string;
}

const AFTER_HAND_OVER = '移交后任务的状态、整改措施和整改完成时间不变（待重新指派的任务转为待签收），整改记录中留有移交记录。';

function taskList(tasks: readonly TaskContext[]): CardElement[] {
  if (tasks.length === 0) return [];
  const lines = tasks.slice(0, HAND_OVER_SHOWN).map(({ task, finding, department }) => {
    const where = plain(whereText(finding.area, department?.name ?? null));
    return `- **${findingTitle(finding)}** ${where} · ${plain(finding.category)}：${plain(clip(finding.description, 30))}（${TASK_STATE_LABELS[task.state]}，期限 ${formatShortZh(task.deadline)}）`;
  });
  const elements: CardElement[] = [{ kind: 'markdown', text: lines.join('\n') }];
  if (tasks.length > HAND_OVER_SHOWN) elements.push({ kind: 'note', text: `另有 ${tasks.length - HAND_OVER_SHOWN} 项未列出。` });
  return elements;
}

const departmentNames = (departments: readonly Department[]) => departments.map((d) => plain(d.name)).join('、');

export function handOverPreviewCard(args: HandOverParties & { tasks: readonly TaskContext[]; departments: readonly Department[] }): Card {
  const { from, to, tasks, departments } = args;
  const elements: CardElement[] = [
    {
      kind: 'markdown',
      text: tasks.length
        ? `将 ${mention(from)} 名下 **${tasks.length}项** 未办结的整改任务移交给 ${mention(to)}：`
        : `${mention(from)} 名下没有未办结的整改任务。`,
    },
    ...taskList(tasks),
  ];
  if (departments.length) elements.push({ kind: 'markdown', text: `以下科室的默认责任领导改为 ${mention(to)}：${departmentNames(departments)}` });
  elements.push({ kind: 'note', text: `${AFTER_HAND_OVER}${mention(to)} 将收到一张任务清单。` });
  const x = { from, to };
  elements.push({
    kind: 'buttons',
    buttons: [
      { label: '确认移交', style: 'primary', action: { a: 'hand_over_confirm', x }, confirm: `确认将这些任务移交给新的责任领导？` },
      { label: '取消', style: 'default', action: { a: 'hand_over_cancel', x } },
    ],
  });
  return { title: '移交整改任务', colour: 'orange', elements, summary: `移交整改任务：${tasks.length}项` };
}

export function handOverDoneCard(args: HandOverParties & { by: string; moved: number; departments: readonly Department[]; remaining: number }): Card {
  const { from, to, by, moved, departments, remaining } = args;
  const lines = [`已将 ${mention(from)} 名下 **${moved}项** 整改任务移交给 ${mention(to)}。`];
  if (departments.length) lines.push(`科室默认责任领导已改为 ${mention(to)}：${departmentNames(departments)}`);
  lines.push(`操作人：${mention(by)}`);
  const elements: CardElement[] = [{ kind: 'markdown', text: lines.join('\n') }];
  if (remaining > 0) elements.push({ kind: 'note', text: `还有 ${remaining} 项未移交（一次最多移交 ${moved} 项），请再次发送「移交 @原责任领导 @新责任领导」。` });
  return { title: '已移交整改任务', colour: 'green', elements, summary: `已移交${moved}项整改任务` };
}

export function handOverCancelledCard(args: HandOverParties & { by: string }): Card {
  return {
    title: '已取消移交',
    colour: 'grey',
    elements: [{ kind: 'markdown', text: `${mention(args.by)} 取消了将 ${mention(args.from)} 的整改任务移交给 ${mention(args.to)}。` }],
    summary: '已取消移交',
  };
}

/** What the successor receives: the tasks they now lead, each with a button to its card. */
export function tasksReceivedCard(args: { from: string; by: string; lines: readonly MyTaskLine[]; departments: readonly Department[] }): Card {
  const { from, by, lines, departments } = args;
  const intro: string[] = [];
  if (lines.length) intro.push(`${mention(by)} 将 ${mention(from)} 名下的 **${lines.length}项** 整改任务移交给您，请逐项打开任务卡片办理。`);
  if (departments.length) intro.push(`${lines.length ? '' : `${mention(by)} 将 ${mention(from)} 的工作移交给您：`}您已成为以下科室的默认责任领导，今后这些科室的问题将下发给您：${departmentNames(departments)}`);
  const title = lines.length ? `您接手了${lines.length}项整改任务` : '您已成为科室默认责任领导';
  const elements: CardElement[] = [{ kind: 'markdown', text: intro.join('\n') }, ...taskLines(lines)];
  if (lines.length) elements.push({ kind: 'note', text: `${AFTER_HAND_OVER}也可随时发送「我的任务」查看。` });
  return { title, colour: lines.length ? listColour(lines) : 'blue', elements, summary: title };
}
