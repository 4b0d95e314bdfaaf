// Must show 3: a fresh state folder plus provision.json → the box enrols with the fleet tool's CA and
// connects to mosquitto over TLS with its client certificate (the broker requires one from the fleet
// CA); the file is gone afterwards; a reused claim token is refused. The fleet tool is the fleet manager.
import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openStore } from '../../appliance/store/db.ts';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { silentLogger } from '../../core/log.ts';
import { FleetAgent } from '../../appliance/fleet/agent.ts';
import { runFirstBoot } from '../../provisioning/first-boot.ts';
import { Mosquitto, waitFor } from '../fleet/mosquitto.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const TOOL = join(ROOT, 'provisioning/fleet-tool.ts');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
const tool = (...args: string[]) => run([TOOL, ...args]);

test('a fresh box enrols from provision.json and joins the TLS broker; the file is gone; a reused claim token is refused', async (t) => {
  t.timeout(55_000);
  const tmp = mkdtempSync(join(tmpdir(), 'provision-'));
  const fleetDir = join(tmp, 'fleet');
  const boxDir = join(tmp, 'box');
  const boot = join(tmp, 'boot');
  const cleanups: Array<() => Promise<void> | void> = [];
  t.teardown(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(tmp, { recursive: true, force: true });
  });

  // The fleet manager: a CA, a broker that accepts only its certificates, the enrolment server.
  const init = await tool('init', '--dir', fleetDir, '--server-names', '127.0.0.1,localhost', '--json');
  t.is(init.code, 0, init.stderr);
  const { caSha256 } = JSON.parse(init.stdout) as { caSha256: string };
  // The broker as the tool configures it: client certificates required, each box confined to its topics.
  const conf = await tool('mosquitto-conf', '--dir', fleetDir);
  t.is(conf.code, 0, conf.stderr);
  const acl = conf.stdout.split('\n').filter((l) => l.startsWith('acl_file '));
  t.is(acl.length, 1);
  const broker = await Mosquitto.create({ tls: { ca: join(fleetDir, 'ca.crt'), cert: join(fleetDir, 'server.crt'), key: join(fleetDir, 'server.key') }, extraConfig: acl });
  cleanups.push(() => broker.dispose());
  const brokerUrl = `mqtts://127.0.0.1:${broker.port}`;
  const serve: ChildProcess = spawn(process.execPath, ['--import', 'tsx', TOOL, 'serve', '--dir', fleetDir, '--port', '0', '--broker-url', brokerUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => new Promise<void>((r) => { if (serve.exitCode !== null) r(); else { serve.once('exit', () => r()); serve.kill('SIGTERM'); } }));
  const lines = createInterface({ input: serve.stdout! });
  const serverLog: string[] = [];
  const fleetUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('enrolment server did not start')), 20_000);
    lines.on('line', (l) => {
      serverLog.push(l);
      const m = /"listening":"([^"]+)"/.exec(l);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
  });

  // A claim token, as provision.json on the box's boot partition.
  const provisionFile = join(boot, 'provision.json');
  const spare = join(tmp, 'provision-copy.json');
  mkdirSync(boot, { recursive: true });
  const tok = await tool('token', '--dir', fleetDir, '--fleet-url', fleetUrl, '--out', provisionFile, '--json');
  t.is(tok.code, 0, tok.stderr);
  const doc = JSON.parse(readFileSync(provisionFile, 'utf8')) as { fleetUrl: string; claimToken: string; caSha256: string };
  t.is(doc.caSha256, caSha256);
  copyFileSync(provisionFile, spare);

  // First boot, exactly as the systemd oneshot runs it.
  const first = await run([join(ROOT, 'bin/appliance.js'), 'provision', '--data', boxDir, '--file', provisionFile, '--json']);
  t.is(first.code, 0, first.stderr);
  const status = JSON.parse(first.stdout.trim().split('\n').at(-1)!) as { state: string; boxId: string; fleetUrl: string };
  t.is(status.state, 'enrolled');
  t.regex(status.boxId, /^box-[0-9a-f]{12}$/);
  t.false(existsSync(provisionFile), 'provision.json is deleted after enrolment');
  t.is(statSync(join(boxDir, 'identity', 'box.key')).mode & 0o777, 0o600, 'the private key is readable by the box only');
  t.true(serverLog.some((l) => l.includes(`"enrolled":"${status.boxId}"`)));

  // The box's fleet agent, from the settings provisioning wrote, over TLS with its client certificate.
  const store = new SettingsStore(SettingsStore.pathIn(boxDir));
  const settings = await store.load({ env: {} });
  t.like(settings.fleet, { enabled: true, url: brokerUrl, boxId: status.boxId });
  const db = openStore({ dir: boxDir });
  const agent = new FleetAgent({ db, settings: () => store.get(), logger: silentLogger(), boxId: settings.fleet.boxId!, version: 'provisioned', reconnectMs: 200 });
  cleanups.push(async () => { await agent.stop(); db.close(); });
  await agent.start();
  await waitFor(() => agent.connected, 15_000, 'the TLS connection with the provisioned certificate');

  // The fleet tool sees it and gets an answer from it.
  const boxes = await tool('boxes', '--dir', fleetDir, '--broker', brokerUrl, '--wait-ms', '800', '--json');
  t.is(boxes.code, 0, boxes.stderr);
  t.like((JSON.parse(boxes.stdout) as Array<{ boxId: string; online: boolean }>).find((b) => b.boxId === status.boxId), { online: true, version: 'provisioned' });
  const sent = await tool('send', '--dir', fleetDir, '--broker', brokerUrl, '--box', status.boxId, '--type', 'dnc.add', '--data', '{"number":"+33612345678"}', '--json');
  t.is(sent.code, 0, sent.stderr);
  t.like(JSON.parse(sent.stdout), { status: 'ok', data: { added: true } });

  // The same provision.json on another box: the token is spent.
  copyFileSync(spare, provisionFile);
  const otherDir = join(tmp, 'other-box');
  const again = await runFirstBoot({ dataDir: otherDir, file: provisionFile, logger: silentLogger() });
  t.is(again.state, 'error');
  t.regex(again.error!, /HTTP 409.*claim token already used \(by box-[0-9a-f]{12}/);
  t.truthy(again.claimCode, 'the refused box still shows its claim code');
  t.true(existsSync(provisionFile), 'a refused provision.json is kept');
  t.false(existsSync(join(otherDir, 'identity', 'box.crt')));
});
