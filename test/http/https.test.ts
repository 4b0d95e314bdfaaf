// HTTPS on the LAN (issue 13, point 4): the box makes its own certificate for its LAN names and
// addresses, serves HTTPS on its port at a LAN address of this machine, redirects plain HTTP from the
// LAN (308, no HSTS) but serves its own loopback as before, marks the session cookie Secure over HTTPS,
// carries the live feed over wss, and swaps its certificate for an installed one, and back, without a restart.
import test from 'ava';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startTestBox, type TestBox } from '../support/appliance.ts';
import { fingerprintOf, lanAddress, send } from '../support/lan.ts';
import { freePort } from '../peers/ports.ts';
import { makeOwnCertificate, newOwnKey } from '../../appliance/http/tls/own-certificate.ts';
import { lanNames } from '../../appliance/http/tls/lan-names.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import { webUiLine } from '../../appliance/http/tls/console-line.ts';

const ADMIN = { username: 'tlsadmin', password: 'tls-admin-password-1' };

async function lanBox(t: import('ava').ExecutionContext, more: (s: import('../../core/settings-types.ts').Settings) => void = () => undefined): Promise<{ box: TestBox; lan: string; port: number; cert: string }> {
  const box = await startTestBox({ settings: (s) => { s.http.bindAddress = '0.0.0.0'; more(s); } });
  t.teardown(() => box.stop());
  const made = await box.api.send('POST', '/api/users', { ...ADMIN, role: 'admin' });
  if (made.status >= 300) throw new Error(made.text);
  return { box, lan: lanAddress(), port: box.app.http.port, cert: box.app.tls!.current().cert };
}

async function login(base: string, ca?: string): Promise<{ cookie: string; setCookie: string; csrf: string }> {
  const r = await send(`${base}/api/login`, { ca, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${r.body}`);
  const setCookie = String(r.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  const s = await send(`${base}/api/session`, { ca, headers: { cookie } });
  return { cookie, setCookie, csrf: (JSON.parse(s.body) as { csrfToken: string }).csrfToken };
}

test('the box serves HTTPS at a LAN address with its own certificate; plain HTTP from the LAN is redirected, its loopback is served', async (t) => {
  const { box, lan, port, cert } = await lanBox(t);
  // Made at first start, key and certificate together, owner-only.
  t.is(statSync(join(box.dataDir, 'tls', 'own.json')).mode & 0o777, 0o600);
  const names = box.app.tls!.view().info.names;
  t.true(names.includes(`IP Address:${lan}`), names.join(', '));
  t.true(names.includes('DNS:localhost'));
  t.true(names.includes(`DNS:${hostname().toLowerCase()}`));

  // The console line at start: the LAN URL and what to compare before trusting the box.
  const line = webUiLine({ http: box.app.settingsStore.get().http, port, tls: box.app.tls, out: () => undefined }).text;
  t.true(line.startsWith(`web UI: https://${lan}:${port}/ (on this machine also http://127.0.0.1:${port}/)`), line);
  t.true(line.includes(`SHA-256 ${fingerprintOf(cert)}, SPKI sha256/${box.app.tls!.view().info.spkiSha256}`), line);

  // HTTPS at the LAN address, trusting nothing but the box's certificate (the host is checked against its names).
  const https = await send(`https://${lan}:${port}/api/health`, { ca: cert });
  t.is(https.status, 401);
  t.is(https.fingerprint256, fingerprintOf(cert));
  t.is(https.headers['strict-transport-security'], undefined, 'no HSTS: a LAN box changes addresses');

  // Plain HTTP at the LAN address: 308 to the same path on HTTPS, before any session check.
  const plain = await send(`http://${lan}:${port}/api/campaigns?status=running`);
  t.is(plain.status, 308);
  t.is(plain.headers.location, `https://${lan}:${port}/api/campaigns?status=running`);
  t.is(plain.headers['strict-transport-security'], undefined);
  const page = await send(`http://${lan}:${port}/recordings`);
  t.is(page.status, 308);
  t.is(page.headers.location, `https://${lan}:${port}/recordings`);

  // The box's own loopback: plain HTTP served as before (the CLI, the tests, an SSH tunnel).
  const loop = await send(`http://127.0.0.1:${port}/api/health`);
  t.is(loop.status, 401);
  t.is(loop.headers.location, undefined);

  // Login over HTTPS: the session cookie is Secure; over loopback HTTP it cannot be.
  const overTls = await login(`https://${lan}:${port}`, cert);
  t.regex(overTls.setCookie, /; Secure/);
  const overLoop = await login(`http://127.0.0.1:${port}`);
  t.notRegex(overLoop.setCookie, /Secure/);

  // /api/health names the certificate as the browser sees it.
  const health = JSON.parse((await send(`https://${lan}:${port}/api/health`, { ca: cert, headers: { cookie: overTls.cookie } })).body) as { tls: { enabled: boolean; source: string; fingerprint256: string; spkiSha256: string } };
  t.is(health.tls.enabled, true);
  t.is(health.tls.source, 'own');
  t.is(health.tls.fingerprint256, fingerprintOf(cert));
  t.is(health.tls.spkiSha256, box.app.tls!.view().info.spkiSha256);

  // The live feed over wss at the LAN address.
  const ws = new WebSocket(`wss://${lan}:${port}/api/live`, { ca: cert, headers: { cookie: overTls.cookie }, origin: `https://${lan}:${port}` });
  t.teardown(() => ws.terminate());
  const hello = await new Promise<string>((resolve, reject) => { ws.once('message', (d) => resolve(String(d))); ws.once('error', reject); });
  t.regex(hello, /"hello"/);
  const got = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
  box.app.live.publish('campaign.counters', { id: 7, name: 'over wss', status: 'running', counters: {} } as never);
  t.regex(await got, /over wss/);
});

test('a certificate from an admin is checked (matching key, not expired) and served at once; going back to the box\'s own works', async (t) => {
  const { box, lan, port, cert: own } = await lanBox(t);
  const base = `https://${lan}:${port}`;
  const s = await login(base, own);
  const post = (path: string, body: unknown, ca: string): ReturnType<typeof send> =>
    send(`${base}${path}`, { ca, method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const names = lanNames({ eth: [{ address: lan, family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null }] }, 'office-box');
  const key = newOwnKey();
  const uploaded = await makeOwnCertificate({ keyPem: key, names, boxName: 'Office IT', now: Date.now() });

  // A key that is not the certificate's: refused with a field error on "key", nothing changes.
  const mismatched = await post('/api/tls/certificate', { cert: uploaded, key: newOwnKey() }, own);
  t.is(mismatched.status, 400, mismatched.body);
  const err = (JSON.parse(mismatched.body) as { error: { code: string; fields: Array<{ key: string; message: string }> } }).error;
  t.is(err.code, 'E_TLS_CERTIFICATE');
  t.deepEqual(err.fields.map((f) => f.key), ['key']);
  t.regex(err.fields[0]!.message, /does not match the certificate/);
  // An expired certificate and a text that is no key: both fields at once.
  const expired = await makeOwnCertificate({ keyPem: key, names, boxName: 'Office IT', now: Date.now() - 800 * 86_400_000 });
  const both = JSON.parse((await post('/api/tls/certificate', { cert: expired, key: 'hello' }, own)).body) as { error: { fields: Array<{ key: string; message: string }> } };
  t.deepEqual(both.error.fields.map((f) => f.key).sort(), ['cert', 'key']);
  t.regex(both.error.fields.find((f) => f.key === 'cert')!.message, /^expired on \d{4}-\d\d-\d\d$/);
  t.is((await send(`${base}/api/tls`, { ca: own, headers: { cookie: s.cookie } })).fingerprint256, fingerprintOf(own), 'still the box\'s own');

  // The right pair: served to the very next connection, no restart.
  const ok = await post('/api/tls/certificate', { cert: uploaded, key }, own);
  t.is(ok.status, 200, ok.body);
  t.is((JSON.parse(ok.body) as { source: string }).source, 'installed');
  const next = await send(`${base}/api/tls`, { ca: uploaded, headers: { cookie: s.cookie } });
  t.is(next.fingerprint256, fingerprintOf(uploaded));
  t.is((JSON.parse(next.body) as { fingerprint256: string }).fingerprint256, fingerprintOf(uploaded));
  const audit = listAudit(box.app.db, { limit: 1000 }).filter((e) => e.action.startsWith('certificate.install'));
  t.deepEqual(audit.map((e) => [e.action, e.actor]), [['certificate.install-refused', 'staff:tlsadmin'], ['certificate.install-refused', 'staff:tlsadmin'], ['certificate.install', 'staff:tlsadmin']]);
  t.false(JSON.stringify(audit).includes(key.split('\n')[1]!), 'never the key in the audit log');

  // Back to the box's own: served at once again; asking twice is refused (nothing installed).
  const back = await post('/api/tls/use-own', {}, uploaded);
  t.is(back.status, 200, back.body);
  t.is((await send(`${base}/api/tls`, { ca: own, headers: { cookie: s.cookie } })).fingerprint256, fingerprintOf(own));
  const again = await post('/api/tls/use-own', {}, own);
  t.is(again.status, 400);
  t.regex(again.body, /already serves its own certificate/);
});

test('the plain-HTTP redirect port sends the LAN to HTTPS and serves the box\'s loopback', async (t) => {
  const redirectPort = await freePort('0.0.0.0');
  const { lan, port } = await lanBox(t, (s) => { s.http.tls.redirectPort = redirectPort; });
  const r = await send(`http://${lan}:${redirectPort}/lists?x=1`);
  t.is(r.status, 308);
  t.is(r.headers.location, `https://${lan}:${port}/lists?x=1`);
  t.is((await send(`http://127.0.0.1:${redirectPort}/api/health`)).status, 401);
});

test('with HTTPS off the box serves plain HTTP everywhere as before and says so in /api/health', async (t) => {
  const box = await startTestBox({ settings: (s) => { s.http.bindAddress = '0.0.0.0'; s.http.tls.enabled = false; } });
  t.teardown(() => box.stop());
  const [lan, port] = [lanAddress(), box.app.http.port];
  t.is(box.app.tls, null);
  t.is((await send(`http://${lan}:${port}/api/health`)).status, 401);
  t.deepEqual((await box.api.get<{ tls: unknown }>('/api/health')).body.tls, { enabled: false });
});
