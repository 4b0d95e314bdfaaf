// Web UI users (admin only), kept in the settings document with argon2id hashes that never leave the
// box. There is always at least one admin. Ending or changing a user's access ends their sessions.
// The changes are actions (appliance/actions/users-actions.ts); this door adds the session it keeps.
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { PASSWORD_MAX, PASSWORD_MIN } from '../passwords.ts';
import { ROLES, type Role } from '../roles.ts';
import { actionRoute, okSchema, requireRole, sessionOf } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';

const usernameSchema = { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$', description: 'letters, digits, _ . @ -; at most 64' } as const;
const passwordSchema = { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX } as const;
const roleSchema = { type: 'string', enum: [...ROLES], description: 'viewer reads; operator also runs campaigns and imports lists; admin also changes settings and users' } as const;
const userSchema = { type: 'object', required: ['username', 'role'], properties: { username: { type: 'string' }, role: roleSchema } } as const;
const usernameParams = { type: 'object', required: ['username'], properties: { username: usernameSchema } } as const;

export function usersRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const users = () => ctx.deps.settingsStore.get().users;

  app.get('/api/users', {
    config: requireRole('admin'),
    schema: { summary: 'List users (never their password hashes)', tags: ['users'], response: { 200: { type: 'array', items: userSchema } } },
  }, async () => users().map((u) => ({ username: u.username, role: u.role })));

  app.post<{ Body: { username: string; password: string; role: Role } }>('/api/users', {
    config: actionRoute('admin', 'user.add'),
    schema: {
      summary: 'Add a user',
      tags: ['users'],
      body: { type: 'object', required: ['username', 'password', 'role'], additionalProperties: false, properties: { username: usernameSchema, password: passwordSchema, role: roleSchema } },
      response: { 201: userSchema },
    },
  }, async (req, reply) => {
    const u = await ctx.actions.run<{ username: string; role: Role }>(staffOf(req), 'user.add', req.body);
    req.log.info({ by: sessionOf(req).username, username: u.username, role: u.role }, 'user added');
    return reply.code(201).send(u);
  });

  // Registered before /api/users/:username so "me" is never taken for a username here.
  app.put<{ Body: { currentPassword: string; newPassword: string } }>('/api/users/me/password', {
    config: actionRoute('viewer', 'user.password'),
    schema: {
      summary: 'Change your own password (your other sessions end)',
      tags: ['users'],
      body: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', maxLength: PASSWORD_MAX }, newPassword: passwordSchema } },
      response: { 200: okSchema },
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

  app.put<{ Params: { username: string }; Body: { role?: Role; password?: string } }>('/api/users/:username', {
    config: actionRoute('admin', 'user.update'),
    schema: {
      summary: "Change a user's role or set a new password",
      tags: ['users'],
      params: usernameParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { role: roleSchema, password: passwordSchema } },
      response: { 200: userSchema },
    },
  }, async (req) => {
    const u = await ctx.actions.run<{ username: string; role: Role; passwordSet: boolean }>(staffOf(req), 'user.update', { username: req.params.username, ...req.body });
    req.log.info({ by: sessionOf(req).username, username: u.username, role: u.role, passwordSet: u.passwordSet }, 'user changed');
    return { username: u.username, role: u.role };
  });

  app.delete<{ Params: { username: string } }>('/api/users/:username', {
    config: actionRoute('admin', 'user.delete'),
    schema: { summary: 'Delete a user (their sessions end)', tags: ['users'], params: usernameParams, response: { 200: okSchema } },
  }, async (req) => {
    await ctx.actions.run(staffOf(req), 'user.delete', { username: req.params.username });
    req.log.info({ by: sessionOf(req).username, username: req.params.username }, 'user deleted');
    return { ok: true };
  });
}
