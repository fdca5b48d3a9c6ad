// Small wording helpers shared by the views.
import { CLOSURE_KIND_LABELS, type ClosureKind, type Finding } from '../src/domain/model.js';
import type { CardColour } from './model.js';

export function findingTitle(finding: Pick<Finding, 'number'>): string {
  return `第${finding.number}号问题`;
}

export function whereText(area: string, departmentName: string | null): string {
  if (departmentName && area && area !== departmentName) return `${departmentName}（${area}）`;
  return departmentName ?? (area || '未填写');
}

export function closureText(kind: ClosureKind | null): string {
  return kind ? CLOSURE_KIND_LABELS[kind] : '—';
}

/** 三色督办 colours as card header colours. */
export const WARNING_TO_CARD: Record<'blue' | 'yellow' | 'red' | 'green' | 'grey', CardColour> = {
  blue: 'blue',
  yellow: 'yellow',
  red: 'red',
  green: 'green',
  grey: 'grey',
};

/** Keeps user text from faking a mention or a font tag; the rest of markdown is harmless. */
export function plain(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '＜' : '＞'));
}

export function quote(text: string): string {
  return plain(text)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}
