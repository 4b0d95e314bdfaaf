// `npm run bench -- telemetry [--seconds N]`: what telemetry costs the box. A real fleet agent is
// connected to a real mosquitto on loopback. Baseline, in the same run: the same agent connected for
// the same time with telemetry off. Then telemetry runs ten times faster than the target interval
// (every 1 s), with the once-a-minute measurements (temperature, disk, default interface) also ten
// times faster, so each message costs what it would at 10 s; the CPU over the baseline, per message,
// gives the share of one core at 10 s.
// CPU counts this process and the short-lived commands systeminformation runs (waited children).
// Target (issue 7): < 1% of one core at a 10 s interval.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { openStore } from '../appliance/store/db.ts';
import { defaultSettings } from '../appliance/config/defaults.ts';
import { silentLogger } from '../core/log.ts';
import { FleetAgent } from '../appliance/fleet/agent.ts';
import { Mosquitto, waitFor } from '../test/fleet/mosquitto.ts';

const TARGET_INTERVAL_S = 10;
const RUN_INTERVAL_S = 1;
const argSeconds = process.argv.indexOf('--seconds');
const seconds = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 24;

/** CPU ms of this process plus its waited-for children (utime+stime, cutime+cstime in /proc). */
function cpuMs(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1000, children: (Number(fields[13]) + Number(fields[14])) * tick };
}

async function measure(telemetryIntervalMs: number, url: string, boxId: string, forSeconds = seconds): Promise<{ self: number; children: number; messages: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-telemetry-'));
  const db = openStore({ dir });
  const settings = defaultSettings();
  settings.fleet = { enabled: true, url, boxId };
  const trunks = Array.from({ length: 4 }, (_, i) => ({ name: `trunk-${i}`, kind: 'sip' as const, health: 'up' as const, registered: true, channelsInUse: i, channels: 30, lastError: null, lastOptionsRttMs: 20 }));
  const campaigns = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `campaign ${i + 1}`, status: 'running', counters: { contacts: 10_000, pending: 4000, waiting: 100, calling: 20, done: 5800, blocked: 80, stopped: 0, active: 20 } }));
  const agent = new FleetAgent({
    db, settings: () => settings, logger: silentLogger(), boxId, version: 'bench',
    trunks: () => trunks, activeCalls: () => 60,
    campaigns: { start: () => null, pause: () => null, resume: () => null, stop: () => null, report: () => null, list: () => campaigns },
    telemetryIntervalMs,
    telemetrySlowEveryMs: 60_000 * (RUN_INTERVAL_S / TARGET_INTERVAL_S),
  });
  const fleet = await mqtt.connectAsync(url, { protocolVersion: 5 });
  let messages = 0;
  fleet.on('message', () => { messages += 1; });
  await fleet.subscribeAsync(`fleet/v1/${boxId}/telemetry`);
  await agent.start();
  await waitFor(() => agent.connected, 10_000, 'the agent to connect');
  const before = cpuMs();
  const m0 = messages;
  await new Promise((r) => setTimeout(r, forSeconds * 1000));
  const after = cpuMs();
  const got = messages - m0;
  await agent.stop();
  await fleet.endAsync();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { self: after.self - before.self, children: after.children - before.children, messages: got };
}

const broker = await Mosquitto.create();
try {
  // Warm-up: module loading and the first systeminformation calls are not the steady state.
  await measure(200, broker.url, 'bench-warm', 2).catch(() => null);
  const base = await measure(3_600_000, broker.url, 'bench-base');
  const run = await measure(RUN_INTERVAL_S * 1000, broker.url, 'bench-run');
  const baseMs = base.self + base.children;
  const runMs = run.self + run.children;
  const perMessageMs = Math.max(0, runMs - baseMs) / Math.max(1, run.messages);
  const pct = (ms: number, overS: number): number => Math.round((ms / (overS * 1000)) * 100 * 1000) / 1000;
  const result = {
    bench: 'telemetry',
    cpuPctOfOneCore: pct(perMessageMs, TARGET_INTERVAL_S),
    intervalS: TARGET_INTERVAL_S,
    msPerMessage: Math.round(perMessageMs * 100) / 100,
    selfMsPerMessage: Math.round((Math.max(0, run.self - base.self) / Math.max(1, run.messages)) * 100) / 100,
    childMsPerMessage: Math.round((Math.max(0, run.children - base.children) / Math.max(1, run.messages)) * 100) / 100,
    messages: run.messages,
    measuredIntervalS: RUN_INTERVAL_S,
    seconds,
    baselineCpuPctOfOneCore: pct(baseMs, seconds),
    withTelemetryCpuPctOfOneCore: pct(runMs, seconds),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await broker.dispose();
}
