// Finding the problem list in a workbook's sheets: header rows, merged and carried-down 方面 / 大项,
// banner rows, and Duban's own three-sheet export joined by 序号.
import { describe, expect, it } from 'vitest';
import { readProblems, type SheetTable } from '../../src/domain/problem-sheet.js';

const sheet = (name: string, rows: string[][]): SheetTable => ({ name, rows });

describe('readProblems', () => {
  it('finds the header under a title row and reads the 附件2 columns by name', () => {
    const result = readProblems([
      sheet('Sheet1', [
        ['问题清单汇总表', '问题清单汇总表', '问题清单汇总表'],
        ['序号', '问 题', '责任领导', '整改措施', '整改完成时间（截止）'],
        ['1', '导诊台无人', '王主任', '增加导诊', '2026-12-05'],
        ['', '', '', '', ''],
        ['2', '座椅破损', '张主任', '', '12月10日'],
      ]),
    ]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toHaveLength(2);
    expect(result.rows[0]).toMatchObject({ sheet: 'Sheet1', rowNumber: 3, number: '1', problem: '导诊台无人', leader: '王主任', measures: '增加导诊', deadline: '2026-12-05' });
    expect(result.rows[1]).toMatchObject({ rowNumber: 5, deadline: '12月10日' });
  });

  it('reads 责任人 beside 责任领导 as the person who carries it out, and alone as the leader', () => {
    const both = readProblems([sheet('清单', [['序号', '问题', '责任领导', '责任人', '整改时限'], ['1', '导诊台无人', '王主任', '护士长 李某', '2026-12-05']])]);
    if (!both.ok) throw new Error(both.reason);
    expect(both.rows[0]).toMatchObject({ leader: '王主任', responsiblePerson: '护士长 李某' });
    const alone = readProblems([sheet('清单', [['序号', '问题', '责任人', '整改时限'], ['1', '导诊台无人', '王主任', '2026-12-05']])]);
    if (!alone.ok) throw new Error(alone.reason);
    expect(alone.rows[0]).toMatchObject({ leader: '王主任', responsiblePerson: '' });
  });

  it('carries 方面 and 大项 down the rows a hand-kept list leaves blank, resetting 大项 under a new 方面', () => {
    const result = readProblems([
      sheet('巡察', [
        ['方面', '大项', '问题', '责任领导'],
        ['（一）政治建设', '1.理论学习', '学习不主动', '刘'],
        ['', '', '第一议题不到位', '刘'],
        ['', '2.主责主业', '公卫效果不理想', '陈'],
        ['（二）从严治党', '', '反弹', '孙'],
      ]),
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.rows.map((r) => [r.aspect, r.majorItem, r.problem])).toEqual([
      ['（一）政治建设', '1.理论学习', '学习不主动'],
      ['（一）政治建设', '1.理论学习', '第一议题不到位'],
      ['（一）政治建设', '2.主责主业', '公卫效果不理想'],
      ['（二）从严治党', '', '反弹'],
    ]);
  });

  it('reads banner rows (one merged text across the row) as 方面 and 大项 headings', () => {
    const result = readProblems([
      sheet('台账', [
        ['序号', '问题', '责任领导', '整改完成情况'],
        ['一、政治建设方面', '一、政治建设方面', '一、政治建设方面', '一、政治建设方面'],
        ['1.理论学习', '1.理论学习', '1.理论学习', '1.理论学习'],
        ['1', '学习不主动', '刘', '已整改完成'],
        ['二、作风方面', '二、作风方面', '二、作风方面', '二、作风方面'],
        ['2', '公车管理', '陈', '已整改完成'],
      ]),
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.rows.map((r) => [r.aspect, r.majorItem, r.problem])).toEqual([
      ['一、政治建设方面', '1.理论学习', '学习不主动'],
      ['二、作风方面', '', '公车管理'],
    ]);
  });

  it('joins several numbered tables by 序号 and takes 督查区域, 督查人 and 督查日期 from 附件1 forms', () => {
    const result = readProblems([
      sheet('附件1', [
        ['附件1'],
        ['督查反馈记录表', ''],
        ['编号', '1、2'],
        ['督查日期', '2026-11-20'],
        ['督查区域', '门诊大厅'],
        ['主要问题', '（1）…'],
        ['督查人', '李督查'],
      ]),
      sheet('附件2', [['序号', '问题', '责任领导', '责任科室'], ['1', '导诊台无人', '王', '门诊部'], ['2', '座椅破损', '张', '']]),
      sheet('整改进展', [['方面', '大项', '序号', '问题', '整改完成情况'], ['服务环境', '门诊部', '1', '导诊台无人', '已整改完成'], ['服务环境', '门诊部', '2', '座椅破损', '继续整改']]),
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.rows).toHaveLength(2);
    expect(result.rows[0]).toMatchObject({ sheet: '附件2', rowNumber: 2, leader: '王', department: '门诊部', wording: '已整改完成', area: '门诊大厅', inspector: '李督查', foundOn: '2026-11-20', aspect: '服务环境' });
    expect(result.rows[1]).toMatchObject({ area: '门诊大厅', wording: '继续整改' });
  });

  it('reads a 附件1 form without 编号 (an inspection that found nothing) as belonging to no problem', () => {
    const result = readProblems([
      sheet('附件1', [
        ['编号', '1'],
        ['督查日期', '2026-11-03'],
        ['督查区域', ''],
        ['主要问题', '（1）…'],
        ['督查人', ''],
        ['编号', ''],
        ['督查日期', '2026-11-03'],
        ['督查区域', '药剂科'],
        ['主要问题', '未发现问题'],
        ['督查人', '督查员冯'],
      ]),
      sheet('附件2', [['序号', '问题', '责任领导'], ['1', '导诊台无人', '王']]),
      sheet('整改进展', [['序号', '问题', '整改完成情况'], ['1', '导诊台无人', '继续整改']]),
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ problem: '导诊台无人', foundOn: '2026-11-03', area: '', inspector: '' });
  });

  it('says so when no sheet has a problem column, or two unrelated tables are in one file', () => {
    const none = readProblems([sheet('A', [['姓名', '电话'], ['王', '1']])]);
    expect(none).toEqual({ ok: false, reason: expect.stringContaining('没有找到问题清单') });
    const two = readProblems([sheet('A', [['问题', '责任领导']]), sheet('B', [['问题', '整改时限']])]);
    expect(two).toEqual({ ok: false, reason: expect.stringContaining('请只保留一张') });
  });
});
