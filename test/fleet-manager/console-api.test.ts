// The console's API: every route but login needs a session, changes need the CSRF token, roles deny
// by default and refusals are audited; the login rate limit; staged rollouts on both storages; claim
// codes and tokens in the fleet CA's files (admin only); `fleet-manager user add` from the CLI.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { FleetCa } from '../../provisioning/fleet-ca.ts';
import { fleetManagerCli } from '../../fleet-manager/cli.ts';
import { stepSizes } from '../../fleet-manager/rollout.ts';
import { FleetStore } from '../../fleet-manager/store/fleet-store.ts';
import { ConsoleStore } from '../../fleet-manager/store/console-store.ts';
import { verifyPassword } from '../../fleet-manager/http/auth.ts';
import { consoleLogin, consoleRig, SimBox } from './console-kit.ts';
import { pgliteTemplate } from './pglite-template.ts';
import { STORAGES, useStorages } from './storages.ts';

useStorages();

const ROUTES: Array<[string, string]> = [
  ['GET', '/api/session'], ['POST', '/api/logout'], ['GET', '/api/boxes'], ['GET', '/api/boxes/box-a'], ['GET', '/api/alerts'], ['GET', '/api/groups'],
  ['PUT', '/api/groups/g'], ['GET', '/api/commands'], ['POST', '/api/commands'], ['POST', '/api/emergency-stop'], ['GET', '/api/rollouts'],
  ['POST', '/api/rollouts'], ['POST', '/api/claims'], ['POST', '/api/tokens'], ['GET', '/api/audit'], ['GET', '/api/users'],
];

test('steps of a rollout: one box, then 10 % (rounded up), then all', (t) => {
  t.deepEqual(stepSizes(1), [1]);
  t.deepEqual(stepSizes(3), [1, 3]);
  t.deepEqual(stepSizes(12), [1, 2, 12]);
  t.deepEqual(stepSizes(1000), [1, 100, 1000]);
});

test.serial('pglite: every route but login needs a session; changes need the CSRF token; roles deny by default; refusals are audited; logins are rate-limited', async (t) => {
  t.timeout(120_000);
  const rig = await consoleRig(t, 'pglite', { staticDir: null });
  await rig.addUser('vera', 'viewer');
  await rig.addUser('olga', 'operator');
  for (const [method, path] of ROUTES) {
    const r = await fetch(rig.base + path, { method, ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }) });
    t.is(r.status, 401, `${method} ${path} without a session`);
    t.is((await r.json() as { code: string }).code, 'E_AUTH');
  }
  const vera = await consoleLogin(rig.base, 'vera');
  t.is((await vera.req('GET', '/api/boxes')).status, 200);
  const refused = await vera.req('POST', '/api/emergency-stop', { group: 'all' });
  t.is(refused.status, 403);
  t.is(refused.body.code, 'E_FORBIDDEN');
  t.is((await vera.req('GET', '/api/audit')).status, 403, 'the audit log is for admins');
  const olga = await consoleLogin(rig.base, 'olga');
  const noCsrf = await olga.req('PUT', '/api/groups/g', { boxes: [] }, { csrf: false });
  t.is(noCsrf.status, 403);
  t.regex(noCsrf.text, /x-csrf-token/);
  t.is((await olga.req('POST', '/api/rollouts', { group: 'g', settings: { a: 1 } })).status, 403, 'rollouts are for admins');
  t.is((await olga.req('POST', '/api/tokens', {})).status, 403, 'tokens are for admins');
  const bad = await olga.req('POST', '/api/commands', { boxes: ['box-a'], type: 'dnc.remove' });
  t.is(bad.status, 400);
  t.is(bad.body.code, 'E_INVALID');
  t.deepEqual(bad.body.where, { field: 'type' }, 'the error names the field');
  const missing = await olga.req('PUT', '/api/groups/g', {});
  t.is(missing.status, 400);
  t.deepEqual(missing.body.where, { field: 'boxes' });
  const audit = await rig.fm.console!.auditLog();
  t.true(audit.some((e) => e.actor === 'vera' && e.action === 'POST /api/emergency-stop' && e.outcome === 'refused'), 'the refusal is audited with who');
  t.true(audit.some((e) => e.actor === 'olga' && e.action === 'POST /api/tokens' && e.outcome === 'refused'));

  // Five wrong passwords from one address: the sixth attempt is refused even with the right one.
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${rig.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'olga', password: `wrong-${i}` }) });
    t.is(r.status, 401);
  }
  const limited = await fetch(`${rig.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'olga', password: 'console-test-password' }) });
  t.is(limited.status, 429);
  t.truthy(limited.headers.get('retry-after'));
  t.true((await rig.fm.console!.auditLog()).some((e) => e.action === 'login' && e.outcome === 'refused' && e.detail.reason === 'too many failed logins'));
  // A session ends at logout.
  t.is((await olga.req('POST', '/api/logout', {})).status, 200);
  t.is((await olga.req('GET', '/api/boxes')).status, 401);
});

for (const kind of STORAGES) test.serial(`${kind}: a rollout reaches every box step by step when all apply; a second one for the group waits`, async (t) => {
  t.timeout(120_000);
  const rig = await consoleRig(t, kind, { staticDir: null });
  await rig.addUser('ada', 'admin');
  const ids = ['r-1', 'r-2', 'r-3'];
  const boxes = await Promise.all(ids.map((id) => SimBox.start(rig.broker.url, id)));
  t.teardown(async () => { for (const b of boxes) await b.end(); });
  for (let i = 0; i < 100 && (await rig.fm.store!.boxes()).filter((b) => b.online).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
  const ada = await consoleLogin(rig.base, 'ada');
  t.is((await ada.req('PUT', '/api/groups/trio', { boxes: ids })).status, 200);
  const started = await ada.req('POST', '/api/rollouts', { group: 'trio', settings: { box: { name: 'Agence' } } });
  t.is(started.status, 200, started.text);
  let rollout: { state: string; boxes: Array<{ boxId: string; step: number; status: string }> } | undefined;
  for (let i = 0; i < 100; i++) {
    rollout = ((await ada.req('GET', '/api/rollouts')).body.rollouts as typeof rollout[]).at(0);
    if (rollout?.state === 'done') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.is(rollout?.state, 'done');
  t.deepEqual(rollout?.boxes.map((b) => [b.boxId, b.step, b.status]), [['r-1', 1, 'applied'], ['r-2', 2, 'applied'], ['r-3', 2, 'applied']]);
  t.deepEqual(boxes.map((b) => b.desired.map((d) => d.version)), [[1], [1], [1]]);

  // r-3 goes away without answering the next one: that rollout waits at its step, and a second is refused.
  await boxes[2]!.end();
  await ada.req('PUT', '/api/groups/last', { boxes: ['r-3'] });
  t.is((await ada.req('POST', '/api/rollouts', { group: 'last', settings: { box: { name: 'B' } } })).status, 200);
  const again = await ada.req('POST', '/api/rollouts', { group: 'last', settings: { box: { name: 'C' } } });
  t.is(again.status, 409);
  t.is(again.body.code, 'E_CONFLICT');
});

test.serial('pglite: an admin approves claim codes and makes claim tokens in the fleet CA\'s files; the CLI adds console users', async (t) => {
  t.timeout(120_000);
  const caDir = mkdtempSync(join(tmpdir(), 'fm-ca-'));
  t.teardown(() => rmSync(caDir, { recursive: true, force: true }));
  await new FleetCa(caDir).init({ serverNames: ['127.0.0.1'], fleetUrl: 'https://127.0.0.1:8443', brokerUrl: 'mqtts://127.0.0.1:8883' });
  const rig = await consoleRig(t, 'pglite', { staticDir: null, fleetDir: caDir });
  await rig.addUser('ada', 'admin');
  const ada = await consoleLogin(rig.base, 'ada');
  const made = await ada.req('POST', '/api/tokens', { ttlHours: 24, note: 'Lyon branch' });
  t.is(made.status, 200, made.text);
  const provision = made.body.provision as { fleetUrl: string; claimToken: string; caSha256: string };
  t.is(provision.fleetUrl, 'https://127.0.0.1:8443');
  const tokens = JSON.parse(readFileSync(join(caDir, 'tokens.json'), 'utf8')) as Record<string, { note: string }>;
  t.is(tokens[createHash('sha256').update(provision.claimToken).digest('hex')]?.note, 'Lyon branch', 'the CA keeps the token\'s hash');
  const claim = await ada.req('POST', '/api/claims', { code: 'abcd-efgh-jk23' });
  t.is(claim.status, 200, claim.text);
  t.is(claim.body.code, 'ABCDEFGHJK23');
  t.true(readFileSync(join(caDir, 'claims.json'), 'utf8').includes(createHash('sha256').update('ABCDEFGHJK23').digest('hex')));
  const badCode = await ada.req('POST', '/api/claims', { code: 'nope' });
  t.is(badCode.status, 400);
  t.regex(badCode.text, /not a claim code/);
  const audit = await rig.fm.console!.auditLog();
  t.true(audit.some((e) => e.action === 'token.create' && e.actor === 'ada'));
  t.false(JSON.stringify(audit).includes(provision.claimToken), 'the token itself is never in the audit');

  // The CLI: a first admin with a generated password, shown once, stored as an argon2id hash that it matches.
  const db = mkdtempSync(join(tmpdir(), 'fm-cli-user-'));
  t.teardown(() => rmSync(db, { recursive: true, force: true }));
  cpSync(await pgliteTemplate(), db, { recursive: true });
  const lines: string[] = [];
  t.is(await fleetManagerCli(['user', 'add', '--db', db, '--username', 'Root', '--role', 'admin'], (l) => lines.push(l)), 0);
  const password = /password: (\S+) \(shown once\)/.exec(lines.join('\n'))?.[1];
  t.truthy(password);
  t.is(await fleetManagerCli(['user', 'add', '--db', db, '--username', 'x', '--role', 'boss'], () => undefined, (l) => lines.push(l)), 2);
  t.regex(lines.at(-1)!, /--role: one of viewer, operator, admin/);
  lines.length = 0;
  t.is(await fleetManagerCli(['user', 'list', '--db', db, '--json'], (l) => lines.push(l)), 0);
  t.like(JSON.parse(lines[0]!)[0], { username: 'root', role: 'admin' });
  const store = await FleetStore.open(db);
  const user = await new ConsoleStore(store.sql).user('root');
  await store.close();
  t.regex(user!.passwordHash, /^\$argon2id\$/);
  t.true(await verifyPassword(user!.passwordHash, password!));
});
