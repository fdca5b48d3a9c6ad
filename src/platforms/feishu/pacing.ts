// Feishu's published send limits (im/v1/message/create, patch): 5 a second to one user or group
// (shared by every bot in the group) and to one message's updates; 50 a second and 1,000 a minute
// per app. Kept apart from client.ts so that knowing them does not load the SDK. Feishu counts
// arrivals and we count departures, so the short windows carry a fifth of a second to spare.
import type { PlatformPacing } from '../../app/send-pacer.js';

const SPARE_MS = 200;

export const FEISHU_PACING: PlatformPacing = {
  perTarget: [{ count: 5, windowMs: 1000 + SPARE_MS }],
  perApp: [
    { count: 50, windowMs: 1000 + SPARE_MS },
    { count: 1000, windowMs: 60_000 + SPARE_MS },
  ],
};
