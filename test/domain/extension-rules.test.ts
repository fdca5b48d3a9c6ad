// An extension request is decided once, on a date that still moves the deadline forward, and is
// withdrawn when the task leaves the leader's hands (submitted, reassigned, cancelled).
import { describe, expect, it } from 'vitest';
import { decide, type TaskCommand } from '../../src/domain/task-machine.js';
import { actor, DEADLINE, INSPECTOR, LEADER, makeContext, OTHER_LEADER, SUPERVISOR, TODAY } from './fixtures.js';

describe('open extension requests', () => {
  const withdrawing: [string, 'in_progress' | 'pending', string, TaskCommand][] = [
    ['submit', 'in_progress', LEADER, { action: 'submit', note: '已整改', closureKind: 'done' }],
    ['reassign', 'pending', SUPERVISOR, { action: 'reassign', leaderUserId: OTHER_LEADER, deadline: null }],
    ['cancel', 'in_progress', INSPECTOR, { action: 'cancel', reason: '重复登记' }],
  ];
  it.each(withdrawing)('%s withdraws the open request', (_name, state, who, command) => {
    const ctx = makeContext({ state, pendingExtension: true });
    const result = decide(ctx, actor(who, ...(who === SUPERVISOR ? (['supervisor'] as const) : [])), command, null, TODAY);
    expect(result.ok && result.value.extension).toEqual({ kind: 'decide', status: 'withdrawn' });
  });

  it.each(withdrawing)('%s without an open request leaves extensions alone', (_name, state, who, command) => {
    const ctx = makeContext({ state, pendingExtension: null });
    const result = decide(ctx, actor(who, ...(who === SUPERVISOR ? (['supervisor'] as const) : [])), command, null, TODAY);
    expect(result.ok && result.value.extension).toBeNull();
  });

  it('refuses to approve a date that no longer moves the deadline forward', () => {
    const ctx = makeContext({ state: 'in_progress', pendingExtension: { requestedDeadline: DEADLINE } });
    const result = decide(ctx, actor(INSPECTOR), { action: 'approve_extension' }, null, TODAY);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('invalid_input');
  });

  it('treats a blank new leader as missing', () => {
    const ctx = makeContext({ state: 'declined' });
    const result = decide(ctx, actor(INSPECTOR), { action: 'reassign', leaderUserId: '   ', deadline: null }, null, TODAY);
    expect(!result.ok && result.error.code).toBe('invalid_input');
  });
});

describe('回头看 progress reports', () => {
  it('are for long-term items only, from their leader, and tell the inspector', () => {
    const longTerm = makeContext({ state: 'closed', closureKind: 'long_term' });
    const done = makeContext({ state: 'closed', closureKind: 'done' });
    const command = { action: 'report_progress', note: '制度执行良好' } as const;
    const reported = decide(longTerm, actor(LEADER), command, null, TODAY);
    expect(reported.ok && reported.value).toMatchObject({ patch: {}, eventData: { note: '制度执行良好' }, attention: ['inspector'] });
    expect(decide(done, actor(LEADER), command, null, TODAY)).toMatchObject({ ok: false, error: { code: 'wrong_state' } });
    expect(decide(longTerm, actor(INSPECTOR), command, null, TODAY)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(decide(longTerm, actor(LEADER), { action: 'report_progress', note: ' ' }, null, TODAY)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
