// Events reach the fleet exactly once by (boxId, seq), in order, across a broker outage during
// which the box is SIGKILLed and restarted; the last will marks a killed box offline.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../appliance/store/db.ts';
import { Mosquitto, fleetClient, waitFor } from './mosquitto.ts';

const BOX = join(dirname(fileURLToPath(import.meta.url)), 'box-process.ts');

function startBox(dataDir: string, url: string, boxId: string, count: number): ChildProcess {
  return spawn(process.execPath, ['--import=tsx', BOX, dataDir, url, boxId, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function killed(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  await exited;
}

function lineFrom(p: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(text)) resolve();
    });
  });
}

test('every event arrives once by seq, in order, across a broker outage and a SIGKILLed box', async (t) => {
  // Box processes start under tsx: on a loaded 2-core machine that alone can take tens of seconds, so
  // every wait that includes a process start or a reconnect is wide (they end as soon as the event comes).
  t.timeout(200_000);
  const broker = await Mosquitto.create();
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-box-'));
  const boxId = 'box-events';
  const procs: ChildProcess[] = [];
  const fleet = await fleetClient(broker.url, 'fleet-events');
  t.teardown(async () => {
    for (const p of procs) await killed(p, 'SIGKILL');
    await fleet.endAsync(true);
    await broker.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const arrivals: number[] = [];
  fleet.on('message', (_topic, payload) => {
    const ev = JSON.parse(payload.toString()) as { boxId: string; seq: number; type: string; payload: { n: number } };
    t.is(ev.boxId, boxId);
    arrivals.push(ev.seq);
  });
  await fleet.subscribeAsync(`fleet/v1/${boxId}/events`, { qos: 1 });

  const a = startBox(dataDir, broker.url, boxId, 0);
  procs.push(a);
  await waitFor(() => arrivals.length >= 30, 60_000, 'events while everything is up');

  await broker.stop();
  await new Promise((r) => setTimeout(r, 400)); // the box keeps appending while offline
  await killed(a, 'SIGKILL');

  const b = startBox(dataDir, broker.url, boxId, 40); // the box restarted, still offline
  procs.push(b);
  await lineFrom(b, 'appended all');
  await broker.start();

  const db = openStore({ dir: dataDir, readonly: true });
  t.teardown(() => db.close());
  const lastSeq = (): number => db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get() as number;
  const outboxLeft = (): number => db.prepare('SELECT COUNT(*) FROM outbox').pluck().get() as number;
  await waitFor(() => outboxLeft() === 0 && new Set(arrivals).size >= lastSeq(), 60_000, 'the outbox to drain to the fleet');

  const seen = new Set<number>();
  const firstArrivals: number[] = [];
  for (const s of arrivals) {
    if (seen.has(s)) continue; // a duplicate (crash between PUBACK and delete): same seq, dropped
    seen.add(s);
    firstArrivals.push(s);
  }
  const total = lastSeq();
  t.true(total >= 70, `events appended: ${total}`);
  t.deepEqual(firstArrivals, Array.from({ length: total }, (_, i) => i + 1), 'every seq from 1, once, in order, no gap');
  t.log(`${total} events, ${arrivals.length - firstArrivals.length} duplicate deliveries dropped by seq`);
});

test('a SIGKILLed box is marked offline by its last will; a restarted one says hello again', async (t) => {
  t.timeout(200_000);
  const broker = await Mosquitto.create();
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-box-'));
  const boxId = 'box-will';
  const procs: ChildProcess[] = [];
  const fleet = await fleetClient(broker.url, 'fleet-will');
  t.teardown(async () => {
    for (const p of procs) await killed(p, 'SIGKILL');
    await fleet.endAsync(true);
    await broker.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const statuses: Array<Record<string, unknown>> = [];
  fleet.on('message', (_topic, payload) => { statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>); });
  await fleet.subscribeAsync(`fleet/v1/${boxId}/status`, { qos: 1 });

  const a = startBox(dataDir, broker.url, boxId, 1);
  procs.push(a);
  await waitFor(() => statuses.some((s) => s.online === true), 60_000, 'the birth message');
  const birth = statuses.find((s) => s.online === true)!;
  t.is(birth.version, 'test');
  t.is(typeof birth.bootId, 'string');
  t.is(birth.configVersion, 0);
  await killed(a, 'SIGKILL');
  await waitFor(() => statuses.at(-1)?.online === false, 30_000, 'the last will');

  const b = startBox(dataDir, broker.url, boxId, 1);
  procs.push(b);
  await waitFor(() => statuses.at(-1)?.online === true, 60_000, 'the second birth message');
  t.not(statuses.at(-1)!.runId, birth.runId);
  await killed(b, 'SIGTERM');
  await waitFor(() => statuses.at(-1)?.online === false, 30_000, 'the goodbye on a clean stop');
});
