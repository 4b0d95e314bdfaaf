// Telemetry: a small snapshot of the box's health (systeminformation) plus what the box is doing
// (trunks, calls in progress, running campaigns' counters). Each figure is best-effort: a probe that
// fails reports null rather than holding the whole message back.
import si from 'systeminformation';
import { uptime } from 'node:os';
import type { TrunkStatus } from '../call-port.ts';

export interface CampaignCounters {
  id: number;
  name: string;
  status: string;
  counters: Record<string, number>;
}

export interface Telemetry {
  at: string;
  cpu: { loadPct: number | null; load1: number | null; temperatureC: number | null };
  memory: { totalBytes: number; availableBytes: number; usedPct: number } | null;
  disk: Array<{ mount: string; sizeBytes: number; usedBytes: number; usedPct: number }> | null;
  uptimeSec: number;
  network: { iface: string; rxBytes: number; txBytes: number; rxPerSec: number | null; txPerSec: number | null } | null;
  activeCalls: number | null;
  trunks: Array<Pick<TrunkStatus, 'name' | 'health' | 'registered' | 'channelsInUse' | 'channels' | 'lastError'>>;
  campaigns: CampaignCounters[];
}

export interface TelemetrySources {
  trunks?: () => TrunkStatus[];
  activeCalls?: () => number;
  campaigns?: () => CampaignCounters[];
  now: () => number;
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function probe<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch {
    return null;
  }
}

export async function collectTelemetry(src: TelemetrySources): Promise<Telemetry> {
  const [load, temp, mem, fs, net] = await Promise.all([
    probe(() => si.currentLoad()),
    probe(() => si.cpuTemperature()),
    probe(() => si.mem()),
    probe(() => si.fsSize()),
    probe(() => si.networkStats()),
  ]);
  const n = net?.[0];
  let campaigns: CampaignCounters[] = [];
  try {
    campaigns = src.campaigns?.() ?? [];
  } catch {
    campaigns = [];
  }
  return {
    at: new Date(src.now()).toISOString(),
    cpu: {
      loadPct: load ? round(load.currentLoad) : null,
      load1: load ? round(load.avgLoad, 2) : null,
      temperatureC: typeof temp?.main === 'number' ? round(temp.main) : null,
    },
    memory: mem ? { totalBytes: mem.total, availableBytes: mem.available, usedPct: round(((mem.total - mem.available) / mem.total) * 100) } : null,
    disk: fs ? fs.filter((d) => d.size > 0).map((d) => ({ mount: d.mount, sizeBytes: d.size, usedBytes: d.used, usedPct: round(d.use ?? 0) })) : null,
    uptimeSec: Math.round(uptime()),
    network: n ? { iface: n.iface, rxBytes: n.rx_bytes, txBytes: n.tx_bytes, rxPerSec: n.rx_sec === null ? null : Math.round(n.rx_sec), txPerSec: n.tx_sec === null ? null : Math.round(n.tx_sec) } : null,
    activeCalls: src.activeCalls ? src.activeCalls() : null,
    trunks: (src.trunks?.() ?? []).map((t) => ({ name: t.name, health: t.health, registered: t.registered, channelsInUse: t.channelsInUse, channels: t.channels, lastError: t.lastError })),
    campaigns,
  };
}
