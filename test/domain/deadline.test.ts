import { describe, expect, it } from 'vitest';
import { formatDateZh, formatShortZh, parseCount, parseDeadline } from '../../src/domain/deadline.js';

// Today is Wednesday 2026-09-30, the last working day before the National Day holiday
// (10-01..10-07 off, Saturday 10-10 worked), so working days and calendar days part ways.
const TODAY = '2026-09-30';

describe('parseDeadline: dates', () => {
  it.each([
    ['2026-12-05', '2026-12-05'],
    ['2026-12-5', '2026-12-05'],
    ['2026/12/5', '2026-12-05'],
    ['2026/12/05', '2026-12-05'],
    ['2026.12.5', '2026-12-05'],
    ['2026年12月5日', '2026-12-05'],
    ['2026年12月5号', '2026-12-05'],
    ['2026-12-05 +0800', '2026-12-05'],
    ['2026-12-05 +08:00', '2026-12-05'],
    ['12月5日', '2026-12-05'],
    ['12月5号', '2026-12-05'],
    ['12月5', '2026-12-05'],
    ['12-05', '2026-12-05'],
    ['12.5', '2026-12-05'],
    ['12/5', '2026-12-05'],
    ['  12月5日  ', '2026-12-05'],
    ['12月5日前', '2026-12-05'],
    ['12月5日之前', '2026-12-05'],
    ['限12月5日', '2026-12-05'],
    ['请于12月5日前完成', '2026-12-05'],
    ['9月30日', '2026-09-30'],
    ['2026-09-30', '2026-09-30'],
    ['9月1日', '2027-09-01'],
    ['1月5日', '2027-01-05'],
    ['2027-09-30', '2027-09-30'],
    ['１２月５日', '2026-12-05'],
    ['２０２６／１２／５', '2026-12-05'],
    ['２０２６年１２月５日', '2026-12-05'],
    ['2026-12-05\u3000+0800', '2026-12-05'],
  ])('%j → %s', (text, deadline) => {
    expect(parseDeadline(text, TODAY)).toEqual({ ok: true, deadline, kind: 'date' });
  });

  it('moves a passed 2月29日 into the next leap year only if that is within a year', () => {
    expect(parseDeadline('2月29日', '2027-09-30')).toEqual({ ok: true, deadline: '2028-02-29', kind: 'date' });
    const r = parseDeadline('2月29日', TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('2027年2月没有29日');
  });
});

describe('parseDeadline: relative days', () => {
  it.each([
    ['3个工作日', '2026-10-10', 'working_days', '10-08, 10-09 and the working Saturday'],
    ['3 个工作日', '2026-10-10', 'working_days', ''],
    ['三个工作日', '2026-10-10', 'working_days', ''],
    ['３个工作日', '2026-10-10', 'working_days', 'full-width digit'],
    ['3工作日', '2026-10-10', 'working_days', ''],
    ['限3个工作日', '2026-10-10', 'working_days', ''],
    ['3个工作日内', '2026-10-10', 'working_days', ''],
    ['3个工作日内完成', '2026-10-10', 'working_days', ''],
    ['一个工作日', '2026-10-08', 'working_days', 'straight past the holiday'],
    ['两个工作日', '2026-10-09', 'working_days', ''],
    ['四个工作日', '2026-10-12', 'working_days', 'Sunday 10-11 is not worked'],
    ['十个工作日', '2026-10-20', 'working_days', '10-08,09,10,12..16,19,20'],
    ['5天', '2026-10-05', 'days', 'calendar days ignore the holiday'],
    ['5 天', '2026-10-05', 'days', ''],
    ['五天', '2026-10-05', 'days', ''],
    ['5天内', '2026-10-05', 'days', ''],
    ['5日内', '2026-10-05', 'days', ''],
    ['5日以内', '2026-10-05', 'days', ''],
    ['限5日', '2026-10-05', 'days', '限N日 is a span in official writing'],
    ['十天', '2026-10-10', 'days', ''],
    ['十一天', '2026-10-11', 'days', ''],
    ['二十天', '2026-10-20', 'days', ''],
    ['三十一天', '2026-10-31', 'days', ''],
    ['365天', '2027-09-30', 'days', 'exactly a year is still allowed'],
  ])('%j → %s (%s)', (text, deadline, kind) => {
    expect(parseDeadline(text, TODAY)).toEqual({ ok: true, deadline, kind });
  });

  it('counts working days over Spring Festival 2026', () => {
    // Friday 02-13 → Saturday 02-14 (worked), then 02-15..23 off, back on Tuesday 02-24.
    expect(parseDeadline('3个工作日', '2026-02-13')).toEqual({ ok: true, deadline: '2026-02-25', kind: 'working_days' });
  });

  it('counts 3 working days from a Friday in a normal week to the Wednesday', () => {
    expect(parseDeadline('3个工作日', '2026-03-06')).toEqual({ ok: true, deadline: '2026-03-11', kind: 'working_days' });
  });
});

describe('parseDeadline: weekdays and near days', () => {
  it.each([
    ['本周五', '2026-10-02', 'a holiday, but a date someone chose'],
    ['这周五', '2026-10-02', ''],
    ['这个周五', '2026-10-02', ''],
    ['本周三', '2026-09-30', 'today'],
    ['本周日', '2026-10-04', 'weeks end on Sunday'],
    ['下周一', '2026-10-05', ''],
    ['下星期一', '2026-10-05', ''],
    ['下礼拜三', '2026-10-07', ''],
    ['下周日', '2026-10-11', ''],
    ['周五', '2026-10-02', 'the coming Friday'],
    ['周二', '2026-10-06', 'already past this week, so next week'],
    ['周五前', '2026-10-02', ''],
    ['今天', '2026-09-30', ''],
    ['明天', '2026-10-01', ''],
    ['后天', '2026-10-02', ''],
    ['20号', '2026-10-20', 'day of month already past → next month'],
    ['30号', '2026-09-30', 'day of month still to come'],
    ['31号', '2026-10-31', 'September has no 31st, so the next month that does'],
  ])('%j → %s (%s)', (text, deadline) => {
    expect(parseDeadline(text, TODAY)).toEqual({ ok: true, deadline, kind: 'date' });
  });

  it('treats 本周X on a Sunday as that same week', () => {
    // 2026-10-04 is a Sunday: 本周五 was two days ago, 下周五 is 10-09.
    expect(parseDeadline('下周五', '2026-10-04')).toEqual({ ok: true, deadline: '2026-10-09', kind: 'date' });
    expect(parseDeadline('本周五', '2026-10-04').ok).toBe(false);
  });

  it('rolls N号 into January across the year end', () => {
    expect(parseDeadline('5号', '2026-12-20')).toEqual({ ok: true, deadline: '2027-01-05', kind: 'date' });
  });
});

describe('parseDeadline: refusals', () => {
  it.each([
    ['2026-09-29', '不能早于今天'],
    ['2026年9月1日', '不能早于今天'],
    ['本周一', '不能早于今天'],
    ['2027-10-01', '不能超过一年'],
    ['366天', '不能超过一年'],
    ['1000天', '不能超过一年'],
    ['300个工作日', '不能超过一年'],
    ['0天', '不能是0天'],
    ['0个工作日', '不能是0天'],
    ['0日内', '不能是0天'],
    ['2026-02-30', '不是有效日期'],
    ['2月30日', '不是有效日期'],
    ['13月1日', '不是有效日期'],
    ['32号', '不是有效日期'],
    ['5日', '有歧义'],
    ['', '请填写'],
    ['   ', '请填写'],
    ['尽快', '格式不对'],
    ['abc', '格式不对'],
    ['两十天', '格式不对'],
    ['一百天', '格式不对'],
    ['2026-12/05', '格式不对'],
    ['12月', '格式不对'],
    ['上周五', '格式不对'],
    // names an object has by inheritance are not words for a day (the fuzz found 'toString' throwing)
    ['toString', '格式不对'],
    ['constructor', '格式不对'],
    ['__proto__', '格式不对'],
  ])('%j → %s', (text, reason) => {
    const r = parseDeadline(text, TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('names the text it could not read', () => {
    const r = parseDeadline('下个月', TODAY);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('整改完成时间格式不对：「下个月」') });
  });

  it('says what went wrong rather than throwing when today is broken', () => {
    expect(parseDeadline('3天', 'yesterday').ok).toBe(false);
  });
});

describe('parseCount', () => {
  it.each([
    ['1', 1],
    ['15', 15],
    ['１５', 15],
    ['一', 1],
    ['两', 2],
    ['二', 2],
    ['九', 9],
    ['十', 10],
    ['十一', 11],
    ['十九', 19],
    ['二十', 20],
    ['二十五', 25],
    ['九十九', 99],
  ])('%s → %i', (text, n) => {
    expect(parseCount(text)).toBe(n);
  });

  it.each(['', '两十', '二二', '十十', '百', '三百', 'x'])('%j is not a count', (text) => {
    expect(parseCount(text)).toBeNull();
  });
});

describe('formatDateZh / formatShortZh', () => {
  it.each([
    ['2026-12-05', '2026年12月5日', '12月5日'],
    ['2026-01-01', '2026年1月1日', '1月1日'],
    ['2026-10-10', '2026年10月10日', '10月10日'],
  ])('%s', (date, long, short) => {
    expect(formatDateZh(date)).toBe(long);
    expect(formatShortZh(date)).toBe(short);
  });

  it('shows a non-date as it is rather than "NaN年"', () => {
    expect(formatDateZh('待定')).toBe('待定');
    expect(formatShortZh('2026-02-30')).toBe('2026-02-30');
  });
});
