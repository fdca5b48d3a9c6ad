// The context of one task, read in one go (one D1 round trip), must be the same whole object on
// both drivers: drizzle's D1 batch maps rows by column name, which once garbled a join's columns.
import { describe, expect, it } from 'vitest';
import type { Attachment, Department, ExtensionRequest, Finding, Task } from '../../src/domain/model.js';
import { createStore } from '../../src/store/create-store.js';
import { sql } from 'drizzle-orm';
import { taskContextReads } from '../../src/store/task-queries.js';
import { betterSqlite3, DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'feishu:t1';
const department: Department = { id: 'd1', tenantId: T, name: '门诊部', leaderUserId: 'ou_head', retiredOn: null };
const finding: Finding = {
  id: 'f1', tenantId: T, campaignId: 'c1', number: 7, departmentId: 'd1', area: '门诊大厅', category: '服务态度', description: '态度生硬',
  inspectorUserId: 'ou_i', foundOn: '2026-11-23', source: '日常督查', chatId: 'oc_g', intakeCardId: 'card1', aspect: null, majorItem: null, importId: null, importRow: null, createdAt: 1,
};
const task: Task = {
  id: 'k1', tenantId: T, findingId: 'f1', state: 'in_progress', leaderUserId: 'ou_l', measures: '培训', responsiblePerson: null, acceptanceCriteria: null, deadline: '2026-11-30', completionNote: null,
  closureKind: null, returnsCount: 1, version: 3, closedAt: null, closedOn: null, createdAt: 2, updatedAt: 5,
};
const extension: ExtensionRequest = {
  id: 'e1', tenantId: T, taskId: 'k1', requestedDeadline: '2026-12-04', previousDeadline: '2026-11-30', reason: '等待设备', status: 'pending',
  requestedBy: 'ou_l', decidedBy: null, decidedAt: null, createdAt: 6,
};
const photo = (id: string, purpose: Attachment['purpose'], link: { findingId: string | null; taskId: string | null }, createdAt: number): Attachment => ({
  id, tenantId: T, ...link, purpose, blobKey: `b/${id}`, platformImageKey: `img_${id}`, uploaderUserId: 'ou_i', chatId: 'oc_g', replyToMessageId: null, createdAt,
});
const onFinding = photo('a1', 'finding_photo', { findingId: 'f1', taskId: null }, 3);
const onTask = photo('a2', 'evidence', { findingId: null, taskId: 'k1' }, 4);
// another task's photo and another tenant's task must not leak in
const elsewhere = photo('a3', 'evidence', { findingId: null, taskId: 'k2' }, 5);

describe.each(DRIVERS)('one task’s context on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('reads the task, its finding, department, pending extension and photos, exactly', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      { op: 'upsertDepartment', department, at: 1 },
      { op: 'insertFinding', finding },
      { op: 'insertTask', task, finding },
      { op: 'insertExtension', extension },
      { op: 'insertAttachment', attachment: onFinding },
      { op: 'insertAttachment', attachment: onTask },
      { op: 'insertAttachment', attachment: elsewhere },
    ]);
    expect(await store.getTaskContext(T, 'k1')).toEqual({ task, finding, department, pendingExtension: extension, attachments: [onFinding, onTask] });
    expect(await store.getTaskContext('feishu:other', 'k1')).toBeNull();
    expect(await store.getTaskContext(T, 'nope')).toBeNull();
  });

  it('reads a task whose finding has no department', async () => {
    const store = createStore(opened.db, opened);
    const loose = { ...finding, departmentId: null };
    await store.commit([{ op: 'insertFinding', finding: loose }, { op: 'insertTask', task, finding: loose }]);
    expect(await store.getTaskContext(T, 'k1')).toEqual({ task, finding: loose, department: null, pendingExtension: null, attachments: [] });
  });

  it('finds a finding’s task by its number (第N号问题), in its own tenant only', async () => {
    const store = createStore(opened.db, opened);
    const other = { ...finding, id: 'f2', tenantId: 'feishu:t2', intakeCardId: 'card2' };
    await store.commit([
      { op: 'insertFinding', finding },
      { op: 'insertTask', task, finding },
      { op: 'insertFinding', finding: other },
      { op: 'insertTask', task: { ...task, id: 'k2', tenantId: 'feishu:t2', findingId: 'f2' }, finding: other },
    ]);
    expect(await store.taskIdOfFinding(T, 7)).toBe('k1');
    expect(await store.taskIdOfFinding('feishu:t2', 7)).toBe('k2');
    expect(await store.taskIdOfFinding(T, 8)).toBeNull();
  });

  it('reads a member with roles in one go', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      { op: 'upsertMember', member: { tenantId: T, userId: 'ou_i', name: '钱督查' }, at: 1 },
      { op: 'grantRole', tenantId: T, userId: 'ou_i', role: 'inspector', at: 1 },
      { op: 'grantRole', tenantId: T, userId: 'ou_i', role: 'admin', at: 1 },
    ]);
    const member = await store.getMember(T, 'ou_i');
    expect({ ...member, roles: [...member!.roles].sort() }).toEqual({ tenantId: T, userId: 'ou_i', name: '钱督查', roles: ['admin', 'inspector'] });
    expect(await store.getMember(T, 'ou_nobody')).toBeNull();
  });
});

describe('the reads of a task’s context, as SQLite plans them', () => {
  it('each finds its rows through an index on more than the tenant: no scan of a tenant’s tasks or photos', async () => {
    const opened = await betterSqlite3.open();
    try {
      const placeholders = { tenantId: sql.placeholder('tenantId'), taskId: sql.placeholder('taskId') };
      for (const read of taskContextReads(opened.db)) {
        const query = (read.build(placeholders as never) as unknown as { toSQL(): { sql: string } }).toSQL().sql;
        const plan = (await opened.query<{ detail: string }>(`explain query plan ${query.replaceAll('?', "'x'")}`)).map((step) => step.detail);
        expect(plan.join(' | '), read.key).not.toMatch(/\bSCAN\b|\(tenant_id=\?\)$|\(tenant_id=\?\) \|/);
        expect(plan.length, read.key).toBeGreaterThan(0);
      }
    } finally {
      await opened.close();
    }
  });
});
