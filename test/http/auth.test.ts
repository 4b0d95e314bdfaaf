import test from 'ava';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { addUser, cookieOf, login, printedPassword, startBox } from './helpers.ts';
import { HttpService } from '../../appliance/http/http-service.ts';
import { LoginLimiter } from '../../appliance/http/login-limiter.ts';
import { silentLogger } from '../../core/log.ts';

test('first start creates admin, prints its password once on stdout, and it logs in', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  t.is(box.out.length, 1);
  t.regex(box.out[0]!, /^first start: web UI login admin \/ \S{20} — change it in Settings$/);
  const password = printedPassword(box);
  // Only the hash is stored.
  const stored = readFileSync(box.settingsStore.file, 'utf8');
  t.false(stored.includes(password));
  t.regex(stored, /\$argon2id\$/);
  const l = await login(box, 'admin', password);
  const me = await box.app.inject({ url: '/api/session', headers: { cookie: l.cookie } });
  t.is(me.statusCode, 200);
  t.like(me.json(), { username: 'admin', role: 'admin', csrfToken: l.csrf });

  // A second start over the same state folder keeps the user and prints nothing.
  const out: string[] = [];
  const again = new HttpService({ settingsStore: box.settingsStore, db: box.db, logger: silentLogger(), dataDir: box.dataDir, engine: box.engine, out: (x) => out.push(x) });
  await again.start();
  await again.stop();
  t.deepEqual(out, []);
});

test('a provisioned initial password is used and not printed', async (t) => {
  const box = await startBox({ initialAdminPassword: 'provisioned-secret-1' });
  t.teardown(() => box.close());
  t.deepEqual(box.out, []);
  await t.notThrowsAsync(login(box, 'admin', 'provisioned-secret-1'));
});

test('login sets an HttpOnly SameSite=Strict cookie; logout ends the session', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const res = await box.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'admin', password: printedPassword(box) } });
  t.is(res.statusCode, 200);
  const set = String(res.headers['set-cookie']);
  t.regex(set, /^vba_session=[A-Za-z0-9_-]{40,};/);
  t.regex(set, /HttpOnly/);
  t.regex(set, /SameSite=Strict/);
  t.regex(set, /Path=\//);
  t.notRegex(set, /Secure/, 'plain HTTP: no Secure flag');
  const cookie = cookieOf(res);
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  // The cookie value is not what the database keeps.
  const ids = box.db.prepare('SELECT id_hash FROM http_sessions').pluck().all() as string[];
  t.false(ids.includes(cookie.split('=')[1]!));

  const out = await box.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie, 'x-csrf-token': csrf } });
  t.is(out.statusCode, 200);
  t.regex(String(out.headers['set-cookie']), /Max-Age=0/);
  const after = await box.app.inject({ url: '/api/session', headers: { cookie } });
  t.is(after.statusCode, 401);
});

test('a wrong password or unknown user gets 401 with a clear message', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  for (const payload of [{ username: 'admin', password: 'nope-nope' }, { username: 'ghost', password: 'whatever1' }]) {
    const res = await box.app.inject({ method: 'POST', url: '/api/login', payload });
    t.is(res.statusCode, 401);
    t.deepEqual(res.json(), { error: { code: 'E_AUTH', message: 'Wrong username or password.', where: { field: 'password' } } });
    t.is(res.headers['set-cookie'], undefined);
  }
  const missing = await box.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'admin' } });
  t.is(missing.statusCode, 400);
  t.deepEqual((missing.json() as { error: { fields: unknown } }).error.fields, [{ key: 'body.password', message: 'is required' }]);
});

test('five failures in a minute lock the account for that address (429 + Retry-After), even with the right password', async (t) => {
  const clock = { t: 1_000_000 };
  const box = await startBox({ now: () => clock.t });
  t.teardown(() => box.close());
  const password = printedPassword(box);
  const attempt = (pw: string, ip: string) => box.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'admin', password: pw }, remoteAddress: ip });
  for (let i = 0; i < 5; i++) t.is((await attempt('wrong-pass', '10.0.0.66')).statusCode, 401);
  const locked = await attempt(password, '10.0.0.66');
  t.is(locked.statusCode, 429);
  t.is(locked.headers['retry-after'], '60');
  t.is((locked.json() as { error: { code: string } }).error.code, 'E_RATE_LIMITED');
  t.regex((locked.json() as { error: { message: string } }).error.message, /from this address; try again in 60 s/);
  clock.t += 30_000;
  t.is((await attempt(password, '10.0.0.66')).headers['retry-after'], '30');
  clock.t += 30_001;
  t.is((await attempt(password, '10.0.0.66')).statusCode, 200);
});

test('failures from other addresses slow a login down but never refuse the right password', async (t) => {
  const clock = { t: 1_000_000 };
  const box = await startBox({ now: () => clock.t, loginLimit: { max: 5, windowMs: 60_000, delayStepMs: 20, maxDelayMs: 100 } });
  t.teardown(() => box.close());
  const password = printedPassword(box);
  const attempt = (pw: string, ip: string) => box.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'admin', password: pw }, remoteAddress: ip });
  for (let i = 0; i < 30; i++) t.not((await attempt('wrong-pass', `10.0.${i >> 2}.${i + 1}`)).statusCode, 200);
  t.is((await attempt(password, '10.9.9.9')).statusCode, 200);
});

test('the limiter: a source is refused after its failures; an account attacked from elsewhere is delayed, in steps up to a cap', (t) => {
  const clock = { t: 0 };
  const limiter = new LoginLimiter({ max: 5, windowMs: 60_000, delayStepMs: 500, maxDelayMs: 2_000 }, () => clock.t);
  for (let i = 0; i < 4; i++) limiter.fail('admin', `10.0.0.${i}`);
  t.deepEqual(limiter.check('admin', '10.0.1.1'), { refuseMs: 0, delayMs: 0 });
  limiter.fail('admin', '10.0.0.9');
  t.deepEqual(limiter.check('admin', '10.0.1.1'), { refuseMs: 0, delayMs: 500 });
  for (let i = 0; i < 20; i++) limiter.fail('ADMIN', `10.0.2.${i}`);
  t.deepEqual(limiter.check('admin', '10.0.1.1'), { refuseMs: 0, delayMs: 2_000 });
  // Other accounts are untouched; one source's five failures refuse that source for every account.
  t.deepEqual(limiter.check('alice', '10.0.1.1'), { refuseMs: 0, delayMs: 0 });
  clock.t = 10_000;
  for (let i = 0; i < 5; i++) limiter.fail(`nobody${i}`, '10.0.3.3');
  t.deepEqual(limiter.check('alice', '10.0.3.3'), { refuseMs: 60_000, delayMs: 0 });
  // The window slides: a minute later everything is forgotten.
  clock.t = 70_001;
  t.deepEqual(limiter.check('admin', '10.0.1.1'), { refuseMs: 0, delayMs: 0 });
  t.deepEqual(limiter.check('alice', '10.0.3.3'), { refuseMs: 0, delayMs: 0 });
});

test('five failures from one address lock that address for every username', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  await addUser(box, 'alice', 'alice-password', 'viewer');
  for (let i = 0; i < 5; i++) {
    const r = await box.app.inject({ method: 'POST', url: '/api/login', payload: { username: `nobody${i}`, password: 'x-wrong-x' }, remoteAddress: '192.0.2.7' });
    t.is(r.statusCode, 401);
  }
  const blocked = await box.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'alice', password: 'alice-password' }, remoteAddress: '192.0.2.7' });
  t.is(blocked.statusCode, 429);
  const elsewhere = await box.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'alice', password: 'alice-password' }, remoteAddress: '192.0.2.8' });
  t.is(elsewhere.statusCode, 200);
});

test('state-changing requests without the CSRF token are refused with 403', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const l = await login(box, 'admin', printedPassword(box));
  const payload = { username: 'bob', password: 'bob-password', role: 'viewer' };
  const none = await box.app.inject({ method: 'POST', url: '/api/users', headers: { cookie: l.cookie }, payload });
  t.is(none.statusCode, 403);
  t.regex((none.json() as { error: { message: string } }).error.message, /x-csrf-token/);
  const wrong = await box.app.inject({ method: 'POST', url: '/api/users', headers: { cookie: l.cookie, 'x-csrf-token': l.csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }, payload });
  t.is(wrong.statusCode, 403);
  const logout = await box.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: l.cookie } });
  t.is(logout.statusCode, 403);
  const ok = await box.app.inject({ method: 'POST', url: '/api/users', headers: l.headers, payload });
  t.is(ok.statusCode, 201);
  // GETs need no token.
  t.is((await box.app.inject({ url: '/api/users', headers: { cookie: l.cookie } })).statusCode, 200);
});

test('sessions survive a restart and end after the idle timeout', async (t) => {
  const clock = { t: 5_000_000 };
  const box = await startBox({ now: () => clock.t, sessionTimes: { idleMs: 600_000, maxMs: 3_600_000 } });
  t.teardown(() => box.close());
  const l = await login(box, 'admin', printedPassword(box));
  await box.svc.stop();
  await box.svc.start();
  const app = box.svc.app;
  t.is((await app.inject({ url: '/api/session', headers: { cookie: l.cookie } })).statusCode, 200, 'same cookie works after restart');
  clock.t += 599_000;
  t.is((await app.inject({ url: '/api/session', headers: { cookie: l.cookie } })).statusCode, 200, 'used within the idle time');
  clock.t += 599_000;
  t.is((await app.inject({ url: '/api/session', headers: { cookie: l.cookie } })).statusCode, 200, 'each use restarts the idle time');
  clock.t += 600_000;
  const idle = await app.inject({ url: '/api/session', headers: { cookie: l.cookie } });
  t.is(idle.statusCode, 401);
  t.is(box.db.prepare('SELECT count(*) FROM http_sessions').pluck().get(), 0);
});

test('a session ends at its absolute expiry even when used', async (t) => {
  const clock = { t: 9_000_000 };
  const box = await startBox({ now: () => clock.t, sessionTimes: { idleMs: 600_000, maxMs: 1_000_000 } });
  t.teardown(() => box.close());
  const l = await login(box, 'admin', printedPassword(box));
  for (let i = 0; i < 4; i++) {
    clock.t += 240_000;
    t.is((await box.app.inject({ url: '/api/session', headers: { cookie: l.cookie } })).statusCode, 200);
  }
  clock.t += 40_001;
  t.is((await box.app.inject({ url: '/api/session', headers: { cookie: l.cookie } })).statusCode, 401);
});

/** POST /api/login over TCP from the given loopback address (the client's local address is the source the box sees). */
function loginFrom(port: number, localAddress: string, username: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = request({ host: '127.0.0.1', port, localAddress, method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a source failing logins over and over does not stop the admin logging in from another source (over HTTP)', async (t) => {
  const box = await startBox();
  t.teardown(() => box.close());
  const password = printedPassword(box);
  const port = box.svc.port;
  // The attacker at 127.0.0.2 fails against admin (and other names) all through the minute, including
  // with the admin's right password once it is locked out: its own lock-out is what holds it back.
  const attacker: number[] = [];
  for (let i = 0; i < 12; i++) attacker.push(await loginFrom(port, '127.0.0.2', i % 3 === 0 ? 'Admin' : 'admin', `guess-${i}`));
  t.deepEqual(attacker.slice(0, 5), [401, 401, 401, 401, 401]);
  t.true(attacker.slice(5).every((s) => s === 429));
  t.is(await loginFrom(port, '127.0.0.2', 'admin', password), 429);
  // The admin at 127.0.0.3 gets in at once, and again; a wrong password from there is still just a 401.
  t.is(await loginFrom(port, '127.0.0.3', 'admin', 'typo-typo'), 401);
  t.is(await loginFrom(port, '127.0.0.3', 'admin', password), 200);
  t.is(await loginFrom(port, '127.0.0.4', 'admin', password), 200);
});
