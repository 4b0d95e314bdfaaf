// What every route declares: who may call it (config) and the JSON schemas of what goes in and out.
// A route without a declared access level cannot be registered, and is refused at run time as well.
import type { Role } from './roles.ts';
import type { SessionInfo } from './sessions.ts';

export type { Role } from './roles.ts';

/** Access level of a route: a minimum role, or 'public' (no session: login, OpenAPI, static UI). */
export type Access = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set through requireRole() or publicRoute(); missing means the route is refused. */
    access?: Access;
    /** The action this route runs (appliance/actions): a refusal before it runs (role, CSRF, schema) is audited under its name. */
    action?: string;
  }
  interface FastifyRequest {
    /** The caller's session; set by the guard on every non-public route before the handler runs. */
    session?: SessionInfo;
  }
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    /** Request body content types other than application/json (e.g. multipart/form-data), for OpenAPI. */
    consumes?: string[];
  }
}

/** Route config for a route that needs a session with at least `role` (viewer < operator < admin). */
export function requireRole(role: Role): { access: Access } {
  return { access: role };
}

/** Route config for a route that runs an action: the action's least role, and its name for the audit of refusals. */
export function actionRoute(role: Role, action: string): { access: Access; action: string } {
  return { access: role, action };
}

/** Route config for a route that answers without a session. Keep this list short. */
export function publicRoute(): { access: Access } {
  return { access: 'public' };
}

/** The session of a guarded route (the guard has already refused requests without one). */
export function sessionOf(req: { session?: SessionInfo }): SessionInfo {
  if (!req.session) throw new Error('sessionOf() called on a route without a session');
  return req.session;
}

// Shared schema pieces. Error replies need no per-route schema: the error handler shapes them and the
// OpenAPI document lists them for every route.
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        where: { type: 'object', additionalProperties: true, description: 'where the problem is: a settings key, a row, a field' },
        fields: {
          type: 'array',
          items: {
            type: 'object', required: ['key', 'message'],
            properties: {
              key: { type: 'string' }, message: { type: 'string' },
              rule: { type: 'string', description: 'the kind of problem (required, range, time, window-order, phone...), for words in the reader\'s language' },
              params: { type: 'object', additionalProperties: true, description: 'its figures, e.g. {min, max}' },
            },
          },
        },
      },
    },
  },
} as const;

export const okSchema = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } as const;
