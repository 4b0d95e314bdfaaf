// The guard: every request to a non-public route needs a live session, state-changing requests need the
// session's CSRF token, and the caller's role must reach the route's declared role. A route with no
// declared access cannot be registered; if one slips through, it is refused (default deny).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import type { Settings } from '../../core/settings-types.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { roleAllows } from './roles.ts';
import type { SessionStore } from './sessions.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_HEADER = 'x-csrf-token';

export interface GuardDeps {
  sessions: SessionStore;
  users: () => Settings['users'];
}

export function installGuard(app: FastifyInstance, deps: GuardDeps): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const name = `${methods.join(',')} ${route.url}`;
    if (route.config?.access === undefined) {
      throw new Error(`route ${name} declares no access: add config: requireRole('viewer' | 'operator' | 'admin') or publicRoute()`);
    }
    if (route.url.startsWith('/api/') && !route.schema?.response) {
      throw new Error(`route ${name} declares no response schema: add schema.response (it feeds the OpenAPI document)`);
    }
  });

  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = req.routeOptions.config.access;
    if (access === 'public') return;
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = id ? deps.sessions.lookup(id) : null;
    if (!session) throw new AppError('E_AUTH', 'Log in first: this needs a session (POST /api/login), or yours has expired.');
    // The settings document is the truth for users: a deleted user's sessions end, a role change applies now.
    const user = deps.users().find((u) => u.username === session.username);
    if (!user) {
      deps.sessions.delete(session.idHash);
      throw new AppError('E_AUTH', 'Your user no longer exists; log in with another one.');
    }
    if (user.role !== session.role) {
      deps.sessions.setRole(user.username, user.role);
      session.role = user.role;
    }
    req.session = session;
    if (STATE_CHANGING.has(req.method) && !csrfMatches(req, session.csrfToken)) {
      throw new AppError('E_FORBIDDEN', `Missing or wrong ${CSRF_HEADER} header: send the csrfToken from GET /api/session with every change.`, { header: CSRF_HEADER });
    }
    if (req.headers.upgrade?.toLowerCase() === 'websocket' && !sameOrigin(req)) {
      throw new AppError('E_FORBIDDEN', 'The live feed only accepts connections from pages served by this box.', { header: 'origin' });
    }
    if (access === undefined) {
      req.log.error({ route: req.routeOptions.url, method: req.method }, 'route declares no access; refused');
      throw new AppError('E_FORBIDDEN', 'This route declares no role, so it is refused.');
    }
    if (!roleAllows(session.role, access)) {
      throw new AppError('E_FORBIDDEN', `This needs the ${access} role; you are logged in as ${session.role}.`, { role: access });
    }
  });
}

function csrfMatches(req: FastifyRequest, expected: string): boolean {
  const got = req.headers[CSRF_HEADER];
  if (typeof got !== 'string') return false;
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// Cross-site WebSocket hijacking defence: browsers always send Origin on a WebSocket handshake.
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (tests, tools)
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
