// Login, logout and "who am I". Login is the only public route that changes anything; it is rate
// limited (login-limiter.ts: a failing source is refused, a targeted account only slowed down), and
// answers the same for unknown users and wrong passwords.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../core/errors.ts';
import type { HttpContext } from '../context.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../cookies.ts';
import { verifyPassword } from '../passwords.ts';
import { publicRoute, requireRole, sessionOf } from '../route-kit.ts';
import { Ok } from '../contract/kit.ts';
import { LoginBody, Session } from '../contract/auth.ts';
import type { SessionInfo } from '../sessions.ts';

function sessionReply(s: SessionInfo, ctx: HttpContext): Session {
  return { username: s.username, role: s.role, csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString(), idleTimeoutSec: Math.round(ctx.sessionTimes.idleMs / 1000) };
}

function overTls(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

export function authRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post<{ Body: LoginBody }>('/api/login', {
    config: publicRoute(),
    schema: {
      summary: 'Log in; sets the session cookie',
      tags: ['session'],
      body: LoginBody,
      response: { 200: Session },
    },
  }, async (req, reply) => {
    const { username, password } = req.body;
    const verdict = ctx.limiter.check(username, req.ip);
    if (verdict.refuseMs > 0) {
      const retryAfterSec = Math.max(1, Math.ceil(verdict.refuseMs / 1000));
      req.log.warn({ username, source: req.ip }, 'login refused: too many failed attempts from this address');
      throw new AppError('E_RATE_LIMITED', `Too many failed logins from this address; try again in ${retryAfterSec} s.`, { retryAfterSec });
    }
    // Others failing on this account slow every attempt down (the guesses with them) but refuse none.
    if (verdict.delayMs > 0) await new Promise((r) => setTimeout(r, verdict.delayMs));
    const user = ctx.deps.settingsStore.get().users.find((u) => u.username === username);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    if (!ok || !user) {
      ctx.limiter.fail(username, req.ip);
      req.log.warn({ username, source: req.ip }, 'login failed');
      throw new AppError('E_AUTH', 'Wrong username or password.', { field: 'password' });
    }
    ctx.limiter.succeed(username, req.ip);
    // A login replaces any session the browser already had (no session fixation).
    const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (previous) {
      const old = ctx.sessions.lookup(previous);
      if (old) ctx.sessions.delete(old.idHash);
    }
    const { id, session } = ctx.sessions.create(user.username, user.role, req.ip);
    const maxAgeSec = Math.round((session.expiresAt - session.createdAt) / 1000);
    reply.header('set-cookie', sessionCookie(id, { secure: overTls(req), maxAgeSec }));
    reply.header('cache-control', 'no-store');
    req.log.info({ username: user.username, role: user.role, source: req.ip }, 'logged in');
    return sessionReply(session, ctx);
  });

  app.post('/api/logout', {
    config: requireRole('viewer'),
    schema: { summary: 'Log out; ends the session', tags: ['session'], response: { 200: Ok } },
  }, async (req, reply) => {
    const s = sessionOf(req);
    ctx.sessions.delete(s.idHash);
    ctx.live.closeSessions((h) => h !== s.idHash);
    reply.header('set-cookie', clearedSessionCookie(overTls(req)));
    req.log.info({ username: s.username }, 'logged out');
    return { ok: true };
  });

  app.get('/api/session', {
    config: requireRole('viewer'),
    schema: { summary: 'Who is logged in, with which role, and the CSRF token', tags: ['session'], response: { 200: Session } },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return sessionReply(sessionOf(req), ctx);
  });
}
