// `npm run bench -- fleet [--boxes N] [--seconds S] [--storage pglite|postgres|both] [--event-every-sec S]`:
// the fleet manager's ingest under simulated boxes through one mosquitto on loopback. Each box sends
// telemetry every 10 s (QoS 0) and an event every --event-every-sec (QoS 1, in seq order). Measured
// per storage: the ingest rate (rows committed per second), the p99 lag from publish to committed row
// (the publisher stamps `sentAt`), and the CPU per 1,000 messages of the fleet manager (with the
// PostgreSQL server's processes when it is one). Baseline in the same run: `mosquitto_sub` receiving
// the same streams into /dev/null (its CPU per 1,000 messages); `ratio` = manager / mosquitto_sub.
// The target is 10,000 boxes; the default is 1,000 (a loaded 2-core machine): say which.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Mosquitto } from '../test/fleet/mosquitto.ts';
import { PgCluster } from '../test/fleet-manager/postgres.ts';
import { pgliteTemplate } from '../test/fleet-manager/pglite-template.ts';
import { FleetManager } from '../fleet-manager/service.ts';
import type { Inbound } from '../fleet-manager/inbound.ts';

const { values: v } = parseArgs({ options: { boxes: { type: 'string' }, seconds: { type: 'string' }, storage: { type: 'string' }, 'event-every-sec': { type: 'string' } } });
const BOXES = Number(v.boxes ?? 1000);
const SECONDS = Number(v.seconds ?? 30);
const EVENT_EVERY = Number(v['event-every-sec'] ?? 10);
const storages = (v.storage ?? 'both') === 'both' ? ['pglite', 'postgres'] : [v.storage!];
const TICK_MS = 10; // USER_HZ 100

function cpuOfPid(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU ms of a process and all its descendants alive now (the PostgreSQL server's backends). */
function cpuOfTree(root: number): number {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  let total = 0;
  const walk = (p: number): void => { total += cpuOfPid(p); for (const k of kids.get(p) ?? []) walk(k); };
  walk(root);
  return total;
}

const selfCpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function sim(url: string, prefix: string): ChildProcess {
  const perBox = Math.max(1, Math.floor(SECONDS / EVENT_EVERY));
  return spawn(process.execPath, ['--import=tsx', join(import.meta.dirname, '..', 'test', 'fleet-manager', 'sim-boxes.ts'), '--broker', url, '--boxes', String(BOXES),
    '--events-per-box', String(perBox), '--prefix', prefix, '--rate', String(BOXES / EVENT_EVERY), '--telemetry-sec', '10', '--run-sec', String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function run(storage: string, broker: Mosquitto, cluster: PgCluster | null): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  let db = dir;
  if (storage === 'pglite') cpSync(await pgliteTemplate(), dir, { recursive: true });
  else db = cluster!.createDb(`bench_${Date.now()}`);
  const lags: number[] = [];
  let rows = 0;
  let first = 0;
  let last = 0;
  const fm = new FleetManager({
    db, broker: { url: broker.url, clientId: `bench-${storage}`, group: `bench-${storage}` }, logger: pino({ level: 'warn' }),
    onCommitted: (items: Inbound[], at: number) => {
      for (const i of items) {
        const sentAt = i.kind === 'event' ? (i.payload as { sentAt?: number }).sentAt : i.kind === 'telemetry' ? (i.doc as { sentAt?: number }).sentAt : undefined;
        if (typeof sentAt === 'number') lags.push(at - sentAt);
      }
      rows += items.length;
      first ||= at;
      last = at;
    },
  });
  await fm.start();
  // Baseline: the same streams to mosquitto_sub, written to /dev/null.
  const sub = spawn('mosquitto_sub', // Debian package mosquitto-clients
    ['-V', 'mqttv5', '-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', 'fleet/v1/+/events', '-t', 'fleet/v1/+/telemetry'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const subFailed = new Promise<never>((_, reject) => sub.once('error', (e) => reject(new Error(`mosquitto_sub: ${e.message} (apt-get install mosquitto-clients)`))));
  await Promise.race([new Promise((r) => setTimeout(r, 500)), subFailed]);
  const pgRoot = cluster ? Number(readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]) : 0;
  const cpu0 = { fm: selfCpu(), pg: storage === 'postgres' ? cpuOfTree(pgRoot) : 0, sub: cpuOfPid(sub.pid!) };
  const publisher = sim(broker.url, `b${storage.slice(0, 2)}`);
  let out = '';
  publisher.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((r) => publisher.once('exit', () => r()));
  const sent = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { published?: number; telemetrySent?: number });
  const published = (sent.find((x) => x.published !== undefined)?.published ?? 0) + (sent.find((x) => x.telemetrySent !== undefined)?.telemetrySent ?? 0);
  await fm.ingest!.drained(60_000);
  await new Promise((r) => setTimeout(r, 300));
  const cpu1 = { fm: selfCpu(), pg: storage === 'postgres' ? cpuOfTree(pgRoot) : 0, sub: cpuOfPid(sub.pid!) };
  sub.kill('SIGTERM');
  await fm.stop({ leave: true });
  if (storage === 'pglite') rmSync(dir, { recursive: true, force: true });
  const managerCpu = cpu1.fm - cpu0.fm + (cpu1.pg - cpu0.pg);
  const perK = (ms: number): number => Math.round((ms / (rows / 1000)) * 10) / 10;
  return {
    storage, published, messages: rows, ingestPerSec: Math.round(rows / Math.max(0.001, (last - first) / 1000)),
    p50LagMs: pct(lags, 50), p99LagMs: pct(lags, 99), cpuMsPer1000: perK(managerCpu), mosquittoSubCpuMsPer1000: perK(cpu1.sub - cpu0.sub),
    ratio: Math.round((managerCpu / Math.max(1, cpu1.sub - cpu0.sub)) * 10) / 10,
  };
}

const broker = await Mosquitto.create({ extraConfig: ['max_inflight_messages 1000', 'max_connections -1'] });
const cluster = storages.includes('postgres') ? await PgCluster.start() : null;
const results: Array<Record<string, number | string>> = [];
try {
  for (const s of storages) {
    const r = await run(s, broker, cluster);
    process.stderr.write(`${JSON.stringify(r)}\n`);
    results.push(r);
  }
} finally {
  await cluster?.stop();
  await broker.dispose();
}
const by = Object.fromEntries(results.map((r) => [r.storage, r]));
process.stdout.write(JSON.stringify({ bench: 'fleet', boxes: BOXES, seconds: SECONDS, telemetryEverySec: 10, eventEverySec: EVENT_EVERY, ...by }) + '\n');
