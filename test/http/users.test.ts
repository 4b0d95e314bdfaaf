import test from 'ava';
import { addUser, login, printedPassword, startBox } from './helpers.ts';

test('admins add, list, change and delete users; hashes never leave the box', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const admin = await login(box, 'admin', printedPassword(box));
  const h = admin.headers;
  const add = await box.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { username: 'claire', password: 'claire-pass-1', role: 'operator' } });
  t.is(add.statusCode, 201);
  t.deepEqual(add.json(), { username: 'claire', role: 'operator' });
  const list = await box.app.inject({ url: '/api/users', headers: h });
  t.deepEqual(list.json(), [{ username: 'admin', role: 'admin' }, { username: 'claire', role: 'operator' }]);
  t.false(list.body.includes('argon2'));

  const dup = await box.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { username: 'Claire', password: 'another-pass', role: 'viewer' } });
  t.is(dup.statusCode, 400);
  t.deepEqual((dup.json() as { error: { fields: unknown } }).error.fields, [{ key: 'username', message: 'a user named "Claire" already exists' }]);
  const short = await box.app.inject({ method: 'POST', url: '/api/users', headers: h, payload: { username: 'dan', password: 'short', role: 'viewer' } });
  t.is(short.statusCode, 400);
  t.is((short.json() as { error: { fields: Array<{ key: string }> } }).error.fields[0]!.key, 'body.password');

  // A new password set by an admin ends that user's sessions.
  const claire = await login(box, 'claire', 'claire-pass-1');
  t.is((await box.app.inject({ method: 'PUT', url: '/api/users/claire', headers: h, payload: { password: 'claire-pass-2' } })).statusCode, 200);
  t.is((await box.app.inject({ url: '/api/session', headers: claire.headers })).statusCode, 401);
  await login(box, 'claire', 'claire-pass-2');

  const del = await box.app.inject({ method: 'DELETE', url: '/api/users/claire', headers: h });
  t.is(del.statusCode, 200);
  t.is((await box.app.inject({ method: 'DELETE', url: '/api/users/claire', headers: h })).statusCode, 404);
  t.deepEqual(box.settingsStore.stored().users.map((u) => u.username), ['admin']);
});

test('the last admin can be neither deleted nor demoted', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const admin = await login(box, 'admin', printedPassword(box));
  const del = await box.app.inject({ method: 'DELETE', url: '/api/users/admin', headers: admin.headers });
  t.is(del.statusCode, 400);
  t.regex((del.json() as { error: { message: string } }).error.message, /last admin/);
  const demote = await box.app.inject({ method: 'PUT', url: '/api/users/admin', headers: admin.headers, payload: { role: 'viewer' } });
  t.is(demote.statusCode, 400);
  t.regex((demote.json() as { error: { message: string } }).error.message, /at least one admin/);
  t.is(box.settingsStore.stored().users[0]!.role, 'admin');

  // With a second admin, the first may go; its own sessions end.
  await addUser(box, 'root2', 'root2-password', 'admin');
  t.is((await box.app.inject({ method: 'DELETE', url: '/api/users/admin', headers: admin.headers })).statusCode, 200);
  t.is((await box.app.inject({ url: '/api/session', headers: admin.headers })).statusCode, 401);
});

test('any user changes their own password with the current one; other sessions end', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  await addUser(box, 'vera', 'viewer-pass', 'viewer');
  const a = await login(box, 'vera', 'viewer-pass');
  const b = await login(box, 'vera', 'viewer-pass');
  const wrong = await box.app.inject({ method: 'PUT', url: '/api/users/me/password', headers: a.headers, payload: { currentPassword: 'nope', newPassword: 'viewer-pass-2' } });
  t.is(wrong.statusCode, 400);
  t.deepEqual((wrong.json() as { error: { fields: unknown } }).error.fields, [{ key: 'currentPassword', message: 'is not your current password' }]);
  const ok = await box.app.inject({ method: 'PUT', url: '/api/users/me/password', headers: a.headers, payload: { currentPassword: 'viewer-pass', newPassword: 'viewer-pass-2' } });
  t.is(ok.statusCode, 200);
  t.is((await box.app.inject({ url: '/api/session', headers: a.headers })).statusCode, 200, 'this session stays');
  t.is((await box.app.inject({ url: '/api/session', headers: b.headers })).statusCode, 401, 'the other one ends');
  await t.throwsAsync(login(box, 'vera', 'viewer-pass'));
  await t.notThrowsAsync(login(box, 'vera', 'viewer-pass-2'));
  // A viewer cannot use the admin route to change anyone's password.
  t.is((await box.app.inject({ method: 'PUT', url: '/api/users/vera', headers: a.headers, payload: { password: 'viewer-pass-3' } })).statusCode, 403);
});
