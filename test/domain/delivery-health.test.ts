import { describe, expect, it } from 'vitest';
import { deliveryState, overdueMinutes, STALLED_AFTER_MS, type DeliveryFacts } from '../../src/domain/delivery-health.js';

const NOW = Date.parse('2026-11-24T09:00:00+08:00');
const quiet: DeliveryFacts = { pending: 0, retrying: 0, oldestDueAt: null, lastError: null, dead: 0, recentlyDead: 0, stuckDeliveries: 0 };

describe('whether messages are getting out', () => {
  it('ok: nothing waits, or what waits is not yet overdue; messages given up long ago are history', () => {
    expect(deliveryState(quiet, NOW)).toBe('ok');
    expect(deliveryState({ ...quiet, pending: 3, oldestDueAt: NOW - STALLED_AFTER_MS }, NOW)).toBe('ok');
    expect(deliveryState({ ...quiet, pending: 1, oldestDueAt: NOW + 60_000 }, NOW)).toBe('ok');
    expect(deliveryState({ ...quiet, dead: 4 }, NOW)).toBe('ok');
  });

  it('retrying: a message failed and waits for its next try', () => {
    expect(deliveryState({ ...quiet, pending: 1, retrying: 1, oldestDueAt: NOW + 30_000, lastError: '503' }, NOW)).toBe('retrying');
  });

  it('failing: a message was given up recently (a reset secret gives every message up at its first try)', () => {
    expect(deliveryState({ ...quiet, dead: 5, recentlyDead: 1, lastError: 'feishu token: 10014 app secret invalid' }, NOW)).toBe('failing');
    expect(deliveryState({ ...quiet, pending: 1, retrying: 1, oldestDueAt: NOW, dead: 1, recentlyDead: 1 }, NOW)).toBe('failing');
  });

  it('stalled: a message overdue past the limit, or a delivery received and never processed, whatever else', () => {
    expect(deliveryState({ ...quiet, stuckDeliveries: 1, recentlyDead: 2 }, NOW)).toBe('stalled');
    expect(deliveryState({ ...quiet, pending: 1, oldestDueAt: NOW - STALLED_AFTER_MS - 1 }, NOW)).toBe('stalled');
    expect(deliveryState({ ...quiet, pending: 1, retrying: 1, oldestDueAt: NOW - 3_600_000 }, NOW)).toBe('stalled');
    expect(deliveryState({ ...quiet, stuckDeliveries: 1 }, NOW)).toBe('stalled');
  });

  it('counts whole minutes overdue, never below zero', () => {
    expect(overdueMinutes(quiet, NOW)).toBe(0);
    expect(overdueMinutes({ ...quiet, oldestDueAt: NOW + 120_000 }, NOW)).toBe(0);
    expect(overdueMinutes({ ...quiet, oldestDueAt: NOW - 7.5 * 60_000 }, NOW)).toBe(7);
  });
});
