// Every staff action through the API leaves an entry in the hash-chained audit log: who (the session's
// user), what (a dotted action), on what (subject), and details that never carry a secret or a password.
import type { HttpContext } from './context.ts';
import type { SessionInfo } from './sessions.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';

export function staffActor(req: { session?: SessionInfo }): string {
  return `staff:${req.session?.username ?? 'unknown'}`;
}

export function auditStaff(ctx: Pick<HttpContext, 'deps' | 'now'>, req: { session?: SessionInfo }, action: string, subject: string | number | null, details: Record<string, unknown> = {}): void {
  appendAudit(ctx.deps.db, { actor: staffActor(req), action, subject: subject === null ? null : String(subject), details, now: ctx.now() });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Dotted paths (two levels deep) whose values differ: names of what changed, never the values. */
export function changedPaths(before: unknown, after: unknown, depth = 2, prefix = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (depth === 0 || !isObj(before) || !isObj(after)) return [prefix || '(root)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((k) => changedPaths(before[k], after[k], depth - 1, prefix ? `${prefix}.${k}` : k));
}
