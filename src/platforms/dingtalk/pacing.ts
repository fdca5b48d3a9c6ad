// DingTalk's send limits: a robot may send 20 messages a minute to one group (exceeding it mutes
// it for 10 minutes, platform notes §4.6), and an app's calls are held to about 20 a second
// [unconfirmed: the QPS DingTalk grants varies by API and plan]. With a second to spare on the
// minute, because DingTalk counts arrivals and we count departures.
import type { PlatformPacing } from '../../app/send-pacer.js';

export const DINGTALK_PACING: PlatformPacing = {
  perTarget: [{ count: 20, windowMs: 61_000 }],
  perApp: [{ count: 20, windowMs: 1_200 }],
};
