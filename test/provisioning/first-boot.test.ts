// First boot against the fleet's enrolment server, in-process: claim codes, the CA pin, expired
// tokens, settings written for the fleet agent, and provision.json errors that name the field.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetCa, certSha256 } from '../../provisioning/fleet-ca.ts';
import { EnrolServer } from '../../provisioning/enrol-server.ts';
import { runFirstBoot } from '../../provisioning/first-boot.ts';
import { parseProvisionFile } from '../../provisioning/provision-file.ts';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { silentLogger } from '../../core/log.ts';

const tmp = mkdtempSync(join(tmpdir(), 'first-boot-'));
const ca = new FleetCa(join(tmp, 'fleet'));
const server = new EnrolServer({ ca, brokerUrl: 'mqtts://127.0.0.1:8883' });
let fleetUrl = '';
let pin = '';
let n = 0;
const fresh = (): string => join(tmp, `box-${++n}`);

test.before(async () => {
  await ca.init({ serverNames: ['127.0.0.1'] });
  await server.start();
  fleetUrl = `https://127.0.0.1:${server.port}`;
  pin = certSha256(await ca.caPem());
});
test.after.always(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function provisionJson(extra: Record<string, unknown> = {}, tokenOpts: { ttlMs?: number; now?: number } = {}): Promise<string> {
  const { token } = await ca.createToken(tokenOpts);
  const file = join(tmp, `provision-${++n}.json`);
  writeFileSync(file, JSON.stringify({ fleetUrl, claimToken: token, caSha256: pin, ...extra }));
  return file;
}

test('enrolment writes the fleet settings, applies the time zone and keeps network settings for the system (0600)', async (t) => {
  const dataDir = fresh();
  const store = new SettingsStore(SettingsStore.pathIn(dataDir));
  await store.load({ env: {} });
  const file = await provisionJson({ time: { timezone: 'America/New_York', ntpServers: ['ntp.lan'] }, network: { hostname: 'branch-12', wifi: { ssid: 'office', psk: 'secret-psk' } } });
  const status = await runFirstBoot({ dataDir, file, settingsStore: store, logger: silentLogger() });
  t.is(status.state, 'enrolled');
  t.false(existsSync(file));
  const s = store.get();
  t.like(s.fleet, { enabled: true, url: 'mqtts://127.0.0.1:8883', boxId: status.boxId, tls: { ca: join(dataDir, 'identity', 'ca.crt'), cert: join(dataDir, 'identity', 'box.crt'), key: join(dataDir, 'identity', 'box.key') } });
  t.is(s.box.timezone, 'America/New_York');
  const system = join(dataDir, 'identity', 'system-settings.json');
  t.is(statSync(system).mode & 0o777, 0o600);
  t.like(JSON.parse(readFileSync(system, 'utf8')), { network: { hostname: 'branch-12' }, time: { ntpServers: ['ntp.lan'] } });
  t.true((await ca.boxes()).some((b) => b.boxId === status.boxId && b.via === 'token'));
  // A later start with nothing to do stays enrolled.
  t.like(await runFirstBoot({ dataDir, file, settingsStore: store }), { state: 'enrolled', boxId: status.boxId });
});

test('a box without provision.json enrols with its claim code once the fleet approved it', async (t) => {
  const dataDir = fresh();
  const missing = join(tmp, 'absent.json');
  const unclaimed = await runFirstBoot({ dataDir, file: missing });
  t.is(unclaimed.state, 'unclaimed');
  t.regex(unclaimed.claimCode!, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const early = await runFirstBoot({ dataDir, file: missing, fleetUrl, caSha256: pin });
  t.is(early.state, 'error');
  t.regex(early.error!, /not approved yet/);
  await ca.approveClaim(unclaimed.claimCode!.toLowerCase());
  const enrolled = await runFirstBoot({ dataDir, file: missing, fleetUrl, caSha256: pin });
  t.like(enrolled, { state: 'enrolled', boxId: unclaimed.boxId, fleetUrl });
  t.true((await ca.boxes()).some((b) => b.boxId === unclaimed.boxId && b.via === 'claim-code'));
});

test('a server whose CA does not match the pin is not trusted, and the token stays unspent', async (t) => {
  const file = await provisionJson({ caSha256: 'ab'.repeat(32) });
  const dataDir = fresh();
  const refused = await runFirstBoot({ dataDir, file });
  t.is(refused.state, 'error');
  t.regex(refused.error!, /does not match caSha256/);
  t.true(existsSync(file));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...doc, caSha256: pin }));
  t.is((await runFirstBoot({ dataDir, file })).state, 'enrolled', 'the same token works with the right pin');
});

test('an expired claim token is refused with the date', async (t) => {
  const file = await provisionJson({}, { ttlMs: 1000, now: Date.now() - 60_000 });
  const status = await runFirstBoot({ dataDir: fresh(), file });
  t.is(status.state, 'error');
  t.regex(status.error!, /HTTP 403.*claim token expired at/);
});

test('provision.json errors name the field', (t) => {
  const base = { fleetUrl: 'https://fleet.lan:8443', claimToken: 'ct_abcdefghijk' };
  t.throws(() => parseProvisionFile('{'), { message: /not valid JSON/ });
  t.throws(() => parseProvisionFile(JSON.stringify({ ...base, fleetUrl: 'http://fleet.lan' })), { message: /"fleetUrl": must be an https/ });
  t.throws(() => parseProvisionFile(JSON.stringify({ fleetUrl: base.fleetUrl })), { message: /"claimToken"/ });
  t.throws(() => parseProvisionFile(JSON.stringify({ ...base, caSha256: 'xyz' })), { message: /"caSha256"/ });
  t.throws(() => parseProvisionFile(JSON.stringify({ ...base, time: { timezone: 'Mars/Olympus' } })), { message: /"time.timezone": unknown time zone/ });
  t.like(parseProvisionFile(JSON.stringify({ ...base, caSha256: 'AB:'.repeat(31) + 'AB' })), { caSha256: 'ab'.repeat(32) });
});

test('a malformed provision.json is an error the UI shows, and the file is kept', async (t) => {
  const file = join(tmp, 'broken.json');
  writeFileSync(file, '{"fleetUrl": 1}');
  const status = await runFirstBoot({ dataDir: fresh(), file });
  t.is(status.state, 'error');
  t.regex(status.error!, /"fleetUrl"/);
  t.true(existsSync(file));
});
