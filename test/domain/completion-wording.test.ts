// 整改完成情况: written from a task's state, read back from real ledgers' wordings (seed 003).
import { describe, expect, it } from 'vitest';
import { continuingWording, namedDate, readWording, wordingFor } from '../../src/domain/completion-wording.js';

const TODAY = '2026-11-23';

describe('reading the wordings real ledgers use', () => {
  it.each([
    ['已整改完成。', { kind: 'closed', closureKind: 'done' }],
    ['已整改完成', { kind: 'closed', closureKind: 'done' }],
    ['即知即改并已整改完成', { kind: 'closed', closureKind: 'done_on_the_spot' }],
    ['立行立改，已完成', { kind: 'closed', closureKind: 'done_on_the_spot' }],
    ['长期任务取得阶段性成效并长期坚持。', { kind: 'closed', closureKind: 'long_term' }],
    ['已销号', { kind: 'closed', closureKind: 'done' }],
    ['', { kind: 'blank' }],
    ['   ', { kind: 'blank' }],
    ['待定', { kind: 'unknown' }],
  ])('%j', (text, expected) => {
    expect(readWording(text, TODAY)).toEqual(expected);
  });

  it('keeps mixed wordings open with the date they name (seed 003 items 14, 16 and 31)', () => {
    expect(readWording('继续整改、2025年12月前整改完成；部分已整改完成。', TODAY)).toEqual({ kind: 'open', deadline: '2025-12-31' });
    expect(readWording('已整改完成。医德医风培训继续整改,2025年7月完成.', TODAY)).toEqual({ kind: 'open', deadline: '2025-07-31' });
    expect(readWording('已整改完成；继续整改、2025年12月前整改完成。', TODAY)).toEqual({ kind: 'open', deadline: '2025-12-31' });
    expect(readWording('继续整改', TODAY)).toEqual({ kind: 'open', deadline: null });
  });
});

describe('dates named in a wording', () => {
  it.each([
    ['2025年12月5日前', '2025-12-05'],
    ['2025-12-05', '2025-12-05'],
    ['2025年2月前', '2025-02-28'],
    ['2024年2月底', '2024-02-29'],
    ['12月5日前完成', '2026-12-05'],
    ['12月底前', '2026-12-31'],
    ['继续整改', null],
    ['2025年13月', null],
  ])('%j → %j', (text, expected) => {
    expect(namedDate(text, TODAY)).toBe(expected);
  });
});

describe('writing the wording of a task', () => {
  it('uses the closure kind of a closed task and the deadline of an open one', () => {
    expect(wordingFor({ state: 'closed', closureKind: 'long_term', deadline: '2026-01-01' }, TODAY)).toBe('长期任务取得阶段性成效并长期坚持');
    expect(wordingFor({ state: 'closed', closureKind: 'done_on_the_spot', deadline: '2026-01-01' }, TODAY)).toBe('即知即改并已整改完成');
    expect(wordingFor({ state: 'in_progress', closureKind: null, deadline: '2026-12-05' }, TODAY)).toBe('继续整改、12月5日前整改完成');
    expect(wordingFor({ state: 'submitted', closureKind: null, deadline: '2025-12-31' }, TODAY)).toBe('继续整改、2025年12月31日前整改完成');
  });

  it('reads back what it writes', () => {
    for (const deadline of ['2026-12-05', '2027-01-31', '2025-07-31']) {
      expect(readWording(continuingWording(deadline, TODAY), TODAY)).toEqual({ kind: 'open', deadline });
    }
    for (const closureKind of ['done', 'done_on_the_spot', 'long_term'] as const) {
      expect(readWording(wordingFor({ state: 'closed', closureKind, deadline: TODAY }, TODAY), TODAY)).toEqual({ kind: 'closed', closureKind });
    }
  });
});
