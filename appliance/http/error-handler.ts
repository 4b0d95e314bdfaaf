// One error handler for the whole API: every failure becomes {error: {code, message, where?, fields?}}
// with the right status. A person gets a message they can act on; stack traces stay in the log.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERRORS, isAppError, type ErrorCode, type FieldError } from '../../core/errors.ts';
import { httpStatus } from './error-status.ts';
import { wasAudited } from '../actions/run.ts';
import type { ErrorBody } from './contract/errors.ts';

export type { ErrorBody } from './contract/errors.ts';

export function errorBody(code: ErrorCode | string, message: string, where?: Record<string, string | number>, fields?: FieldError[]): ErrorBody {
  return { error: { code, message, ...(where ? { where } : {}), ...(fields && fields.length > 0 ? { fields } : {}) } };
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns schema validation errors into field errors naming the field, e.g. `body.password`. */
export function validationFields(context: string, errors: AjvLikeError[]): FieldError[] {
  return errors.map((e) => {
    const parts = (e.instancePath ?? '').split('/').filter(Boolean);
    const missing = e.params?.missingProperty ?? e.params?.additionalProperty;
    if ((e.keyword === 'required' || e.keyword === 'additionalProperties') && typeof missing === 'string') parts.push(missing);
    const key = [context, ...parts].join('.');
    const message = e.keyword === 'additionalProperties' ? 'unknown field' : e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid');
    return { key, message };
  });
}

/** Called for a refusal on a route that runs an action, before the action could (role, CSRF, schema). */
export type RefusalAudit = (req: FastifyRequest, action: string, code: ErrorCode, message: string, fields: FieldError[]) => void;

export function installErrorHandler(app: FastifyInstance, audit?: RefusalAudit): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) => {
    const action = req.routeOptions.config?.action;
    const refused = (code: ErrorCode, message: string, fields: FieldError[] = []): void => {
      if (action && audit && !wasAudited(err)) {
        try {
          audit(req, action, code, message, fields);
        } catch (e) {
          req.log.error({ err: (e as Error).message }, 'could not audit a refused request');
        }
      }
    };
    if (isAppError(err)) {
      refused(err.code, err.message, err.fields ?? []);
      const status = httpStatus(err.code);
      if (status >= 500) req.log.error({ code: err.code, err: err.message, route: req.routeOptions.url }, 'request failed');
      if (err.code === 'E_RATE_LIMITED' && typeof err.where?.retryAfterSec === 'number') reply.header('retry-after', String(err.where.retryAfterSec));
      return reply.code(status).send(errorBody(err.code, err.message, err.where, err.fields?.map((f) => ({ key: f.key, message: f.message, ...(f.rule ? { rule: f.rule } : {}), ...(f.params ? { params: f.params } : {}) }))));
    }
    const fe = err as FastifyError;
    if (Array.isArray(fe.validation)) {
      const fields = validationFields(fe.validationContext ?? 'body', fe.validation as AjvLikeError[]);
      const first = fields[0];
      const message = first ? `${first.key} ${first.message}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ''}` : 'invalid request';
      refused('E_REQUEST_INVALID', message, fields);
      return reply.code(400).send(errorBody('E_REQUEST_INVALID', message, first ? { key: first.key } : undefined, fields));
    }
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors (bad JSON, wrong content type, body too large) carry safe messages.
      const code: ErrorCode = status === 413 ? 'E_TOO_LARGE' : status === 401 ? 'E_AUTH' : status === 403 ? 'E_FORBIDDEN' : status === 404 ? 'E_NOT_FOUND' : 'E_REQUEST_INVALID';
      return reply.code(status).send(errorBody(code, fe.message || ERRORS[code].title));
    }
    req.log.error({ err, route: req.routeOptions.url, method: req.method }, 'unexpected failure in HTTP request');
    return reply.code(500).send(errorBody('E_INTERNAL', 'Something went wrong on the box; the details are in its log.'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody('E_NOT_FOUND', `no such page or API route: ${req.method} ${req.url.split('?')[0]}`));
  });
}

export function notFound(what: string, where?: Record<string, string | number>): AppError {
  return new AppError('E_NOT_FOUND', what, where);
}
