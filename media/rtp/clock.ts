// One shared packet clock for every call. Each tick is scheduled against an absolute monotonic
// deadline (origin + n x period), so timer jitter never accumulates into drift; when the event loop
// was blocked, missed ticks are run back to back (bounded) and the rest are skipped, keeping the count.

export type TickListener = (tick: number) => void;

export interface MediaClockOptions {
  periodMs?: number;
  /** Ticks run back to back after a stall before the clock skips ahead instead. */
  maxCatchUpTicks?: number;
  /** A tick may start this early (default 0.5 ms): Node timers have 1 ms granularity and often fire a little early. */
  earlyToleranceMs?: number;
  /** Called when a listener throws; the clock carries on. */
  onListenerError?: (err: unknown) => void;
}

export interface ClockStats {
  ticks: number;
  skippedTicks: number;
  /** Start of tick minus its deadline (negative values count as 0). */
  p50LatenessMs: number;
  p99LatenessMs: number;
  maxLatenessMs: number;
  /** Time spent inside the listeners per tick. */
  p50WorkMs: number;
  p99WorkMs: number;
  maxWorkMs: number;
}

const BIN_MS = 0.05;
const BINS = 2000; // 0..100 ms; anything above lands in the last bin (max is tracked exactly)

class Histogram {
  private readonly bins = new Uint32Array(BINS);
  count = 0;
  max = 0;
  add(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = Math.min(BINS - 1, Math.floor(v / BIN_MS));
    this.bins[i]++;
    this.count++;
    if (v > this.max) this.max = v;
  }
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const want = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i];
      if (seen >= want) return Math.min((i + 1) * BIN_MS, this.max);
    }
    return this.max;
  }
  reset(): void {
    this.bins.fill(0);
    this.count = 0;
    this.max = 0;
  }
}

export class MediaClock {
  readonly periodMs: number;
  private readonly periodNs: bigint;
  private readonly maxCatchUp: number;
  private readonly earlyNs: bigint;
  private readonly onListenerError: (err: unknown) => void;
  // Listeners in an array (fast to iterate); removal nulls the slot and compacts after the tick.
  private listeners: Array<TickListener | null> = [];
  private live = 0;
  private holes = false;
  private timer: NodeJS.Timeout | null = null;
  private nextDeadline = 0n;
  private index = 0;
  private inTick = false;
  private readonly lateness = new Histogram();
  private readonly work = new Histogram();
  private skipped = 0;

  constructor(opts: MediaClockOptions = {}) {
    this.periodMs = opts.periodMs ?? 20;
    this.periodNs = BigInt(Math.round(this.periodMs * 1e6));
    this.maxCatchUp = opts.maxCatchUpTicks ?? 5;
    this.earlyNs = BigInt(Math.round((opts.earlyToleranceMs ?? 0.5) * 1e6));
    this.onListenerError = opts.onListenerError ?? (() => {});
  }

  /** Number of the tick being run or last run; keeps counting across stops, so timestamps stay monotonic. */
  get tick(): number {
    return this.index;
  }

  get running(): boolean {
    return this.timer !== null || this.inTick;
  }

  get subscribers(): number {
    return this.live;
  }

  /** Calls `fn(tick)` every period; the clock runs only while it has subscribers. */
  subscribe(fn: TickListener): () => void {
    this.listeners.push(fn);
    this.live++;
    if (this.timer === null && !this.inTick) this.start();
    const slot = this.listeners.length - 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // the slot may have moved when the array was compacted
      const at = this.listeners[slot] === fn ? slot : this.listeners.indexOf(fn);
      if (at >= 0) {
        this.listeners[at] = null;
        this.holes = true;
      }
      this.live--;
      if (this.live === 0) this.stop();
    };
  }

  stats(): ClockStats {
    return {
      ticks: this.lateness.count,
      skippedTicks: this.skipped,
      p50LatenessMs: this.lateness.quantile(0.5),
      p99LatenessMs: this.lateness.quantile(0.99),
      maxLatenessMs: this.lateness.max,
      p50WorkMs: this.work.quantile(0.5),
      p99WorkMs: this.work.quantile(0.99),
      maxWorkMs: this.work.max,
    };
  }

  resetStats(): void {
    this.lateness.reset();
    this.work.reset();
    this.skipped = 0;
  }

  /** Drops every subscriber and stops. */
  close(): void {
    this.listeners = [];
    this.live = 0;
    this.holes = false;
    this.stop();
  }

  private start(): void {
    this.nextDeadline = process.hrtime.bigint() + this.periodNs;
    this.arm(this.nextDeadline - process.hrtime.bigint());
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(remainingNs: bigint): void {
    // Rounding (not flooring) lands libuv's millisecond timers closest to the deadline: measured
    // -0.3..+0.7 ms on an idle loop, where floor fires up to 1.8 ms early.
    const ms = Math.round(Number(remainingNs) / 1e6);
    this.timer = setTimeout(this.onTimer, ms >= 1 ? ms : 1);
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    let now = process.hrtime.bigint();
    if (now < this.nextDeadline - this.earlyNs) {
      this.arm(this.nextDeadline - now);
      return;
    }
    let behind = 0;
    this.inTick = true;
    try {
      // run this tick and, after a stall, the missed ones (bounded); skip the rest
      do {
        this.runTick(now);
        this.nextDeadline += this.periodNs;
        now = process.hrtime.bigint();
        if (now - this.nextDeadline > this.periodNs * BigInt(this.maxCatchUp)) {
          const missed = (now - this.nextDeadline) / this.periodNs;
          this.nextDeadline += missed * this.periodNs;
          this.index += Number(missed);
          this.skipped += Number(missed);
        }
      } while (this.live > 0 && now >= this.nextDeadline && ++behind <= this.maxCatchUp);
    } finally {
      this.inTick = false;
    }
    if (this.live > 0) this.arm(this.nextDeadline - process.hrtime.bigint());
  };

  private runTick(started: bigint): void {
    this.index++;
    this.lateness.add(Number(started - this.nextDeadline) / 1e6);
    const tick = this.index;
    const list = this.listeners;
    const n = list.length; // listeners added during the tick start on the next one
    for (let i = 0; i < n; i++) {
      const fn = list[i];
      if (fn === null) continue;
      try {
        fn(tick);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    if (this.holes) this.compact();
    this.work.add(Number(process.hrtime.bigint() - started) / 1e6);
  }

  private compact(): void {
    this.listeners = this.listeners.filter((f) => f !== null);
    this.holes = false;
  }
}
