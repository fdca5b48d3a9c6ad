// Stable error codes. One place maps them to Chinese (src/app/error-text.ts), one to HTTP
// (src/http/errors.ts); nothing else invents user-facing wording for a refusal.

export type DomainErrorCode =
  /** the person may not do this (role × action table) */
  | 'forbidden'
  /** the task is not in a state that allows this action */
  | 'wrong_state'
  /** the card was drawn from an older version of the task */
  | 'stale'
  /** a form field is missing or bad; `field` names it */
  | 'invalid_input'
  | 'deadline_passed'
  | 'extension_pending'
  | 'no_extension_pending'
  | 'same_leader'
  /** an edit that changes nothing */
  | 'unchanged'
  | 'already_urged'
  | 'not_found'
  | 'not_in_group';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    /** for invalid_input: the field's Chinese label; otherwise optional detail for the text */
    readonly detail: string | null = null,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'DomainError';
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: DomainErrorCode, detail: string | null = null): Result<T> => ({
  ok: false,
  error: new DomainError(code, detail),
});
