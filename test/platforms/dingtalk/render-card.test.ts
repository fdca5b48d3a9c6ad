// The general DingTalk card template's parameters, from a neutral card: how mentions are written
// (DingTalk card Markdown has no mention tag) and what an empty input shows.
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../cards/model.js';
import { renderDingTalkCard, type DingTalkFormField } from '../../../src/platforms/dingtalk/render-card.js';

const card = (elements: Card['elements']): Card => ({ title: '整改任务 · 第1号问题', colour: 'blue', elements });

describe('renderDingTalkCard', () => {
  it('writes each mention with the name given for it, keeps the id for the unknown, and lists every id once for atUserIds', () => {
    const names = new Map([['staff_wang', '王主任']]);
    const data = renderDingTalkCard(
      card([
        { kind: 'markdown', text: '<@staff_wang> 请签收整改任务。' },
        { kind: 'fields', fields: [{ label: '责任领导', value: '<@staff_wang>' }, { label: '督查人', value: '<@staff_li>' }] },
      ]),
      names,
    );
    expect(data.cardParamMap['content']).toBe('@王主任 请签收整改任务。\n\n**责任领导**：@王主任\n\n**督查人**：@staff_li');
    expect(data.atUserIds).toEqual(['staff_wang', 'staff_li']);
  });

  it('writes ids when no names are given', () => {
    expect(renderDingTalkCard(card([{ kind: 'markdown', text: '<@staff_wang>' }])).cardParamMap['content']).toBe('@staff_wang');
  });

  it("gives every empty input a hint, and keeps the form's own placeholder", () => {
    const data = renderDingTalkCard(
      card([
        {
          kind: 'form',
          name: 'f',
          fields: [
            { kind: 'text', name: 'a', label: 'A' },
            { kind: 'select', name: 'b', label: 'B', options: [{ value: 'x', label: 'X' }] },
            { kind: 'person', name: 'c', label: 'C' },
            { kind: 'date', name: 'd', label: 'D' },
            { kind: 'person', name: 'e', label: 'E', placeholder: '不选则用科室的责任领导' },
          ],
          submit: { label: '提交', style: 'primary', action: { a: 'submit' } },
        },
      ]),
    );
    const form = JSON.parse(data.cardParamMap['form']!) as { fields: DingTalkFormField[] };
    expect(form.fields.map((f) => f.placeholder)).toEqual(['请输入', '请选择', '请选择人员', '请选择日期', '不选则用科室的责任领导']);
  });
});
