import { describe, expect, it } from 'vitest';
import { clip } from '../../src/domain/text.js';

describe('clip', () => {
  it('keeps text within the limit as it is', () => {
    expect(clip('门诊大厅', 4)).toBe('门诊大厅');
  });

  it('cuts to the limit in UTF-16 units, never leaving half an emoji', () => {
    expect(clip('区区😀尾', 3)).toBe('区区');
    expect(clip('区区😀尾', 4)).toBe('区区😀');
    expect(clip('abcdef', 3)).toBe('abc');
  });
});
