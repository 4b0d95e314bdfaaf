// Web UI users (admin only), kept in the settings document with argon2id hashes that never leave the
// box. There is always at least one admin. Ending or changing a user's access ends their sessions.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../core/errors.ts';
import type { HttpContext } from '../context.ts';
import { hashPassword, verifyPassword } from '../passwords.ts';
import { requireRole, sessionOf } from '../route-kit.ts';
import { Ok, Type } from '../contract/kit.ts';
import { NewUserBody, PasswordChangeBody, User, UserChangeBody, UsernameParams } from '../contract/auth.ts';
import { auditStaff } from '../staff-audit.ts';

function invalid(key: string, message: string): AppError {
  return new AppError('E_CONFIG_INVALID', `${key}: ${message}`, { key }, { fields: [{ key, message }] });
}

function noSuchUser(username: string): AppError {
  return new AppError('E_NOT_FOUND', `No user named "${username}".`, { username });
}

export function usersRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const users = () => ctx.deps.settingsStore.get().users;
  const endSessions = (username: string, exceptIdHash?: string): void => {
    ctx.sessions.deleteForUser(username, exceptIdHash);
    ctx.live.closeSessions((h) => ctx.sessions.isLive(h));
  };

  app.get('/api/users', {
    config: requireRole('admin'),
    schema: { summary: 'List users (never their password hashes)', tags: ['users'], response: { 200: Type.Array(User) } },
  }, async () => users().map((u) => ({ username: u.username, role: u.role })));

  app.post<{ Body: NewUserBody }>('/api/users', {
    config: requireRole('admin'),
    schema: {
      summary: 'Add a user',
      tags: ['users'],
      body: NewUserBody,
      response: { 201: User },
    },
  }, async (req, reply) => {
    const { username, password, role } = req.body;
    if (users().some((u) => u.username.toLowerCase() === username.toLowerCase())) throw invalid('username', `a user named "${username}" already exists`);
    const passwordHash = await hashPassword(password);
    await ctx.updateSettings((d) => {
      if (d.users.some((u) => u.username.toLowerCase() === username.toLowerCase())) throw invalid('username', `a user named "${username}" already exists`);
      d.users.push({ username, passwordHash, role });
    });
    req.log.info({ by: sessionOf(req).username, username, role }, 'user added');
    auditStaff(ctx, req, 'user.add', `user:${username}`, { role });
    return reply.code(201).send({ username, role });
  });

  // Registered before /api/users/:username so "me" is never taken for a username here.
  app.put<{ Body: PasswordChangeBody }>('/api/users/me/password', {
    config: requireRole('viewer'),
    schema: {
      summary: 'Change your own password (your other sessions end)',
      tags: ['users'],
      body: PasswordChangeBody,
      response: { 200: Ok },
    },
  }, async (req) => {
    const s = sessionOf(req);
    const me = users().find((u) => u.username === s.username);
    if (!me) throw noSuchUser(s.username);
    if (!(await verifyPassword(me.passwordHash, req.body.currentPassword))) throw invalid('currentPassword', 'is not your current password');
    const passwordHash = await hashPassword(req.body.newPassword);
    await ctx.updateSettings((d) => {
      const u = d.users.find((x) => x.username === s.username);
      if (!u) throw noSuchUser(s.username);
      u.passwordHash = passwordHash;
    });
    endSessions(s.username, s.idHash);
    req.log.info({ username: s.username }, 'password changed by its user');
    auditStaff(ctx, req, 'user.password', `user:${s.username}`, { by: 'self' });
    return { ok: true };
  });

  app.put<{ Params: UsernameParams; Body: UserChangeBody }>('/api/users/:username', {
    config: requireRole('admin'),
    schema: {
      summary: "Change a user's role or set a new password",
      tags: ['users'],
      params: UsernameParams,
      body: UserChangeBody,
      response: { 200: User },
    },
  }, async (req) => {
    const { username } = req.params;
    const { role, password } = req.body;
    if (!users().some((u) => u.username === username)) throw noSuchUser(username);
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const after = await ctx.updateSettings((d) => {
      const u = d.users.find((x) => x.username === username);
      if (!u) throw noSuchUser(username);
      if (role !== undefined) u.role = role;
      if (passwordHash !== undefined) u.passwordHash = passwordHash;
      if (!d.users.some((x) => x.role === 'admin')) throw invalid('role', 'the box needs at least one admin; make another user admin first');
    });
    if (passwordHash !== undefined) endSessions(username);
    const u = after.users.find((x) => x.username === username)!;
    req.log.info({ by: sessionOf(req).username, username, role: u.role, passwordSet: passwordHash !== undefined }, 'user changed');
    auditStaff(ctx, req, 'user.update', `user:${username}`, { role: u.role, passwordSet: passwordHash !== undefined });
    return { username: u.username, role: u.role };
  });

  app.delete<{ Params: UsernameParams }>('/api/users/:username', {
    config: requireRole('admin'),
    schema: { summary: 'Delete a user (their sessions end)', tags: ['users'], params: UsernameParams, response: { 200: Ok } },
  }, async (req) => {
    const { username } = req.params;
    if (!users().some((u) => u.username === username)) throw noSuchUser(username);
    await ctx.updateSettings((d) => {
      const i = d.users.findIndex((x) => x.username === username);
      if (i < 0) throw noSuchUser(username);
      d.users.splice(i, 1);
      if (!d.users.some((x) => x.role === 'admin')) throw invalid('username', 'this is the last admin; make another user admin first');
    });
    endSessions(username);
    req.log.info({ by: sessionOf(req).username, username }, 'user deleted');
    auditStaff(ctx, req, 'user.delete', `user:${username}`);
    return { ok: true };
  });
}
