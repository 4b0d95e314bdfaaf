import test from 'ava';
import type { FastifyInstance } from 'fastify';
import { addUser, login, printedPassword, startBox } from './helpers.ts';
import { requireRole } from '../../appliance/http/route-kit.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { silentLogger } from '../../core/log.ts';
import type { HttpContext } from '../../appliance/http/context.ts';

// Routes that answer without a session, by design (DESIGN.md: login, the OpenAPI document, the static UI).
const PUBLIC = new Set(['POST /api/login', 'GET /api/openapi.json', 'HEAD /api/openapi.json', 'GET /*', 'HEAD /*']);

function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, '1').replace(/\*$/, 'some/asset.js');
}

test('every registered route answers 401 without a session, except login, the OpenAPI document and static assets', async (t) => {
  // One extra route, as a later module would add it, so the test also covers extraRoutes.
  const extra = (app: FastifyInstance) => {
    app.post('/api/campaigns/:id/start', { config: requireRole('operator'), schema: { response: { 200: { type: 'object' } } } }, async () => ({}));
  };
  const box = await startBox({ extraRoutes: [extra] });
  t.teardown(() => box.close());
  const table = box.svc.routes;
  t.true(table.length >= 20, `route table has ${table.length} routes`);
  t.true(table.some((r) => r.url === '/api/campaigns/:id/start'));
  const seen: string[] = [];
  for (const r of table) {
    const key = `${r.method} ${r.url}`;
    seen.push(key);
    const res = await box.app.inject({ method: r.method as 'GET', url: concrete(r.url), payload: ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) ? {} : undefined });
    if (PUBLIC.has(key)) {
      t.not(res.statusCode, 401, `${key} is public`);
      t.is(r.access, 'public', `${key} declares public access`);
    } else {
      t.is(res.statusCode, 401, `${key} without a session`);
      if (r.method !== 'HEAD') t.is((res.json() as { error: { code: string } }).error.code, 'E_AUTH', key);
    }
  }
  // The list above came from the server; make sure it really holds what we know exists.
  for (const k of ['GET /api/health', 'PUT /api/settings', 'DELETE /api/users/:username', 'POST /api/lists/preview', 'GET /api/live', 'HEAD /api/health']) t.true(seen.includes(k), k);
  // Also with a stale or forged cookie.
  const forged = await box.app.inject({ url: '/api/health', headers: { cookie: 'vba_session=' + 'A'.repeat(43) } });
  t.is(forged.statusCode, 401);
});

test('a route that declares no role cannot be registered (default deny)', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const noRole = (app: FastifyInstance) => {
    app.get('/api/oops', { schema: { response: { 200: { type: 'object' } } } }, async () => ({ leaked: true }));
  };
  const noSchema = (app: FastifyInstance) => {
    app.get('/api/oops2', { config: requireRole('viewer') }, async () => ({}));
  };
  for (const [mod, msg] of [[noRole, /declares no access/], [noSchema, /declares no response schema/]] as const) {
    const err = await t.throwsAsync(async () => {
      const built = await buildApp({ settingsStore: box.settingsStore, db: box.db, logger: silentLogger(), dataDir: box.dataDir, engine: box.engine, extraRoutes: [mod] });
      await built.app.ready();
    });
    t.regex(err!.message, msg);
  }
});

test('roles: viewer reads, operator imports lists, admin changes settings and users', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  await addUser(box, 'vera', 'viewer-pass', 'viewer');
  await addUser(box, 'otto', 'operator-pass', 'operator');
  const admin = await login(box, 'admin', printedPassword(box));
  const viewer = await login(box, 'vera', 'viewer-pass');
  const operator = await login(box, 'otto', 'operator-pass');
  const call = (l: { headers: Record<string, string> }, method: 'GET' | 'DELETE' | 'PUT' | 'POST', url: string, payload?: object) =>
    box.app.inject({ method, url, headers: l.headers, payload });

  t.is((await call(viewer, 'GET', '/api/health')).statusCode, 200);
  const denied = await call(viewer, 'GET', '/api/settings');
  t.is(denied.statusCode, 403);
  t.is((denied.json() as { error: { message: string } }).error.message, 'This needs the admin role; you are logged in as viewer.');
  t.is((await call(viewer, 'DELETE', '/api/lists/1')).statusCode, 403);
  t.is((await call(operator, 'GET', '/api/settings')).statusCode, 403);
  t.is((await call(operator, 'POST', '/api/users', { username: 'x1', password: 'password-1', role: 'admin' })).statusCode, 403);
  t.is((await call(admin, 'GET', '/api/settings')).statusCode, 200);
  t.is((await call(admin, 'GET', '/api/users')).statusCode, 200);

  // A role change applies to live sessions at once.
  t.is((await call(admin, 'PUT', '/api/users/vera', { role: 'admin' })).statusCode, 200);
  t.is((await call(viewer, 'GET', '/api/settings')).statusCode, 200);
});

test('extra routes get the shared context as their second argument', async (t) => {
  let seen: HttpContext | undefined;
  const box = await startBox({
    extraRoutes: [(app, ctx) => {
      seen = ctx;
      app.get('/api/ping', { config: requireRole('viewer'), schema: { response: { 200: { type: 'object', properties: { pong: { type: 'boolean' } } } } } }, async () => ({ pong: true }));
    }],
  });
  t.teardown(() => box.close());
  t.truthy(seen?.live);
  const l = await login(box, 'admin', printedPassword(box));
  const res = await box.app.inject({ url: '/api/ping', headers: l.headers });
  t.deepEqual(res.json(), { pong: true });
});
