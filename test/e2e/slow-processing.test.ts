// A message whose processing is slow (its photo downloads slowly from Feishu, or it waits behind
// the chat's earlier messages) is still 'received' when the inbox sweep comes round 30 s later, so
// the sweep processes it a second time while the first is still at it. Only one of the two may
// take effect: the second finds the delivery done and changes nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryUnfinished } from '../../src/app/receive.js';
import { FeishuHarness, p2p, type Chat, type Person } from '../support/feishu-harness.js';

const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 7, 7, 7, 7]);
const inspector: Person = { openId: 'ou_slow_inspector', name: '钱督查' };
const group: Chat = { id: 'oc_slow_group', type: 'group' };

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.supervised(inspector, group, []);
});
afterEach(async () => {
  await h.close();
});

const count = (sql: string, ...params: unknown[]) => (h.server.database.sqlite.prepare(sql).get(...params) as { n: number }).n;

/**
 * `person` sends a photo in `chat` while Feishu's downloads hang; 31 s later (the sweep's wait)
 * the inbox sweep runs, and both processings are waiting for the photo when it finally comes.
 */
async function photoProcessedTwiceOver(person: Person, chat: Chat): Promise<void> {
  const release = h.stub.holdDownloads();
  const sent = h.burst(() => h.sendImage(person, chat, PHOTO));
  await vi.waitFor(() => expect(h.stub.heldDownloads()).toBe(1));
  h.advance(31_000);
  const sweep = retryUnfinished(h.server.deps);
  await vi.waitFor(() => expect(h.stub.heldDownloads()).toBe(2));
  release();
  expect(await sweep).toBe(1);
  await sent;
  await h.server.settle();
  expect(count("select count(*) n from inbound_deliveries where status != 'done'")).toBe(0);
}

describe('a message the inbox sweep picks up while its first processing is still running', () => {
  it('keeps an inspector’s group photo once', async () => {
    await photoProcessedTwiceOver(inspector, group);
    expect(count("select count(*) n from attachments where purpose = 'finding_photo' and chat_id = ?", group.id)).toBe(1);
  });

  it('keeps a leader’s evidence photo once, and answers it once', async () => {
    const leader: Person = { openId: 'ou_slow_leader', name: '孙主任' };
    await h.fileFinding(inspector, group, { area: '门诊大厅', category: '服务环境', description: '候诊椅破损', leader: leader.openId, deadline_text: '5个工作日' });
    await photoProcessedTwiceOver(leader, p2p(leader));
    expect(count("select count(*) n from attachments where purpose = 'evidence'")).toBe(1);
    // in a one-to-one chat the answer goes to the person
    const answers = h.stub.sentTo(leader.openId).filter((m) => JSON.stringify(m.content).includes('整改佐证照片'));
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]!.content)).toContain('已收到 1 张整改佐证照片');
  });
});
