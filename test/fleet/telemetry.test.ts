// Telemetry reaches the fleet periodically with the box's health and what it is doing.
import test from 'ava';
import { Mosquitto, fleetClient, waitFor } from './mosquitto.ts';
import { TestBox } from './helpers.ts';
import type { Telemetry } from '../../appliance/fleet/telemetry.ts';

test('telemetry carries CPU, memory, disk, uptime, network, trunks, calls, engine links, clock state and running campaigns', async (t) => {
  t.timeout(30_000);
  const broker = await Mosquitto.create();
  const box = new TestBox(broker.url, 'box-telemetry');
  const fleet = await fleetClient(broker.url, 'fleet-telemetry');
  t.teardown(async () => {
    await box.dispose();
    await fleet.endAsync(true);
    await broker.dispose();
  });
  const got: Array<Telemetry & { boxId: string }> = [];
  fleet.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString()) as Telemetry & { boxId: string }));
  await fleet.subscribeAsync('fleet/v1/box-telemetry/telemetry', { qos: 0 });
  await box.start({ telemetryIntervalMs: 250 });
  await waitFor(() => got.length >= 2, 10_000, 'two telemetry messages');
  const m = got[1]!;
  t.is(m.boxId, 'box-telemetry');
  t.is(typeof m.cpu.loadPct, 'number');
  t.true(m.memory!.totalBytes > 0);
  t.true(m.disk!.length > 0);
  t.true(m.uptimeSec > 0);
  t.truthy(m.network?.iface);
  t.is(m.activeCalls, 2);
  t.like(m.trunks[0], { name: 'ovh', health: 'up', channelsInUse: 2, channels: 10 });
  // A fleet manager sees which engine runs, a server link that is down, and a clock that holds calls.
  t.deepEqual(m.engine, { name: 'drachtio', servers: { drachtio: true, freeswitch: false } });
  t.like(m.clock, { synchronized: false, required: true });
  t.deepEqual(m.campaigns, [{ id: 7, name: 'Reminders', status: 'running', counters: { pending: 3, done: 9 } }]);
});
