// The rectification task card (整改任务卡): the finding, the deadline and its colour, what has
// happened, and only the buttons the person looking at it may use. In "mode" it shows the form
// one action needs (measures, reasons, dates) instead of the buttons.
import { CLOSURE_KIND_LABELS, CLOSURE_KINDS, TASK_STATE_LABELS, type Department, type TaskContext } from '../src/domain/model.js';
import { TASK_ACTION_LABELS, type TaskAction } from '../src/domain/permissions.js';
import { formatDateZh } from '../src/domain/deadline.js';
import { MAX_ACCEPTANCE, MAX_RESPONSIBLE_PERSON } from '../src/domain/task-machine.js';
import { closureText, findingTitle, plain, quote, whereText } from './format.js';
import { OTHER_CATEGORY } from './intake-form.js';
import { mention, type Card, type CardButton, type CardColour, type CardElement, type FormField } from './model.js';

export interface TaskCardView {
  ctx: TaskContext;
  /** whose card this is; null for the copy in a group, which offers "查看/办理" instead */
  viewerUserId: string | null;
  actions: TaskAction[];
  mode: TaskAction | null;
  colour: CardColour;
  /** e.g. "剩余2个工作日" or "已逾期3个工作日" */
  deadlineNote: string | null;
  /** optional line at the top, e.g. "您有一项新的整改任务" */
  headline?: string;
  /** the campaign's categories and the organisation's departments, offered by 修改问题's form */
  categories?: readonly string[];
  departments?: readonly Department[];
}

/** Actions that need no input and run straight from the button (with a confirm). */
const DIRECT: ReadonlySet<TaskAction> = new Set(['approve_extension', 'verify_pass']);

function payload(view: TaskCardView, a: string, x?: Record<string, string>) {
  return { a, t: view.ctx.task.id, v: view.ctx.task.version, ...(x ? { x } : {}) };
}

function actionButton(view: TaskCardView, action: TaskAction): CardButton {
  const style = action === 'cancel' || action === 'verify_fail' || action === 'decline' ? 'danger' : action === 'accept' || action === 'submit' || action === 'verify_pass' ? 'primary' : 'default';
  if (DIRECT.has(action)) {
    const confirm = action === 'verify_pass' ? '确认验收通过并销号？' : '确认同意延期？';
    return { label: TASK_ACTION_LABELS[action], style, action: payload(view, action), confirm };
  }
  return { label: TASK_ACTION_LABELS[action], style, action: payload(view, 'mode', { mode: action }) };
}

function reason(name: string, label: string, placeholder: string, required = true): FormField {
  return { kind: 'text', name, label, placeholder, multiline: true, required, maxLength: 500 };
}

export function formFieldsFor(action: TaskAction, view: TaskCardView): FormField[] {
  const { task } = view.ctx;
  switch (action) {
    case 'accept':
    case 'revise_measures':
      return [
        { kind: 'text', name: 'measures', label: '整改措施', placeholder: '写明怎么改、谁来改、何时改完', multiline: true, required: true, maxLength: 1000, ...(task.measures ? { initial: task.measures } : {}) },
        {
          kind: 'text',
          name: 'responsible_person',
          label: '责任人',
          placeholder: '具体落实的人，如：护士长 李某（可不填）',
          maxLength: MAX_RESPONSIBLE_PERSON,
          ...(task.responsiblePerson ? { initial: task.responsiblePerson } : {}),
        },
      ];
    case 'decline':
      return [reason('reason', '原因', '例如：该区域归门诊部管理，应由门诊部负责')];
    case 'request_extension':
      return [
        { kind: 'date', name: 'requested_date', label: '延期至', required: true },
        reason('reason', '延期理由', '说明需要延期的原因'),
      ];
    case 'submit':
      return [
        { kind: 'text', name: 'note', label: '整改情况', placeholder: '写明已采取的措施和效果；可在本对话发送照片作为佐证', multiline: true, required: true, maxLength: 1000 },
        {
          kind: 'select',
          name: 'closure_kind',
          label: '完成情况',
          required: true,
          options: CLOSURE_KINDS.map((k) => ({ value: k, label: CLOSURE_KIND_LABELS[k] })),
          initial: 'done',
        },
      ];
    case 'reassign':
      return [
        { kind: 'person', name: 'new_leader', label: '新的责任领导', required: true },
        { kind: 'date', name: 'deadline_date', label: '整改完成时间（不填则不变）' },
      ];
    case 'refuse_extension':
      return [reason('reason', '不同意的理由', '可不填', false)];
    case 'verify_fail':
      return [reason('reason', '退回原因', '写明哪里没有整改到位')];
    case 'cancel':
      return [reason('reason', '撤销原因', '例如：重复登记、情况不属实')];
    case 'reopen':
      return [reason('reason', '重新整改原因', '回头看发现的问题反弹情况')];
    case 'urge':
      return [{ kind: 'text', name: 'note', label: '催办说明', placeholder: '可不填；如：本周五院领导检查，请周四前完成', multiline: true, required: false, maxLength: 200 }];
    case 'set_deadline':
      return [
        { kind: 'date', name: 'deadline_date', label: '新的整改完成时间', required: true, initial: task.deadline },
        { kind: 'text', name: 'reason', label: '调整原因', placeholder: '例如：需采购设备，经督查组同意延至月底', multiline: true, required: true, maxLength: 200 },
      ];
    case 'report_progress':
      return [{ kind: 'text', name: 'note', label: '进展情况', placeholder: '长期坚持事项的落实情况，有无反弹', multiline: true, required: true, maxLength: 1000 }];
    case 'edit_finding': {
      const { finding } = view.ctx;
      const categories = [...new Set([...(view.categories ?? []), finding.category])];
      const departments = view.departments ?? [];
      // a finding is moved to another department, never out of one (its leader stays: 重新指派 moves that)
      const department: FormField[] = departments.length
        ? [
            {
              kind: 'select',
              name: 'department',
              label: '责任科室',
              required: finding.departmentId !== null,
              options: departments.map((d) => ({ value: d.id, label: d.name })),
              ...(finding.departmentId ? { initial: finding.departmentId } : {}),
            },
          ]
        : [];
      return [
        ...department,
        { kind: 'text', name: 'area', label: '督查区域', placeholder: '不填则以责任科室为督查区域', required: false, initial: finding.area, maxLength: 100 },
        {
          kind: 'select',
          name: 'category',
          label: '问题类别',
          required: true,
          options: [...categories.map((c) => ({ value: c, label: c })), { value: OTHER_CATEGORY, label: '其他（在下方填写）' }],
          initial: finding.category,
        },
        { kind: 'text', name: 'category_custom', label: '其他类别', placeholder: '类别选"其他"时填写', maxLength: 20 },
        { kind: 'text', name: 'description', label: '主要问题', multiline: true, required: true, initial: finding.description, maxLength: 1000 },
        {
          kind: 'text',
          name: 'acceptance',
          label: '验收标准',
          placeholder: '验收时看什么（可不填）',
          multiline: true,
          maxLength: MAX_ACCEPTANCE,
          ...(task.acceptanceCriteria ? { initial: task.acceptanceCriteria } : {}),
        },
      ];
    }
    case 'approve_extension':
    case 'verify_pass':
      return [];
  }
}

/** A card shows the latest few photos; the rest are kept and counted, the card stays small. */
export const PHOTOS_PER_CARD = 4;

function photos(attachments: TaskContext['attachments'], purpose: 'finding_photo' | 'evidence', alt: string): CardElement[] {
  const shown = attachments.filter((a) => a.purpose === purpose && a.platformImageKey);
  const elements: CardElement[] = shown.slice(-PHOTOS_PER_CARD).map((a) => ({ kind: 'image', imageKey: a.platformImageKey!, alt }));
  if (shown.length > PHOTOS_PER_CARD) elements.push({ kind: 'note', text: `共 ${shown.length} 张${alt}，此处显示最近 ${PHOTOS_PER_CARD} 张。` });
  return elements;
}

function detailElements(view: TaskCardView): CardElement[] {
  const { task, finding, department, pendingExtension, attachments } = view.ctx;
  const elements: CardElement[] = [];
  if (view.headline) elements.push({ kind: 'markdown', text: view.headline });
  elements.push({
    kind: 'fields',
    fields: [
      { label: '督查区域', value: plain(whereText(finding.area, department?.name ?? null)) },
      { label: '问题类别', value: plain(finding.category) },
      { label: '责任领导', value: mention(task.leaderUserId) },
      ...(task.responsiblePerson ? [{ label: '责任人', value: plain(task.responsiblePerson) }] : []),
      { label: '督查人', value: mention(finding.inspectorUserId) },
      { label: '整改完成时间', value: formatDateZh(task.deadline) + (view.deadlineNote ? `（${view.deadlineNote}）` : '') },
      { label: '状态', value: TASK_STATE_LABELS[task.state] + (task.returnsCount ? `（已退回${task.returnsCount}次）` : '') },
    ],
  });
  elements.push({ kind: 'markdown', text: `**主要问题**\n${quote(finding.description)}` });
  elements.push(...photos(attachments, 'finding_photo', '现场照片'));
  if (task.acceptanceCriteria) elements.push({ kind: 'markdown', text: `**验收标准**\n${quote(task.acceptanceCriteria)}` });
  if (task.measures) elements.push({ kind: 'markdown', text: `**整改措施**\n${quote(task.measures)}` });
  if (task.completionNote) {
    elements.push({ kind: 'markdown', text: `**整改情况**（${closureText(task.closureKind)}）\n${quote(task.completionNote)}` });
  }
  elements.push(...photos(attachments, 'evidence', '整改佐证'));
  if (pendingExtension) {
    elements.push({
      kind: 'markdown',
      text: `**延期申请**：申请延期至 ${formatDateZh(pendingExtension.requestedDeadline)}\n${quote(pendingExtension.reason)}`,
    });
  }
  return elements;
}

export function taskCard(view: TaskCardView): Card {
  const { task, finding } = view.ctx;
  const elements = detailElements(view);
  if (view.mode && view.actions.includes(view.mode) && formFieldsFor(view.mode, view).length > 0) {
    elements.push({ kind: 'divider' });
    elements.push({
      kind: 'form',
      name: `form_${view.mode}`,
      fields: formFieldsFor(view.mode, view),
      submit: { label: `提交：${TASK_ACTION_LABELS[view.mode]}`, style: 'primary', action: payload(view, view.mode) },
    });
    elements.push({ kind: 'buttons', buttons: [{ label: '返回', style: 'default', action: payload(view, 'back') }] });
  } else if (view.viewerUserId === null) {
    if (task.state !== 'closed' && task.state !== 'cancelled') {
      elements.push({ kind: 'buttons', buttons: [{ label: '查看 / 办理', style: 'default', action: payload(view, 'open') }] });
    }
  } else if (view.actions.length > 0) {
    elements.push({ kind: 'buttons', buttons: view.actions.map((a) => actionButton(view, a)) });
  } else if (task.state !== 'closed' && task.state !== 'cancelled') {
    elements.push({ kind: 'note', text: '当前无需您操作，进展会在本卡片上同步更新。' });
  }
  // once something has happened, where to read all of it (the card shows only the latest of each)
  if (!view.mode && task.version > 1) elements.push({ kind: 'note', text: `处理记录：发送「${finding.number}号记录」查看每一步` });
  const tags: Card['tags'] = [{ text: TASK_STATE_LABELS[task.state], colour: view.colour }];
  if (view.ctx.pendingExtension) tags.push({ text: '延期待审批', colour: 'orange' });
  return {
    title: `整改任务 · ${findingTitle(finding)}`,
    subtitle: `${finding.category} · ${finding.foundOn}`,
    colour: view.colour,
    tags,
    elements,
    summary: `${findingTitle(finding)}：${TASK_STATE_LABELS[task.state]}`,
  };
}
