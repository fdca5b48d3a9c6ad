// What a chat message asks for. Pure text → command; mentions are resolved by the caller.
import { CATEGORY_TAG } from './intake-text.js';
import type { Role } from './model.js';
import type { InspectionMonthAsk } from './inspection-coverage.js';
import type { BulletinAsk } from './schedule.js';

export type Command =
  | { name: 'intake'; rest: string }
  /** 设为督查群 [专项名称 #类别 …]: without a name, the everyday campaign (日常督查) */
  | { name: 'bind_group'; campaignName: string | null; categories: string[] }
  | { name: 'my_tasks' }
  /** 逾期: the open tasks past their deadline, most overdue first */
  | { name: 'overdue' }
  | { name: 'help' }
  /** 撤销督查记录 门诊部: the sender's latest 督查记录 of that department, made in error */
  | { name: 'visit_undo'; text: string }
  /** 督查情况 (this month so far), 上月督查情况, 督查情况 10月: how much inspecting was done, and where not */
  | { name: 'inspections'; ask: InspectionMonthAsk }
  /** 通报 (this week so far), 上周通报, 月报 / 上月通报, 通报 2026年10月 */
  | { name: 'bulletin'; ask: BulletinAsk }
  /** 台账 [专项名称] / 进展 [专项名称]: without a name, the group's campaign (or the everyday one) */
  | { name: 'ledger'; campaignName: string | null }
  | { name: 'progress'; campaignName: string | null }
  /** 考核 [2025年] [专项名称]: 科室考核; without a year, this year so far (a 专项: the whole of it) */
  | { name: 'assessment'; year: number | null; campaignName: string | null }
  | { name: 'departments' }
  /** 专项: the campaigns, their groups and how far each has got */
  | { name: 'campaigns' }
  /** 结束专项 [名称] / 恢复专项 [名称]: without a name, the group's own 专项 */
  | { name: 'campaign_end' | 'campaign_resume'; campaignName: string | null }
  | { name: 'department_upsert'; departmentName: string }
  /** 科室 更名 门诊部 门诊办公室; empty names when the two could not be told apart (the answer shows how) */
  | { name: 'department_rename'; from: string; to: string }
  /** 科室 停用 急诊二科 / 科室 启用 急诊二科 */
  | { name: 'department_retire'; departmentName: string; retire: boolean }
  | { name: 'roles' }
  /** 督查组: the groups and who is in each */
  | { name: 'teams' }
  /** 督查组 督查一组 @组长 @成员…: sets the group up, or sets who is in it now; '' when no single name was given */
  | { name: 'team_set'; teamName: string }
  /** 撤销督查组 督查一组 */
  | { name: 'team_retire'; teamName: string }
  | { name: 'grant'; role: Role | null }
  | { name: 'revoke'; role: Role | null }
  | { name: 'hand_over' }
  /** 第12号问题: that finding's task card; a bare 「12号」 (also a day of the month) only when the bot is addressed */
  | { name: 'show_finding'; number: number; onlyWhenAddressed: boolean }
  /** 查找 呼叫铃: findings that mention every word; answered in a group only when the bot is addressed */
  | { name: 'search'; words: string[] }
  /** 12号记录 / 处理记录 12: what happened to that finding, event by event */
  | { name: 'finding_history'; number: number }
  | { name: 'unknown'; text: string };

const ROLE_WORDS: [RegExp, Role][] = [
  [/监督小组|监督|纪检/, 'supervisor'],
  [/督查组|督查员|督查/, 'inspector'],
  [/管理员/, 'admin'],
  [/责任领导|责任人/, 'leader'],
];

export function roleFromText(text: string): Role | null {
  for (const [pattern, role] of ROLE_WORDS) if (pattern.test(text)) return role;
  return null;
}

/** Text without mentions of people (`@Name` tokens), so names never read as command words. */
function withoutMentions(text: string): string {
  return text.replace(/@\S+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `2025年作风建设专项督查 #服务态度 #医德医风`: a campaign's name and, optionally, its own categories. */
function campaignSpec(text: string): { campaignName: string | null; categories: string[] } {
  const tags = new RegExp(CATEGORY_TAG.source, 'g');
  const categories = [...new Set(Array.from(text.matchAll(tags), (m) => m[1]!))];
  const campaignName = text.replace(tags, ' ').replace(/\s+/g, ' ').trim();
  return { campaignName: campaignName || null, categories };
}

// 「处理记录 12」「12号问题的处理记录」「查看第12号记录」: the word 记录 makes it a question, never chatter
const HISTORY_WORD = '(?:处理记录|办理记录|整改记录|记录|历史)';
const FINDING_NUMBER = '(?:第)?\\s*(?<n>\\d{1,7})\\s*(?:号问题|号任务|号)?';
const HISTORY_BEFORE = new RegExp(`^(?:查看|查询)?\\s*${HISTORY_WORD}\\s*${FINDING_NUMBER}$`);
const HISTORY_AFTER = new RegExp(`^(?:查看|查询)?\\s*${FINDING_NUMBER}\\s*(?:的)?\\s*${HISTORY_WORD}$`);

const MONTH = '(?:(?<year>\\d{4})\\s*年\\s*)?(?<month>\\d{1,2})\\s*月(?:份)?';
const MONTH_BULLETIN = [new RegExp(`^(?:通报|督查通报|月报|月度通报)[\\s:：]*${MONTH}$`), new RegExp(`^${MONTH}\\s*(?:的)?(?:通报|督查通报|月报|月度通报)$`)];

const YEAR = '(?<year>\\d{4})\\s*年(?:度)?';
const YEAR_BULLETIN = [new RegExp(`^(?:通报|督查通报|年报|年度通报)[\\s:：]*${YEAR}$`), new RegExp(`^${YEAR}\\s*(?:的)?(?:通报|督查通报|年报|年度通报)$`)];

function bulletinAsk(bare: string): BulletinAsk | null {
  if (/^(通报|本周通报|周报|督查通报)$/.test(bare)) return { period: 'this_week' };
  if (/^(上周通报|上周周报|通报[\s:：]*上周)$/.test(bare)) return { period: 'last_week' };
  if (/^(月报|月度通报|上月通报|上月月报|上个月通报|通报[\s:：]*(上月|上个月))$/.test(bare)) return { period: 'month', year: null, month: null };
  if (/^(年报|年度通报|全年通报|本年度通报|今年通报|通报[\s:：]*(今年|本年度?|全年))$/.test(bare)) return { period: 'year', year: 'this' };
  if (/^(去年通报|上年度通报|上一年度通报|通报[\s:：]*(去年|上年度?))$/.test(bare)) return { period: 'year', year: 'last' };
  const year = YEAR_BULLETIN.map((pattern) => pattern.exec(bare)).find((m) => m);
  if (year) return { period: 'year', year: Number(year.groups!.year) };
  for (const pattern of MONTH_BULLETIN) {
    const m = pattern.exec(bare);
    if (m) return { period: 'month', year: m.groups!.year ? Number(m.groups!.year) : null, month: Number(m.groups!.month) };
  }
  return null;
}

const INSPECTIONS_WORD = '(?:督查|督导)(?:工作)?(?:情况|覆盖|统计)';
const INSPECTIONS_BEFORE = new RegExp(`^${INSPECTIONS_WORD}(?:[\\s:：]*(?<when>.+))?$`);
const INSPECTIONS_AFTER = new RegExp(`^(?<when>.+?)\\s*(?:的)?${INSPECTIONS_WORD}$`);

function inspectionsAsk(bare: string): InspectionMonthAsk | null {
  const m = INSPECTIONS_BEFORE.exec(bare) ?? INSPECTIONS_AFTER.exec(bare);
  if (!m) return null;
  const when = m.groups!.when?.trim() ?? '';
  if (when === '' || /^(本月|这个月|当月)$/.test(when)) return { month: 'this' };
  if (/^(上月|上个月)$/.test(when)) return { month: 'last' };
  const month = new RegExp(`^${MONTH}$`).exec(when);
  return month ? { month: Number(month.groups!.month), year: month.groups!.year ? Number(month.groups!.year) : null } : null;
}

const ASSESSMENT_WORD = '(?:科室)?(?:考核|考评)(?:汇总表?|统计表?|表)?';
const ASSESSMENT_BEFORE = new RegExp(`^${ASSESSMENT_WORD}(?<gap>[\\s:：]*)(?<rest>.*)$`);
const ASSESSMENT_AFTER = new RegExp(`^${YEAR}\\s*(?:的)?${ASSESSMENT_WORD}$`);
// 「2025年」 alone, or 「2025年 专项名称」; 「2025年作风建设专项督查」 is a campaign's name
const ASSESSMENT_YEAR = new RegExp(`^${YEAR}(?:\\s+(?<rest>.+))?$`);

function assessmentAsk(bare: string): Extract<Command, { name: 'assessment' }> | null {
  const after = ASSESSMENT_AFTER.exec(bare);
  if (after) return { name: 'assessment', year: Number(after.groups!.year), campaignName: null };
  const before = ASSESSMENT_BEFORE.exec(bare);
  if (!before) return null;
  const rest = before.groups!.rest!.trim();
  const year = ASSESSMENT_YEAR.exec(rest);
  if (year) return { name: 'assessment', year: Number(year.groups!.year), campaignName: year.groups!.rest?.trim() || null };
  // 「考核结果」 is a word, not a campaign: a campaign's name is set apart by a space or a colon
  if (rest && !before.groups!.gap) return null;
  return { name: 'assessment', year: null, campaignName: rest || null };
}

const TEAM_WORD = '督查(?:小)?组';

/** 「督查组 督查一组 组长 @李国华 成员 @王国松 @李萍」: the words 组长 and 成员 only guide the eye. */
function teamCommand(bare: string): Extract<Command, { name: 'teams' | 'team_set' | 'team_retire' }> | null {
  if (new RegExp(`^(?:${TEAM_WORD}|${TEAM_WORD}列表|各${TEAM_WORD})$`).test(bare)) return { name: 'teams' };
  const retire = new RegExp(`^(?:撤销|删除|解散)${TEAM_WORD}[\\s:：]*(.*)$`).exec(bare);
  if (retire) return { name: 'team_retire', teamName: retire[1]!.trim() };
  const set = new RegExp(`^(?:设置|设立|成立|调整)?${TEAM_WORD}[\\s:：]+(.+)$`).exec(bare);
  if (!set) return null;
  const words = set[1]!.split(/[\s:：,，、;；]+/).filter((w) => w && !/^(组长|成员|组员)$/.test(w));
  return { name: 'team_set', teamName: words.length === 1 ? words[0]! : '' };
}

/** At most five words of at most 30 characters each: a search is a few remembered words. */
export const MAX_SEARCH_WORDS = 5;
const MAX_SEARCH_WORD = 30;

function searchWords(text: string): string[] {
  const words = text.split(/[\s,，、;；]+/).filter(Boolean).map((w) => [...w].slice(0, MAX_SEARCH_WORD).join(''));
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

export function parseCommand(rawText: string): Command {
  const text = rawText.normalize('NFKC').trim();
  const bare = withoutMentions(text);
  if (bare === '' ) return { name: 'intake', rest: '' };
  const bind = /^(?:设为督查群|设置督查群|绑定督查群)[\s:：]*(.*)$/.exec(bare);
  if (bind) return { name: 'bind_group', ...campaignSpec(bind[1]!) };
  if (/^(我的任务|我的待办|待办)$/.test(bare)) return { name: 'my_tasks' };
  if (/^(逾期|逾期任务|逾期清单|逾期事项|逾期问题|逾期未完成)$/.test(bare)) return { name: 'overdue' };
  if (/^(帮助|help|\?|使用说明)$/i.test(bare)) return { name: 'help' };
  const undo = /^(?:撤销|撤回|删除)督查记录[\s:：]*(.*)$/.exec(bare);
  if (undo) return { name: 'visit_undo', text: undo[1]!.trim() };
  const inspections = inspectionsAsk(bare);
  if (inspections) return { name: 'inspections', ask: inspections };
  const bulletin = bulletinAsk(bare);
  if (bulletin) return { name: 'bulletin', ask: bulletin };
  const ledger = /^(?:台账|整改台账|导出台账)(?:[\s:：]+(.+))?$/.exec(bare);
  if (ledger) return { name: 'ledger', campaignName: ledger[1]?.trim() || null };
  const progress = /^(?:进展|整改进展|进展报告|整改进展报告)(?:[\s:：]+(.+))?$/.exec(bare);
  if (progress) return { name: 'progress', campaignName: progress[1]?.trim() || null };
  const assessment = assessmentAsk(bare);
  if (assessment) return assessment;
  if (/^(科室|科室列表)$/.test(bare)) return { name: 'departments' };
  if (/^(专项|专项列表|督查专项)$/.test(bare)) return { name: 'campaigns' };
  const lifecycle = /^(结束|关闭|恢复|重启)专项(?:[\s:：]+(.+))?$/.exec(bare);
  if (lifecycle) return { name: lifecycle[1] === '结束' || lifecycle[1] === '关闭' ? 'campaign_end' : 'campaign_resume', campaignName: lifecycle[2]?.trim() || null };
  const rename = /^科室\s*(?:更名|改名|重命名)\s*(.*)$/.exec(bare);
  if (rename) {
    const names = rename[1]!.split(/\s*(?:→|->)\s*|\s+(?:改为|更名为|为)\s+|\s+/).filter(Boolean);
    return { name: 'department_rename', ...(names.length === 2 ? { from: names[0]!, to: names[1]! } : { from: '', to: '' }) };
  }
  const retire = /^科室\s*(停用|撤销|撤并|启用|恢复)\s*(\S*)$/.exec(bare);
  if (retire) return { name: 'department_retire', departmentName: retire[2]!, retire: retire[1] !== '启用' && retire[1] !== '恢复' };
  const upsert = /^科室\s*(?:新增|添加|修改|设置)\s*(\S+)/.exec(bare);
  if (upsert?.[1]) return { name: 'department_upsert', departmentName: upsert[1] };
  if (/^(角色|人员|角色列表)$/.test(bare)) return { name: 'roles' };
  const team = teamCommand(bare);
  if (team) return team;
  const history = HISTORY_BEFORE.exec(bare) ?? HISTORY_AFTER.exec(bare);
  if (history && Number(history.groups!.n) > 0) return { name: 'finding_history', number: Number(history.groups!.n) };
  const show = /^(查看|查询|查找|打开)?\s*(第)?\s*(\d{1,7})\s*(号问题|号任务|号)?$/.exec(bare);
  if (show && (show[1] || show[4])) {
    const number = Number(show[3]);
    if (number > 0) return { name: 'show_finding', number, onlyWhenAddressed: !show[1] && !show[2] && show[4] === '号' };
  }
  const search = /^(?:查找|搜索|检索|查询)[\s:：]*(.+)$/.exec(bare);
  if (search) return { name: 'search', words: searchWords(search[1]!) };
  // 移交 @原责任领导 (给) @新责任领导: the two people are the message's mentions, in order
  if (/^(移交|交接)(任务|工作)?\s*(给|到|至|→)?$/.test(bare)) return { name: 'hand_over' };
  const grant = /^(取消授权|授权)\s*(.*)$/.exec(bare);
  if (grant) return { name: grant[1] === '授权' ? 'grant' : 'revoke', role: roleFromText(grant[2] ?? '') };
  if (/^督查(\s|$|#|＃)/.test(text) || bare === '督查') return { name: 'intake', rest: text.replace(/^督查/, '').trim() };
  return { name: 'unknown', text: bare };
}

/**
 * A bot menu item (Feishu 机器人自定义菜单, 推送事件) sends its event key instead of a message: the
 * keys README names map to the command words; any other key is read as command text itself.
 */
export const MENU_COMMANDS: Readonly<Record<string, string>> = {
  intake: '督查',
  my_tasks: '我的任务',
  overdue: '逾期',
  inspections: '督查情况',
  ledger: '台账',
  progress: '进展',
  help: '帮助',
};

export function menuCommandText(eventKey: string): string {
  return Object.hasOwn(MENU_COMMANDS, eventKey) ? MENU_COMMANDS[eventKey]! : eventKey;
}
