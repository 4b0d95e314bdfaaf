// Two instances in one share group split the events; one that stops is still given its turn by
// mosquitto (queued in its persistent session), and `leave` retires it: it stores what its session
// held, then ends the session, and from then on the other instance gets everything.
import test from 'ava';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Mosquitto } from '../fleet/mosquitto.ts';
import { FleetManager } from '../../fleet-manager/service.ts';
import { FleetStore } from '../../fleet-manager/store/fleet-store.ts';
import { fleetManagerCli } from '../../fleet-manager/cli.ts';
import { storageTarget, useStorages } from './storages.ts';

useStorages();

test('a stopped member hoards its share until it leaves; leave stores what it held, then the other member gets all', async (t) => {
  t.timeout(240_000);
  const broker = await Mosquitto.create();
  const dbA = await storageTarget('pglite');
  const dbB = await storageTarget('pglite');
  const make = (id: string, db: string): FleetManager => new FleetManager({ db, broker: { url: broker.url, clientId: id, group: 'g1' }, logger: pino({ level: 'silent' }), brokerAnswerMs: 60_000 });
  const a = make('share-a', dbA.target);
  const b = make('share-b', dbB.target);
  const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'box-share' });
  t.teardown(async () => {
    await box.endAsync(true);
    await a.stop();
    await b.stop();
    await broker.dispose();
    await dbA.dispose();
    await dbB.dispose();
  });
  await Promise.all([a.start(), b.start()]);
  let seq = 0;
  const publish = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      seq += 1;
      await box.publishAsync('fleet/v1/box-share/events', JSON.stringify({ boxId: 'box-share', seq, type: 'campaign.state', payload: {}, createdAt: new Date().toISOString() }), { qos: 1 });
    }
  };
  const stored = (fm: FleetManager): number => fm.ingest?.stats.stored ?? 0;
  await publish(40);
  // Two PGlite databases start and store in this one process: on a loaded machine that is slow, so the
  // waits are wide (each ends as soon as the count is reached).
  for (let i = 0; i < 600 && stored(a) + stored(b) < 40; i++) await new Promise((r) => setTimeout(r, 100));
  t.is(stored(a) + stored(b), 40);
  t.true(stored(a) > 0 && stored(b) > 0, `split ${stored(a)}/${stored(b)}`);

  await a.stop(); // a plain stop: its session (and its subscription) stay on the broker
  const bBefore = stored(b);
  await publish(40);
  // Each publish was acknowledged by the broker, so its turn is already decided: the stopped member's
  // share waits in its session. Leave stores that share; the other member gets the rest (counted, not
  // looked at after a fixed time, when a loaded machine may still be storing).
  const out: string[] = [];
  t.is(await fleetManagerCli(['leave', '--db', dbA.target, '--broker', broker.url, '--client-id', 'share-a', '--group', 'g1'], (l) => out.push(l), () => undefined), 0);
  const held = Number(/share-a left the group: (\d+) message/.exec(out.join('\n'))?.[1]);
  t.true(held > 0 && held < 40, `mosquitto queued part of the 40 for the stopped member (it held ${held}): ${out.join(' ')}`);
  for (let i = 0; i < 600 && stored(b) - bBefore < 40 - held; i++) await new Promise((r) => setTimeout(r, 100));
  t.is(stored(b) - bBefore, 40 - held, 'the other member got the rest');
  const bAfterLeave = stored(b);
  await publish(40);
  for (let i = 0; i < 600 && stored(b) - bAfterLeave < 40; i++) await new Promise((r) => setTimeout(r, 100));
  t.is(stored(b) - bAfterLeave, 40, 'after leave, every event goes to the remaining member');

  // Together the two databases hold 1..120 once.
  await b.stop();
  const seqs: number[] = [];
  for (const db of [dbA.target, dbB.target]) {
    const s = await FleetStore.open(db);
    seqs.push(...(await s.sql.query<{ seq: string }>('SELECT seq FROM events')).rows.map((r) => Number(r.seq)));
    await s.close();
  }
  t.deepEqual(seqs.sort((x, y) => x - y), Array.from({ length: 120 }, (_, i) => i + 1));
});
