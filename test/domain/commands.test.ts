// What a chat message asks for: command words are read with the people's names taken out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_WORDS, parseCommand } from '../../src/domain/commands.js';

describe('parseCommand', () => {
  it.each([
    ['移交 @王主任 @赵主任', 'hand_over'],
    ['移交 @王主任 给 @赵主任', 'hand_over'],
    ['交接工作 @王主任 @赵主任', 'hand_over'],
    ['移交任务 @王主任 到 @赵主任', 'hand_over'],
    ['我的任务', 'my_tasks'],
    ['台账', 'ledger'],
    ['进展：2025年作风建设专项督查', 'progress'],
    ['科室', 'departments'],
    ['专项', 'campaigns'],
    ['专项列表', 'campaigns'],
    ['授权 @钱 督查组', 'grant'],
  ])('%s → %s', (text, name) => {
    expect(parseCommand(text).name).toBe(name);
  });

  it.each([
    ['第12号问题', { number: 12, onlyWhenAddressed: false }],
    ['查看 12', { number: 12, onlyWhenAddressed: false }],
    ['查询第3号', { number: 3, onlyWhenAddressed: false }],
    ['12号问题', { number: 12, onlyWhenAddressed: false }],
    ['１２号', { number: 12, onlyWhenAddressed: true }],
  ])('%s asks for a finding by number', (text, expected) => {
    expect(parseCommand(text)).toEqual({ name: 'show_finding', ...expected });
  });

  it.each(['12', '第0号问题', '12号下午开会', '12月5日'])('%s is not a question about a finding', (text) => {
    expect(parseCommand(text).name).not.toBe('show_finding');
  });

  it.each([
    ['查找 呼叫铃', ['呼叫铃']],
    ['搜索：呼叫铃 二楼', ['呼叫铃', '二楼']],
    ['查询 呼叫铃，呼叫铃、护士站', ['呼叫铃', '护士站']],
    ['检索 a b c d e f g', ['a', 'b', 'c', 'd', 'e']],
    [`查找 ${'长'.repeat(40)}`, ['长'.repeat(30)]],
    ['查找，、', []],
  ])('%s searches findings', (text, words) => {
    expect(parseCommand(text)).toEqual({ name: 'search', words });
  });

  it('keeps 查询 12 and 查找第12号问题 as questions about one finding', () => {
    expect(parseCommand('查询 12').name).toBe('show_finding');
    expect(parseCommand('查找第12号问题').name).toBe('show_finding');
  });

  it.each([
    ['结束专项', { name: 'campaign_end', campaignName: null }],
    ['结束专项 2025年作风建设专项督查', { name: 'campaign_end', campaignName: '2025年作风建设专项督查' }],
    ['关闭专项：巡察整改', { name: 'campaign_end', campaignName: '巡察整改' }],
    ['恢复专项 巡察整改', { name: 'campaign_resume', campaignName: '巡察整改' }],
  ])('%s ends or resumes a campaign', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
  });

  it.each([
    ['科室 更名 门诊部 门诊办公室', { from: '门诊部', to: '门诊办公室' }],
    ['科室改名 门诊部 为 门诊办公室', { from: '门诊部', to: '门诊办公室' }],
    ['科室 重命名 行为医学科→心理科', { from: '行为医学科', to: '心理科' }],
    ['科室 更名 门诊部', { from: '', to: '' }],
    ['科室 更名 门诊部 门诊 办公室', { from: '', to: '' }],
  ])('%s renames a department', (text, names) => {
    expect(parseCommand(text)).toEqual({ name: 'department_rename', ...names });
  });

  it.each<[string, { departmentName: string; retire: boolean }]>([
    ['科室 停用 急诊二科', { departmentName: '急诊二科', retire: true }],
    ['科室撤销 行为医学科', { departmentName: '行为医学科', retire: true }],
    ['科室 启用 急诊二科', { departmentName: '急诊二科', retire: false }],
    ['科室 恢复 急诊二科', { departmentName: '急诊二科', retire: false }],
    ['科室 停用', { departmentName: '', retire: true }],
  ])('%s retires or restores a department', (text, expected) => {
    expect(parseCommand(text)).toEqual({ name: 'department_retire', ...expected });
  });

  it.each([
    ['通报', { period: 'this_week' }],
    ['周报', { period: 'this_week' }],
    ['上周通报', { period: 'last_week' }],
    ['通报 上周', { period: 'last_week' }],
    ['月报', { period: 'month', year: null, month: null }],
    ['上月通报', { period: 'month', year: null, month: null }],
    ['通报 10月', { period: 'month', year: null, month: 10 }],
    ['通报：2025年12月', { period: 'month', year: 2025, month: 12 }],
    ['10月份通报', { period: 'month', year: null, month: 10 }],
    ['２０２６年９月的月报', { period: 'month', year: 2026, month: 9 }],
    ['年度通报', { period: 'year', year: 'this' }],
    ['通报 今年', { period: 'year', year: 'this' }],
    ['去年通报', { period: 'year', year: 'last' }],
    ['通报 2025年', { period: 'year', year: 2025 }],
    ['2025年度通报', { period: 'year', year: 2025 }],
  ])('%s asks for a bulletin', (text, ask) => {
    expect(parseCommand(text)).toEqual({ name: 'bulletin', ask });
  });

  it.each(['通报一下', '10月5日通报', '通报 下周'])('%s is not a bulletin request', (text) => {
    expect(parseCommand(text).name).not.toBe('bulletin');
  });

  it.each([
    ['12号记录', 12],
    ['第12号问题的处理记录', 12],
    ['查看 12号 办理记录', 12],
    ['处理记录 12', 12],
    ['记录第３号问题', 3],
    ['12号任务历史', 12],
  ])('%s asks for a finding’s history', (text, number) => {
    expect(parseCommand(text)).toEqual({ name: 'finding_history', number });
  });

  it.each(['记录', '记录一下12号的情况', '第0号记录', '处理记录12月5日'])('%s is not a question about a finding’s history', (text) => {
    expect(parseCommand(text).name).not.toBe('finding_history');
  });

  it.each([
    ['设为督查群', { campaignName: null, categories: [] }],
    ['设为督查群 2025年作风建设专项督查', { campaignName: '2025年作风建设专项督查', categories: [] }],
    ['设为督查群：巡察整改 #服务态度 #医德医风 #服务态度', { campaignName: '巡察整改', categories: ['服务态度', '医德医风'] }],
    ['绑定督查群 #服务态度', { campaignName: null, categories: ['服务态度'] }],
  ])('%s binds the group to a campaign', (text, expected) => {
    expect(parseCommand(text)).toEqual({ name: 'bind_group', ...expected });
  });

  it('reads the campaign a 台账 or 进展 names, and none when there is none', () => {
    expect(parseCommand('台账 2025年作风建设专项督查')).toEqual({ name: 'ledger', campaignName: '2025年作风建设专项督查' });
    expect(parseCommand('整改台账')).toEqual({ name: 'ledger', campaignName: null });
    expect(parseCommand('进展')).toEqual({ name: 'progress', campaignName: null });
    expect(parseCommand('台账有没有更新').name).toBe('unknown');
  });

  it.each<[string, { year: number | null; campaignName: string | null }]>([
    ['考核', { year: null, campaignName: null }],
    ['科室考核汇总', { year: null, campaignName: null }],
    ['考核 2025年', { year: 2025, campaignName: null }],
    ['考核2025年', { year: 2025, campaignName: null }],
    ['2025年度科室考核', { year: 2025, campaignName: null }],
    ['考核：2025年作风建设专项督查', { year: null, campaignName: '2025年作风建设专项督查' }],
    ['科室考核 2025年 作风建设专项督查', { year: 2025, campaignName: '作风建设专项督查' }],
  ])('%s asks for 科室考核', (text, expected) => {
    expect(parseCommand(text)).toEqual({ name: 'assessment', ...expected });
  });

  it('reads 逾期 and its usual names, and leaves questions about overdue work alone', () => {
    for (const text of ['逾期', '逾期任务', '逾期清单']) expect(parseCommand(text)).toEqual({ name: 'overdue' });
    expect(parseCommand('逾期了怎么办').name).toBe('unknown');
  });

  it.each([
    ['督查情况', { month: 'this' }],
    ['督查工作情况', { month: 'this' }],
    ['本月督查情况', { month: 'this' }],
    ['督查覆盖', { month: 'this' }],
    ['上月督查情况', { month: 'last' }],
    ['督查情况 上个月', { month: 'last' }],
    ['督查情况：10月', { month: 10, year: null }],
    ['2025年12月的督查情况', { month: 12, year: 2025 }],
    ['督查统计 2026年3月份', { month: 3, year: 2026 }],
  ])('%s asks for 督查情况', (text, ask) => {
    expect(parseCommand(text)).toEqual({ name: 'inspections', ask });
  });

  it('reads 督查组: the list, setting one up (the words 组长 and 成员 only guide the eye) and winding one up', () => {
    for (const text of ['督查组', '@督办 督查组', '督查组列表', '各督查组', '督查小组']) expect(parseCommand(text)).toEqual({ name: 'teams' });
    expect(parseCommand('督查组 督查一组 @李国华 @王国松 @李萍')).toEqual({ name: 'team_set', teamName: '督查一组' });
    expect(parseCommand('设置督查组：督查一组 组长 @李国华 成员 @王国松，@李萍')).toEqual({ name: 'team_set', teamName: '督查一组' });
    expect(parseCommand('督查组 督查一组 下午到 @张三')).toEqual({ name: 'team_set', teamName: '' });
    expect(parseCommand('撤销督查组 督查三组')).toEqual({ name: 'team_retire', teamName: '督查三组' });
    expect(parseCommand('解散督查组')).toEqual({ name: 'team_retire', teamName: '' });
    // granting the role is still 授权, and 督查 with a space is still a finding
    expect(parseCommand('授权 @王 督查组')).toEqual({ name: 'grant', role: 'inspector' });
    expect(parseCommand('督查 组织科 未发现问题').name).toBe('intake');
  });

  it('reads 撤销督查记录 with the department it names', () => {
    expect(parseCommand('撤销督查记录 门诊部')).toEqual({ name: 'visit_undo', text: '门诊部' });
    expect(parseCommand('@督办 删除督查记录：门诊部')).toEqual({ name: 'visit_undo', text: '门诊部' });
    expect(parseCommand('撤销督查记录')).toEqual({ name: 'visit_undo', text: '' });
  });

  it('leaves questions about the inspection work alone, and 督查 with a space is still a finding', () => {
    expect(parseCommand('督查情况怎么样').name).toBe('unknown');
    expect(parseCommand('明天的督查情况汇报').name).toBe('unknown');
    expect(parseCommand('督查 门诊部 未发现问题')).toEqual({ name: 'intake', rest: '门诊部 未发现问题' });
  });

  it('leaves sentences that start with 考核 alone', () => {
    expect(parseCommand('考核结果怎么样').name).toBe('unknown');
    expect(parseCommand('考核什么时候开始').name).toBe('unknown');
  });

  it('does not read 移交 inside other words or sentences as the command', () => {
    expect(parseCommand('这个问题移交给药剂科了吗').name).toBe('unknown');
    expect(parseCommand('督查 #服务流程 移交单据丢失 @王主任').name).toBe('intake');
  });

  it('does not read a person named 移交 as the command', () => {
    expect(parseCommand('@移交 我的任务').name).toBe('my_tasks');
  });
});

describe('parseCommand on anything people type', () => {
  // the command words themselves, glued to numbers, names, punctuation and noise
  const piece = fc.oneof(
    fc.constantFrom('查找', '查询', '搜索', '记录', '处理记录', '第', '号', '号问题', '通报', '月报', '年度通报', '上周', '去年', '年', '月', '科室', '更名', '为', '→', '督查', '#', '@王主任', ' ', '　', '：', '、'),
    fc.integer({ min: 0, max: 99_999_999 }).map(String),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  );

  it('never throws, and what it reads stays within its limits', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')), (text) => {
        const command = parseCommand(text);
        if (command.name === 'search') {
          // no words at all (「查找、」) is answered with how to search
          expect(command.words.length).toBeLessThanOrEqual(MAX_SEARCH_WORDS);
          for (const word of command.words) expect([...word].length).toBeGreaterThan(0);
          for (const word of command.words) expect([...word].length).toBeLessThanOrEqual(30);
        }
        if (command.name === 'finding_history' || command.name === 'show_finding') {
          expect(Number.isInteger(command.number) && command.number > 0).toBe(true);
        }
        if (command.name === 'bulletin' && command.ask.period === 'month' && command.ask.month !== null) {
          expect(Number.isInteger(command.ask.month)).toBe(true);
        }
        if (command.name === 'department_rename' && command.from) {
          expect(command.to).not.toBe('');
          expect(/\s/.test(command.from + command.to)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
