// The fleet manager as an operator runs it on one machine: `fleet-tool init` and `mosquitto-conf`
// (fleet CA, client certificates required, the ACL), `fleet-tool manager serve` over mqtts:// with its
// own certificate, a box with its certificate publishing, then the CLI reading the database; and the
// systemd unit as systemd reads it.
import test from 'ava';
import { createServer } from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Mosquitto } from '../fleet/mosquitto.ts';
import { fleetTool } from '../../provisioning/fleet-tool.ts';
import { FleetCa } from '../../provisioning/fleet-ca.ts';
import { ROOT, tsProc, type Proc } from './procs.ts';
import { storageTarget, useStorages } from './storages.ts';

useStorages();

test('fleet-tool manager serve over TLS with the fleet CA and ACL stores a box\'s status and events; the CLI reads them; the console is served on --http-port', async (t) => {
  t.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'fm-cli-'));
  const fleet = join(dir, 'fleet');
  const { target, dispose } = await storageTarget('pglite');
  const procs: Proc[] = [];
  let broker: Mosquitto | null = null;
  t.teardown(async () => {
    for (const p of procs) await p.end('SIGKILL');
    await broker?.dispose();
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const quiet = (): void => undefined;
  t.is(await fleetTool(['init', '--dir', fleet, '--server-names', '127.0.0.1'], quiet, quiet), 0);
  const conf: string[] = [];
  t.is(await fleetTool(['mosquitto-conf', '--dir', fleet], (l) => conf.push(l), quiet), 0);
  const aclLine = conf.join('\n').split('\n').find((l) => l.startsWith('acl_file '))!;
  t.truthy(aclLine, 'mosquitto-conf names an ACL file');
  const ca = new FleetCa(fleet);
  broker = await Mosquitto.create({ tls: { ca: ca.path('ca.crt'), cert: ca.path('server.crt'), key: ca.path('server.key') }, extraConfig: [aclLine] });
  const url = `mqtts://127.0.0.1:${broker.port}`;

  const httpPort = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
  const fm = tsProc('fleet-tool manager', join(ROOT, 'provisioning', 'fleet-tool.ts'), ['manager', 'serve', '--db', target, '--broker', url, '--fleet-dir', fleet, '--client-id', 'fm-tls', '--http-port', String(httpPort)], { LOG_LEVEL: 'debug' });
  procs.push(fm);
  const consoleUrl = `http://127.0.0.1:${httpPort}`;
  t.like(await fm.json<{ ready?: boolean }>((v) => v.ready === true), { ready: true, storage: 'pglite', console: consoleUrl });
  // The console: its page is served; its data needs a session.
  const page = await fetch(consoleUrl);
  t.is(page.status, 200);
  t.regex(await page.text(), /<title>Fleet console<\/title>/);
  t.is((await fetch(`${consoleUrl}/api/boxes`)).status, 401);

  // A box with a certificate from the fleet CA (CN = its id), as enrolment gives it.
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'box.key', '-out', 'box.csr', '-subj', '/CN=box-0123456789ab'], { cwd: dir, stdio: 'ignore' });
  const signed = await ca.signCsr(readFileSync(join(dir, 'box.csr'), 'utf8'));
  const box = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'box-0123456789ab', ca: readFileSync(ca.path('ca.crt')), cert: signed.certificate, key: readFileSync(join(dir, 'box.key')), rejectUnauthorized: true });
  t.teardown(() => box.endAsync(true));
  const base = 'fleet/v1/box-0123456789ab';
  const now = new Date().toISOString();
  await box.publishAsync(`${base}/status`, JSON.stringify({ online: true, boxId: 'box-0123456789ab', bootId: 'b1', runId: 'r1', version: '0.1.0', configVersion: 0, startedAt: now, connectedAt: now }), { qos: 1, retain: true });
  for (let seq = 1; seq <= 3; seq++) await box.publishAsync(`${base}/events`, JSON.stringify({ boxId: 'box-0123456789ab', seq, type: 'campaign.state', payload: { id: 1 }, createdAt: now }), { qos: 1 });
  // Wait for the manager to say it committed the 3 events (its debug line), not a fixed 2 s: a loaded
  // machine may not have delivered them by then, and a clean stop commits only what was received.
  const storedSoFar = (): number => Math.max(0, ...[...fm.log.matchAll(/"storedSoFar":(\d+)/g)].map((m) => Number(m[1])));
  for (let i = 0; i < 1200 && storedSoFar() < 3; i++) await new Promise((r) => setTimeout(r, 50));
  t.is(storedSoFar(), 3, fm.log);
  await fm.end('SIGTERM');

  const lines: string[] = [];
  t.is(await fleetTool(['manager', 'boxes', '--db', target, '--json'], (l) => lines.push(l), quiet), 0);
  t.like(JSON.parse(lines[0]!)[0], { boxId: 'box-0123456789ab', orgId: 'default', online: true, version: '0.1.0' });
  const { FleetStore } = await import('../../fleet-manager/store/fleet-store.ts');
  const store = await FleetStore.open(target);
  const n = (await store.sql.query<{ n: string }>("SELECT count(*) n FROM events WHERE box_id = 'box-0123456789ab'")).rows[0]!.n;
  await store.close();
  t.is(Number(n), 3);

  const errs: string[] = [];
  t.is(await fleetTool(['manager', 'assign', '--db', target, '--box', 'box-0123456789ab', '--org', 'nowhere'], quiet, (l) => errs.push(l)), 1);
  t.regex(errs.join('\n'), /no organisation "nowhere"/);
  t.is(await fleetTool(['manager', 'serve', '--db', target], quiet, (l) => errs.push(l)), 2);
  t.regex(errs.at(-1)!, /--broker is required/);
});

test('the fleet manager\'s systemd unit passes systemd-analyze verify and is hardened', (t) => {
  const unit = join(ROOT, 'systemd', 'fleet-manager.service');
  const v = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
  t.is(v.status, 0, v.stderr);
  const s = spawnSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
  const score = Number(/exposure level for fleet-manager\.service: ([\d.]+)/.exec(s.stdout + s.stderr)?.[1]);
  t.true(score <= 2, `exposure ${score}`);
});
