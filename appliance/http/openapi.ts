// The OpenAPI 3 document, generated from the schemas the routes declare (collected by an onRoute hook),
// so it cannot drift from what the server validates. Error replies share one schema.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorBody } from './contract/errors.ts';
import { LiveMessageSchema } from './contract/live.ts';

type JsonSchema = Record<string, unknown>;

export interface RouteRecord {
  method: string;
  url: string;
  schema: JsonSchema;
  access: string | undefined;
  websocket: boolean;
}

/** Every route registered on the server (HEAD twins included), in registration order. */
export class RouteTable {
  readonly routes: RouteRecord[] = [];

  /** Must be installed before any route is registered. */
  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions & { websocket?: boolean; wsHandler?: unknown }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        this.routes.push({
          method: method.toUpperCase(),
          url: route.url,
          schema: (route.schema ?? {}) as JsonSchema,
          access: route.config?.access,
          websocket: route.websocket === true || route.wsHandler !== undefined,
        });
      }
    });
  }
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK', '201': 'Created', '204': 'No content', '101': 'Switching protocols (WebSocket)',
  '400': 'Invalid request; `fields` names each offending field', '401': 'No session, or it has expired',
  '403': 'Role too low, or missing CSRF token', '404': 'Not found', '413': 'Upload too large',
  '429': 'Too many attempts; see Retry-After', '500': 'Failure on the box; details in its log',
};

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema || typeof schema.properties !== 'object' || schema.properties === null) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function requestBody(schema: JsonSchema): JsonSchema | undefined {
  const content: Record<string, JsonSchema> = {};
  const body = schema.body as JsonSchema | undefined;
  if (body && typeof body.content === 'object' && body.content !== null) Object.assign(content, body.content);
  else if (body) content['application/json'] = { schema: body };
  for (const type of (schema.consumes as string[] | undefined) ?? []) {
    if (content[type]) continue;
    content[type] = type === 'application/octet-stream'
      ? { schema: { type: 'string', format: 'binary' } }
      : { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } };
  }
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

function responses(schema: JsonSchema, access: string | undefined, websocket: boolean): JsonSchema {
  const out: Record<string, JsonSchema> = {};
  for (const [code, s] of Object.entries((schema.response ?? {}) as Record<string, JsonSchema>)) {
    const description = typeof s.description === 'string' ? s.description : (STATUS_TEXT[code] ?? 'Reply');
    out[code] = code === '204' || code === '101' ? { description } : { description, content: { 'application/json': { schema: s } } };
  }
  if (websocket && !out['101']) out['101'] = { description: STATUS_TEXT['101'] };
  const errors = ['500'];
  if (schema.body || schema.querystring || schema.params || schema.consumes) errors.push('400');
  if (access !== 'public') errors.push('401', '403');
  if (schema.params) errors.push('404');
  for (const code of errors.sort()) {
    out[code] ??= { description: STATUS_TEXT[code], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return out;
}

export function buildOpenApi(table: RouteTable, info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of table.routes) {
    if (!r.url.startsWith('/api/') || r.method === 'HEAD' || r.method === 'OPTIONS') continue;
    const path = openApiPath(r.url);
    const s = r.schema;
    const op: JsonSchema = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').split('/').filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('')}`,
      summary: s.summary ?? `${r.method} ${path}`,
      ...(s.description ? { description: s.description } : {}),
      tags: (s.tags as string[] | undefined) ?? [path.split('/')[2] ?? 'api'],
      'x-role': r.access ?? 'none (refused)',
      ...(r.access === 'public' ? { security: [] } : {}),
      parameters: [...parameters(s.params as JsonSchema | undefined, 'path'), ...parameters(s.querystring as JsonSchema | undefined, 'query')],
      responses: responses(s, r.access, r.websocket),
    };
    const body = requestBody(s);
    if (body) op.requestBody = body;
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: {
      ...info,
      description: 'JSON API of the voice-broadcast appliance. Log in with POST /api/login; the session cookie then ' +
        'authenticates every request, and each POST/PUT/PATCH/DELETE must carry the x-csrf-token header from GET /api/session. ' +
        'x-role on each operation is the minimum role (viewer < operator < admin).',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'vba_session' } },
      schemas: { Error: ErrorBody, LiveMessage: { ...LiveMessageSchema, description: 'a message of the live feed (GET /api/live)' } },
    },
    security: [{ session: [] }],
    paths,
  };
}
