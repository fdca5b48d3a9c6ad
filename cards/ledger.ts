// The progress report card, and the import preview and result cards.
import { formatDateZh } from '../src/domain/deadline.js';
import type { Ledger } from '../src/domain/ledger.js';
import { completionRate, progressHeadline } from '../src/domain/progress-report.js';
import { groupCounts, numberedTitle } from '../src/domain/progress-text.js';
import type { ImportPlan } from '../src/domain/import-plan.js';
import { plain } from './format.js';
import { mention, type Card, type CardElement } from './model.js';
import { clip } from '../src/domain/text.js';

export const CONTINUING_SHOWN = 10;
export const ROW_ERRORS_SHOWN = 20;
/** Above this many rows a confirmation may outlast Feishu's 3-second wait for the click's answer. */
export const LARGE_IMPORT_ROWS = 2000;

export function progressCard(ledger: Ledger, note: string | null = null): Card {
  const s = ledger.summary;
  const continuing = ledger.progress.flatMap((g) => g.majors.flatMap((m) => m.problems)).filter((p) => p.wording.startsWith('继续整改'));
  const elements: CardElement[] = [
    { kind: 'markdown', text: `${plain(progressHeadline(s))}。` },
    {
      kind: 'fields',
      fields: [
        { label: '问题总数', value: String(s.problems) },
        { label: '已完成整改', value: String(s.done) },
        { label: '继续整改', value: String(s.continuing) },
        { label: '其中逾期', value: String(s.overdue) },
        { label: '长期坚持', value: String(s.longTerm) },
        { label: '完成率', value: completionRate(s) },
      ],
    },
  ];
  if (ledger.progress.length > 0) {
    elements.push({
      kind: 'table',
      columns: [
        { name: 'group', label: ledger.grouping.aspect, kind: 'text' },
        { name: 'problems', label: '问题', kind: 'number' },
        { name: 'done', label: '已完成', kind: 'number' },
        { name: 'continuing', label: '继续整改', kind: 'number' },
      ],
      rows: ledger.progress.map((g, i) => {
        const c = groupCounts(g);
        return { group: numberedTitle(i, c.title), problems: c.problems, done: c.done, continuing: c.continuing };
      }),
      pageSize: 10,
    });
  }
  if (continuing.length > 0) {
    const lines = continuing.slice(0, CONTINUING_SHOWN).map((p) => `- **${p.number}** ${plain(clip(p.problem, 40))}（${plain(p.leader)}，${plain(p.wording)}）`);
    if (continuing.length > CONTINUING_SHOWN) lines.push(`- 另有${continuing.length - CONTINUING_SHOWN}项，见台账`);
    elements.push({ kind: 'markdown', text: `**继续整改的问题**\n${lines.join('\n')}` });
  }
  if (note) elements.push({ kind: 'note', text: note });
  return {
    title: `整改进展 · ${ledger.campaignName}`,
    subtitle: `截至${formatDateZh(ledger.generatedOn)}`,
    colour: s.overdue > 0 ? 'orange' : 'blue',
    summary: progressHeadline(s),
    elements,
  };
}

export function importPreviewCard(args: { importId: string; fileName: string; plan: ImportPlan; rows: number }): Card {
  const { plan } = args;
  const closed = plan.findings.filter((f) => f.outcome.state === 'closed');
  const longTerm = closed.filter((f) => f.outcome.state === 'closed' && f.outcome.closureKind === 'long_term').length;
  const open = plan.findings.length - closed.length;
  const elements: CardElement[] = [
    {
      kind: 'fields',
      fields: [
        { label: '读到的问题', value: `${args.rows}条` },
        { label: '可以导入', value: `${plan.findings.length}条` },
        { label: '按历史销号', value: `${closed.length}条（其中长期坚持${longTerm}条）` },
        { label: '继续整改', value: `${open}条` },
        { label: '有误的行', value: `${plan.errors.length}行` },
      ],
    },
  ];
  if (plan.errors.length > 0) {
    const lines = plan.errors.slice(0, ROW_ERRORS_SHOWN).map((e) => `- 「${plain(e.sheet)}」第${e.rowNumber}行：${plain(e.reason)}`);
    if (plan.errors.length > ROW_ERRORS_SHOWN) lines.push(`- 另有${plan.errors.length - ROW_ERRORS_SHOWN}行有误`);
    elements.push({ kind: 'markdown', text: `**请先修正这些行**\n${lines.join('\n')}` });
  }
  if (plan.unmatchedLeaders.length > 0) {
    elements.push({
      kind: 'markdown',
      text: `**未匹配的责任领导**：${plan.unmatchedLeaders.map(plain).join('、')}\n请让他们先在群里被 @ 一次（或由管理员发送「科室 新增 科室名 @领导」），再重新发送文件。`,
    });
  }
  for (const note of plan.notes) elements.push({ kind: 'note', text: note });
  if (plan.errors.length === 0 && plan.findings.length > LARGE_IMPORT_ROWS) {
    elements.push({ kind: 'note', text: '文件较大：确认后导入需要一些时间，卡片可能先提示超时，导入仍会继续，完成后会另发一条导入结果；请勿重复确认或重复发送文件。' });
  }
  if (plan.errors.length === 0 && plan.findings.length > 0) {
    elements.push({
      kind: 'buttons',
      buttons: [
        { label: `确认导入${plan.findings.length}条`, style: 'primary', action: { a: 'import_confirm', x: { i: args.importId } } },
        { label: '取消', style: 'default', action: { a: 'import_cancel', x: { i: args.importId } } },
      ],
    });
  } else {
    elements.push({ kind: 'note', text: plan.findings.length === 0 && plan.errors.length === 0 ? '文件里没有可导入的问题。' : '全部行无误后才能导入（不会只导入一部分）：请修正后重新发送文件。' });
  }
  return {
    title: `导入预览 · ${args.fileName}`,
    colour: plan.errors.length > 0 ? 'orange' : 'blue',
    summary: `导入预览：可以导入${plan.findings.length}条，有误${plan.errors.length}行`,
    elements,
  };
}

export function importDecidedCard(args: { fileName: string; outcome: 'confirmed' | 'cancelled'; opened: number; closed: number; by: string }): Card {
  const text =
    args.outcome === 'confirmed'
      ? `已导入${args.opened + args.closed}条：继续整改${args.opened}条已下发给责任领导，按历史销号${args.closed}条。`
      : '已取消，没有导入任何问题。';
  return {
    title: `${args.outcome === 'confirmed' ? '已导入' : '已取消导入'} · ${args.fileName}`,
    colour: args.outcome === 'confirmed' ? 'green' : 'grey',
    summary: text,
    elements: [{ kind: 'markdown', text: `${text}\n操作人：${mention(args.by)}` }],
  };
}
