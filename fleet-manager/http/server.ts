// The console's HTTP server (fastify): the JSON API under /api and the built console at "/". Every
// route declares its role (viewer < operator < admin) or is public (login only); a route without one
// cannot be registered, and a request reaching one anyway is refused (default deny). Changes need the
// session's CSRF token. Every console action, and every refusal of one, is audited (who, what, when).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { FleetManager } from '../service.ts';
import { CSRF_HEADER, LoginLimiter, readCookie, SESSION_COOKIE, sessionCookie, verifyPassword } from './auth.ts';
import type { Role, Session } from '../store/console-store.ts';
import { registerRoutes } from './routes.ts';
import { serveConsole } from './static.ts';

export type Access = Role | 'public';

// The box's HTTP layer augments fastify's types with its own `access` and `session`; the console keeps
// its own key and a side table, so the two never meet in one program (the type-check sees both).
declare module 'fastify' {
  interface FastifyContextConfig { consoleAccess?: Access }
}

const sessions = new WeakMap<FastifyRequest, Session>();
/** The caller's session (set by the guard before any non-public handler runs). */
export function sessionOf(req: FastifyRequest): Session {
  const s = sessions.get(req);
  if (!s) throw new ConsoleError('E_AUTH', 401, 'Log in first.');
  return s;
}

/** An error the console shows: a stable code (the UI has its words in English and French), a status, where. */
export class ConsoleError extends Error {
  constructor(readonly code: ConsoleErrorCode, readonly status: number, message: string, readonly where?: Record<string, string>) {
    super(message);
  }
}
export type ConsoleErrorCode = 'E_AUTH' | 'E_FORBIDDEN' | 'E_LOGIN' | 'E_LOGIN_LIMIT' | 'E_INVALID' | 'E_NOT_FOUND' | 'E_CONFLICT' | 'E_INTERNAL';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ConsoleServerOptions {
  fm: FleetManager;
  logger: Logger;
  /** Folder of the built console (index.html and assets); null: API only. */
  staticDir: string | null;
  /** The fleet CA folder (claim codes and tokens); null: the console does not issue them. */
  fleetDir?: string | null;
  secureCookies?: boolean;
  /** Addresses of the reverse proxy in front (its X-Forwarded-For then names the client, for the login limit). */
  trustProxy?: string;
  sessionTtlMs?: number;
  limiter?: LoginLimiter;
}

export async function buildConsoleServer(o: ConsoleServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, trustProxy: o.trustProxy ?? false });
  const store = () => o.fm.console!;
  const limiter = o.limiter ?? new LoginLimiter();
  const ttl = o.sessionTtlMs ?? 12 * 3_600_000;

  app.addHook('onRoute', (route) => {
    if (route.config?.consoleAccess === undefined) throw new Error(`console route ${String(route.method)} ${route.url} declares no access (a role or 'public')`);
  });

  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = req.routeOptions.config.consoleAccess;
    if (access === 'public') return;
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = id ? await store().session(id) : null;
    if (!session) throw new ConsoleError('E_AUTH', 401, 'Log in first: this needs a session (POST /api/login), or yours has expired.');
    sessions.set(req, session);
    if (STATE_CHANGING.has(req.method) && !csrfMatches(req.headers[CSRF_HEADER], session.csrfToken)) {
      throw new ConsoleError('E_FORBIDDEN', 403, `Missing or wrong ${CSRF_HEADER} header: send the csrfToken from GET /api/session with every change.`, { header: CSRF_HEADER });
    }
    if (access === undefined || RANK[session.role] < RANK[access]) {
      await store().audit(session.username, `${req.method} ${req.routeOptions.url}`, null, 'refused', { reason: `needs role ${access ?? '(none declared)'}`, role: session.role });
      throw new ConsoleError('E_FORBIDDEN', 403, `This needs the ${access ?? 'declared'} role; you are ${session.role}.`);
    }
  });

  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number; code?: string }, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ConsoleError) return reply.code(err.status).send({ code: err.code, message: err.message, ...(err.where ? { where: err.where } : {}) });
    if (err.validation) return reply.code(400).send({ code: 'E_INVALID', message: `request ${err.message}`, where: { field: /body\/([\w/]+)/.exec(err.message)?.[1] ?? /property '(\w+)'/.exec(err.message)?.[1] ?? '(body)' } });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ code: 'E_INVALID', message: err.message });
    o.logger.error({ err: err.message, route: req.routeOptions.url }, 'console request failed');
    return reply.code(500).send({ code: 'E_INTERNAL', message: 'internal error; see the fleet manager log' });
  });

  app.post('/api/login', {
    config: { consoleAccess: 'public' },
    schema: { body: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 256 } } } },
  }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    const account = username.trim().toLowerCase();
    const wait = limiter.refuseMs(account, req.ip);
    if (wait > 0) {
      await store().audit(account, 'login', null, 'refused', { reason: 'too many failed logins', source: req.ip });
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new ConsoleError('E_LOGIN_LIMIT', 429, `Too many failed logins from here; try again in ${Math.ceil(wait / 1000)} s.`);
    }
    const user = await store().user(account);
    if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) {
      limiter.fail(account, req.ip);
      await store().audit(account, 'login', null, 'refused', { reason: 'wrong user name or password', source: req.ip });
      throw new ConsoleError('E_LOGIN', 401, 'Wrong user name or password.');
    }
    limiter.succeed(account, req.ip);
    const s = await store().openSession(user.username, ttl);
    await store().audit(user.username, 'login', null, 'ok', { source: req.ip });
    reply.header('set-cookie', sessionCookie(s.id, o.secureCookies ?? false, Math.floor(ttl / 1000)));
    return { username: user.username, role: user.role, csrfToken: s.csrfToken };
  });

  app.post('/api/logout', { config: { consoleAccess: 'viewer' } }, async (req, reply) => {
    await store().closeSession(sessionOf(req).idHash);
    await store().audit(sessionOf(req).username, 'logout', null, 'ok');
    reply.header('set-cookie', sessionCookie('', o.secureCookies ?? false, 0));
    return { ok: true };
  });

  app.get('/api/session', { config: { consoleAccess: 'viewer' } }, async (req) => ({ username: sessionOf(req).username, role: sessionOf(req).role, csrfToken: sessionOf(req).csrfToken }));

  registerRoutes(app, o.fm, o.fleetDir ?? null);
  if (o.staticDir) serveConsole(app, o.staticDir);
  return app;
}

function csrfMatches(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string' || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}
