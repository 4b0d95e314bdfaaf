// Issue 18, point 3: a claim code and a box id are bound to the box's key at enrolment, and a box's
// certificate, under the broker rules `fleet-tool mosquitto-conf` writes, cannot publish on its own
// cmd or config/desired topics (real mosquitto over TLS, certificates from the fleet CA).
import test from 'ava';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { FleetCa, certSha256 } from '../../provisioning/fleet-ca.ts';
import { EnrolServer } from '../../provisioning/enrol-server.ts';
import { ensureIdentity, keyFile } from '../../provisioning/box-identity.ts';
import { createCsr } from '../../provisioning/openssl.ts';
import { enrol } from '../../provisioning/first-boot.ts';
import { fleetTool } from '../../provisioning/fleet-tool.ts';
import { openStore } from '../../appliance/store/db.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { FleetAgent } from '../../appliance/fleet/agent.ts';
import { Mosquitto, waitFor } from '../fleet/mosquitto.ts';

function post(url: string, ca: string, body: unknown): Promise<{ status: number; body: { error?: string } }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { out += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(out) as { error?: string } }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function fleetWithServer(t: import('ava').ExecutionContext, tmp: string) {
  const ca = new FleetCa(join(tmp, 'fleet'));
  await ca.init({ serverNames: ['127.0.0.1'], brokerUrl: 'mqtts://127.0.0.1:8883' });
  const server = new EnrolServer({ ca });
  await server.start();
  t.teardown(() => server.stop());
  return { ca, url: `https://127.0.0.1:${server.port}`, caPem: await ca.caPem() };
}

test('an approved claim code or a known box id does not enrol another key', async (t) => {
  t.timeout(30_000);
  const tmp = mkdtempSync(join(tmpdir(), 'enrol-bind-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const { ca, url, caPem } = await fleetWithServer(t, tmp);
  const victim = ensureIdentity(join(tmp, 'victim'));
  const attackerDir = join(tmp, 'attacker');
  const attacker = ensureIdentity(attackerDir);
  await ca.approveClaim(victim.claimCode);

  // The victim's approved claim code with the attacker's own key and box id.
  const own = await post(`${url}/v1/enrol`, caPem, { boxId: attacker.boxId, csr: await createCsr(keyFile(attackerDir), attacker.boxId), claimCode: victim.claimCode });
  t.is(own.status, 403);
  t.regex(own.body.error!, /claim code does not belong to the key in the request/);
  // The victim's box id and claim code, with a request for the victim's id made with the attacker's key.
  const asVictim = await post(`${url}/v1/enrol`, caPem, { boxId: victim.boxId, csr: await createCsr(keyFile(attackerDir), victim.boxId), claimCode: victim.claimCode });
  t.is(asVictim.status, 403);
  t.regex(asVictim.body.error!, new RegExp(`box id "${victim.boxId}" does not belong to the key in the request`));
  // A valid single-use token does not make another box id either, and is not spent by the refusal.
  const { token } = await ca.createToken();
  const tokenAsVictim = await post(`${url}/v1/enrol`, caPem, { boxId: victim.boxId, csr: await createCsr(keyFile(attackerDir), victim.boxId), claimToken: token });
  t.is(tokenAsVictim.status, 403);
  t.regex(tokenAsVictim.body.error!, /does not belong to the key/);
  t.deepEqual(await ca.boxes(), [], 'nobody enrolled');

  // The box that shows the code enrols with it; the token still works for the attacker's own identity.
  const creds = await enrol({ dataDir: join(tmp, 'victim'), fleetUrl: url, caSha256: certSha256(caPem), claimCode: victim.claimCode });
  t.is(creds.boxId, victim.boxId);
  const mine = await post(`${url}/v1/enrol`, caPem, { boxId: attacker.boxId, csr: await createCsr(keyFile(attackerDir), attacker.boxId), claimToken: token });
  t.is(mine.status, 200);
  const boxes = await ca.boxes();
  t.deepEqual(boxes.map((b) => b.boxId).sort(), [attacker.boxId, victim.boxId].sort());
  t.true(boxes.every((b) => /^[0-9a-f]{64}$/.test(b.keySha256 ?? '')), 'each box is recorded with its key');
});

function connect(url: string, files: { ca: string; cert: string; key: string }, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 5, clientId, reconnectPeriod: 0, clean: true,
    ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key),
  });
}

test('under the generated broker rules a box certificate cannot publish on its cmd or config/desired, and answers only in its namespace', async (t) => {
  t.timeout(60_000);
  const tmp = mkdtempSync(join(tmpdir(), 'fleet-acl-'));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  t.teardown(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(tmp, { recursive: true, force: true });
  });
  const { ca, url, caPem } = await fleetWithServer(t, tmp);
  // The broker exactly as the tool configures it (only the port is the test's).
  const lines: string[] = [];
  t.is(await fleetTool(['mosquitto-conf', '--dir', ca.dir, '--host', '127.0.0.1'], (l) => lines.push(l), () => undefined), 0);
  const generated = lines.join('\n').split('\n');
  t.regex(generated[0]!, /^listener 8883 127\.0\.0\.1$/);
  const broker = await Mosquitto.create({ extraConfig: generated.slice(1) });
  cleanups.push(() => broker.dispose());
  const brokerUrl = `mqtts://127.0.0.1:${broker.port}`;

  const boxDir = join(tmp, 'box');
  const id = ensureIdentity(boxDir);
  await ca.approveClaim(id.claimCode);
  const creds = await enrol({ dataDir: boxDir, fleetUrl: url, caSha256: certSha256(caPem), claimCode: id.claimCode });
  const boxFiles = { ca: creds.ca, cert: creds.cert, key: creds.key };
  const managerFiles = { ca: ca.path('ca.crt'), cert: ca.path('fleet-client.crt'), key: ca.path('fleet-client.key') };
  const base = `fleet/v1/${id.boxId}`;

  const manager = await connect(brokerUrl, managerFiles, 'manager');
  cleanups.push(() => manager.endAsync(true));
  const seen: Array<{ topic: string; body: string; retain: boolean }> = [];
  manager.on('message', (topic, payload, packet) => seen.push({ topic, body: payload.toString(), retain: packet.retain }));
  await manager.subscribeAsync(['fleet/#'], { qos: 1 });
  await manager.publishAsync(`${base}/config/desired`, JSON.stringify({ version: 1, settings: { box: { name: 'from the fleet' } } }), { qos: 1, retain: true });

  // The box's own certificate, used by hand as an attacker holding it would.
  const rogue = await connect(brokerUrl, boxFiles, 'rogue');
  cleanups.push(() => rogue.endAsync(true));
  // The broker refuses each (MQTT 5 reason code 135, not authorized).
  const refused = { message: /Not authorized/ };
  await t.throwsAsync(rogue.publishAsync(`${base}/cmd`, JSON.stringify({ id: 'self', expiresAt: Date.now() + 60_000, type: 'dnc.remove', data: { number: '+33612345678', reason: 'forged by the box' } }), { qos: 1 }), refused);
  await t.throwsAsync(rogue.publishAsync(`${base}/config/desired`, JSON.stringify({ version: 99, settings: { box: { name: 'forged' } } }), { qos: 1, retain: true }), refused);
  await t.throwsAsync(rogue.publishAsync('fleet/v1/box-000000000000/cmd', '{"id":"x"}', { qos: 1 }), refused);
  await t.throwsAsync(rogue.publishAsync('fleet-side/anything', '{}', { qos: 1 }), refused);
  await rogue.publishAsync(`${base}/status`, JSON.stringify({ online: true, boxId: id.boxId, probe: true }), { qos: 1, retain: true });
  await waitFor(() => seen.some((m) => m.topic === `${base}/status`), 10_000, 'the allowed status message');
  await new Promise((r) => setTimeout(r, 500));
  t.deepEqual(seen.filter((m) => m.topic.endsWith('/cmd') || (m.topic === `${base}/config/desired` && m.body.includes('forged'))), [], 'nothing the box sent on cmd or config/desired reached the fleet');
  // A newcomer still finds the fleet's retained desired document, not the box's.
  const late = await connect(brokerUrl, managerFiles, 'late');
  cleanups.push(() => late.endAsync(true));
  const retained: string[] = [];
  late.on('message', (topic, payload) => { if (topic === `${base}/config/desired`) retained.push(payload.toString()); });
  await late.subscribeAsync(`${base}/config/desired`, { qos: 1 });
  await waitFor(() => retained.length > 0, 5000, 'the retained desired document');
  t.is(JSON.parse(retained[0]!).version, 1);

  // The real agent with that certificate: reads its commands, answers below cmd/response only.
  const db = openStore({ dir: boxDir });
  cleanups.push(() => db.close());
  const settings = defaultSettings();
  settings.fleet = { enabled: true, url: brokerUrl, boxId: id.boxId, tls: boxFiles };
  const agent = new FleetAgent({ db, settings: () => settings, logger: silentLogger(), boxId: id.boxId, version: 't', reconnectMs: 200 });
  await agent.start();
  cleanups.push(() => agent.stop());
  await waitFor(() => agent.connected && seen.some((m) => m.topic === `${base}/status` && m.body.includes('"version":"t"')), 10_000, 'the agent online');
  const answers = (topic: string) => seen.filter((m) => m.topic === topic).map((m) => JSON.parse(m.body) as { status: string; error: string | null; transaction: string | null });
  const cmd = (id2: string) => JSON.stringify({ id: id2, expiresAt: Date.now() + 60_000, type: 'dnc.add', data: { number: '+33612345678' } });
  await manager.publishAsync(`${base}/cmd`, cmd('elsewhere'), { qos: 1, properties: { responseTopic: 'fleet/v1/box-000000000000/status', correlationData: Buffer.from('a') } });
  await waitFor(() => answers(`${base}/cmd/response`).length > 0, 10_000, 'the refusal');
  t.like(answers(`${base}/cmd/response`)[0], { status: 'error', transaction: 'elsewhere' });
  t.regex(answers(`${base}/cmd/response`)[0]!.error!, /outside this box's namespace.*not run/);
  t.deepEqual(answers('fleet/v1/box-000000000000/status'), []);
  await manager.publishAsync(`${base}/cmd`, cmd('inside'), { qos: 1, properties: { responseTopic: `${base}/cmd/response/req-1`, correlationData: Buffer.from('b') } });
  await waitFor(() => answers(`${base}/cmd/response/req-1`).length > 0, 10_000, 'the answer');
  t.like(answers(`${base}/cmd/response/req-1`)[0], { status: 'ok', transaction: 'inside' });
  t.is(db.prepare("SELECT COUNT(*) FROM fleet_commands WHERE id = 'elsewhere'").pluck().get(), 0, 'the refused command was not run');
});
