// Who may do what to a task, and when, over our REAL HTTP route: every (action × state × person)
// cell is one signed, encrypted Feishu card callback to POST /webhooks/feishu on our real Node
// server with its real SQLite file. The two tables below are written by hand and are the readable
// statement of the rules (they are deliberately NOT computed from WHO_MAY / FROM_STATES); the
// server has to agree with them cell by cell.
//
// A cell either performs the action (success toast; the task's version goes up by one, its state
// becomes the one in the table, one task event names the action and the person) or is refused with
// a Chinese error toast — "无权" when the person may never do it, "当前状态…不能进行此操作" when they
// may, but not in this state — and then nothing changes: not the task row, not its events, not its
// extension requests, and no message or card update goes out.
//
// Every click is sent as if from the task's notice in the group (the one card everyone there can
// see). Its only button is 查看 / 办理, so every action payload `{a, t, v}` is built by hand: this is
// exactly the forged click a person without the button could send, and it must be refused by the
// server, not just hidden by the card. `v` is always the task's current version (stale clicks are
// tested elsewhere).
//
// Every task is made by the real flow: `@督办 督查` in a group, the intake form submitted, then
// real actions by the right people (签收, 提交, 验收, 撤销, 非本科室, 申请延期). A cell where the
// action succeeds gets a task of its own; the refusals of an (action, state) pair run first, on that
// same task. Pairs where nobody may act share one witness task per state, which is checked to be
// untouched before each use. To stay inside Feishu's send limits (5 a second per chat or person,
// which the outbox honours in real time) the findings are spread over a few inspector/leader pairs,
// each with its own group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATE_LABELS, TASK_STATES, type TaskState } from '../../src/domain/model.js';
import { TASK_ACTIONS, TASK_ACTION_LABELS, type TaskAction } from '../../src/domain/permissions.js';
import { button, FeishuHarness, type Chat, type ClickResult, type Person } from '../support/feishu-harness.js';

const Y = true;
const _ = false;

// ─── Who ─────────────────────────────────────────────────────────────────────────────────────
// The people at a task. "task leader" is the task's 责任领导; "inspector" filed the finding; the
// supervisor (监督小组) and the admin have nothing to do with the task otherwise; "other leader" holds
// the 责任领导 role but leads a different department; the stranger holds no role at all.
// Rectification (签收, 非本科室, 申请延期, 提交, 反馈进展) is the task leader's alone — nobody
// rectifies on a leader's behalf. Every deciding action is for the inspector, supervisors and admins.
const ACTORS = ['task_leader', 'inspector', 'supervisor', 'admin', 'other_leader', 'stranger'] as const;
type ActorKey = (typeof ACTORS)[number];
type Row<K extends string> = Record<K, boolean>;
const who = (...allowed: boolean[]): Row<ActorKey> => Object.fromEntries(ACTORS.map((a, i) => [a, allowed[i] === true])) as Row<ActorKey>;

//                                             task leader  inspector  supervisor  admin  other leader  stranger
const WHO: Record<TaskAction, Row<ActorKey>> = {
  accept:            /* 签收整改     */ who(Y,           _,         _,          _,     _,            _),
  decline:           /* 非本科室问题 */ who(Y,           _,         _,          _,     _,            _),
  request_extension: /* 申请延期     */ who(Y,           _,         _,          _,     _,            _),
  submit:            /* 提交整改完成 */ who(Y,           _,         _,          _,     _,            _),
  reassign:          /* 重新指派     */ who(_,           Y,         Y,          Y,     _,            _),
  approve_extension: /* 同意延期     */ who(_,           Y,         Y,          Y,     _,            _),
  refuse_extension:  /* 不同意延期   */ who(_,           Y,         Y,          Y,     _,            _),
  verify_pass:       /* 验收通过销号 */ who(_,           Y,         Y,          Y,     _,            _),
  verify_fail:       /* 退回整改     */ who(_,           Y,         Y,          Y,     _,            _),
  cancel:            /* 撤销         */ who(_,           Y,         Y,          Y,     _,            _),
  reopen:            /* 回头看重整改 */ who(_,           Y,         Y,          Y,     _,            _),
  report_progress:   /* 反馈进展     */ who(Y,           _,         _,          _,     _,            _),
  edit_finding:      /* 修改问题     */ who(_,           Y,         Y,          Y,     _,            _),
  urge:              /* 催办         */ who(_,           Y,         Y,          Y,     _,            _),
  set_deadline:      /* 调整期限     */ who(_,           Y,         Y,          Y,     _,            _),
  revise_measures:   /* 修改整改措施 */ who(Y,           _,         _,          _,     _,            _),
};

// ─── When ────────────────────────────────────────────────────────────────────────────────────
// The states an action applies in, and the state it leaves the task in ('same' = unchanged; `except`
// names the states it leaves otherwise).
// 申请延期 / 延期审批 need no open request / an open request; 反馈进展 is for 长期坚持 items (every
// closed task here was submitted as 长期坚持, so it applies to all of them).
const STATES = ['pending', 'declined', 'in_progress', 'submitted', 'closed', 'cancelled'] as const satisfies readonly TaskState[];
type When = { in: Row<TaskState>; then: TaskState | 'same'; except?: Partial<Record<TaskState, TaskState>> };
const when = (inStates: boolean[], then: When['then'], except?: When['except']): When => ({
  in: Object.fromEntries(STATES.map((s, i) => [s, inStates[i] === true])) as Row<TaskState>,
  then,
  ...(except ? { except } : {}),
});

//                                                 待签收   待重新指派  整改中       待验收     已销号  已撤销
//                                                 pending  declined   in_progress  submitted  closed  cancelled   → then
const WHEN: Record<TaskAction, When> = {
  accept:            when([Y,       _,         _,           _,         _,      _], 'in_progress'),
  decline:           when([Y,       _,         _,           _,         _,      _], 'declined'),
  request_extension: when([Y,       _,         Y,           _,         _,      _], 'same'),
  submit:            when([_,       _,         Y,           _,         _,      _], 'submitted'),
  // a declined task waits for the new leader's 签收; one under way passes on as it stands (移交)
  reassign:          when([Y,       Y,         Y,           Y,         _,      _], 'same', { declined: 'pending' }),
  approve_extension: when([Y,       _,         Y,           _,         _,      _], 'same'),
  refuse_extension:  when([Y,       _,         Y,           _,         _,      _], 'same'),
  verify_pass:       when([_,       _,         _,           Y,         _,      _], 'closed'),
  verify_fail:       when([_,       _,         _,           Y,         _,      _], 'in_progress'),
  cancel:            when([Y,       Y,         Y,           Y,         _,      _], 'cancelled'),
  reopen:            when([_,       _,         _,           _,         Y,      _], 'in_progress'),
  report_progress:   when([_,       _,         _,           _,         Y,      _], 'same'),
  // what was verified stays as it was verified
  edit_finding:      when([Y,       Y,         Y,           _,         _,      _], 'same'),
  // while the leader owes the next step
  urge:              when([Y,       _,         Y,           _,         _,      _], 'same'),
  set_deadline:      when([Y,       _,         Y,           _,         _,      _], 'same'),
  revise_measures:   when([_,       _,         Y,           _,         _,      _], 'same'),
};

type Expected = 'ok' | 'forbidden' | 'wrong_state';
/** One cell: the server checks who before when, so a person who may never act hears "无权". */
function expected(action: TaskAction, state: TaskState, actor: ActorKey): Expected {
  if (!WHO[action][actor]) return 'forbidden';
  return WHEN[action].in[state] ? 'ok' : 'wrong_state';
}

// ─── The cast ────────────────────────────────────────────────────────────────────────────────
const DEADLINE = '2026-12-11';
const EXTENDED_TO = '2026-12-31';
const admin: Person = { openId: 'ou_perm_admin', name: '信息科管理员' };
const supervisor: Person = { openId: 'ou_perm_supervisor', name: '纪检监察室' };
const otherLeader: Person = { openId: 'ou_perm_other_leader', name: '外科孙主任' };
const stranger: Person = { openId: 'ou_perm_stranger', name: '路人丙' };
/** whom 重新指派 hands a task to; never one of the actors */
const newLeader: Person = { openId: 'ou_perm_new_leader', name: '护理部周主任' };
const supervisionGroup: Chat = { id: 'oc_perm_supervision', type: 'group' };

interface Pair {
  inspector: Person;
  leader: Person;
  group: Chat;
}
const PAIRS: Pair[] = ['甲', '乙', '丙', '丁', '戊', '己'].map((n, i) => ({
  inspector: { openId: `ou_perm_inspector_${i}`, name: `督查员${n}` },
  leader: { openId: `ou_perm_leader_${i}`, name: `${n}科主任` },
  group: { id: `oc_perm_ward_${i}`, type: 'group' },
}));

interface TaskRef {
  id: string;
  /** the group notice's message id: where every click is sent from */
  notice: string;
  pair: Pair;
  kind: Kind;
}

function personFor(actor: ActorKey, task: TaskRef): Person {
  switch (actor) {
    case 'task_leader':
      return task.pair.leader;
    case 'inspector':
      return task.pair.inspector;
    case 'supervisor':
      return supervisor;
    case 'admin':
      return admin;
    case 'other_leader':
      return otherLeader;
    case 'stranger':
      return stranger;
  }
}

// ─── Valid input for every action ────────────────────────────────────────────────────────────
// Each click carries a form that would be accepted, so the only reasons left to refuse are who and when.
const FORM: Record<TaskAction, Record<string, unknown> | undefined> = {
  accept: { measures: '增设导诊标识，专人每日巡查' },
  decline: { reason: '该区域归门诊部管理' },
  request_extension: { requested_date: `${EXTENDED_TO} +0800`, reason: '标识需定制，供货周期长' },
  submit: { note: '标识已安装，巡查记录已建立', closure_kind: 'done' },
  reassign: { new_leader: newLeader.openId },
  approve_extension: undefined,
  refuse_extension: { reason: '本周内可完成' },
  verify_pass: undefined,
  verify_fail: { reason: '现场仍未见标识' },
  cancel: { reason: '与已登记问题重复' },
  reopen: { reason: '回头看发现问题反弹' },
  report_progress: { note: '每日巡查坚持落实，未见反弹' },
  edit_finding: { area: '住院部三楼东侧走廊', category: '服务环境', description: '病区走廊指示牌缺失，夜间无照明' },
  urge: { note: '本周五院领导检查，请周四前完成' },
  set_deadline: { deadline_date: `${EXTENDED_TO} +0800`, reason: '需定制标识，经督查组同意延后' },
  revise_measures: { measures: '增设导诊标识，专人每日巡查，每周抽查', responsible_person: '门诊护士长' },
};

/** What a performed action leaves behind beyond state and version. */
const EFFECT: Partial<Record<TaskAction, { extension?: string; leader?: string; deadline?: string }>> = {
  request_extension: { extension: 'pending' },
  approve_extension: { extension: 'approved', deadline: EXTENDED_TO },
  refuse_extension: { extension: 'refused', deadline: DEADLINE },
  reassign: { leader: newLeader.openId },
  set_deadline: { deadline: EXTENDED_TO },
};

// ─── Tasks in every state, made by the real flow ─────────────────────────────────────────────
/** The state a cell needs its task in; approving or refusing an extension needs an open request. */
type Kind = TaskState | 'pending+extension' | 'in_progress+extension';
function kindFor(action: TaskAction, state: TaskState): Kind {
  if ((action === 'approve_extension' || action === 'refuse_extension') && (state === 'pending' || state === 'in_progress')) return `${state}+extension`;
  return state;
}
const stateOf = (kind: Kind): TaskState => kind.replace('+extension', '') as TaskState;

interface Cell {
  action: TaskAction;
  state: TaskState;
  kind: Kind;
  allowed: ActorKey[];
  refused: ActorKey[];
}
const CELLS: Cell[] = TASK_ACTIONS.flatMap((action) =>
  STATES.map((state) => ({
    action,
    state,
    kind: kindFor(action, state),
    allowed: ACTORS.filter((a) => expected(action, state, a) === 'ok'),
    refused: ACTORS.filter((a) => expected(action, state, a) !== 'ok'),
  })),
);

// fresh tasks: one per successful cell; witnesses: one per kind where nobody may act
const FRESH_NEEDED = new Map<Kind, number>();
const WITNESS_KINDS = new Set<Kind>();
for (const cell of CELLS) {
  if (cell.allowed.length > 0) FRESH_NEEDED.set(cell.kind, (FRESH_NEEDED.get(cell.kind) ?? 0) + cell.allowed.length);
  else WITNESS_KINDS.add(cell.kind);
}

let h: FeishuHarness;
const fresh = new Map<Kind, TaskRef[]>();
const witnesses = new Map<Kind, { task: TaskRef; row: unknown }>();
/** every (action, state, actor) cell that was clicked */
const clicked = new Set<string>();
let taskCount = 0;

const db = () => h.server.database.sqlite;
const version = (taskId: string) => (db().prepare('select version from tasks where id = ?').get(taskId) as { version: number }).version;

function snapshot(taskId: string) {
  return {
    task: db().prepare('select * from tasks where id = ?').get(taskId) as Record<string, unknown>,
    events: db().prepare('select seq, action, actor_user_id, data from task_events where task_id = ? order by seq').all(taskId) as {
      seq: number;
      action: string;
      actor_user_id: string;
    }[],
    extensions: db().prepare('select * from extension_requests where task_id = ? order by created_at, id').all(taskId) as { status: string }[],
    sent: h.stub.sent.length,
    patches: h.stub.patches.length,
  };
}

/** `person` clicks `action` on the task's group notice, with valid input and the current version. */
function act(person: Person, task: TaskRef, action: TaskAction, form: Record<string, unknown> | undefined = FORM[action]): Promise<ClickResult> {
  return h.click(person, task.notice, { a: action, t: task.id, v: version(task.id) }, form);
}

async function setupStep(person: Person, task: TaskRef, action: TaskAction, form?: Record<string, unknown>): Promise<void> {
  const { status, body } = await act(person, task, action, form ?? FORM[action]);
  if (status !== 200 || body.toast?.type !== 'success') {
    throw new Error(`setup: ${action} by ${person.name} on task ${task.id} failed: ${status} ${JSON.stringify(body.toast)}`);
  }
}

/** Files a finding by the real intake flow and walks its task to `kind` by real actions. */
async function makeTask(kind: Kind): Promise<TaskRef> {
  const n = taskCount++;
  const pair = PAIRS[n % PAIRS.length]!;
  const description = `权限矩阵第${n + 1}项：病区走廊指示不清（${kind}）`;
  await h.say(pair.inspector, pair.group, '@督办 督查');
  const form = h.lastCardTo(pair.group.id).messageId;
  const filed = await h.click(pair.inspector, form, button(h.currentCard(form), '提交并下发整改').value, {
    area: '住院部三楼',
    category: '服务环境',
    description,
    leader: pair.leader.openId,
    deadline_date: `${DEADLINE} +0800`,
  });
  if (filed.body.toast?.type !== 'success') throw new Error(`setup: filing "${description}" failed: ${JSON.stringify(filed.body.toast)}`);
  const { id } = db().prepare('select t.id from tasks t join findings f on f.id = t.finding_id where f.description = ?').get(description) as { id: string };
  const { message_id: notice } = db().prepare("select message_id from card_copies where task_id = ? and purpose = 'group_notice'").get(id) as {
    message_id: string;
  };
  const task: TaskRef = { id, notice, pair, kind };

  const state = stateOf(kind);
  if (state === 'declined') await setupStep(pair.leader, task, 'decline');
  if (state === 'cancelled') await setupStep(pair.inspector, task, 'cancel');
  if (state === 'in_progress' || state === 'submitted' || state === 'closed') await setupStep(pair.leader, task, 'accept');
  if (kind.endsWith('+extension')) await setupStep(pair.leader, task, 'request_extension');
  // submitted as 长期坚持 so that a closed task is one 反馈进展 applies to
  if (state === 'submitted' || state === 'closed') await setupStep(pair.leader, task, 'submit', { note: '已整改，长期坚持', closure_kind: 'long_term' });
  if (state === 'closed') await setupStep(pair.inspector, task, 'verify_pass');

  const row = db().prepare('select state from tasks where id = ?').get(id) as { state: string };
  const open = db().prepare("select count(*) n from extension_requests where task_id = ? and status = 'pending'").get(id) as { n: number };
  if (row.state !== state || open.n !== (kind.endsWith('+extension') ? 1 : 0)) throw new Error(`setup: task for ${kind} is ${row.state} with ${open.n} open requests`);
  return task;
}

beforeAll(async () => {
  h = await FeishuHarness.start({ startAt: '2026-11-23T09:30:00+08:00' });
  await h.say(admin, supervisionGroup, '@督办 设为督查群');
  await h.say(admin, supervisionGroup, `@督办 授权 @${supervisor.name} 监督小组`, { mentions: [supervisor] });
  await h.say(admin, supervisionGroup, `@督办 授权 ${PAIRS.map((p) => `@${p.inspector.name}`).join(' ')} 督查组`, { mentions: PAIRS.map((p) => p.inspector) });
  await h.say(admin, supervisionGroup, `@督办 授权 @${otherLeader.name} 责任领导`, { mentions: [otherLeader] });

  for (const [kind, count] of FRESH_NEEDED) {
    const list: TaskRef[] = [];
    for (let i = 0; i < count; i++) list.push(await makeTask(kind));
    fresh.set(kind, list);
  }
  for (const kind of WITNESS_KINDS) {
    const task = await makeTask(kind);
    witnesses.set(kind, { task, row: db().prepare('select * from tasks where id = ?').get(task.id) });
  }
}, 180_000);

afterAll(async () => {
  await h?.close();
});

function rolesOf(person: Person): string[] {
  return (db().prepare('select role from member_roles where user_id = ? order by role').all(person.openId) as { role: string }[]).map((r) => r.role);
}

describe('the cast holds the roles the table assumes', () => {
  it('admin, supervisor, inspectors, leaders and a stranger with no role', () => {
    expect(rolesOf(admin)).toEqual(['admin']);
    expect(rolesOf(supervisor)).toEqual(['supervisor']);
    expect(rolesOf(otherLeader)).toEqual(['leader']);
    expect(rolesOf(stranger)).toEqual([]);
    for (const pair of PAIRS) {
      expect(rolesOf(pair.inspector)).toEqual(['inspector']);
      expect(rolesOf(pair.leader)).toEqual(['leader']);
    }
  });
});

const ACTOR_NAMES: Record<ActorKey, string> = {
  task_leader: '责任领导(本任务)',
  inspector: '督查人(本问题)',
  supervisor: '监督小组',
  admin: '管理员',
  other_leader: '其他责任领导',
  stranger: '无角色者',
};
const CHINESE = /[\u4e00-\u9fff]/;

/** One click that must be refused: the right toast, and nothing changed anywhere. */
async function expectRefused(cell: Cell, actor: ActorKey, task: TaskRef, problems: string[]): Promise<void> {
  const want = expected(cell.action, cell.state, actor);
  const before = snapshot(task.id);
  const { status, body } = await act(personFor(actor, task), task, cell.action);
  const after = snapshot(task.id);
  const where = `${ACTOR_NAMES[actor]} (${actor}) expected ${want}`;
  const toast = body.toast;
  if (status !== 200) problems.push(`${where}: HTTP ${status}`);
  if (toast?.type !== 'error' || !CHINESE.test(toast.content)) problems.push(`${where}: got toast ${JSON.stringify(toast)}`);
  else if (want === 'forbidden' && !toast.content.includes('无权')) problems.push(`${where}: got "${toast.content}"`);
  else if (want === 'wrong_state' && !toast.content.includes(`当前状态（${TASK_STATE_LABELS[cell.state]}）不能进行此操作`)) {
    problems.push(`${where}: got "${toast.content}"`);
  }
  const changed = Object.keys(before.task).filter((k) => JSON.stringify(before.task[k]) !== JSON.stringify(after.task[k]));
  if (changed.length) problems.push(`${where}: the task row changed: ${changed.map((k) => `${k} ${String(before.task[k])} → ${String(after.task[k])}`).join(', ')}`);
  if (after.events.length !== before.events.length) problems.push(`${where}: task events ${before.events.map((e) => e.action)} → ${after.events.map((e) => e.action)}`);
  if (JSON.stringify(after.extensions) !== JSON.stringify(before.extensions)) problems.push(`${where}: extension requests changed`);
  if (after.sent !== before.sent || after.patches !== before.patches) problems.push(`${where}: ${after.sent - before.sent} messages sent, ${after.patches - before.patches} cards updated`);
  clicked.add(`${cell.action}/${cell.state}/${actor}`);
}

/** One click that must go through: success toast, the table's state, one event naming the person. */
async function expectPerformed(cell: Cell, actor: ActorKey, task: TaskRef, problems: string[]): Promise<void> {
  const person = personFor(actor, task);
  const before = snapshot(task.id);
  const { status, body } = await act(person, task, cell.action);
  const after = snapshot(task.id);
  const where = `${ACTOR_NAMES[actor]} (${actor}) expected ok`;
  const rule = WHEN[cell.action];
  const then = rule.except?.[cell.state] ?? (rule.then === 'same' ? cell.state : rule.then);
  if (status !== 200 || body.toast?.type !== 'success') problems.push(`${where}: got ${status} ${JSON.stringify(body.toast)}`);
  if (after.task['state'] !== then) problems.push(`${where}: state ${String(after.task['state'])}, expected ${then}`);
  if (after.task['version'] !== (before.task['version'] as number) + 1) problems.push(`${where}: version ${String(before.task['version'])} → ${String(after.task['version'])}`);
  const added = after.events.slice(before.events.length);
  const event = added[0];
  if (added.length !== 1 || event?.action !== cell.action || event.actor_user_id !== person.openId || event.seq !== after.task['version']) {
    problems.push(`${where}: new task events ${JSON.stringify(added)}`);
  }
  const effect = EFFECT[cell.action];
  if (effect?.extension && after.extensions.at(-1)?.status !== effect.extension) problems.push(`${where}: extension request ${JSON.stringify(after.extensions.at(-1))}`);
  if (effect?.leader && after.task['leader_user_id'] !== effect.leader) problems.push(`${where}: leader ${String(after.task['leader_user_id'])}`);
  if (effect?.deadline && after.task['deadline'] !== effect.deadline) problems.push(`${where}: deadline ${String(after.task['deadline'])}`);
  clicked.add(`${cell.action}/${cell.state}/${actor}`);
}

function cellTitle(cell: Cell): string {
  const allowed = cell.allowed.length ? cell.allowed.map((a) => ACTOR_NAMES[a]).join('、') : '无人';
  return `${cell.action}「${TASK_ACTION_LABELS[cell.action]}」on ${cell.state}（${TASK_STATE_LABELS[cell.state]}）: performed by ${allowed}, refused for the rest`;
}

describe.each(TASK_ACTIONS.map((a) => [a] as const))('%s over HTTP', (action) => {
  it.each(CELLS.filter((c) => c.action === action).map((c) => [cellTitle(c), c] as const))('%s', async (_title, cell) => {
    const problems: string[] = [];
    if (cell.allowed.length === 0) {
      const witness = witnesses.get(cell.kind)!;
      // an earlier cell that wrongly went through would show here, not as a puzzling failure below
      expect(db().prepare('select * from tasks where id = ?').get(witness.task.id), `witness task for ${cell.kind} was disturbed by an earlier cell`).toEqual(
        witness.row,
      );
      for (const actor of cell.refused) await expectRefused(cell, actor, witness.task, problems);
    } else {
      const tasks = fresh.get(cell.kind)!.splice(0, cell.allowed.length);
      expect(tasks.map((t) => t.kind)).toEqual(cell.allowed.map(() => cell.kind));
      // the refusals first, on the task the first permitted person then acts on
      for (const actor of cell.refused) await expectRefused(cell, actor, tasks[0]!, problems);
      for (const [i, actor] of cell.allowed.entries()) await expectPerformed(cell, actor, tasks[i]!, problems);
    }
    expect(problems, `${cell.action} on ${cell.state}`).toEqual([]);
  }, 30_000);
});

describe('the tables', () => {
  it('cover every task action and every state the domain knows, so a new one cannot go untested', () => {
    expect(Object.keys(WHO).sort()).toEqual([...TASK_ACTIONS].sort());
    expect(Object.keys(WHEN).sort()).toEqual([...TASK_ACTIONS].sort());
    expect([...STATES].sort()).toEqual([...TASK_STATES].sort());
  });

  it('were exercised cell by cell over HTTP: every action × state × person', () => {
    expect(clicked.size).toBe(TASK_ACTIONS.length * STATES.length * ACTORS.length);
    expect([...fresh.values()].every((list) => list.length === 0)).toBe(true);
  });
});
