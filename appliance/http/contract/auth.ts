// Sessions and users: log in and out, who is logged in (with the CSRF token), staff accounts.
import { StringEnum, Type, type Static } from './kit.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const Role = StringEnum(ROLES, { description: 'viewer reads; operator also runs campaigns and imports lists; admin also changes settings and users' });

/** Passwords: at least this long (and at most PASSWORD_MAX, which bounds the hashing work). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const Session = Type.Object({
  username: Type.String(),
  role: Role,
  csrfToken: Type.String({ description: 'send as the x-csrf-token header with every POST, PUT, PATCH and DELETE' }),
  expiresAt: Type.String({ format: 'date-time', description: 'the session ends then at the latest' }),
  idleTimeoutSec: Type.Integer({ description: 'the session also ends after this long without a request' }),
});
export type Session = Static<typeof Session>;

const username = Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,64}$', description: 'letters, digits, _ . @ -; at most 64' });
const password = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX });

export const User = Type.Object({ username: Type.String(), role: Role });
export type User = Static<typeof User>;
export const UsernameParams = Type.Object({ username });
export type UsernameParams = Static<typeof UsernameParams>;
export const NewUserBody = Type.Object({ username, password, role: Role }, { additionalProperties: false });
export type NewUserBody = Static<typeof NewUserBody>;
export const PasswordChangeBody = Type.Object({ currentPassword: Type.String({ maxLength: PASSWORD_MAX }), newPassword: password }, { additionalProperties: false });
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;
export const UserChangeBody = Type.Object({ role: Type.Optional(Role), password: Type.Optional(password) }, { additionalProperties: false, minProperties: 1 });
export type UserChangeBody = Static<typeof UserChangeBody>;
