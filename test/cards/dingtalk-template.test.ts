// The DingTalk card template spec in cards/dingtalk/ and the renderer must name the same variables:
// a template built from the spec shows everything the renderer sends, and nothing it does not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { taskCardFixture } from './dingtalk-template-fixture.js';
import { dingTalkCardReply } from '../../src/platforms/dingtalk/deliveries.js';
import { renderDingTalkCard } from '../../src/platforms/dingtalk/render-card.js';

const spec = JSON.parse(readFileSync(new URL('../../cards/dingtalk/general-template.json', import.meta.url), 'utf8')) as {
  variables: { public: { name: string; values?: string[] }[]; private: { name: string; values?: string[] }[] };
};

describe('the general DingTalk template', () => {
  it('declares every public variable the renderer fills, and only those', () => {
    const rendered = renderDingTalkCard(taskCardFixture());
    expect(Object.keys(rendered.cardParamMap).sort()).toEqual(spec.variables.public.map((v) => v.name).sort());
  });

  it('declares the private variables a click answer fills', () => {
    const answer = dingTalkCardReply({ toast: { type: 'success', text: '已签收' } }) as { userPrivateData: { cardParamMap: Record<string, string> } };
    expect(Object.keys(answer.userPrivateData.cardParamMap).sort()).toEqual(spec.variables.private.map((v) => v.name).sort());
    expect(spec.variables.private.find((v) => v.name === 'noticeType')!.values).toContain(answer.userPrivateData.cardParamMap['noticeType']);
  });

  it('lists every colour and button style the renderer can send', () => {
    const rendered = renderDingTalkCard(taskCardFixture());
    expect(spec.variables.public.find((v) => v.name === 'colour')!.values).toContain(rendered.cardParamMap['colour']);
    const buttons = JSON.parse(rendered.cardParamMap['buttons']!) as { style: string; payload: string }[];
    expect(buttons.length).toBeGreaterThan(0);
    for (const b of buttons) {
      expect(['primary', 'normal', 'danger']).toContain(b.style);
      expect(JSON.parse(b.payload)).toHaveProperty('a');
    }
    // mentions become @userId in the text and are listed for DingTalk to notify
    expect(rendered.cardParamMap['content']).toContain('@staff_leader');
    expect(rendered.atUserIds).toContain('staff_leader');
  });
});
