import { describe, expect, it } from 'vitest';
import { STANDARD_CATEGORIES } from '../../src/domain/model.js';
import { parseIntakeText, readNothingFound, type IntakePrefill, type IntakeTextInput } from '../../src/domain/intake-text.js';

// Friday 2026-11-06: 3 working days later is Wednesday 11-11.
const TODAY = '2026-11-06';
const BOT = { userId: 'ou_bot', name: '督办' };
const WANG = { userId: 'ou_wang', name: '王主任' };
const LI = { userId: 'ou_li', name: '李科长' };
const DEPARTMENTS = [
  { id: 'd-mz', name: '门诊部' },
  { id: 'd-mzgh', name: '门诊挂号处' },
  { id: 'd-zy', name: '住院部' },
  { id: 'd-jz', name: '急诊科' },
  { id: 'd-yao', name: '药' },
];

function parse(text: string, extra: Partial<IntakeTextInput> = {}): IntakePrefill {
  return parseIntakeText({
    text,
    mentions: [BOT, WANG],
    botUserId: BOT.userId,
    categories: STANDARD_CATEGORIES,
    departments: DEPARTMENTS,
    today: TODAY,
    ...extra,
  });
}

const NOTHING = { category: null, leaderUserId: null, deadline: null, departmentId: null, departmentName: null };

describe('parseIntakeText: the full form', () => {
  it('reads the example from the manual', () => {
    expect(parse('督查 #服务态度 门诊挂号窗口工作人员态度生硬 @王主任 3个工作日')).toEqual({
      description: '门诊挂号窗口工作人员态度生硬',
      category: '服务态度',
      leaderUserId: 'ou_wang',
      deadline: '2026-11-11',
      departmentId: null,
      departmentName: null,
    });
  });

  it('reads the parts in any order', () => {
    expect(parse('督查 @王主任 限3个工作日 住院部走廊堆放杂物 #服务环境')).toEqual({
      description: '住院部走廊堆放杂物',
      category: '服务环境',
      leaderUserId: 'ou_wang',
      deadline: '2026-11-11',
      departmentId: 'd-zy',
      departmentName: '住院部',
    });
  });

  it('counts working days across National Day', () => {
    expect(parse('督查 住院部走廊堆放杂物 @王主任 3个工作日', { today: '2026-09-30' }).deadline).toBe('2026-10-10');
  });

  it('with the bot mentioned first, before the command word', () => {
    expect(parse('@督办 督查 #服务流程 急诊科分诊流程不清 @王主任 12月5日前')).toEqual({
      description: '急诊科分诊流程不清',
      category: '服务流程',
      leaderUserId: 'ou_wang',
      deadline: '2026-12-05',
      departmentId: 'd-jz',
      departmentName: '急诊科',
    });
  });

  it('with full-width characters throughout', () => {
    expect(parse('督查　＃服务态度　门诊挂号处窗口态度生硬，＠王主任　限３个工作日')).toEqual({
      description: '门诊挂号处窗口态度生硬',
      category: '服务态度',
      leaderUserId: 'ou_wang',
      deadline: '2026-11-11',
      departmentId: 'd-mzgh',
      departmentName: '门诊挂号处',
    });
  });

  it('keeps the inspector\'s own punctuation in the description', () => {
    expect(parse('督查 门诊部（二楼）候诊区座椅破损，存在安全隐患。').description).toBe(
      '门诊部（二楼）候诊区座椅破损，存在安全隐患',
    );
  });
});

describe('parseIntakeText: each part on its own', () => {
  it('only a description', () => {
    expect(parse('督查 候诊区地面湿滑无警示标识', { mentions: [] })).toEqual({ description: '候诊区地面湿滑无警示标识', ...NOTHING });
  });

  it('nothing at all', () => {
    expect(parse('督查', { mentions: [] })).toEqual({ description: '', ...NOTHING });
    expect(parse('@督办  督查   ', { mentions: [BOT] })).toEqual({ description: '', ...NOTHING });
  });

  it.each([
    ['#服务质量 检验报告出具延迟', '服务质量', 'standard category'],
    ['＃服务质量 检验报告出具延迟', '服务质量', 'full-width hash'],
    ['#候诊秩序 检验报告出具延迟', '候诊秩序', 'a campaign\'s own category'],
    ['＃ＶＩＰ通道 检验报告出具延迟', 'VIP通道', 'full-width letters normalised'],
    ['检验报告出具延迟 #服务质量', '服务质量', 'at the end'],
    ['检验报告出具延迟，#服务质量', '服务质量', 'after a comma'],
    ['#服务质量，检验报告出具延迟', '服务质量', 'a comma ends the category'],
  ])('%j → %s (%s)', (text, category) => {
    expect(parse(`督查 ${text}`)).toMatchObject({ category, description: '检验报告出具延迟' });
  });

  it('a lone # is not a category', () => {
    expect(parse('督查 # 检验报告出具延迟')).toMatchObject({ category: null, description: '# 检验报告出具延迟' });
  });

  it.each([
    ['3个工作日', '2026-11-11'],
    ['三个工作日', '2026-11-11'],
    ['3 个工作日', '2026-11-11'],
    ['限3个工作日', '2026-11-11'],
    ['3个工作日内', '2026-11-11'],
    ['12月5日', '2026-12-05'],
    ['12月5日前', '2026-12-05'],
    ['12月5日之前', '2026-12-05'],
    ['限12月5日', '2026-12-05'],
    ['１２月５日前', '2026-12-05'],
    ['2026-12-05', '2026-12-05'],
    ['2026年12月5日前', '2026-12-05'],
    ['12.5前', '2026-12-05'],
    ['限12.5', '2026-12-05'],
    ['20号前', '2026-11-20'],
    ['周三前', '2026-11-11'],
    ['5天', '2026-11-11'],
    ['5日内', '2026-11-11'],
    ['限5日', '2026-11-11'],
    ['下周一', '2026-11-09'],
    ['1月10日前', '2027-01-10'],
  ])('deadline %j → %s, and it leaves the description', (phrase, deadline) => {
    expect(parse(`督查 候诊区地面湿滑 ${phrase}`)).toMatchObject({ deadline, description: '候诊区地面湿滑' });
  });

  it('a deadline written into the sentence, which closes up around it', () => {
    expect(parse('督查 候诊区地面湿滑，3个工作日内整改')).toMatchObject({
      deadline: '2026-11-11',
      description: '候诊区地面湿滑，整改',
    });
  });
});

describe('parseIntakeText: what is not a deadline', () => {
  it.each([
    ['患者反映等候3天未获答复', 'a duration inside the sentence'],
    ['周五下午巡查发现候诊区地面湿滑', 'when it was seen'],
    ['11月1日 巡查发现候诊区地面湿滑', 'a date already past this year, unmarked: when it was found'],
    ['2026年11月1日巡查发现候诊区地面湿滑', 'a past date with a year'],
    ['候诊区温度仅16.5度', 'a decimal'],
    ['候诊区 12.5 米处地面湿滑', 'a number that happens to read as a month-day'],
    ['候诊区 3号 窗口无人', 'a window number'],
    ['候诊区地面湿滑 周三', 'a bare weekday'],
    ['候诊区地面湿滑 2月30日前', 'a date that does not exist'],
    ['候诊区地面湿滑 400天', 'more than a year'],
    ['候诊区地面湿滑 5日', 'the 5th, or 5 days? The form will ask'],
  ])('%j (%s)', (text) => {
    const r = parse(`督查 ${text}`);
    expect(r.deadline).toBeNull();
    expect(r.description).toBe(text);
  });
});

describe('parseIntakeText: mentions', () => {
  it('the first person mentioned in the text leads, others stay in the text', () => {
    const r = parse('督查 @李科长 @王主任 药房排队时间过长', { mentions: [BOT, WANG, LI] });
    expect(r).toMatchObject({ leaderUserId: 'ou_li', description: '@王主任 药房排队时间过长' });
  });

  it('only the bot mentioned: no leader', () => {
    expect(parse('@督办 督查 药房排队时间过长', { mentions: [BOT] })).toMatchObject({
      leaderUserId: null,
      description: '药房排队时间过长',
    });
  });

  it('the bot mentioned in the middle is dropped too, closing up the Chinese around it', () => {
    expect(parse('督查 药房排队 @督办 时间过长 @王主任')).toMatchObject({
      leaderUserId: 'ou_wang',
      description: '药房排队时间过长',
    });
    expect(parse('督查 Wi-Fi @督办 offline')).toMatchObject({ description: 'Wi-Fi offline' });
    expect(parse('督查 候诊区 3号 窗口无人')).toMatchObject({ description: '候诊区 3号 窗口无人' });
  });

  it('without knowing the bot, the first mention leads', () => {
    expect(parse('@督办 督查 药房排队时间过长', { mentions: [BOT], botUserId: null }).leaderUserId).toBe('ou_bot');
  });

  it('a mention whose name the text lost still leads', () => {
    expect(parse('督查 药房排队时间过长', { mentions: [LI] })).toMatchObject({
      leaderUserId: 'ou_li',
      description: '药房排队时间过长',
    });
  });

  it('a full-width ＠ before the name', () => {
    expect(parse('督查 药房排队时间过长 ＠王主任')).toMatchObject({ leaderUserId: 'ou_wang', description: '药房排队时间过长' });
  });
});

describe('parseIntakeText: departments', () => {
  it.each([
    ['门诊部候诊区座椅破损', 'd-mz', '门诊部'],
    ['门诊挂号处排队混乱', 'd-mzgh', '门诊挂号处'],
    ['门诊部下属门诊挂号处排队混乱', 'd-mzgh', '门诊挂号处'],
    ['住院部走廊堆放杂物', 'd-zy', '住院部'],
  ])('%j → %s (longest name wins, and stays in the text)', (text, departmentId, departmentName) => {
    expect(parse(`督查 ${text}`)).toMatchObject({ departmentId, departmentName, description: text });
  });

  it('ignores one-character department names that would match any sentence', () => {
    expect(parse('督查 取药窗口排队过长').departmentId).toBeNull();
  });

  it('does not look inside the leader\'s name', () => {
    const r = parse('督查 走廊堆放杂物 @住院部王主任', { mentions: [{ userId: 'ou_w', name: '住院部王主任' }] });
    expect(r).toMatchObject({ leaderUserId: 'ou_w', departmentId: null });
  });
});

describe('readNothingFound: an inspection that found nothing', () => {
  it.each([
    ['门诊部 未发现问题', '门诊部', ''],
    ['门诊部未发现问题', '门诊部', ''],
    ['门诊部 未发现明显问题。', '门诊部', ''],
    ['门诊部 无问题', '门诊部', ''],
    ['门诊部 经检查未发现异常', '门诊部', ''],
    ['门诊部 一切正常', '门诊部', ''],
    ['门诊部 未发现问题，候诊区整洁有序', '门诊部', '候诊区整洁有序'],
    ['门诊部未发现问题，候诊区整洁有序', '门诊部', '候诊区整洁有序'],
    ['门诊部 候诊区、挂号处 未发现问题', '门诊部', '候诊区、挂号处'],
    ['未发现问题', null, ''],
  ])('%j is an inspection that found nothing (note %j)', (text, department, note) => {
    expect(readNothingFound(text, department)).toEqual({ note });
  });

  it.each([
    ['门诊部候诊区座椅破损', '门诊部'],
    ['药房护士称设备无问题但自助机仍然故障', null],
    ['门诊部 问题：未发现问题的科室也要自查', '门诊部'],
    ['无问题清单可查，台账缺失', null],
  ])('%j describes a problem', (text, department) => {
    expect(readNothingFound(text, department)).toBeNull();
  });
});

describe('parseIntakeText: the command word', () => {
  it.each([
    ['督查：候诊区地面湿滑', '候诊区地面湿滑'],
    ['督查候诊区地面湿滑', '候诊区地面湿滑'],
    ['督查组发现候诊区地面湿滑', '督查组发现候诊区地面湿滑'],
    ['候诊区地面湿滑 督查', '候诊区地面湿滑 督查'],
  ])('%j → %j', (text, description) => {
    expect(parse(text).description).toBe(description);
  });
});

describe('parseIntakeText: never throws', () => {
  it('with a broken today, it still reads the rest', () => {
    expect(parse('督查 #服务态度 态度生硬 @王主任 3个工作日', { today: 'not-a-date' })).toMatchObject({
      category: '服务态度',
      leaderUserId: 'ou_wang',
      deadline: null,
    });
  });

  it('with malformed input from a careless caller', () => {
    const broken = { text: '督查 态度生硬', mentions: null } as unknown as IntakeTextInput;
    expect(parseIntakeText(broken)).toEqual({ description: '态度生硬', ...NOTHING });
  });
});
