import test from 'ava';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { login, printedPassword, startBox } from './helpers.ts';
import { requireRole } from '../../appliance/http/route-kit.ts';
import { AppError } from '../../core/errors.ts';

test('GET /api/openapi.json is served without a session and documents every /api route from its schemas', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const res = await box.app.inject({ url: '/api/openapi.json' });
  t.is(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };
  t.is(doc.openapi, '3.0.3');
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  const registered = box.svc.routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD').map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
  t.deepEqual([...documented].sort(), [...new Set(registered)].sort());

  const loginOp = doc.paths['/api/login']!.post;
  t.deepEqual(loginOp.security, []);
  t.deepEqual(loginOp.requestBody.content['application/json'].schema.required, ['username', 'password']);
  t.truthy(loginOp.responses['400']);
  const put = doc.paths['/api/settings']!.put;
  t.is(put['x-role'], 'admin');
  t.truthy(put.requestBody.content['application/merge-patch+json']);
  t.deepEqual(put.responses['401'].content['application/json'].schema, { $ref: '#/components/schemas/Error' });
  const contacts = doc.paths['/api/lists/{id}/contacts']!.get;
  t.deepEqual(contacts.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), ['path:id', 'query:q', 'query:page', 'query:pageSize']);
  t.truthy(doc.paths['/api/lists/preview']!.post.requestBody.content['multipart/form-data']);
  t.truthy(doc.components.schemas.Error);
});

test('errors: AppError keeps its code and status; an unexpected failure is a generic 500 with details only in the log', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  const boom = (app: FastifyInstance) => {
    app.get('/api/boom', { config: requireRole('viewer'), schema: { response: { 200: { type: 'object' } } } }, async () => {
      throw new Error('disk on fire at /var/lib/secret-path');
    });
    app.get('/api/campaign-state', { config: requireRole('viewer'), schema: { response: { 200: { type: 'object' } } } }, async () => {
      throw new AppError('E_CAMPAIGN_STATE', 'The campaign is already running.', { campaign: 7 });
    });
  };
  const box = await startBox({ logger, extraRoutes: [boom] });
  t.teardown(() => box.close());
  const l = await login(box, 'admin', printedPassword(box));
  const res = await box.app.inject({ url: '/api/boom', headers: l.headers });
  t.is(res.statusCode, 500);
  t.deepEqual(res.json(), { error: { code: 'E_INTERNAL', message: 'Something went wrong on the box; the details are in its log.' } });
  t.false(res.body.includes('fire'));
  t.true(lines.some((x) => x.includes('disk on fire') && x.includes('"level":50')));

  const app409 = await box.app.inject({ url: '/api/campaign-state', headers: l.headers });
  t.is(app409.statusCode, 409);
  t.deepEqual(app409.json(), { error: { code: 'E_CAMPAIGN_STATE', message: 'The campaign is already running.', where: { campaign: 7 } } });

  // Neither passwords nor the session cookie reach the log.
  const all = lines.join('');
  t.false(all.includes(printedPassword(box)));
  t.false(all.includes(l.cookie.split('=')[1]!));
  t.false(all.includes(l.csrf));
});

test('a query string (which may hold a phone number) is not logged', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  const box = await startBox({ logger });
  t.teardown(() => box.close());
  const l = await login(box, 'admin', printedPassword(box));
  await box.app.inject({ url: '/api/lists/1/contacts?q=%2B33612345678', headers: l.headers });
  const all = lines.join('');
  t.true(all.includes('/api/lists/:id/contacts'));
  t.false(all.includes('612345678'));
});
