// The delivery part of /healthz: how many messages wait, whether any fail and why, and
// whether anything is working through them at all (domain/delivery-health.ts).
import { deliveryState, FAILING_WINDOW_MS, overdueMinutes, STALLED_AFTER_MS, type DeliveryState } from '../domain/delivery-health.js';
import type { Deps } from './ports.js';

export interface DeliveryHealth {
  state: DeliveryState;
  pending: number;
  retrying: number;
  overdueMinutes: number;
  dead: number;
  recentlyDead: number;
  stuckDeliveries: number;
  lastError: string | null;
}

export async function deliveryHealth(deps: Pick<Deps, 'store' | 'clock'>): Promise<DeliveryHealth> {
  const now = deps.clock.now();
  const facts = await deps.store.deliveryFacts({ stuckBefore: now - STALLED_AFTER_MS, deadSince: now - FAILING_WINDOW_MS });
  return {
    state: deliveryState(facts, now),
    pending: facts.pending,
    retrying: facts.retrying,
    overdueMinutes: overdueMinutes(facts, now),
    dead: facts.dead,
    recentlyDead: facts.recentlyDead,
    stuckDeliveries: facts.stuckDeliveries,
    lastError: facts.lastError,
  };
}
