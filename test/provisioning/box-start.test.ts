// Provisioning at the box's start: a failed enrolment does not stop the box from serving its UI, and
// GET /api/provisioning (session required) says what happened; without provision.json it shows the
// claim code.
import test from 'ava';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Appliance } from '../../appliance/main.ts';
import { silentLogger } from '../../core/log.ts';
import { freePort, rtpRange } from '../peers/ports.ts';
import { FleetCa, certSha256 } from '../../provisioning/fleet-ca.ts';
import { EnrolServer } from '../../provisioning/enrol-server.ts';
import { Mosquitto, waitFor } from '../fleet/mosquitto.ts';

async function startBox(dataDir: string, env: NodeJS.ProcessEnv, knownPassword?: string): Promise<{ app: Appliance; base: string; cookie: string; password: string }> {
  const out: string[] = [];
  const rtp = rtpRange(50);
  const sandboxRtp = rtpRange(50);
  const app = new Appliance({
    dataDir, env, logger: silentLogger(), out: (l) => out.push(l),
    overrides: [(s) => {
      s.http.port = 0; s.http.bindAddress = '127.0.0.1'; s.sip.port = 0; s.sip.bindAddress = '127.0.0.1';
      s.media.rtpPortMin = rtp.min; s.media.rtpPortMax = rtp.max;
    }],
    sandbox: { rtpPortMin: sandboxRtp.min, rtpPortMax: sandboxRtp.max },
  });
  await app.start();
  const base = `http://127.0.0.1:${app.http.port}`;
  const password = knownPassword ?? / admin \/ (\S+) /.exec(out.find((l) => l.startsWith('first start:')) ?? '')?.[1] ?? '';
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  return { app, base, password, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]! };
}

test('an enrolment that fails leaves the box serving, and /api/provisioning reports the error', async (t) => {
  t.timeout(40_000);
  const dir = mkdtempSync(join(tmpdir(), 'prov-start-'));
  const file = join(dir, 'provision.json');
  const closed = await freePort();
  writeFileSync(file, JSON.stringify({ fleetUrl: `https://127.0.0.1:${closed}`, claimToken: 'ct_nobody-will-answer' }));
  const { app, base, cookie } = await startBox(join(dir, 'data'), { PROVISION_FILE: file });
  t.teardown(async () => { await app.stop(); rmSync(dir, { recursive: true, force: true }); });

  t.is((await fetch(`${base}/api/provisioning`)).status, 401, 'a session is required');
  const res = await fetch(`${base}/api/provisioning`, { headers: { cookie } });
  t.is(res.status, 200);
  const body = await res.json() as { state: string; boxId: string; claimCode: string; fleetUrl: string; error: string };
  t.is(body.state, 'error');
  t.regex(body.boxId, /^box-[0-9a-f]{12}$/);
  t.regex(body.claimCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  t.is(body.fleetUrl, `https://127.0.0.1:${closed}`);
  t.regex(body.error, /ECONNREFUSED/);
  t.true(existsSync(file), 'the file stays for the next attempt');
  t.is(app.fleet, null, 'no fleet agent without credentials');
});

test('without provision.json the box is unclaimed and shows its claim code, the same after a restart', async (t) => {
  t.timeout(40_000);
  const dir = mkdtempSync(join(tmpdir(), 'prov-start-'));
  const env = { PROVISION_FILE: join(dir, 'absent.json') };
  let box = await startBox(join(dir, 'data'), env);
  t.teardown(async () => { await box.app.stop(); rmSync(dir, { recursive: true, force: true }); });
  const first = await (await fetch(`${box.base}/api/provisioning`, { headers: { cookie: box.cookie } })).json() as { state: string; claimCode: string; boxId: string };
  t.is(first.state, 'unclaimed');
  t.regex(first.claimCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await box.app.stop();
  box = await startBox(join(dir, 'data'), env, box.password);
  const again = await (await fetch(`${box.base}/api/provisioning`, { headers: { cookie: box.cookie } })).json() as { claimCode: string; boxId: string };
  t.deepEqual({ claimCode: again.claimCode, boxId: again.boxId }, { claimCode: first.claimCode, boxId: first.boxId }, 'the identity is kept');
});

test('a box started with provision.json enrols and its fleet agent joins the TLS broker', async (t) => {
  t.timeout(50_000);
  const dir = mkdtempSync(join(tmpdir(), 'prov-start-'));
  const ca = new FleetCa(join(dir, 'fleet'));
  await ca.init({ serverNames: ['127.0.0.1'] });
  const broker = await Mosquitto.create({ tls: { ca: ca.path('ca.crt'), cert: ca.path('server.crt'), key: ca.path('server.key') } });
  const server = new EnrolServer({ ca, brokerUrl: `mqtts://127.0.0.1:${broker.port}` });
  await server.start();
  const { token } = await ca.createToken();
  const file = join(dir, 'provision.json');
  writeFileSync(file, JSON.stringify({ fleetUrl: `https://127.0.0.1:${server.port}`, claimToken: token, caSha256: certSha256(await ca.caPem()) }));
  const box = await startBox(join(dir, 'data'), { PROVISION_FILE: file });
  t.teardown(async () => { await box.app.stop(); await server.stop(); await broker.dispose(); rmSync(dir, { recursive: true, force: true }); });
  t.false(existsSync(file));
  const status = await (await fetch(`${box.base}/api/provisioning`, { headers: { cookie: box.cookie } })).json() as { state: string; boxId: string };
  t.is(status.state, 'enrolled');
  t.truthy(box.app.fleet, 'the fleet agent runs with the new credentials');
  await waitFor(() => box.app.fleet?.connected === true, 15_000, 'the fleet agent to connect over TLS');
  t.is(box.app.fleet!.topics.status, `fleet/v1/${status.boxId}/status`);
});

test('only an admin sees the claim code: a viewer and an operator are told it exists, not what it is', async (t) => {
  t.timeout(40_000);
  const dir = mkdtempSync(join(tmpdir(), 'prov-start-'));
  const box = await startBox(join(dir, 'data'), { PROVISION_FILE: join(dir, 'absent.json') });
  t.teardown(async () => { await box.app.stop(); rmSync(dir, { recursive: true, force: true }); });
  const { csrfToken } = await (await fetch(`${box.base}/api/session`, { headers: { cookie: box.cookie } })).json() as { csrfToken: string };
  const login = async (username: string, password: string): Promise<string> => {
    const r = await fetch(`${box.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    t.is(r.status, 200, `${username} logs in`);
    return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  for (const role of ['viewer', 'operator'] as const) {
    const created = await fetch(`${box.base}/api/users`, {
      method: 'POST', headers: { cookie: box.cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ username: `a-${role}`, password: `${role}-password-long`, role }),
    });
    t.true(created.ok, `${role} created (${created.status})`);
  }
  const asAdmin = await (await fetch(`${box.base}/api/provisioning`, { headers: { cookie: box.cookie } })).json() as Record<string, unknown>;
  t.regex(String(asAdmin.claimCode), /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  t.is(asAdmin.claimCodeHidden, undefined);
  for (const role of ['viewer', 'operator'] as const) {
    const cookie = await login(`a-${role}`, `${role}-password-long`);
    const res = await fetch(`${box.base}/api/provisioning`, { headers: { cookie } });
    t.is(res.status, 200);
    const text = await res.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    t.like(body, { state: 'unclaimed', boxId: asAdmin.boxId, claimCodeHidden: true }, role);
    t.false('claimCode' in body, role);
    t.false(text.includes(String(asAdmin.claimCode)), `${role}: the code appears nowhere in the answer`);
  }
});
