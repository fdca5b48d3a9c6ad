// 处理记录: a finding's story from its task events, one line each — who did what, when, and the
// words they gave. What the supervision office reads back when it asks "why is this still open?"
// or has to account for an item months later. The events are the record; nothing here is stored.
import { CLOSURE_KIND_LABELS, TASK_STATE_LABELS, type Attachment, type ClosureKind, type TaskContext, type TaskEvent, type TaskState } from '../src/domain/model.js';
import { formatDateZh, formatShortZh } from '../src/domain/deadline.js';
import { localTime } from '../src/domain/schedule.js';
import { clip } from '../src/domain/text.js';
import { findingTitle, plain, whereText } from './format.js';
import { mention, type Card, type CardElement } from './model.js';

/** The newest entries a card shows: a long-term item reports progress for years. */
export const HISTORY_EVENTS_PER_CARD = 30;
/** Photos one person sends within this long make one entry ("发送整改佐证照片 3 张"). */
const PHOTO_BURST_MS = 10 * 60_000;
/** Words quoted from a measure, reason or note; the task card has them whole. */
const QUOTED = 100;

export interface TaskHistoryView {
  ctx: TaskContext;
  events: readonly TaskEvent[];
  /** department names by id, for 修改问题 lines that moved a finding */
  departmentNames: ReadonlyMap<string, string>;
  timezone: string;
}

const EDITED_FIELDS = { departmentId: '责任科室', area: '督查区域', category: '问题类别', description: '主要问题', acceptanceCriteria: '验收标准' } as const;

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function said(value: unknown): string {
  const words = plain(str(value).replace(/\s+/g, ' ').trim());
  if (!words) return '';
  const shown = clip(words, QUOTED);
  return `：${shown}${shown.length < words.length ? '…' : ''}`;
}

function closure(value: unknown): string {
  const kind = str(value) as ClosureKind;
  return Object.hasOwn(CLOSURE_KIND_LABELS, kind) ? CLOSURE_KIND_LABELS[kind] : '';
}

function date(value: unknown): string {
  return formatDateZh(str(value));
}

function corrected(data: Record<string, unknown>, departmentNames: ReadonlyMap<string, string>): string {
  const before = (data.before ?? {}) as Record<string, unknown>;
  const after = (data.after ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [field, label] of Object.entries(EDITED_FIELDS)) {
    if (!Object.hasOwn(after, field)) continue;
    if (field === 'description' || field === 'acceptanceCriteria') {
      parts.push(`${label}已改写`);
      continue;
    }
    const shown = (v: unknown) => {
      const value = str(v);
      if (!value) return '（空）';
      return plain(field === 'departmentId' ? (departmentNames.get(value) ?? '已删除的科室') : value);
    };
    parts.push(`${label} ${shown(before[field])} → ${shown(after[field])}`);
  }
  return parts.length ? `修改问题：${parts.join('；')}` : '修改问题';
}

/** What one event says, after its actor's mention. Unknown actions are named, not hidden. */
export function eventSentence(event: TaskEvent, departmentNames: ReadonlyMap<string, string> = new Map()): string {
  const d = event.data;
  switch (event.action) {
    case 'create':
      return `登记问题，责任领导 ${mention(str(d.leaderUserId))}，整改完成时间 ${date(d.deadline)}`;
    case 'import': {
      const row = str(d.row) ? `第${str(d.row)}行` : '';
      const state = Object.hasOwn(TASK_STATE_LABELS, str(d.state)) ? `，导入时${TASK_STATE_LABELS[str(d.state) as TaskState]}` : '';
      return `从《${plain(str(d.file))}》${row}导入${state}${said(d.history)}`;
    }
    case 'accept':
      return `签收${str(d.responsiblePerson) ? `，责任人 ${plain(str(d.responsiblePerson))}` : ''}，整改措施${said(d.measures)}`;
    case 'decline':
      return `认为不属于本人负责，退回${said(d.reason)}`;
    case 'request_extension':
      return `申请延期至 ${date(d.requestedDeadline)}${said(d.reason)}`;
    case 'approve_extension':
      return `同意延期：${formatShortZh(str(d.from))} → ${formatShortZh(str(d.to))}`;
    case 'refuse_extension':
      return `不同意延期${said(d.reason)}`;
    case 'submit':
      return `提交整改完成（${closure(d.closureKind) || '已整改'}）${said(d.note)}`;
    case 'reassign':
      return `重新指派：${mention(str(d.from))} → ${mention(str(d.to))}${str(d.deadline) ? `，整改完成时间改为 ${date(d.deadline)}` : ''}`;
    case 'verify_pass':
      return `验收通过，销号${closure(d.closureKind) ? `（${closure(d.closureKind)}）` : ''}`;
    case 'verify_fail':
      return `验收不通过，退回整改${str(d.returnsCount) ? `（第${str(d.returnsCount)}次）` : ''}${said(d.reason)}`;
    case 'cancel':
      return `撤销${said(d.reason)}`;
    case 'reopen':
      return `回头看发现反弹，重新整改${said(d.reason)}`;
    case 'report_progress':
      return `反馈长期坚持事项进展${said(d.note)}`;
    case 'edit_finding':
      return corrected(d, departmentNames);
    case 'urge':
      return `催办${said(d.note)}`;
    case 'revise_measures': {
      const after = (d.after ?? {}) as Record<string, unknown>;
      const before = (d.before ?? {}) as Record<string, unknown>;
      const parts = [
        ...(Object.hasOwn(after, 'measures') ? [`整改措施${said(after['measures'])}`] : []),
        ...(Object.hasOwn(after, 'responsiblePerson') ? [`责任人 ${plain(str(before['responsiblePerson'])) || '（空）'} → ${plain(str(after['responsiblePerson'])) || '（空）'}`] : []),
      ];
      return `修改整改措施${parts.length ? `：${parts.join('；')}` : ''}`;
    }
    case 'set_deadline':
      return `调整整改完成时间 ${formatShortZh(str(d.from))} → ${formatShortZh(str(d.to))}${said(d.reason)}`;
    default:
      return `操作「${plain(event.action)}」`;
  }
}

/** One line of the record: an event, or a burst of photos (not events, but when evidence came matters). */
interface Entry {
  at: number;
  actorUserId: string;
  text: string;
}

function photoEntries(attachments: readonly Attachment[]): Entry[] {
  type Burst = { at: number; actorUserId: string; purpose: Attachment['purpose']; count: number; last: number };
  const entries: Burst[] = [];
  const latest = new Map<string, Burst>();
  for (const photo of [...attachments].sort((a, b) => a.createdAt - b.createdAt)) {
    const key = `${photo.uploaderUserId}\n${photo.purpose}`;
    const open = latest.get(key);
    if (open && photo.createdAt - open.last <= PHOTO_BURST_MS) {
      open.count += 1;
      open.last = photo.createdAt;
    } else {
      const burst = { at: photo.createdAt, actorUserId: photo.uploaderUserId, purpose: photo.purpose, count: 1, last: photo.createdAt };
      entries.push(burst);
      latest.set(key, burst);
    }
  }
  return entries.map(({ at, actorUserId, purpose, count }) => ({ at, actorUserId, text: `发送${purpose === 'evidence' ? '整改佐证' : '现场'}照片 ${count} 张` }));
}

function when(at: number, timezone: string): string {
  const t = localTime(at, timezone);
  return `${formatDateZh(t.date)} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

export function taskHistoryCard(view: TaskHistoryView): Card {
  const { task, finding, department } = view.ctx;
  const events: Entry[] = view.events.map((e) => ({ at: e.at, actorUserId: e.actorUserId, text: eventSentence(e, view.departmentNames) }));
  // oldest first; the sort is stable, so at the same moment photos come first (they are sent
  // before the filing or submission they support)
  const entries = [...photoEntries(view.ctx.attachments), ...events].sort((a, b) => a.at - b.at);
  const shown = entries.slice(-HISTORY_EVENTS_PER_CARD);
  const left = entries.length - shown.length;
  const lines = shown.map((e) => `**${when(e.at, view.timezone)}** ${mention(e.actorUserId)} ${e.text}`);
  const elements: CardElement[] = [
    {
      kind: 'fields',
      fields: [
        { label: '督查区域', value: plain(whereText(finding.area, department?.name ?? null)) },
        { label: '责任领导', value: mention(task.leaderUserId) },
        { label: '整改完成时间', value: formatDateZh(task.deadline) },
        { label: '状态', value: TASK_STATE_LABELS[task.state] + (task.returnsCount ? `（已退回${task.returnsCount}次）` : '') },
      ],
    },
    { kind: 'divider' },
  ];
  if (left > 0) elements.push({ kind: 'note', text: `较早的 ${left} 条记录未显示。` });
  elements.push({ kind: 'markdown', text: lines.length ? lines.join('\n') : '暂无处理记录。' });
  elements.push({ kind: 'note', text: `共 ${entries.length} 条记录。发送「第${finding.number}号问题」查看任务卡片。` });
  return {
    title: `处理记录 · ${findingTitle(finding)}`,
    subtitle: `${finding.category} · ${finding.foundOn}`,
    colour: 'grey',
    tags: [{ text: TASK_STATE_LABELS[task.state], colour: 'grey' }],
    elements,
    summary: `${findingTitle(finding)}的处理记录`,
  };
}
