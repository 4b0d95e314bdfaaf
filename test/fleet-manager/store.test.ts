// The fleet manager's storage, on PGlite and on a real PostgreSQL: events once by (boxId, seq) even
// out of order, the contiguous seq and the gap alert, opt-outs relayed to the organisation's other
// boxes (and the list pushed to a new box), statuses, alerts and the telemetry roll-up.
import test, { type ExecutionContext } from 'ava';
import { FleetStore } from '../../fleet-manager/store/fleet-store.ts';
import type { Inbound } from '../../fleet-manager/inbound.ts';
import { STORAGES, storageTarget, useStorages, type StorageKind } from './storages.ts';

useStorages();

async function open(t: ExecutionContext, kind: StorageKind): Promise<FleetStore> {
  const { target, dispose } = await storageTarget(kind);
  const store = await FleetStore.open(target);
  t.teardown(async () => { await store.close(); await dispose(); });
  return store;
}

const ev = (boxId: string, seq: number, type = 'attempt.outcome', payload: unknown = { n: seq }): Inbound => ({ kind: 'event', boxId, seq, type, payload, createdAt: new Date().toISOString() });
const hash = (c: string): string => c.repeat(64);
const birth = (boxId: string, runId: string, connectedAt: string): Inbound => ({ kind: 'birth', boxId, runId, connectedAt, version: '1.0', configVersion: 0, doc: { online: true, boxId, runId, connectedAt } });

for (const kind of STORAGES) {
  test(`${kind}: events are stored once by (boxId, seq), in any arrival order, and the contiguous seq follows`, async (t) => {
    const store = await open(t, kind);
    let r = await store.ingest([ev('a', 1), ev('a', 2), ev('b', 1), ev('a', 4)]);
    t.is(r.eventsStored, 4);
    r = await store.ingest([ev('a', 2), ev('a', 4), ev('b', 1)]);
    t.deepEqual([r.eventsStored, r.duplicates], [0, 3], 'redeliveries change nothing');
    const seqRow = async (b: string) => (await store.sql.query<{ contiguous: string; max_seen: string; gap: boolean }>('SELECT contiguous, max_seen, gap_since IS NOT NULL AS gap FROM box_seq WHERE box_id = $1', [b])).rows[0]!;
    t.like(await seqRow('a'), { gap: true });
    t.is(Number((await seqRow('a')).contiguous), 2);
    await store.ingest([ev('a', 3)]);
    t.deepEqual({ ...(await seqRow('a')), contiguous: Number((await seqRow('a')).contiguous), max_seen: Number((await seqRow('a')).max_seen) }, { contiguous: 4, max_seen: 4, gap: false }, 'the late event closes the gap');
    const rows = (await store.sql.query<{ box_id: string; n: string; hi: string }>('SELECT box_id, count(*) n, max(seq) hi FROM events GROUP BY box_id ORDER BY box_id')).rows;
    t.deepEqual(rows.map((x) => [x.box_id, Number(x.n), Number(x.hi)]), [['a', 4, 4], ['b', 1, 1]]);
  });

  test(`${kind}: a gap still open after the grace delay raises an event-gap alert, closed when filled`, async (t) => {
    const store = await open(t, kind);
    await store.ingest([ev('g', 1), ev('g', 3)]);
    const policy = { offlineAfterMs: 60_000, gapGraceMs: 0, diskFullPct: 90 };
    await store.checkAlerts(policy);
    t.like((await store.alerts())[0], { boxId: 'g', kind: 'event-gap', detail: { after: 1, maxSeen: 3 } });
    await store.ingest([ev('g', 2)]);
    await store.checkAlerts(policy);
    t.deepEqual(await store.alerts(), []);
    t.is((await store.alerts(false))[0]!.kind, 'event-gap', 'kept as history');
  });

  test(`${kind}: an opt-out goes to every other box of the organisation once, with an id from (boxId, seq); a new box gets the list`, async (t) => {
    const store = await open(t, kind);
    await store.createOrg('acme', 'Acme');
    for (const b of ['a', 'b', 'c']) await store.assignBox(b, 'acme');
    await store.ingest([birth('x', 'r1', '2026-12-05T00:00:00Z')]); // default organisation
    const r = await store.ingest([ev('a', 1, 'optout', { numberHash: hash('1'), channel: 'keypress', campaignId: 3, digit: '2', at: '2026-12-05T00:00:00Z' })]);
    t.deepEqual(r.toSend.map((d) => [d.commandId, d.boxId, d.type]), [['optout:a:1', 'b', 'dnc.add'], ['optout:a:1', 'c', 'dnc.add']]);
    t.deepEqual(r.toSend[0]!.data, { numberHash: hash('1'), reason: 'opt-out recorded on a' });
    // The same event again, and the opt-out the relayed command caused on b (channel fleet): nothing new.
    t.deepEqual((await store.ingest([ev('a', 1, 'optout', { numberHash: hash('1'), channel: 'keypress' })])).toSend, []);
    t.deepEqual((await store.ingest([ev('b', 1, 'optout', { numberHash: hash('1'), channel: 'fleet' })])).toSend, []);
    // The same number opted out on c by a person: already on the organisation's list.
    t.deepEqual((await store.ingest([ev('c', 1, 'optout', { numberHash: hash('1'), channel: 'staff' })])).toSend, []);
    // A payload without a valid hash is stored as an event but relays nothing.
    t.deepEqual((await store.ingest([ev('c', 2, 'optout', { number: '+33612345678' })])).toSend, []);

    const pushed = await store.assignBox('d', 'acme');
    t.deepEqual(pushed.map((d) => [d.commandId, d.boxId]), [['optout:a:1', 'd']], 'a box joining acme gets its list');
    t.deepEqual((await store.openDeliveries('b')).map((d) => d.commandId), ['optout:a:1']);
    await store.ingest([{ kind: 'response', boxId: 'b', commandId: 'optout:a:1', final: true, answer: { status: 'ok', data: { added: true }, error: null, transaction: 'optout:a:1' } }]);
    t.deepEqual(await store.openDeliveries('b'), [], 'answered commands are not sent again');
    t.deepEqual((await store.openDeliveries('x')), [], 'another organisation is not told');
  });

  test(`${kind}: births and last wills set online; an old will does not undo a newer birth; offline too long raises an alert`, async (t) => {
    const store = await open(t, kind);
    let r = await store.ingest([birth('s', 'r1', '2026-12-05T00:00:00Z')]);
    t.deepEqual(r.births, ['s']);
    r = await store.ingest([birth('s', 'r1', '2026-12-05T00:00:00Z')]);
    t.deepEqual(r.births, [], 'the same retained birth twice is one hello');
    await store.ingest([birth('s', 'r2', '2026-12-05T00:01:00Z'), { kind: 'gone', boxId: 's', runId: 'r1', doc: { online: false } }]);
    t.true((await store.boxes())[0]!.online, 'the will of the previous run is ignored');
    await store.ingest([{ kind: 'gone', boxId: 's', runId: 'r2', doc: { online: false } }]);
    t.false((await store.boxes())[0]!.online);
    await store.checkAlerts({ offlineAfterMs: 0, gapGraceMs: 60_000, diskFullPct: 90 });
    t.deepEqual((await store.alerts()).map((a) => a.kind), ['offline']);
    await store.ingest([birth('s', 'r3', '2026-12-05T00:02:00Z')]);
    t.deepEqual(await store.alerts(), [], 'back online closes it');
  });

  test(`${kind}: telemetry alerts (disk, trunk, clock), a rejected configuration, and the roll-up after a day`, async (t) => {
    const store = await open(t, kind);
    const now = Date.now();
    const doc = (at: number, usedPct: number) => ({ boxId: 't', at: new Date(at).toISOString(), cpu: { loadPct: 10 + usedPct / 10, load1: 0.1, temperatureC: 50 }, memory: { usedPct: 40 }, disk: [{ mount: '/', usedPct }], activeCalls: 2,
      trunks: [{ name: 'ovh', health: 'down' }], clock: { synchronized: false, required: true } });
    await store.ingest([birth('t', 'r1', new Date(now).toISOString())]);
    // A day and more ago, one minute into a 5-minute roll-up bucket: the three samples (20 s apart at
    // most) share that bucket whatever the wall clock says.
    const old = Math.floor((now - 25 * 3_600_000) / 300_000) * 300_000 + 60_000;
    const items: Inbound[] = [0, 10, 20].map((s) => ({ kind: 'telemetry', boxId: 't', at: new Date(old + s * 1000).toISOString(), doc: doc(old + s * 1000, 50) }));
    items.push({ kind: 'telemetry', boxId: 't', at: new Date(now).toISOString(), doc: doc(now, 95) });
    items.push({ kind: 'reported', boxId: 't', status: 'rejected', version: 4, reason: 'setting trunks.0.port: must be <= 65535', doc: { version: 4, status: 'rejected' } });
    await store.ingest(items);
    await store.checkAlerts({ offlineAfterMs: 60_000, gapGraceMs: 60_000, diskFullPct: 90 });
    t.deepEqual((await store.alerts()).map((a) => a.kind).sort(), ['clock-unsynchronised', 'config-rejected', 'disk-full', 'trunk-down']);
    t.is(await store.downsample(), 3);
    const roll = (await store.sql.query<{ samples: number; disk_used_max: number; active_calls_max: number }>('SELECT samples, disk_used_max, active_calls_max FROM telemetry_rollup')).rows;
    t.deepEqual(roll, [{ samples: 3, disk_used_max: 50, active_calls_max: 2 }]);
    t.is(Number((await store.sql.query<{ n: string }>('SELECT count(*) n FROM telemetry')).rows[0]!.n), 1, 'the last day stays at full rate');
  });
}

test('a PGlite folder serves one process: a second opener is refused with the reason', async (t) => {
  const { target, dispose } = await storageTarget('pglite');
  const store = await FleetStore.open(target);
  t.teardown(async () => { await store.close(); await dispose(); });
  // Same process: the lock holds our pid, so simulate another live process by writing the parent's pid.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${target}/fleet-manager.pid`, String(process.ppid));
  await t.throwsAsync(FleetStore.open(target), { message: /in use by process \d+; PGlite serves one process/ });
  writeFileSync(`${target}/fleet-manager.pid`, String(process.pid));
});
