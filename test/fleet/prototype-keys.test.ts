// Prototype keys (`__proto__`, `constructor`, `prototype`) anywhere in a fleet command or a desired
// configuration: sent over a real mosquitto to a box in its own process, they are refused with the
// field named, nothing reaches Object.prototype (`({}).polluted` stays undefined in the box), and the
// box goes on taking commands and configuration.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mosquitto, fleetClient, waitFor } from './mosquitto.ts';
import { Requester, inAnHour } from './helpers.ts';

const BOX = join(dirname(fileURLToPath(import.meta.url)), 'settings-box-process.ts');

function startBox(dataDir: string, url: string, boxId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import=tsx', BOX, dataDir, url, boxId], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('started')) resolve(child); });
    child.once('exit', (code) => reject(new Error(`box process exited with ${code}`)));
  });
}

test('prototype keys in commands and desired configuration are refused with the field, and the box is not polluted', async (t) => {
  t.timeout(60_000);
  const boxId = 'box-proto';
  const broker = await Mosquitto.create();
  const dir = mkdtempSync(join(tmpdir(), 'fleet-proto-'));
  const fleet = await fleetClient(broker.url, 'fleet-proto');
  const req = new Requester(fleet, boxId);
  await req.ready();
  const reported: Array<Record<string, unknown>> = [];
  let online = false;
  fleet.on('message', (topic, payload) => {
    if (topic.endsWith('/config/reported')) reported.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    if (topic.endsWith('/status')) online = (JSON.parse(payload.toString()) as { online: boolean }).online;
  });
  await fleet.subscribeAsync([`fleet/v1/${boxId}/config/reported`, `fleet/v1/${boxId}/status`], { qos: 1 });
  const box = await startBox(dir, broker.url, boxId);
  t.teardown(async () => {
    box.kill('SIGTERM');
    await new Promise((r) => { if (box.exitCode !== null) r(null); else box.once('exit', r); });
    await fleet.endAsync(true);
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => online, 15_000, 'the box to come online');
  const exp = JSON.stringify(inAnHour());

  // Written as text: an object literal would turn "__proto__" into a prototype, not a key.
  const attacks: Array<[string, string, RegExp]> = [
    ['desired-proto', `{"id":"c1","expiresAt":${exp},"type":"config.desired","data":{"version":5,"settings":{"sip":{"__proto__":{"polluted":"yes"}}}}}`, /command field "data\.settings\.sip\.__proto__"/],
    ['desired-constructor', `{"id":"c2","expiresAt":${exp},"type":"config.desired","data":{"version":6,"settings":{"box":{"constructor":{"prototype":{"polluted":"yes"}}}}}}`, /command field "data\.settings\.box\.constructor"/],
    ['campaign-constructor', `{"id":"c3","expiresAt":${exp},"type":"campaign.pause","data":{"campaignId":1,"constructor":{"prototype":{"polluted":"yes"}}}}`, /command field "data\.constructor"/],
    ['dnc-prototype', `{"id":"c4","expiresAt":${exp},"type":"dnc.add","data":{"number":"+33612345678","x":[{"prototype":{"polluted":"yes"}}]}}`, /command field "data\.x\.0\.prototype"/],
    ['root-proto', `{"id":"c5","expiresAt":${exp},"type":"report.get","__proto__":{"polluted":"yes"},"data":{"campaignId":1}}`, /command field "__proto__"/],
  ];
  for (const [name, payload, field] of attacks) {
    await req.send(name, payload);
    const a = await req.answer(name);
    t.is(a.status, 'error', name);
    t.regex(String(a.error), field, name);
    t.regex(String(a.error), /is not allowed/, name);
  }

  // The retained desired document, straight on its topic.
  await fleet.publishAsync(`fleet/v1/${boxId}/config/desired`, '{"version":1,"settings":{"__proto__":{"polluted":"yes"}}}', { qos: 1, retain: true });
  await waitFor(() => reported.length >= 1, 10_000, 'the report of the polluting document');
  t.like(reported[0], { version: 1, status: 'rejected', appliedVersion: 0 });
  t.regex(String(reported[0]!.reason), /field "settings\.__proto__": the key "__proto__" is not allowed/);
  await fleet.publishAsync(`fleet/v1/${boxId}/config/desired`, '{"version":2,"settings":{"trunks":[{"prototype":{"polluted":1}}]}}', { qos: 1, retain: true });
  await waitFor(() => reported.length >= 2, 10_000, 'the report of the second document');
  t.like(reported[1], { version: 2, status: 'rejected' });
  t.regex(String(reported[1]!.reason), /settings\.trunks\.0\.prototype/);

  // A patch that does not fit the schema is refused before anything is merged (a header value must be a string).
  await fleet.publishAsync(`fleet/v1/${boxId}/config/desired`, '{"version":3,"settings":{"box":{"name":{"not":"a string"}}}}', { qos: 1, retain: true });
  await waitFor(() => reported.length >= 3, 10_000, 'the report of the ill-typed document');
  t.like(reported[2], { version: 3, status: 'rejected' });
  t.regex(String(reported[2]!.reason), /setting box\.name/);

  // Still serving: a good document applies, and a command answers with the box's own view of its prototypes.
  await fleet.publishAsync(`fleet/v1/${boxId}/config/desired`, '{"version":4,"settings":{"box":{"name":"Still here"}}}', { qos: 1, retain: true });
  await waitFor(() => reported.length >= 4, 10_000, 'the report of the good document');
  t.like(reported[3], { version: 4, status: 'applied', appliedVersion: 4 });
  await req.send('probe', { id: 'probe', expiresAt: inAnHour(), type: 'report.get', data: { campaignId: 9 } });
  const probe = await req.answer('probe');
  t.is(probe.status, 'ok');
  t.deepEqual(probe.data, { id: 9, polluted: null, addedToPrototype: [], boxName: 'Still here' });
  t.is(box.exitCode, null, 'the box process is still running');
});
