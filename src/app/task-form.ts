// Turns a submitted task form into a TaskCommand, or names the field that is wrong.
import { z } from 'zod';
import { OTHER_CATEGORY } from '../../cards/intake-form.js';
import { parseDeadline } from '../domain/deadline.js';
import { fail, ok, type Result } from '../domain/errors.js';
import { CLOSURE_KINDS, type ClosureKind, type IsoDate } from '../domain/model.js';
import type { TaskAction } from '../domain/permissions.js';
import type { TaskCommand } from '../domain/task-machine.js';

/** Card form values arrive as strings (inputs, selects, dates, people); anything else is ignored. */
export function formString(form: Record<string, unknown> | null, name: string): string {
  const value = form?.[name];
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0].trim();
  return '';
}

/** The category a form chose: one of the list, or the one typed under 「其他」. */
export function categoryFromForm(form: Record<string, unknown> | null): { category: string; typedOther: boolean } {
  const picked = formString(form, 'category');
  const typedOther = picked === OTHER_CATEGORY || !picked;
  return { category: typedOther ? formString(form, 'category_custom') : picked, typedOther };
}

const closureKind = z.enum(CLOSURE_KINDS as [ClosureKind, ...ClosureKind[]]);

function date(form: Record<string, unknown> | null, name: string, label: string, today: IsoDate, required: boolean): Result<IsoDate | null> {
  const raw = formString(form, name);
  if (!raw) return required ? fail('invalid_input', label) : ok(null);
  const parsed = parseDeadline(raw, today);
  return parsed.ok ? ok(parsed.deadline) : fail('invalid_input', `${label}：${parsed.reason}`);
}

export function taskCommandFromForm(
  action: TaskAction,
  form: Record<string, unknown> | null,
  extra: Record<string, string> | undefined,
  today: IsoDate,
): Result<TaskCommand> {
  const text = (name: string) => formString(form, name);
  switch (action) {
    case 'accept':
    case 'revise_measures':
      return ok({ action, measures: text('measures'), responsiblePerson: text('responsible_person') });
    case 'decline':
      return ok({ action, reason: text('reason') });
    case 'request_extension': {
      const requested = date(form, 'requested_date', '延期至', today, true);
      if (!requested.ok) return requested;
      return ok({ action, requestedDeadline: requested.value!, reason: text('reason') });
    }
    case 'submit': {
      const kind = closureKind.safeParse(text('closure_kind') || 'done');
      if (!kind.success) return fail('invalid_input', '完成情况');
      return ok({ action, note: text('note'), closureKind: kind.data });
    }
    case 'reassign': {
      const leader = text('new_leader');
      if (!leader) return fail('invalid_input', '新的责任领导');
      const deadline = date(form, 'deadline_date', '整改完成时间', today, false);
      if (!deadline.ok) return deadline;
      return ok({ action, leaderUserId: leader, deadline: deadline.value });
    }
    case 'approve_extension':
      return ok({ action });
    case 'refuse_extension':
      return ok({ action, reason: text('reason') });
    case 'verify_pass': {
      const raw = text('closure_kind') || extra?.['closure_kind'] || '';
      if (!raw) return ok({ action, closureKind: null });
      const kind = closureKind.safeParse(raw);
      return kind.success ? ok({ action, closureKind: kind.data }) : fail('invalid_input', '完成情况');
    }
    case 'verify_fail':
      return ok({ action, reason: text('reason') });
    case 'cancel':
      return ok({ action, reason: text('reason') });
    case 'reopen':
      return ok({ action, reason: text('reason') });
    case 'report_progress':
      return ok({ action, note: text('note') });
    case 'urge':
      // the last 催办's day is the record's, not the form's: the caller fills it in
      return ok({ action, note: text('note'), lastUrgedOn: null });
    case 'set_deadline': {
      const deadline = date(form, 'deadline_date', '新的整改完成时间', today, true);
      if (!deadline.ok) return deadline;
      return ok({ action, deadline: deadline.value!, reason: text('reason') });
    }
    case 'edit_finding':
      return ok({
        action,
        area: text('area'),
        category: categoryFromForm(form).category,
        description: text('description'),
        departmentId: text('department') || null,
        // a form drawn before 验收标准 was on it keeps the task's
        acceptance: form && Object.hasOwn(form, 'acceptance') ? text('acceptance') : null,
      });
  }
}
