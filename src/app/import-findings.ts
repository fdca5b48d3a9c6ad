// Importing a problem list (附件2, a 巡察 feedback list, a hand-kept ledger): preview first, with
// every bad row named; on confirmation every task opens in ONE atomic write, or none does.
// The file is kept in the blob store and read again on confirmation, so what is imported is what
// the preview described, checked against the members and departments as they are then.
import { importPreviewCard } from '../../cards/ledger.js';
import type { Card } from '../../cards/model.js';
import { planImport, type ImportPlan, type PlannedFinding } from '../domain/import-plan.js';
import type { Campaign, Finding, Task, Tenant } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { readProblems } from '../domain/problem-sheet.js';
import { actorFor, today } from './context.js';
import { textOps } from './outgoing.js';
import { UnreadableFileError, type Deps } from './ports.js';
import type { ImportRecord, WriteOp } from './store-port.js';

export interface ImportSource {
  fileName: string;
  bytes: Uint8Array;
  requestedBy: string;
  chatId: string | null;
}

type Planned = { ok: true; rows: number; plan: ImportPlan } | { ok: false; reason: string };

async function planFile(deps: Deps, tenant: Tenant, bytes: Uint8Array, importerUserId: string): Promise<Planned> {
  let sheets;
  try {
    sheets = await deps.workbooks.readSheets(bytes);
  } catch (error) {
    if (error instanceof UnreadableFileError) return { ok: false, reason: `无法读取文件：${error.message}` };
    throw error;
  }
  const read = readProblems(sheets);
  if (!read.ok) return { ok: false, reason: read.reason };
  const [members, departments] = await Promise.all([deps.store.listMembers(tenant.id), deps.store.listDepartments(tenant.id)]);
  const plan = planImport(read.rows, { today: today(deps), importerUserId, members, departments });
  return { ok: true, rows: read.rows.length, plan };
}

export type Preview =
  | { ok: true; record: ImportRecord; plan: ImportPlan; rows: number; card: Card; ops: WriteOp[] }
  | { ok: false; reason: string };

export async function previewImport(deps: Deps, tenant: Tenant, campaign: Campaign, source: ImportSource): Promise<Preview> {
  if (!mayActInTenant((await actorFor(deps, tenant.id, source.requestedBy)).roles, 'import_findings')) {
    return { ok: false, reason: '只有管理员和监督小组成员可以导入问题清单。' };
  }
  const planned = await planFile(deps, tenant, source.bytes, source.requestedBy);
  if (!planned.ok) return planned;
  const { plan, rows } = planned;
  const id = deps.newId();
  const blobKey = `imports/${tenant.id.replace(/[^\w-]/g, '_')}/${id}.xlsx`;
  await deps.blobs.put(blobKey, source.bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const closed = plan.findings.filter((f) => f.outcome.state === 'closed');
  const record: ImportRecord = {
    id,
    tenantId: tenant.id,
    campaignId: campaign.id,
    fileName: source.fileName,
    blobKey,
    status: 'previewed',
    requestedBy: source.requestedBy,
    chatId: source.chatId,
    summary: {
      rows,
      ready: plan.findings.length,
      errors: plan.errors.length,
      closed: closed.length,
      longTerm: closed.filter((f) => f.outcome.state === 'closed' && f.outcome.closureKind === 'long_term').length,
      open: plan.findings.length - closed.length,
    },
    createdAt: deps.clock.now(),
    decidedAt: null,
  };
  const card = importPreviewCard({ importId: id, fileName: source.fileName, plan, rows });
  return { ok: true, record, plan, rows, card, ops: [{ op: 'insertImport', record }] };
}

export type Decision =
  | { ok: true; record: ImportRecord; ops: WriteOp[]; opened: number; closed: number }
  | { ok: false; reason: string; alreadyDone?: boolean };

async function decidable(deps: Deps, tenant: Tenant, importId: string, actorUserId: string): Promise<{ ok: true; record: ImportRecord } | { ok: false; reason: string; alreadyDone?: boolean }> {
  const record = await deps.store.getImport(tenant.id, importId);
  if (!record) return { ok: false, reason: '找不到这次导入，请重新发送文件。' };
  if (record.status === 'confirmed') return { ok: false, reason: '这份文件已经导入过了。', alreadyDone: true };
  if (record.status === 'cancelled') return { ok: false, reason: '这次导入已取消，请重新发送文件。', alreadyDone: true };
  if (!mayActInTenant((await actorFor(deps, tenant.id, actorUserId)).roles, 'import_findings')) {
    return { ok: false, reason: '只有管理员和监督小组成员可以确认导入。' };
  }
  return { ok: true, record };
}

export async function confirmImport(deps: Deps, tenant: Tenant, importId: string, actorUserId: string): Promise<Decision> {
  const found = await decidable(deps, tenant, importId, actorUserId);
  if (!found.ok) return found;
  const { record } = found;
  const campaign = (await deps.store.listCampaigns(tenant.id)).find((c) => c.id === record.campaignId);
  const bytes = await deps.blobs.get(record.blobKey);
  if (!campaign || !bytes) return { ok: false, reason: '导入的文件已不在，请重新发送文件。' };
  const planned = await planFile(deps, tenant, bytes, record.requestedBy);
  if (!planned.ok) return planned;
  if (planned.plan.errors.length > 0 || planned.plan.findings.length === 0) {
    return { ok: false, reason: `文件中有${planned.plan.errors.length}行有误（成员或科室可能已变化），没有导入任何问题：请修正后重新发送文件。` };
  }
  const ops = await importOps(deps, tenant, campaign, record, planned.plan, actorUserId);
  const closed = planned.plan.findings.filter((f) => f.outcome.state === 'closed').length;
  return { ok: true, record, ops, opened: planned.plan.findings.length - closed, closed };
}

export async function cancelImport(deps: Deps, tenant: Tenant, importId: string, actorUserId: string): Promise<Decision> {
  const found = await decidable(deps, tenant, importId, actorUserId);
  if (!found.ok) return found;
  const ops: WriteOp[] = [{ op: 'decideImport', tenantId: tenant.id, importId, status: 'cancelled', at: deps.clock.now() }];
  return { ok: true, record: found.record, ops, opened: 0, closed: 0 };
}

/** Every finding, task and event of the import, the new departments, and one note per leader. */
async function importOps(deps: Deps, tenant: Tenant, campaign: Campaign, record: ImportRecord, plan: ImportPlan, actorUserId: string): Promise<WriteOp[]> {
  const now = deps.clock.now();
  const ops: WriteOp[] = [];
  const newDepartmentIds = new Map<string, string>();
  for (const name of plan.newDepartments) {
    const id = deps.newId();
    newDepartmentIds.set(name, id);
    ops.push({ op: 'upsertDepartment', department: { id, tenantId: tenant.id, name, leaderUserId: null, retiredOn: null }, at: now });
  }
  let number = await deps.store.nextFindingNumber(tenant.id);
  const openByLeader = new Map<string, number>();
  const leaders = new Set<string>();
  for (const [index, planned] of plan.findings.entries()) {
    const finding = findingOf(deps, tenant, campaign, record, planned, index + 1, number++, planned.newDepartment ? (newDepartmentIds.get(planned.newDepartment) ?? null) : planned.departmentId, now);
    const task = taskOf(deps, finding, planned, now);
    leaders.add(task.leaderUserId);
    if (task.state !== 'closed') openByLeader.set(task.leaderUserId, (openByLeader.get(task.leaderUserId) ?? 0) + 1);
    ops.push(
      { op: 'insertFinding', finding },
      { op: 'insertTask', task, finding },
      {
        op: 'appendEvent',
        event: {
          tenantId: tenant.id,
          taskId: task.id,
          seq: 1,
          action: 'import',
          actorUserId,
          at: now,
          data: { file: record.fileName, importId: record.id, sheet: planned.sheet, row: planned.rowNumber, history: planned.wording || null, state: task.state, closureKind: task.closureKind, deadline: task.deadline },
        },
      },
    );
  }
  for (const leader of leaders) ops.push({ op: 'grantRole', tenantId: tenant.id, userId: leader, role: 'leader', at: now });
  ops.push({ op: 'decideImport', tenantId: tenant.id, importId: record.id, status: 'confirmed', at: now });
  for (const [leader, n] of openByLeader) {
    ops.push(...textOps(deps, tenant, { kind: 'user', userId: leader }, `《${record.fileName}》已导入督办：其中${n}项整改任务由您负责。发送「我的任务」查看、签收和填报整改进展。`));
  }
  return ops;
}

function findingOf(deps: Deps, tenant: Tenant, campaign: Campaign, record: ImportRecord, p: PlannedFinding, ordinal: number, number: number, departmentId: string | null, now: number): Finding {
  return {
    id: deps.newId(),
    tenantId: tenant.id,
    campaignId: campaign.id,
    number,
    departmentId,
    area: p.area,
    category: p.category,
    description: p.description,
    inspectorUserId: p.inspectorUserId,
    foundOn: p.foundOn,
    source: p.aspect ? '巡察反馈' : '日常督查',
    chatId: record.chatId,
    intakeCardId: null,
    aspect: p.aspect,
    majorItem: p.majorItem,
    importId: record.id,
    // the plan's ordinal, unique within the import (sheet and row are in the task event)
    importRow: ordinal,
    createdAt: now,
  };
}

function taskOf(deps: Deps, finding: Finding, p: PlannedFinding, now: number): Task {
  const closed = p.outcome.state === 'closed' ? p.outcome : null;
  return {
    id: deps.newId(),
    tenantId: finding.tenantId,
    findingId: finding.id,
    state: p.outcome.state,
    leaderUserId: p.leaderUserId,
    measures: p.measures,
    responsiblePerson: p.responsiblePerson,
    acceptanceCriteria: null,
    deadline: p.deadline,
    completionNote: p.completionNote,
    closureKind: closed?.closureKind ?? null,
    returnsCount: 0,
    version: 1,
    closedAt: closed ? now : null,
    closedOn: closed?.closedOn ?? null,
    createdAt: now,
    updatedAt: now,
  };
}
