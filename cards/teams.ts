// 督查组: the groups as they are today, their 组长 and 成员, and the 督查组 members in none of them.
import { plain } from './format.js';
import { mention, type Card } from './model.js';

export interface TeamView {
  name: string;
  leadUserId: string | null;
  /** everyone in it today, the 组长 among them */
  memberUserIds: readonly string[];
}

export function teamsCard(teams: readonly TeamView[], unassigned: readonly string[]): Card {
  const lines = teams.map((t) => {
    const others = t.memberUserIds.filter((id) => id !== t.leadUserId);
    const lead = t.leadUserId ? `组长 ${mention(t.leadUserId)}` : '未设组长';
    return `- **${plain(t.name)}**（${t.memberUserIds.length}人）：${lead}${others.length ? `；成员 ${others.map(mention).join(' ')}` : ''}`;
  });
  return {
    title: '督查组',
    colour: 'blue',
    summary: `督查组：${teams.length}个`,
    elements: [
      { kind: 'markdown', text: lines.length ? lines.join('\n') : '还没有设置督查组。' },
      ...(unassigned.length ? [{ kind: 'markdown' as const, text: `**未编入督查组的督查人**：${unassigned.map(mention).join(' ')}` }] : []),
      { kind: 'note', text: '设置或调整：督查组 督查一组 @组长 @成员…（第一位@的人为组长）；撤销：撤销督查组 督查一组（管理员、监督小组可用）。每组每周至少督查1次，「督查情况」按周列出各组的督查次数。' },
    ],
  };
}
