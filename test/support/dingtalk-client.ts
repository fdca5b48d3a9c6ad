// Our real DingTalk client pointed at the stub DingTalk, for the suites that drive the client alone.
import { DingTalkClient, type DingTalkClientOptions } from '../../src/platforms/dingtalk/client.js';
import { renderDingTalkCard } from '../../src/platforms/dingtalk/render-card.js';
import type { DingTalkStub } from './dingtalk-stub.js';

export function dingTalkClientFor(stub: DingTalkStub, options: Partial<DingTalkClientOptions> = {}): DingTalkClient {
  return new DingTalkClient({
    clientId: stub.appKey,
    clientSecret: stub.appSecret,
    robotCode: stub.robotCode,
    baseUrl: stub.baseUrl,
    oapiBaseUrl: stub.baseUrl,
    cardTemplateId: 'tpl',
    callbackType: 'STREAM',
    renderCard: renderDingTalkCard,
    ...options,
  });
}
