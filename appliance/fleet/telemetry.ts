// Telemetry: a small snapshot of the box's health (systeminformation) plus what the box is doing
// (trunks, calls in progress, running campaigns' counters). Each figure is best-effort: a probe that
// fails reports null rather than holding the whole message back.
import si from 'systeminformation';
import { uptime } from 'node:os';
import type { EngineMediaStats, TrunkStatus } from '../../core/call-port.ts';
import type { ClockStatus } from '../system/clock.ts';

/** Which call engine runs, and for the production engine whether drachtio-server and FreeSWITCH are connected. */
export interface EngineStatus {
  name: string;
  servers: { drachtio: boolean; freeswitch: boolean } | null;
  /** The engine's own RTP counters (embedded engine); absent or null where media runs in FreeSWITCH. */
  media?: EngineMediaStats | null;
}

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
  engine: EngineStatus | null;
  /** Null when the box does not say (older composition); calls are held while required and not synchronised. */
  clock: ClockStatus | null;
}

export interface TelemetrySources {
  trunks?: () => TrunkStatus[];
  activeCalls?: () => number;
  campaigns?: () => CampaignCounters[];
  engine?: () => EngineStatus;
  clock?: () => ClockStatus;
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

/**
 * Keeps what is dear to measure and slow to change: temperature, disk use and the default network
 * interface each cost a few short-lived commands, so they are refreshed once a minute; CPU load,
 * memory and the interface counters are read from /proc and /sys on every message.
 */
export class TelemetryCollector {
  private slowAt = -Infinity;
  private temperatureC: number | null = null;
  private disk: Telemetry['disk'] = null;
  private iface: string | null = null;

  constructor(private readonly src: TelemetrySources, private readonly slowEveryMs = 60_000) {}

  private async refreshSlow(): Promise<void> {
    const [temp, fs, iface] = await Promise.all([
      probe(() => si.cpuTemperature()),
      probe(() => si.fsSize()),
      probe(() => si.networkInterfaceDefault()),
    ]);
    this.temperatureC = typeof temp?.main === 'number' ? round(temp.main) : null;
    this.disk = fs ? fs.filter((d) => d.size > 0).map((d) => ({ mount: d.mount, sizeBytes: d.size, usedBytes: d.used, usedPct: round(d.use ?? 0) })) : null;
    this.iface = iface || null;
  }

  async collect(): Promise<Telemetry> {
    const src = this.src;
    if (src.now() - this.slowAt >= this.slowEveryMs) {
      this.slowAt = src.now();
      await this.refreshSlow();
    }
    const [load, mem, net] = await Promise.all([
      probe(() => si.currentLoad()),
      probe(() => si.mem()),
      this.iface ? probe(() => si.networkStats(this.iface!)) : Promise.resolve(null),
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
        temperatureC: this.temperatureC,
      },
      memory: mem ? { totalBytes: mem.total, availableBytes: mem.available, usedPct: round(((mem.total - mem.available) / mem.total) * 100) } : null,
      disk: this.disk,
      uptimeSec: Math.round(uptime()),
      network: n ? { iface: n.iface, rxBytes: n.rx_bytes, txBytes: n.tx_bytes, rxPerSec: n.rx_sec === null ? null : Math.round(n.rx_sec), txPerSec: n.tx_sec === null ? null : Math.round(n.tx_sec) } : null,
      activeCalls: src.activeCalls ? src.activeCalls() : null,
      trunks: (src.trunks?.() ?? []).map((t) => ({ name: t.name, health: t.health, registered: t.registered, channelsInUse: t.channelsInUse, channels: t.channels, lastError: t.lastError })),
      campaigns,
      engine: src.engine ? src.engine() : null,
      clock: src.clock ? src.clock() : null,
    };
  }
}
