// A task card with everything the general template must show: tags, fields, a mention, a picture,
// buttons and a form.
import type { Card } from '../../cards/model.js';
import { mention } from '../../cards/model.js';

export function taskCardFixture(): Card {
  return {
    title: '第12号问题 · 挂号窗口态度生硬',
    subtitle: '门诊部 · 服务态度',
    colour: 'yellow',
    tags: [{ text: '待签收', colour: 'yellow' }],
    summary: '第12号问题待签收',
    elements: [
      { kind: 'fields', fields: [{ label: '责任领导', value: mention('staff_leader') }, { label: '整改时限', value: '2026-11-26' }] },
      { kind: 'image', imageKey: '@lADPmedia', alt: '现场照片' },
      { kind: 'note', text: '请在整改时限内完成' },
      {
        kind: 'form',
        name: 'accept',
        fields: [{ kind: 'text', name: 'measures', label: '整改措施', multiline: true, required: true }],
        submit: { label: '签收整改', style: 'primary', action: { a: 'accept', t: 'k1', v: 1 } },
      },
      { kind: 'buttons', buttons: [{ label: '不属于我', style: 'danger', action: { a: 'decline', t: 'k1', v: 1 } }] },
    ],
  };
}
