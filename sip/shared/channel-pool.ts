// Channels of one trunk: how many calls it carries at once, how fast new calls may start (cps),
// and for a GSM gateway which SIM port/channel a call uses and the pause each channel needs after a call.
import { AppError } from '../../core/errors.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { Clock } from '../../core/time.ts';

export interface ChannelLease {
  trunk: string;
  /** Channel index (0-based) on the trunk. */
  channel: number;
  /** GSM gateway SIM port (1-based); null for a SIP trunk. */
  port: number | null;
  /** Give the channel back (idempotent); a GSM channel then cools down. */
  release(): void;
}


export class ChannelPool {
  readonly size: number;
  private readonly trunk: TrunkProfile;
  private readonly clock: Clock;
  private readonly busy: boolean[];
  private readonly coolUntil: number[];
  private readonly perPort: number;
  private readonly coolDownMs: number;
  private nextStartAt = 0;
  private lastStartAt = -Infinity;
  private readonly onChange: () => void;

  constructor(trunk: TrunkProfile, clock: Clock, onChange: () => void = () => {}) {
    this.trunk = trunk;
    this.clock = clock;
    this.onChange = onChange;
    const gsm = trunk.kind === 'gsm' ? trunk.gsm : undefined;
    this.size = Math.max(0, gsm ? gsm.ports * gsm.channelsPerPort : trunk.channels);
    this.perPort = gsm ? Math.max(1, gsm.channelsPerPort) : this.size || 1;
    this.coolDownMs = gsm?.coolDownMs ?? 0;
    this.busy = new Array<boolean>(this.size).fill(false);
    this.coolUntil = new Array<number>(this.size).fill(0);
  }

  get inUse(): number {
    return this.busy.filter(Boolean).length;
  }

  /**
   * Take a channel: refused at once (E_TRUNK_BUSY) when all are taken; otherwise waits for the
   * trunk's calls-per-second slot and, on a GSM gateway, for the channel's cool-down to end.
   */
  async acquire(): Promise<ChannelLease> {
    const idx = this.pick();
    if (idx < 0) throw new AppError('E_TRUNK_BUSY', `All ${this.size} channels of trunk "${this.trunk.name}" are in use`, { trunk: this.trunk.name });
    this.busy[idx] = true;
    this.onChange();
    const now = this.clock.now();
    // 3% wider than 1000/cps: with exact spacing, call N+1 lands exactly one second after call 1 and
    // the smallest jitter on the way puts cps+1 calls in one second as the trunk counts them.
    const spacing = this.trunk.cps > 0 ? 1030 / this.trunk.cps : 0;
    const startAt = Math.max(now, this.nextStartAt, this.coolUntil[idx] ?? 0);
    this.nextStartAt = startAt + spacing;
    if (startAt > now) await this.clock.sleep(startAt - now);
    // Timers fire late when the event loop is busy (a synced ledger write, a GC), and then together:
    // keep the spacing between the calls that actually start, not only between their planned times.
    for (let gap = this.clock.now() - this.lastStartAt; spacing > 0 && gap < spacing; gap = this.clock.now() - this.lastStartAt) {
      await this.clock.sleep(spacing - gap);
    }
    this.lastStartAt = this.clock.now();
    this.nextStartAt = Math.max(this.nextStartAt, this.lastStartAt + spacing);
    let released = false;
    return {
      trunk: this.trunk.name,
      channel: idx,
      port: this.trunk.kind === 'gsm' ? Math.floor(idx / this.perPort) + 1 : null,
      release: () => {
        if (released) return;
        released = true;
        this.busy[idx] = false;
        this.coolUntil[idx] = this.clock.now() + this.coolDownMs;
        this.onChange();
      },
    };
  }

  /** A free channel: cooled down first, then on the least busy SIM port, then the soonest cooled. */
  private pick(): number {
    const now = this.clock.now();
    const portLoad = new Map<number, number>();
    this.busy.forEach((b, i) => {
      const p = Math.floor(i / this.perPort);
      portLoad.set(p, (portLoad.get(p) ?? 0) + (b ? 1 : 0));
    });
    let best = -1;
    let bestKey: [number, number, number] | null = null;
    for (let i = 0; i < this.size; i++) {
      if (this.busy[i]) continue;
      const cool = this.coolUntil[i] ?? 0;
      const key: [number, number, number] = [cool > now ? 1 : 0, portLoad.get(Math.floor(i / this.perPort)) ?? 0, cool];
      if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
        best = i;
        bestKey = key;
      }
    }
    return best;
  }
}
