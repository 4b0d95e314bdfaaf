// Issue 17, must-show 2: no event lost or doubled. 100,000 events from 50 simulated boxes go through
// mosquitto to the fleet manager, and an instance is SIGKILLed in the middle of the load, then
// restarted with its client id (as systemd does): every event is stored exactly once, every box has
// seqs 1..2000 (count, lowest and highest seq per box, checked in SQL), and no gap remains.
// - PostgreSQL server: two instances share the subscription ($share group) and the database; one is killed.
// - PGlite: one process owns the folder (PGlite is single-process), so the only instance is killed
//   and restarted; between the two, the test opens the folder itself to count what the killed
//   instance had committed (the load was really cut in the middle).
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { Mosquitto } from '../fleet/mosquitto.ts';
import { FleetStore } from '../../fleet-manager/store/fleet-store.ts';
import { managerProc, tsProc, type Proc, ROOT } from './procs.ts';
import { storageTarget, useStorages } from './storages.ts';

useStorages();

const BOXES = 50;
const PER_BOX = 2000;
const TOTAL = BOXES * PER_BOX;

async function counts(store: FleetStore): Promise<number> {
  return Number((await store.sql.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
}

async function verify(t: ExecutionContext, store: FleetStore): Promise<void> {
  const rows = (await store.sql.query<{ box_id: string; n: string; lo: string; hi: string; contiguous: string; gap: boolean }>(
    `SELECT e.box_id, count(*) AS n, min(e.seq) AS lo, max(e.seq) AS hi, s.contiguous, s.gap_since IS NOT NULL AS gap
     FROM events e JOIN box_seq s USING (box_id) GROUP BY e.box_id, s.contiguous, s.gap_since ORDER BY e.box_id`)).rows;
  t.is(rows.length, BOXES, 'every simulated box has events');
  const wrong = rows.filter((r) => Number(r.n) !== PER_BOX || Number(r.lo) !== 1 || Number(r.hi) !== PER_BOX || Number(r.contiguous) !== PER_BOX || r.gap);
  t.deepEqual(wrong, [], 'each box: seqs 1..2000, once each, contiguous, no gap');
  t.is(await counts(store), TOTAL);
}

function publisher(url: string): Proc {
  return tsProc('publisher', join(ROOT, 'test', 'fleet-manager', 'sim-boxes.ts'), ['--broker', url, '--boxes', String(BOXES), '--events-per-box', String(PER_BOX), '--rate', '8000']);
}

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test.serial('PostgreSQL: two instances share the subscription; one SIGKILLed mid-load; every event stored once, in order per box', async (t) => {
  t.timeout(240_000);
  const broker = await Mosquitto.create({ extraConfig: ['max_inflight_messages 1000'] });
  const { target } = await storageTarget('postgres');
  const procs: Proc[] = [];
  const store = await FleetStore.open(target);
  t.teardown(async () => {
    for (const p of procs) await p.end('SIGKILL');
    await store.close();
    await broker.dispose();
  });
  const fm1 = managerProc('fm-1', target, broker.url, 'fm-1');
  const fm2 = managerProc('fm-2', target, broker.url, 'fm-2');
  procs.push(fm1, fm2);
  await Promise.all([fm1.json((v: { ready?: boolean }) => v.ready === true), fm2.json((v: { ready?: boolean }) => v.ready === true)]);
  const started = Date.now();
  const pub = publisher(broker.url);
  procs.push(pub);
  await until(async () => (await counts(store)) >= TOTAL * 0.3, 60_000, 'a third of the load to be stored');
  await fm1.end('SIGKILL');
  const atKill = await counts(store);
  t.log(`fm-1 SIGKILLed with ${atKill} events stored`);
  await new Promise((r) => setTimeout(r, 1000));
  const fm1b = managerProc('fm-1 again', target, broker.url, 'fm-1');
  procs.push(fm1b);
  await fm1b.json((v: { ready?: boolean }) => v.ready === true);
  await pub.json((v: { published?: number }) => v.published === TOTAL, 120_000);
  await until(async () => (await counts(store)) >= TOTAL, 60_000, 'every event to be stored');
  t.log(`${TOTAL} events stored in ${Date.now() - started} ms`);
  t.true(atKill < TOTAL, 'the kill came in the middle of the load');
  await new Promise((r) => setTimeout(r, 1000)); // redeliveries after the last one change nothing
  await verify(t, store);
});

test.serial('PGlite: the only instance SIGKILLed mid-load and restarted; every event stored once, in order per box', async (t) => {
  // PGlite (PostgreSQL in WebAssembly, one core) ingests several times slower than a server.
  t.timeout(420_000);
  const broker = await Mosquitto.create({ extraConfig: ['max_inflight_messages 1000'] });
  const { target, dispose } = await storageTarget('pglite');
  const procs: Proc[] = [];
  t.teardown(async () => {
    for (const p of procs) await p.end('SIGKILL');
    await broker.dispose();
    await dispose();
  });
  const fm = managerProc('fm', target, broker.url, 'fm-pglite');
  procs.push(fm);
  await fm.json((v: { ready?: boolean }) => v.ready === true);
  const started = Date.now();
  const pub = publisher(broker.url);
  procs.push(pub);
  // PGlite cannot be read while the instance owns it: kill once the broker has taken 40% of the load.
  await pub.json((v: { progress?: number }) => (v.progress ?? 0) >= TOTAL * 0.4, 120_000);
  await fm.end('SIGKILL');
  // The folder is free again (the lock's process is dead): count what was committed before the kill.
  const peek = await FleetStore.open(target);
  const atKill = await counts(peek);
  await peek.close();
  t.log(`instance SIGKILLed with ${atKill} events committed`);
  t.true(atKill > 0 && atKill < TOTAL, `the kill came in the middle of the load (${atKill} stored)`);
  let current = managerProc('fm again', target, broker.url, 'fm-pglite');
  procs.push(current);
  await current.json((v: { ready?: boolean }) => v.ready === true);
  await pub.json((v: { published?: number }) => v.published === TOTAL, 120_000);
  // Let it drain, then stop it cleanly and read the folder.
  let stored = 0;
  for (let i = 0; i < 3 && stored < TOTAL; i++) {
    await new Promise((r) => setTimeout(r, 8000));
    await current.end('SIGTERM');
    const s = await FleetStore.open(target);
    stored = await counts(s);
    await s.close();
    if (stored < TOTAL) {
      current = managerProc('fm more', target, broker.url, 'fm-pglite');
      procs.push(current);
      await current.json((v: { ready?: boolean }) => v.ready === true);
    }
  }
  t.log(`${stored} events stored in ${Date.now() - started} ms`);
  const store = await FleetStore.open(target);
  t.teardown(() => store.close());
  await verify(t, store);
});
