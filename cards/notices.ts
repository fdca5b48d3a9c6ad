// Short cards: the filed confirmation, the escalation to the supervision group, command replies.
import type { Campaign, Department, Finding, Member } from '../src/domain/model.js';
import { ROLE_LABELS } from '../src/domain/model.js';
import { formatDateZh, formatShortZh } from '../src/domain/deadline.js';
import { findingTitle, plain } from './format.js';
import { mention, type Card } from './model.js';
import { clip } from '../src/domain/text.js';

export function filedCard(finding: Finding, leaderUserId: string, deadline: string): Card {
  return {
    title: `已登记 · ${findingTitle(finding)}`,
    colour: 'green',
    summary: `已登记${findingTitle(finding)}`,
    elements: [
      {
        kind: 'markdown',
        text: `${plain(finding.description)}\n\n已向 ${mention(leaderUserId)} 下发整改任务，整改完成时间 ${formatDateZh(deadline)}。`,
      },
    ],
  };
}

export function escalationCard(finding: Pick<Finding, 'number' | 'description'>, leaderUserId: string, why: string): Card {
  return {
    title: `红色督办 · ${findingTitle(finding)}`,
    colour: 'red',
    summary: `红色督办：${findingTitle(finding)}`,
    elements: [
      { kind: 'markdown', text: `${mention(leaderUserId)} ${plain(why)}` },
      { kind: 'markdown', text: `**主要问题**：${plain(finding.description)}` },
    ],
  };
}

export interface RedItem {
  findingNumber: number;
  departmentName: string | null;
  description: string;
  leaderUserId: string;
  overdueWorkingDays: number;
}

export const RED_CARD_LIMIT = 20;

/** The day's newly red tasks in one card to the supervision group, each leader @-mentioned once. */
export function redEscalationCard(items: readonly RedItem[], dayLabel: string): Card {
  const shown = items.slice(0, RED_CARD_LIMIT);
  const lines = shown.map(
    (i) => `- **第${i.findingNumber}号问题** ${plain(i.departmentName ?? '')} ${plain(clip(i.description, 40))}：已逾期${i.overdueWorkingDays}个工作日，${mention(i.leaderUserId)}`,
  );
  const first = items[0];
  return {
    title: items.length === 1 && first ? `红色督办 · 第${first.findingNumber}号问题` : `红色督办 · ${items.length}项严重逾期`,
    subtitle: dayLabel,
    colour: 'red',
    summary: `红色督办：${items.length}项严重逾期`,
    elements: [
      { kind: 'markdown', text: '以下问题逾期超过督办期限，请责任领导尽快整改，监督小组跟进督办：' },
      { kind: 'markdown', text: lines.join('\n') },
      ...(items.length > shown.length ? [{ kind: 'note' as const, text: `另有${items.length - shown.length}项未列出，完整清单请发送「台账」导出。` }] : []),
    ],
  };
}

export function departmentsCard(departments: readonly Department[]): Card {
  const line = (d: Department) => `- ${plain(d.name)}：${d.leaderUserId ? mention(d.leaderUserId) : '未设责任领导'}`;
  const inUse = departments.filter((d) => !d.retiredOn).map(line);
  const retired = departments.filter((d) => d.retiredOn).map((d) => `- ${plain(d.name)}（${formatShortZh(d.retiredOn!)}停用）`);
  return {
    title: '科室与责任领导',
    colour: 'blue',
    elements: [
      { kind: 'markdown', text: inUse.length ? inUse.join('\n') : '还没有在用的科室。' },
      ...(retired.length ? [{ kind: 'markdown' as const, text: `**已停用**（已登记的问题照常统计）\n${retired.join('\n')}` }] : []),
      { kind: 'note', text: '新增或修改：科室 新增 急诊科 @责任领导；更名：科室 更名 门诊部 门诊办公室；合并或撤销：科室 停用 急诊二科（管理员、监督小组可用）' },
    ],
  };
}

/** 专项: every campaign, its categories, how many groups work on it, and how far it has got. */
export function campaignsCard(rows: readonly { campaign: Campaign; tasks: number; open: number; groups: number }[]): Card {
  const lines = rows.map(({ campaign, tasks, open, groups }) => {
    const where = groups ? `${groups}个督查群` : '未设督查群';
    const status = campaign.isDefault ? '（日常）' : campaign.endedOn ? `（已于${formatShortZh(campaign.endedOn)}结束）` : '';
    return `- **${plain(campaign.name)}**${status}：问题${tasks}个，未办结${open}个；${where}\n  问题类别：${campaign.categories.map(plain).join('、')}`;
  });
  return {
    title: '督查专项',
    colour: 'blue',
    elements: [
      { kind: 'markdown', text: lines.join('\n') },
      { kind: 'note', text: '新建专项：在专项的群里发送「设为督查群 专项名称 #类别」；私聊发送「台账 专项名称」获取该专项的台账；专项完成后发送「结束专项 专项名称」' },
    ],
    summary: `督查专项：${rows.length}个`,
  };
}

export function rolesCard(members: readonly Member[]): Card {
  const lines = members.map((m) => `- ${mention(m.userId)}：${m.roles.map((r) => ROLE_LABELS[r]).join('、')}`);
  return {
    title: '人员与角色',
    colour: 'blue',
    elements: [
      { kind: 'markdown', text: lines.length ? lines.join('\n') : '还没有设置角色。' },
      { kind: 'note', text: '授权：授权 @某人 监督小组 / 督查组 / 管理员；取消：取消授权 @某人 督查组（管理员可用）' },
    ],
  };
}

export function helpCard(): Card {
  return {
    title: '督办 · 使用说明',
    colour: 'blue',
    elements: [
      {
        kind: 'markdown',
        text: [
          '**督查组**',
          '- `督查`：打开督查登记表；可带上内容直接预填，如 `督查 #服务态度 挂号窗口态度生硬 @王主任 3个工作日`；私聊中可在表上选择督查专项；可写验收标准',
          '- 提交前 10 分钟内在群里发的照片、或回复登记卡片发的照片，会附在问题上',
          '- 督查未发现问题：发送 `督查 门诊部 未发现问题`（可补充说明），记为一次督查，计入督查情况；记错了发送 `撤销督查记录 门诊部`（7天内）',
          '- `督查情况`：本月的督查次数、每周是否督查、各督查组和各督查人次数、未督查的科室；`上月督查情况`、`督查情况 10月` 查看往月',
          '- 整改提交后，您会收到验收卡片：验收通过（销号）或退回整改',
          '- 登记有误：在任务卡片上点「修改问题」更正责任科室、督查区域、类别、问题描述和验收标准（验收前）',
          '- 责任领导迟迟未办：在任务卡片上点「催办」，可写催办说明；催办记入处理记录，同一项每天一次',
          '- 需要改整改期限（如电话同意延期、登记时写错）：在任务卡片上点「调整期限」，写明原因',
          '',
          '**责任领导**',
          '- 在私聊中的整改任务卡片上：签收整改（填写整改措施，可写责任人）、申请延期、非本科室问题、修改整改措施（整改中）、提交整改完成',
          '- 回复任务卡片（或在私聊中）发照片，作为整改佐证',
          '',
          '**所有人**',
          '- `我的任务`：列出与我有关的未办结任务',
          '- `第12号问题`（或 `查看 12`）：打开该问题的任务卡片（在督查群中，或私聊中查看自己负责、登记的问题）',
          '- `12号记录`（或 `处理记录 12`）：该问题从登记到销号的每一步：谁、何时、做了什么、写了什么',
          '- `查找 呼叫铃`（可写多个词）：按问题描述、区域、类别、科室查找问题；私聊中责任领导只查到自己负责的',
          '- 每个工作日 9 点收到一张「今日督办提醒」；节假日不打扰',
          '- `帮助`：显示本说明',
          '',
          '**管理员 / 监督小组**',
          '- `设为督查群`：把本群设为督查群，接收通报和督办提醒（首个使用者成为管理员）',
          '- `设为督查群 2025年作风建设专项督查 #服务态度 #医德医风`：本群用于一个专项（可带本专项的问题类别），本群登记的问题、通报和台账都属于该专项',
          '- `专项`：查看各专项的问题数、未办结数和督查群',
          '- `结束专项`（在专项督查群中，或写上专项名称）：专项完成后停发其通报、不再登记新问题，未办结的照常整改；`恢复专项 名称` 撤回（管理员可用）',
          '- `通报`：在督查群中查看本周截至今日的督查通报；每周、每月第一个工作日自动发送；`上周通报`、`月报`、`通报 10月` 查看往期，`年度通报`、`通报 2025年` 查看全年',
          '- `科室`、`科室 新增 急诊科 @王主任`、`科室 更名 门诊部 门诊办公室`：维护科室和默认责任领导；更名后问题和任务仍属该科室',
          '- `科室 停用 急诊二科`（合并或撤销的科室）：登记时不再列出，已登记的问题照常统计；`科室 启用 急诊二科` 恢复',
          '- `角色`、`授权 @某人 监督小组`、`取消授权 @某人 督查组`：维护人员角色',
          '- `督查组 督查一组 @组长 @成员…`：成立或调整督查组（第一位@的人为组长）；`督查组` 查看各组；`撤销督查组 督查一组`。督查情况和通报按组统计每周督查',
          '- `移交 @原责任领导 @新责任领导`：人员变动时，把前者名下未办结的整改任务和默认负责的科室一并移交（先预览，确认后移交）',
          '- `台账`：发送整改台账 Excel（附件1 督查反馈记录表、附件2 问题清单汇总表、整改进展），可直接打印；`台账 专项名称` 发送该专项的台账',
          '- `进展`：查看整改进展（共N条问题，已完成N项，继续整改N项……）',
          '- `逾期`：逾期未完成的任务，逾期最久的在前，附责任领导和任务卡片按钮',
          '- `考核`：科室考核汇总表 Excel（各科室问题数、按期完成、逾期、退回、反复出现的问题，附问题明细），供年度目标考核；`考核 2025年` 为往年',
          '- 把问题清单（.xlsx，附件2 格式或巡察反馈清单，可带整改情况和整改完成情况）私聊发给我或发到督查群：先预览，确认后一次性导入',
        ].join('\n'),
      },
    ],
  };
}
