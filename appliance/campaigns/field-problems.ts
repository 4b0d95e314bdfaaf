// Every problem of a form at once: a parser notes each field at fault and goes on, then throws one
// error that carries them all (the HTTP error body's `fields`), so staff fix a form in one go.
import { AppError, type ErrorCode, type FieldError, type FieldRule } from '../../core/errors.ts';

export class FieldProblems {
  readonly list: FieldError[] = [];
  private extraWhere: Record<string, string | number> = {};

  /** Note a problem; `message` is the box's English words, `rule` and `params` let a page say it in its language. */
  add(key: string, message: string, rule: FieldRule, params?: Record<string, string | number>, where?: Record<string, string | number>): void {
    this.list.push({ key, message, rule, ...(params ? { params } : {}) });
    if (where && this.list.length === 1) this.extraWhere = where;
  }

  /** Whether a field (or anything below it) is already at fault. */
  has(key: string): boolean {
    return this.list.some((f) => f.key === key || f.key.startsWith(`${key}.`));
  }

  /** Throws one error with every problem, if there is any. */
  throwIfAny(code: ErrorCode, what: string): void {
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    const message = this.list.length === 1
      ? `${what} field "${first.key}": ${first.message}`
      : `${what}: ${this.list.length} fields to fix: ${this.list.map((f) => `"${f.key}": ${f.message}`).join('; ')}`;
    throw new AppError(code, message, { field: first.key, ...this.extraWhere, count: this.list.length }, { fields: this.list });
  }
}
