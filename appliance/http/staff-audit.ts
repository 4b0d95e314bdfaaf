// Every staff action through the API leaves an entry in the hash-chained audit log: who (the session's
// user), what (a dotted action), on what (subject), and details that never carry a secret or a password.
import type { HttpContext } from './context.ts';
import type { SessionInfo } from './sessions.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import type { Actor } from '../actions/action.ts';

export function staffActor(req: { session?: SessionInfo }): string {
  return `staff:${req.session?.username ?? 'unknown'}`;
}

/** The actor of an action asked through the API: the session's user with the session's role. */
export function staffOf(req: { session?: SessionInfo }): Actor {
  if (!req.session) throw new Error('staffOf() called on a route without a session');
  return { door: 'http', user: req.session.username, role: req.session.role };
}

export function auditStaff(ctx: Pick<HttpContext, 'deps' | 'now'>, req: { session?: SessionInfo }, action: string, subject: string | number | null, details: Record<string, unknown> = {}): void {
  appendAudit(ctx.deps.db, { actor: staffActor(req), action, subject: subject === null ? null : String(subject), details, now: ctx.now() });
}

export { changedPaths } from '../actions/audit-diff.ts';
