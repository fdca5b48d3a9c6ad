// Who may do what, exhaustively. The tables below are written by hand from DESIGN.md §1 and the
// brief, not read from WHO_MAY / ROLES_MAY: they are the readable statement of the rules, and the
// code has to agree with them for every combination of roles, standing, action and state.
import { describe, expect, it } from 'vitest';
import { ROLES, TASK_STATES, type Role } from '../../src/domain/model.js';
import {
  TASK_ACTIONS,
  mayActInTenant,
  mayActOnTask,
  type TaskAction,
  type TenantAction,
} from '../../src/domain/permissions.js';
import { decide } from '../../src/domain/task-machine.js';
import { STANDINGS, TODAY, allRoleSets, place, validCommand, type Standing } from './fixtures.js';

const Y = true;
const _ = false;

// ─── Task actions ────────────────────────────────────────────────────────────────────────────
// A person may act when ANY column they qualify for says Y. "own task" = they are the task's
// responsible leader; "own finding" = they filed the finding. The `leader` and `inspector` roles
// grant nothing by themselves: only standing does. Rectification is the leader's alone.
//
//                                 own task  own finding  supervisor  admin
const TASK_TABLE: Record<TaskAction, [boolean, boolean, boolean, boolean]> = {
  accept:            /* 签收整改 */ [Y,        _,           _,          _],
  decline:           /* 非本科室 */ [Y,        _,           _,          _],
  request_extension: /* 申请延期 */ [Y,        _,           _,          _],
  submit:            /* 提交完成 */ [Y,        _,           _,          _],
  reassign:          /* 重新指派 */ [_,        Y,           Y,          Y],
  approve_extension: /* 同意延期 */ [_,        Y,           Y,          Y],
  refuse_extension:  /* 驳回延期 */ [_,        Y,           Y,          Y],
  verify_pass:       /* 验收销号 */ [_,        Y,           Y,          Y],
  verify_fail:       /* 退回整改 */ [_,        Y,           Y,          Y],
  cancel:            /* 撤销任务 */ [_,        Y,           Y,          Y],
  reopen:            /* 重新整改 */ [_,        Y,           Y,          Y],
  report_progress:   /* 反馈进展 */ [Y,        _,           _,          _],
  edit_finding:      /* 修改问题 */ [_,        Y,           Y,          Y],
  urge:              /* 催办     */ [_,        Y,           Y,          Y],
  set_deadline:      /* 调整期限 */ [_,        Y,           Y,          Y],
  revise_measures:   /* 修改措施 */ [Y,        _,           _,          _],
};

function expectedOnTask(action: TaskAction, standing: Standing, roles: readonly Role[]): boolean {
  const [ownTask, ownFinding, supervisor, admin] = TASK_TABLE[action];
  return (
    (ownTask && (standing === 'own_task' || standing === 'both')) ||
    (ownFinding && (standing === 'own_finding' || standing === 'both')) ||
    (supervisor && roles.includes('supervisor')) ||
    (admin && roles.includes('admin'))
  );
}

// ─── Tenant actions ──────────────────────────────────────────────────────────────────────────
//                                  admin  supervisor  inspector  leader
const TENANT_TABLE: Record<TenantAction, [boolean, boolean, boolean, boolean]> = {
  file_finding:       /* 登记问题 */ [Y,     Y,          Y,         _],
  manage_departments: /* 科室管理 */ [Y,     Y,          _,         _],
  manage_teams:       /* 督查组   */ [Y,     Y,          _,         _],
  manage_roles:       /* 角色管理 */ [Y,     _,          _,         _],
  bind_chat:          /* 绑督查群 */ [Y,     _,          _,         _],
  export_ledger:      /* 导出台账 */ [Y,     Y,          Y,         _],
  import_findings:    /* 导入清单 */ [Y,     Y,          _,         _],
  hand_over_tasks:    /* 移交任务 */ [Y,     Y,          _,         _],
};
const TENANT_COLUMNS: readonly Role[] = ['admin', 'supervisor', 'inspector', 'leader'];

function expectedInTenant(action: TenantAction, roles: readonly Role[]): boolean {
  return TENANT_TABLE[action].some((allowed, i) => allowed && roles.includes(TENANT_COLUMNS[i]!));
}

const ROLE_SETS = allRoleSets(ROLES);
const roleName = (roles: readonly Role[]) => (roles.length ? roles.join('+') : 'none');

describe('the hand-written tables', () => {
  it('cover every task action the code knows, and nothing else', () => {
    expect(Object.keys(TASK_TABLE).sort()).toEqual([...TASK_ACTIONS].sort());
  });

  it('cover every role set: none, each role alone and every combination', () => {
    expect(ROLE_SETS).toHaveLength(16);
    expect(ROLE_SETS.map(roleName)).toContain('none');
    expect(ROLE_SETS.map(roleName)).toContain('admin+supervisor+inspector+leader');
  });
});

describe.each(TASK_ACTIONS.map((a) => [a] as const))('task action %s', (action) => {
  it.each(STANDINGS.map((s) => [s] as const))('for a person whose standing is %s, under every role set and state', (standing) => {
    const mismatches: string[] = [];
    for (const roles of ROLE_SETS) {
      for (const state of TASK_STATES) {
        const { ctx, actor } = place(standing, roles, { state, pendingExtension: true });
        const expected = expectedOnTask(action, standing, roles);
        const where = `${roleName(roles)} on ${state}`;
        if (mayActOnTask(actor, action, ctx) !== expected) mismatches.push(`mayActOnTask ${where}: expected ${expected}`);
        // decide must enforce the same table; any refusal other than 'forbidden' (state, input)
        // means the permission check itself passed.
        const result = decide(ctx, actor, validCommand(action, ctx), ctx.task.version, TODAY);
        const forbidden = !result.ok && result.error.code === 'forbidden';
        if (forbidden === expected) mismatches.push(`decide ${where}: expected ${expected ? 'not ' : ''}forbidden`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('standing beats roles', () => {
  // The two cases people get wrong most: holding the role is not the same as being the one.
  it('a leader cannot accept another leader’s task', () => {
    const { ctx, actor } = place('neither', ['leader'], { state: 'pending' });
    expect(mayActOnTask(actor, 'accept', ctx)).toBe(false);
    expect(decide(ctx, actor, validCommand('accept', ctx), null, TODAY)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('an inspector cannot verify a finding another inspector filed', () => {
    const { ctx, actor } = place('neither', ['inspector'], { state: 'submitted' });
    expect(mayActOnTask(actor, 'verify_pass', ctx)).toBe(false);
    expect(decide(ctx, actor, validCommand('verify_pass', ctx), null, TODAY)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a supervisor still cannot rectify on the leader’s behalf', () => {
    const { ctx, actor } = place('neither', ['supervisor', 'admin'], { state: 'in_progress' });
    expect(decide(ctx, actor, validCommand('submit', ctx), null, TODAY)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('tenant actions', () => {
  const cases = (Object.keys(TENANT_TABLE) as TenantAction[]).flatMap((action) =>
    ROLE_SETS.map((roles) => [action, roleName(roles), roles, expectedInTenant(action, roles)] as const),
  );

  it.each(cases)('%s by %s', (action, _name, roles, expected) => {
    expect(mayActInTenant(roles, action)).toBe(expected);
  });

  it('nobody without a role may do anything tenant-wide', () => {
    for (const action of Object.keys(TENANT_TABLE) as TenantAction[]) expect(mayActInTenant([], action)).toBe(false);
  });
});
