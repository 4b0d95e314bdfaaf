import test from 'ava';
import { readFileSync } from 'node:fs';
import { login, printedPassword, startBox, type Box, type Login } from './helpers.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { jsonTooDeepAt } from '../../appliance/http/json-body.ts';

async function adminBox(): Promise<{ box: Box; l: Login }> {
  const box = await startBox();
  await box.settingsStore.update((d) => {
    d.trunks.push(trunkDefaults({ name: 'ovh', host: '192.0.2.10', auth: 'register', username: 'u1', password: 'trunk-secret-pw' }));
  });
  return { box, l: await login(box, 'admin', printedPassword(box)) };
}

test('GET /api/settings redacts passwords, hashes and secrets', async (t) => {
  const { box, l } = await adminBox();
  t.teardown(() => box.close());
  const res = await box.app.inject({ url: '/api/settings', headers: l.headers });
  t.is(res.statusCode, 200);
  const body = res.body;
  t.false(body.includes('trunk-secret-pw'));
  t.false(body.includes('$argon2'));
  t.false(body.includes('cymru'));
  const doc = res.json() as { trunks: Array<{ password: string; username: string }>; users: Array<{ passwordHash: string }>; drachtio: { secret: string } };
  t.is(doc.trunks[0]!.password, '[redacted]');
  t.is(doc.trunks[0]!.username, 'u1');
  t.is(doc.users[0]!.passwordHash, '[redacted]');
  t.is(doc.drachtio.secret, '[redacted]');
});

test('PUT with an invalid field answers 400 naming every field, and the file is unchanged', async (t) => {
  const { box, l } = await adminBox();
  t.teardown(() => box.close());
  const before = readFileSync(box.settingsStore.file);
  const doc = (await box.app.inject({ url: '/api/settings', headers: l.headers })).json() as Record<string, any>;
  doc.http.port = 70000;
  doc.box.country = 'France';
  const res = await box.app.inject({ method: 'PUT', url: '/api/settings', headers: l.headers, payload: doc });
  t.is(res.statusCode, 400);
  const err = (res.json() as { error: { code: string; message: string; fields: Array<{ key: string; message: string }> } }).error;
  t.is(err.code, 'E_CONFIG_INVALID');
  t.deepEqual(err.fields.map((f) => f.key).sort(), ['box.country', 'http.port']);
  t.regex(err.message, /^setting (http\.port|box\.country)/);
  t.deepEqual(readFileSync(box.settingsStore.file), before);

  // Cross-field check from the store, through a merge patch.
  const patch = await box.app.inject({ method: 'PUT', url: '/api/settings', headers: { ...l.headers, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ defaultTrunk: 'nope' }) });
  t.is(patch.statusCode, 400);
  t.deepEqual((patch.json() as { error: { fields: unknown } }).error.fields, [{ key: 'defaultTrunk', message: 'no trunk named "nope"' }]);
  t.deepEqual(readFileSync(box.settingsStore.file), before);
});

test('PUT of the redacted document keeps secrets; a merge patch changes only what it names', async (t) => {
  const { box, l } = await adminBox();
  t.teardown(() => box.close());
  const doc = (await box.app.inject({ url: '/api/settings', headers: l.headers })).json() as Record<string, any>;
  doc.box.name = 'branch-lyon';
  const put = await box.app.inject({ method: 'PUT', url: '/api/settings', headers: l.headers, payload: doc });
  t.is(put.statusCode, 200, put.body);
  const stored = box.settingsStore.stored();
  t.is(stored.box.name, 'branch-lyon');
  t.is(stored.trunks[0]!.password, 'trunk-secret-pw');
  t.is(stored.drachtio.secret, 'cymru');
  t.regex(stored.users[0]!.passwordHash, /^\$argon2id/);

  const patch = await box.app.inject({
    method: 'PUT', url: '/api/settings', headers: { ...l.headers, 'content-type': 'application/merge-patch+json' },
    payload: JSON.stringify({ defaultTrunk: 'ovh', logging: { level: 'debug' } }),
  });
  t.is(patch.statusCode, 200, patch.body);
  t.is(box.settingsStore.stored().defaultTrunk, 'ovh');
  t.is(box.settingsStore.stored().logging.level, 'debug');
  t.is(box.settingsStore.stored().box.name, 'branch-lyon');
  // null sets a nullable setting back to null.
  await box.app.inject({ method: 'PUT', url: '/api/settings', headers: { ...l.headers, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ defaultTrunk: null }) });
  t.is(box.settingsStore.stored().defaultTrunk, null);
});

test('a redacted password on a new trunk, or a changed user list, is refused with the field named', async (t) => {
  const { box, l } = await adminBox();
  t.teardown(() => box.close());
  const doc = (await box.app.inject({ url: '/api/settings', headers: l.headers })).json() as Record<string, any>;
  doc.trunks.push({ ...doc.trunks[0], name: 'other' });
  doc.users = [];
  const res = await box.app.inject({ method: 'PUT', url: '/api/settings', headers: l.headers, payload: doc });
  t.is(res.statusCode, 400);
  t.deepEqual((res.json() as { error: { fields: unknown } }).error.fields, [
    { key: 'trunks.1.password', message: 'give the real value: nothing is stored to keep' },
    { key: 'users', message: 'users are managed at /api/users' },
  ]);
});

test('a body that is not JSON gets 400 without a stack trace', async (t) => {
  const { box, l } = await adminBox();
  t.teardown(() => box.close());
  const res = await box.app.inject({ method: 'PUT', url: '/api/settings', headers: { ...l.headers, 'content-type': 'application/json' }, payload: '{"box": ' });
  t.is(res.statusCode, 400);
  const err = (res.json() as { error: { code: string; message: string } }).error;
  t.is(err.code, 'E_REQUEST_INVALID');
  t.notRegex(res.body, /at .*\.(js|ts):\d+/);
});

test('a JSON body nested 50,000 deep gets 400 naming the depth limit, on PUT and merge-patch alike; the box keeps serving', async (t) => {
  const { box, l } = await adminBox();
  t.teardown(() => box.close());
  const before = readFileSync(box.settingsStore.file);
  const deep = '{"box":' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) + '}';
  for (const type of ['application/json', 'application/merge-patch+json']) {
    const res = await box.app.inject({ method: 'PUT', url: '/api/settings', headers: { ...l.headers, 'content-type': type }, payload: deep });
    t.is(res.statusCode, 400, type);
    const err = (res.json() as { error: { code: string; message: string; where: Record<string, unknown> } }).error;
    t.is(err.code, 'E_REQUEST_INVALID');
    t.regex(err.message, /more than 64 levels deep/);
    t.is(err.where.key, 'body');
    t.notRegex(res.body, /at .*\.(js|ts):\d+/);
  }
  // Arrays count as well, and the same bound holds on every JSON route (here: the login).
  const arrays = await box.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/json' }, payload: '['.repeat(50_000) + ']'.repeat(50_000) });
  t.is(arrays.statusCode, 400);
  t.is((arrays.json() as { error: { code: string } }).error.code, 'E_REQUEST_INVALID');
  t.deepEqual(readFileSync(box.settingsStore.file), before);
  t.is((await box.app.inject({ url: '/api/settings', headers: l.headers })).statusCode, 200);
});

test('brackets inside JSON strings do not count towards the depth; 64 levels are accepted', (t) => {
  t.is(jsonTooDeepAt(JSON.stringify({ note: '['.repeat(1000) })), -1);
  t.is(jsonTooDeepAt(JSON.stringify({ note: 'a\\"[[[[' })), -1);
  const at64 = '['.repeat(64) + ']'.repeat(64);
  t.is(jsonTooDeepAt(at64), -1);
  t.is(jsonTooDeepAt('[' + at64 + ']'), 64);
});
