// Every staff action through the API runs as an action (appliance/actions), which leaves its entry in
// the hash-chained audit log: who (the session's user), what, on what, never a secret or a password.
// This is the one thing the web door adds: who is asking.
import type { SessionInfo } from './sessions.ts';
import type { Actor } from '../actions/action.ts';

/** The actor of an action asked through the API: the session's user with the session's role. */
export function staffOf(req: { session?: SessionInfo }): Actor {
  if (!req.session) throw new Error('staffOf() called on a route without a session');
  return { door: 'http', user: req.session.username, role: req.session.role };
}
