// The biggest task card a user can cause — every text at its limit, many photos, an open
// extension, a form open — is still valid Card JSON 2.0 and under Feishu's 30 KB.
import { describe, expect, it } from 'vitest';
import { taskCard } from '../../cards/task-card.js';
import type { Attachment } from '../../src/domain/model.js';
import type { TaskAction } from '../../src/domain/permissions.js';
import { renderFeishuCard } from '../../src/platforms/feishu/render-card.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';
import { makeContext } from '../domain/fixtures.js';

function photo(i: number, purpose: Attachment['purpose']): Attachment {
  return { id: `a${i}`, tenantId: 't-1', findingId: 'finding-1', taskId: null, purpose, blobKey: `b${i}`, platformImageKey: `img_v3_${'x'.repeat(40)}${i}`, uploaderUserId: 'u', chatId: 'c', replyToMessageId: null, createdAt: i };
}

describe('task card size', () => {
  const modes: (TaskAction | null)[] = [null, 'accept', 'submit', 'request_extension', 'reassign', 'verify_fail'];
  it.each(modes)('stays valid and under 30 KB in mode %s', (mode) => {
    const ctx = makeContext({ state: 'in_progress', pendingExtension: { reason: '延'.repeat(500) } });
    ctx.finding.description = '问'.repeat(1000);
    ctx.finding.area = '区'.repeat(100);
    ctx.task.measures = '措'.repeat(1000);
    ctx.task.completionNote = '情'.repeat(1000);
    ctx.task.responsiblePerson = '责'.repeat(50);
    ctx.task.acceptanceCriteria = '验'.repeat(200);
    ctx.attachments = [...Array.from({ length: 30 }, (_, i) => photo(i, 'finding_photo')), ...Array.from({ length: 30 }, (_, i) => photo(100 + i, 'evidence'))];
    const card = taskCard({ ctx, viewerUserId: 'u-leader', actions: ['submit', 'request_extension', 'verify_fail', 'reassign', 'accept'], mode, colour: 'red', deadlineNote: '已逾期12个工作日' });
    const json = renderFeishuCard(card);
    expect(checkFeishuCard(json)).toEqual([]);
    expect(new TextEncoder().encode(JSON.stringify(json)).length).toBeLessThan(30 * 1024);
    expect(JSON.stringify(json)).toContain('共 30 张现场照片');
    expect(JSON.stringify(json)).toContain('验'.repeat(200));
  });
});
