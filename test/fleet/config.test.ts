// Desired/reported configuration: a good document is applied through the settings store and
// reported; a bad one is reported as rejected with the reason, and the box keeps its last good settings.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { Mosquitto, fleetClient, waitFor } from './mosquitto.ts';
import { TestBox, Requester, inAnHour } from './helpers.ts';

async function setup(t: ExecutionContext, boxId: string) {
  const broker = await Mosquitto.create();
  const box = new TestBox(broker.url, boxId);
  const fleet = await fleetClient(broker.url, `fleet-${boxId}`);
  t.teardown(async () => {
    await box.dispose();
    await fleet.endAsync(true);
    await broker.dispose();
  });
  const reported: Array<Record<string, unknown>> = [];
  const status: Array<Record<string, unknown>> = [];
  fleet.on('message', (topic, payload) => {
    if (topic.endsWith('/config/reported')) reported.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    if (topic.endsWith('/status')) status.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await fleet.subscribeAsync([`fleet/v1/${boxId}/config/reported`, `fleet/v1/${boxId}/status`], { qos: 1 });
  return { broker, box, fleet, reported, status };
}

const desire = (fleet: MqttClient, boxId: string, doc: unknown): Promise<unknown> =>
  fleet.publishAsync(`fleet/v1/${boxId}/config/desired`, JSON.stringify(doc), { qos: 1, retain: true });

test('a desired configuration is applied and reported; a bad one is rejected with its reason and the box keeps the last good one', async (t) => {
  t.timeout(30_000);
  const { box, fleet, reported, status } = await setup(t, 'box-config');
  // Retained before the box is even online: it finds it when it connects.
  await desire(fleet, 'box-config', { version: 1, settings: { box: { name: 'Paris office' }, logging: { level: 'warn' } } });
  await box.start();
  await waitFor(() => reported.length >= 1, 10_000, 'the first report');
  t.like(reported[0], { version: 1, status: 'applied', reason: null, appliedVersion: 1 });
  t.is(box.store.get().box.name, 'Paris office');
  t.is(box.store.get().logging.level, 'warn');
  t.is(JSON.parse(readFileSync(box.store.file, 'utf8')).box.name, 'Paris office', 'written to the settings file');

  const fileBefore = readFileSync(box.store.file, 'utf8');
  await desire(fleet, 'box-config', { version: 2, settings: { box: { name: 'Lyon' }, media: { rtpPortMin: 30000, rtpPortMax: 20000 } } });
  await waitFor(() => reported.length >= 2, 10_000, 'the second report');
  t.like(reported[1], { version: 2, status: 'rejected', appliedVersion: 1 });
  t.regex(String(reported[1]!.reason), /media\.rtpPortMax/);
  t.is(box.store.get().box.name, 'Paris office', 'last good configuration kept');
  t.is(readFileSync(box.store.file, 'utf8'), fileBefore, 'nothing written');

  await desire(fleet, 'box-config', { version: 3, settings: { users: [] } });
  await waitFor(() => reported.length >= 3, 10_000, 'the third report');
  t.like(reported[2], { version: 3, status: 'rejected', reason: 'setting users: cannot be changed from the fleet' });

  // Only a verification call marks a caller ID verified, from the fleet as from the web UI.
  await desire(fleet, 'box-config', { version: 4, settings: { callerIds: [{ number: '+33142000077', label: 'Front desk', verified: true }] } });
  await waitFor(() => reported.length >= 4, 10_000, 'the caller-ID report');
  t.like(reported[3], { version: 4, status: 'rejected', appliedVersion: 1 });
  t.regex(String(reported[3]!.reason), /callerIds\.0\.verified: only a verification call/);
  t.deepEqual(box.store.get().callerIds, []);

  await desire(fleet, 'box-config', { settings: { box: { name: 'x' } } });
  await waitFor(() => reported.length >= 5, 10_000, 'the fifth report');
  t.like(reported[4], { version: null, status: 'rejected', appliedVersion: 1 });
  t.regex(String(reported[4]!.reason), /version/);

  // After a restart the retained bad document is not applied again, and the birth says version 1.
  await box.stopAgent();
  const before = reported.length;
  await box.start();
  await waitFor(() => status.at(-1)?.online === true, 10_000, 'the birth message');
  t.is(status.at(-1)!.configVersion, 1);
  await new Promise((r) => setTimeout(r, 300));
  t.true(reported.length <= before + 1, 'a seen version is not applied again');
  t.is(box.store.get().box.name, 'Paris office');
});

test('config.desired as a command is answered with the report', async (t) => {
  t.timeout(30_000);
  const { box, fleet } = await setup(t, 'box-config-cmd');
  const req = new Requester(fleet, 'box-config-cmd');
  await req.ready();
  await box.start();
  await req.send('good', { id: 'cfg-1', expiresAt: inAnHour(), type: 'config.desired', data: { version: 5, settings: { box: { country: 'DE' } } } });
  t.like(await req.answer('good'), { status: 'ok', data: { version: 5, status: 'applied', appliedVersion: 5 }, transaction: 'cfg-1' });
  t.is(box.store.get().box.country, 'DE');
  await req.send('bad', { id: 'cfg-2', expiresAt: inAnHour(), type: 'config.desired', data: { version: 6, settings: { box: { country: 'Germany' } } } });
  const bad = await req.answer('bad');
  t.like(bad, { status: 'error', data: { version: 6, status: 'rejected', appliedVersion: 5 } });
  t.regex(bad.error!, /box\.country/);
  t.is(box.store.get().box.country, 'DE');
});
