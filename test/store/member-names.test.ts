// The names behind mentions (DingTalk writes them into cards), read the same way on both drivers.
import { describe, expect, it } from 'vitest';
import type { WriteOp } from '../../src/app/store-port.js';
import { createStore } from '../../src/store/create-store.js';
import { DRIVERS, openForEachTest } from '../support/drivers.js';

const T = 'dingtalk:corp1';
const AT = Date.parse('2026-11-24T09:00:00+08:00');

const member = (tenantId: string, userId: string, name: string | null): WriteOp => ({ op: 'upsertMember', member: { tenantId, userId, name }, at: AT });

describe.each(DRIVERS)('member names on $name', (driver) => {
  const opened = openForEachTest(driver);

  it('gives the known names of the people asked for, in this tenant only', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([
      member(T, 'staff_wang', '王主任'),
      member(T, 'staff_li', '李督查'),
      member(T, 'staff_nameless', null),
      member(T, 'staff_not_asked', '孙主任'),
      member('dingtalk:corp2', 'staff_zhao', '赵主任'),
    ]);
    const names = await store.memberNames(T, ['staff_wang', 'staff_li', 'staff_nameless', 'staff_zhao', 'staff_unknown', "x'); drop table members; --"]);
    expect([...names].sort()).toEqual([
      ['staff_li', '李督查'],
      ['staff_wang', '王主任'],
    ]);
    expect(await store.memberNames(T, [])).toEqual(new Map());
  });

  it('keeps a name learnt earlier when a later message carries none', async () => {
    const store = createStore(opened.db, opened);
    await store.commit([member(T, 'staff_wang', '王主任')]);
    await store.commit([member(T, 'staff_wang', null)]);
    expect(await store.memberNames(T, ['staff_wang'])).toEqual(new Map([['staff_wang', '王主任']]));
  });
});
