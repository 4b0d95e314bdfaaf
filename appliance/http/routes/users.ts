// Web UI users (admin only), kept in the settings document with argon2id hashes that never leave the
// box. There is always at least one admin. Ending or changing a user's access ends their sessions.
// The changes are actions (appliance/actions/users-actions.ts); this door adds the session it keeps.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import type { Role } from '../roles.ts';
import { actionRoute, requireRole, sessionOf } from '../route-kit.ts';
import { Ok, Type } from '../contract/kit.ts';
import { NewUserBody, PasswordChangeBody, User, UserChangeBody, UsernameParams } from '../contract/auth.ts';
import { staffOf } from '../staff-audit.ts';

export function usersRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const users = () => ctx.deps.settingsStore.get().users;

  app.get('/api/users', {
    config: requireRole('admin'),
    schema: { summary: 'List users (never their password hashes)', tags: ['users'], response: { 200: Type.Array(User) } },
  }, async () => users().map((u) => ({ username: u.username, role: u.role })));

  app.post<{ Body: NewUserBody }>('/api/users', {
    config: actionRoute('admin', 'user.add'),
    schema: {
      summary: 'Add a user',
      tags: ['users'],
      body: NewUserBody,
      response: { 201: User },
    },
  }, async (req, reply) => {
    const u = await ctx.actions.run<{ username: string; role: Role }>(staffOf(req), 'user.add', req.body);
    req.log.info({ by: sessionOf(req).username, username: u.username, role: u.role }, 'user added');
    return reply.code(201).send(u);
  });

  // Registered before /api/users/:username so "me" is never taken for a username here.
  app.put<{ Body: PasswordChangeBody }>('/api/users/me/password', {
    config: actionRoute('viewer', 'user.password'),
    schema: {
      summary: 'Change your own password (your other sessions end)',
      tags: ['users'],
      body: PasswordChangeBody,
      response: { 200: Ok },
    },
  }, async (req) => {
    const s = sessionOf(req);
    await ctx.actions.run(staffOf(req), 'user.password', req.body);
    // The web door keeps the session that asked; every other one of this user ends.
    ctx.sessions.deleteForUser(s.username, s.idHash);
    ctx.live.closeSessions((h) => ctx.sessions.isLive(h));
    req.log.info({ username: s.username }, 'password changed by its user');
    return { ok: true };
  });

  app.put<{ Params: UsernameParams; Body: UserChangeBody }>('/api/users/:username', {
    config: actionRoute('admin', 'user.update'),
    schema: {
      summary: "Change a user's role or set a new password",
      tags: ['users'],
      params: UsernameParams,
      body: UserChangeBody,
      response: { 200: User },
    },
  }, async (req) => {
    const u = await ctx.actions.run<{ username: string; role: Role; passwordSet: boolean }>(staffOf(req), 'user.update', { username: req.params.username, ...req.body });
    req.log.info({ by: sessionOf(req).username, username: u.username, role: u.role, passwordSet: u.passwordSet }, 'user changed');
    return { username: u.username, role: u.role };
  });

  app.delete<{ Params: UsernameParams }>('/api/users/:username', {
    config: actionRoute('admin', 'user.delete'),
    schema: { summary: 'Delete a user (their sessions end)', tags: ['users'], params: UsernameParams, response: { 200: Ok } },
  }, async (req) => {
    await ctx.actions.run(staffOf(req), 'user.delete', { username: req.params.username });
    req.log.info({ by: sessionOf(req).username, username: req.params.username }, 'user deleted');
    return { ok: true };
  });
}
