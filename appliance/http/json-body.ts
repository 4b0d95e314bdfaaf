// The API's JSON body parser: fastify's own (prototype keys refused), behind a nesting bound. Code that
// walks a body recursively (schema validation, settings merges) would otherwise overflow the stack on a
// body nested tens of thousands deep, and answer 500 instead of saying what is wrong with the request.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';

/** Deepest nesting of objects and arrays a request body may have; the deepest document the API takes is ~8. */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `text` first nests deeper than `max` (a character offset), or -1. One pass, no recursion;
 * brackets inside strings do not count. Syntax is left to the parser that runs next.
 */
export function jsonTooDeepAt(text: string, max: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}

type Done = (err: Error | null, body?: unknown) => void;

/** A string body parser for JSON content types (use with `parseAs: 'string'`). */
export function boundedJsonParser(app: FastifyInstance): (req: FastifyRequest, body: string | Buffer, done: Done) => void {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const at = jsonTooDeepAt(text);
    if (at >= 0) {
      done(new AppError('E_REQUEST_INVALID', `The JSON body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep (at character ${at}); no request of this API needs that.`, { key: 'body', maxDepth: MAX_JSON_DEPTH }));
      return;
    }
    parse(req, text, done);
  };
}

/** Replaces the app's application/json parser with the bounded one (before routes are added). */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parser = boundedJsonParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
}
