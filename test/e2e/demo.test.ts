// `npx duban demo` runs the same scripted conversation; this keeps it working and readable.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/cli.js';

describe('duban demo', () => {
  it('prints the whole loop, from 设为督查群 to 销号, as a transcript', async () => {
    const lines: string[] = [];
    const code = await runCli(['demo'], {}, (line) => lines.push(line));
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toContain('👤 李督查（督查群）：@督办 设为督查群');
    expect(text).toContain('已成为管理员');
    expect(text).toContain('【督查登记】');
    // pickers show what the person sees: the department's name, the leader's name, a hint when empty
    expect(text).toMatch(/\*\*责任科室\*\*\n.*▢ 急诊科\n/);
    expect(text).toMatch(/\*\*新的责任领导\*\*.*\n.*▢ 请选择人员\n/);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|\bou_/);
    expect(text).toContain('💬 提示（error）：您无权进行此操作');
    expect(text).toContain('💬 提示（warning）：卡片已过期');
    expect(text).toContain('验收通过，已销号。');
    expect(text.trim().endsWith('演示结束：任务状态 closed。')).toBe(true);
  });

  it('explains its commands and refuses unknown jobs with the list of known ones', async () => {
    const lines: string[] = [];
    expect(await runCli(['job', 'nonsense'], {}, (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('可用：reminders、weekly、monthly、housekeeping、outbox');
    expect(await runCli([], {}, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('用法');
  });
});
