// A box that was offline for hours comes back with a large outbox: it drains in seq order, within
// the broker's in-flight limit, and the outbox is empty afterwards.
import test from 'ava';
import { appendEvent } from '../../appliance/store/outbox-repo.ts';
import { Mosquitto, fleetClient, waitFor } from './mosquitto.ts';
import { TestBox } from './helpers.ts';

test('a backlog of 3000 events drains in order once the box is online', async (t) => {
  t.timeout(40_000);
  const broker = await Mosquitto.create();
  const box = new TestBox(broker.url, 'box-backlog');
  const fleet = await fleetClient(broker.url, 'fleet-backlog');
  t.teardown(async () => {
    await box.dispose();
    await fleet.endAsync(true);
    await broker.dispose();
  });
  const seqs: number[] = [];
  fleet.on('message', (_topic, payload) => seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq));
  await fleet.subscribeAsync('fleet/v1/box-backlog/events', { qos: 1 });
  box.db.transaction(() => {
    for (let i = 0; i < 3000; i++) appendEvent(box.db, 'attempt.outcome', { campaignId: 1, i, outcome: 'busy' });
  })();
  const started = Date.now();
  const agent = await box.start();
  await waitFor(() => seqs.length >= 3000, 30_000, 'the backlog');
  t.log(`3000 events in ${Date.now() - started} ms`);
  t.deepEqual([...new Set(seqs)], Array.from({ length: 3000 }, (_, i) => i + 1));
  await waitFor(() => box.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get() === 0, 5000, 'the outbox to empty');
  t.true(agent.connected, 'the broker kept the box connected (no in-flight limit breach)');
});
