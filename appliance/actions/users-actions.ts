// Web UI users, kept in the settings document with argon2id hashes that never leave the box and never
// reach the audit log. There is always at least one admin. Ending or changing a user's access ends
// their sessions (env.endSessions, given by the door that keeps sessions).
import { AppError } from '../../core/errors.ts';
import type { Settings } from '../../core/settings-types.ts';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from '../http/passwords.ts';
import { ROLES, type Role } from '../http/roles.ts';
import { defineAction, type ActionEnv, type SettingsPort } from './action.ts';

const username = { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$' } as const;
const password = { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX } as const;
const role = { type: 'string', enum: [...ROLES] } as const;
const userSubject = (i: { username?: unknown }): string | null => (typeof i?.username === 'string' ? `user:${i.username}` : null);

function invalid(key: string, message: string): AppError {
  return new AppError('E_CONFIG_INVALID', `${key}: ${message}`, { key }, { fields: [{ key, message }] });
}

function noSuchUser(name: string): AppError {
  return new AppError('E_NOT_FOUND', `No user named "${name}".`, { username: name });
}

function store(env: ActionEnv): SettingsPort {
  if (!env.settings) throw new AppError('E_CONFIG_WRITE', 'this box takes no user changes here');
  return env.settings;
}

const users = (env: ActionEnv): Settings['users'] => store(env).stored().users;

export const userAdd = defineAction({
  name: 'user.add', role: 'admin', doors: ['http', 'cli'],
  input: { type: 'object', required: ['username', 'password', 'role'], additionalProperties: false, properties: { username, password, role } },
  run: async (env, i: { username: string; password: string; role: Role }) => {
    const taken = (list: Settings['users']): boolean => list.some((u) => u.username.toLowerCase() === i.username.toLowerCase());
    if (taken(users(env))) throw invalid('username', `a user named "${i.username}" already exists`);
    const passwordHash = await hashPassword(i.password);
    await store(env).update((d) => {
      if (taken(d.users)) throw invalid('username', `a user named "${i.username}" already exists`);
      d.users.push({ username: i.username, passwordHash, role: i.role });
    });
    return { username: i.username, role: i.role };
  },
  audit: (_i, u) => ({ subject: `user:${u.username}`, details: { role: u.role } }),
  subject: userSubject,
});

/** An admin changes a user's role or sets a new password (a password reset); the user's sessions end on a new password. */
export const userUpdate = defineAction({
  name: 'user.update', role: 'admin', doors: ['http', 'cli'],
  input: { type: 'object', required: ['username'], additionalProperties: false, properties: { username, role, password } },
  run: async (env, i: { username: string; role?: Role; password?: string }) => {
    if (!users(env).some((u) => u.username === i.username)) throw noSuchUser(i.username);
    if (i.role === undefined && i.password === undefined) throw invalid('role', 'give a new role or a new password');
    const passwordHash = i.password === undefined ? undefined : await hashPassword(i.password);
    const after = await store(env).update((d) => {
      const u = d.users.find((x) => x.username === i.username);
      if (!u) throw noSuchUser(i.username);
      if (i.role !== undefined) u.role = i.role;
      if (passwordHash !== undefined) u.passwordHash = passwordHash;
      if (!d.users.some((x) => x.role === 'admin')) throw invalid('role', 'the box needs at least one admin; make another user admin first');
    });
    if (passwordHash !== undefined) env.endSessions?.(i.username);
    const u = after.users.find((x) => x.username === i.username)!;
    return { username: u.username, role: u.role, passwordSet: passwordHash !== undefined };
  },
  audit: (_i, u) => ({ subject: `user:${u.username}`, details: { role: u.role, passwordSet: u.passwordSet } }),
  subject: userSubject,
});

export const userDelete = defineAction({
  name: 'user.delete', role: 'admin', doors: ['http', 'cli'],
  input: { type: 'object', required: ['username'], additionalProperties: false, properties: { username } },
  run: async (env, i: { username: string }) => {
    if (!users(env).some((u) => u.username === i.username)) throw noSuchUser(i.username);
    await store(env).update((d) => {
      const at = d.users.findIndex((x) => x.username === i.username);
      if (at < 0) throw noSuchUser(i.username);
      d.users.splice(at, 1);
      if (!d.users.some((x) => x.role === 'admin')) throw invalid('username', 'this is the last admin; make another user admin first');
    });
    env.endSessions?.(i.username);
    return { username: i.username };
  },
  audit: (_i, u) => ({ subject: `user:${u.username}` }),
  subject: userSubject,
});

/** A logged-in user changes their own password (the web door ends their other sessions). */
export const userPassword = defineAction({
  name: 'user.password', role: 'viewer', doors: ['http'],
  input: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', maxLength: PASSWORD_MAX }, newPassword: password } },
  run: async (env, i: { currentPassword: string; newPassword: string }, actor) => {
    if (actor.door !== 'http') throw new AppError('E_FORBIDDEN', 'only a logged-in user changes their own password');
    const me = users(env).find((u) => u.username === actor.user);
    if (!me) throw noSuchUser(actor.user);
    if (!(await verifyPassword(me.passwordHash, i.currentPassword))) throw invalid('currentPassword', 'is not your current password');
    const passwordHash = await hashPassword(i.newPassword);
    await store(env).update((d) => {
      const u = d.users.find((x) => x.username === actor.user);
      if (!u) throw noSuchUser(actor.user);
      u.passwordHash = passwordHash;
    });
    return { username: actor.user };
  },
  audit: (_i, u) => ({ subject: `user:${u.username}`, details: { by: 'self' } }),
  subject: () => null,
});

export const USER_ACTIONS = [userAdd, userUpdate, userDelete, userPassword];
