// One shared packet clock for every call. Each run is scheduled against an absolute monotonic
// deadline (origin + n x period), so timer jitter never accumulates into drift; after a stall the
// missed ticks run back to back (bounded) and the rest are skipped, keeping the tick count true.
// Subscribers are spread over phases of the period once there are many, so a thousand calls do
// not all send in one burst: each call still gets exactly one tick per period, at its phase's offset.
// `performance` from its module: the global of that name is a getter, called on every read (a media
// worker reads the time once per datagram received, in poll()).
import { performance } from 'node:perf_hooks';

export type TickListener = (tick: number) => void;
/**
 * A subscriber called as a method: the clock then touches the subscriber object itself, where a
 * closure per subscriber is two more objects (the function and its context) per call and per tick, out
 * of the CPU's cache once a worker runs a thousand calls. Sessions subscribe this way.
 */
export interface TickReceiver {
  clockTick(tick: number): void;
}

export interface MediaClockOptions {
  periodMs?: number;
  /** Slots per period that subscribers are spread over (default 10: 2 ms apart at 20 ms). */
  phases?: number;
  /** Subscribers a phase takes before the next phase is used (default 32): few calls, few wake-ups. */
  phaseFill?: number;
  /** Periods run back to back after a stall before the clock skips ahead instead. */
  maxCatchUpTicks?: number;
  /** A run may start this early (default 0.5 ms): Node timers have 1 ms granularity and often fire a little early. Not with preciseWait. */
  earlyToleranceMs?: number;
  /** Called when a listener throws; the clock carries on. */
  onListenerError?: (err: unknown) => void;
  /**
   * Sleeps the thread for a fraction of a millisecond (a media worker: Atomics.wait). Given, the timer
   * wakes the clock up to PRECISE_WAIT_MS before a deadline and the rest is slept here: libuv's timers
   * have a millisecond's granularity (measured here in a worker, 2 ms phases: p99 1.1-1.3 ms late with
   * timers alone, 0.2-0.5 ms with the last stretch slept). Never on a thread that serves anything else.
   */
  preciseWait?: (ms: number) => void;
  /**
   * Called after each phase's subscribers, still inside the run (a media worker with batched I/O sends
   * the phase's packets: batch-io.ts). Errors go to onListenerError.
   */
  afterPhase?: () => void;
  /**
   * Called once after the phases of a run (one phase, or several run back to back to catch up), still
   * inside it (a media worker with batched I/O takes the datagrams that came in). Once per run, not per
   * phase: a clock that fell behind catches up on sends alone, then hears everything that came meanwhile
   * at once; received datagrams in every phase of a catch-up cost as much as the phase's slot, and a
   * clock 10 ms late stayed 10 ms late for a second at a time (bench media, 2,800 calls).
   */
  afterRun?: () => void;
}

/** How long before a deadline a clock with preciseWait wakes up. */
export const PRECISE_WAIT_MS = 1.5;

export interface ClockStats {
  /** Periods completed (each subscriber was called once per period). */
  ticks: number;
  skippedTicks: number;
  /** Start of each phase run minus its deadline (early starts count as 0). */
  p50LatenessMs: number;
  p99LatenessMs: number;
  maxLatenessMs: number;
  /** Time spent inside the listeners of one phase run. */
  p50WorkMs: number;
  p99WorkMs: number;
  maxWorkMs: number;
}

const BIN_MS = 0.01;
const BINS = 10000; // 0..100 ms; anything above lands in the last bin (max is tracked exactly)

/** Fixed-bin latency histogram: constant memory, no allocation per sample. */
export class LatencyHistogram {
  private readonly bins = new Uint32Array(BINS);
  count = 0;
  max = 0;
  add(ms: number): void {
    const v = ms > 0 ? ms : 0;
    this.bins[v >= BINS * BIN_MS ? BINS - 1 : Math.floor(v / BIN_MS)]++;
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
  readonly phases: number;
  private readonly phaseMs: number;
  private readonly phaseFill: number;
  private readonly maxCatchUp: number;
  private readonly earlyMs: number;
  private readonly onListenerError: (err: unknown) => void;
  // one listener array per phase (fast to iterate); removal nulls the slot, compacted after a run
  private readonly lists: Array<Array<TickListener | TickReceiver | null>>;
  private readonly counts: number[];
  private readonly holes: boolean[];
  private live = 0;
  /** The armed wake-up: a timer, or an immediate when the deadline is closer than PRECISE_WAIT_MS. */
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private timerIsImmediate = false;
  private readonly preciseWait: ((ms: number) => void) | null;
  private readonly afterPhase: (() => void) | null;
  private readonly afterRun: (() => void) | null;
  private inRun = false;
  private closed = false;
  private origin = 0;
  /** Periods since origin of the run due next, and its phase. */
  private period = 0;
  private phase = 0;
  private index = 0;
  private deadline = 0;
  private readonly lateness = new LatencyHistogram();
  private readonly work = new LatencyHistogram();
  private ticks = 0;
  private skipped = 0;

  constructor(opts: MediaClockOptions = {}) {
    this.periodMs = opts.periodMs ?? 20;
    this.phases = Math.max(1, Math.floor(opts.phases ?? 10));
    this.phaseFill = Math.max(1, opts.phaseFill ?? 32);
    this.phaseMs = this.periodMs / this.phases;
    this.maxCatchUp = opts.maxCatchUpTicks ?? 5;
    this.earlyMs = opts.earlyToleranceMs ?? 0.5;
    this.onListenerError = opts.onListenerError ?? (() => {});
    this.preciseWait = opts.preciseWait ?? null;
    this.afterPhase = opts.afterPhase ?? null;
    this.afterRun = opts.afterRun ?? null;
    this.lists = Array.from({ length: this.phases }, () => []);
    this.counts = new Array<number>(this.phases).fill(0);
    this.holes = new Array<boolean>(this.phases).fill(false);
  }

  /** Number of the current period; keeps counting across stops, so RTP timestamps stay monotonic. */
  get tick(): number {
    return this.index;
  }

  /** performance.now() time at which the run in progress (or next) should have started. */
  get deadlineMs(): number {
    return this.deadline;
  }

  get running(): boolean {
    return this.timer !== null || this.inRun;
  }

  get subscribers(): number {
    return this.live;
  }

  /**
   * Calls `fn(tick)` (or `fn.clockTick(tick)`) once every period; the clock runs only while it has subscribers. A closed clock takes
   * no subscriber (until reopen()): what subscribes late, as its engine stops (a session moved to the main
   * thread, a leg closing), must not start a timer nobody will ever stop.
   */
  subscribe(fn: TickListener | TickReceiver): () => void {
    if (this.closed) return () => {};
    // the first phase with room, else the least loaded one
    let phase = -1;
    for (let p = 0; p < this.phases && phase < 0; p++) if (this.counts[p] < this.phaseFill) phase = p;
    if (phase < 0) {
      phase = 0;
      for (let p = 1; p < this.phases; p++) if (this.counts[p] < this.counts[phase]) phase = p;
    }
    const list = this.lists[phase];
    list.push(fn);
    this.counts[phase]++;
    this.live++;
    if (this.timer === null && !this.inRun) this.start();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.lists[phase];
      const at = current.indexOf(fn);
      if (at >= 0) {
        current[at] = null;
        this.holes[phase] = true;
      }
      this.counts[phase]--;
      this.live--;
      if (this.live === 0) this.disarm();
    };
  }

  stats(): ClockStats {
    return {
      ticks: this.ticks,
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
    this.ticks = 0;
    this.skipped = 0;
  }

  /** Drops every subscriber and stops, for good: later subscribers are refused until reopen(). */
  close(): void {
    this.closed = true;
    for (let p = 0; p < this.phases; p++) {
      this.lists[p] = [];
      this.counts[p] = 0;
      this.holes[p] = false;
    }
    this.live = 0;
    this.disarm();
  }

  /** Takes subscribers again after close() (an engine started again). */
  reopen(): void {
    this.closed = false;
  }

  /**
   * Runs the phase that is due, if one is, from inside an I/O callback (each received packet calls it).
   * A timer fires only between batches of I/O: on a busy loop one batch of received packets can hold
   * a due phase back for milliseconds, where a check per packet holds it back by one packet's work.
   */
  poll(): void {
    if (this.timer === null || this.inRun || performance.now() < this.deadline) return;
    this.disarm();
    this.onTimer();
  }

  private start(): void {
    // the first run is one period from now; phase 0 of each period advances the tick number
    this.origin = performance.now() + this.periodMs;
    this.period = 0;
    this.phase = 0;
    this.seekNonEmpty();
    this.arm();
  }

  private disarm(): void {
    const t = this.timer;
    this.timer = null;
    if (t === null) return;
    if (this.timerIsImmediate) clearImmediate(t as NodeJS.Immediate);
    else clearTimeout(t as NodeJS.Timeout);
  }

  private arm(): void {
    const left = this.deadline - performance.now();
    if (this.preciseWait !== null) {
      // wake up before the deadline (a timer may fire up to a millisecond late): onTimer sleeps the rest;
      // closer than that, after the I/O already waiting (an immediate runs after the loop's poll)
      this.timerIsImmediate = left <= PRECISE_WAIT_MS;
      this.timer = this.timerIsImmediate ? setImmediate(this.onTimer) : setTimeout(this.onTimer, Math.max(1, Math.floor(left - PRECISE_WAIT_MS)));
      return;
    }
    // Rounding (not flooring) lands libuv's millisecond timers closest to the deadline: measured
    // -0.3..+0.7 ms on an idle loop, where floor fires up to 1.8 ms early.
    const ms = Math.round(left);
    this.timerIsImmediate = false;
    this.timer = setTimeout(this.onTimer, ms >= 1 ? ms : 1);
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    let now = performance.now();
    if (this.preciseWait !== null && now < this.deadline) {
      // slept to the deadline itself: no early start with a precise wait
      const left = this.deadline - now;
      if (left > PRECISE_WAIT_MS) {
        this.arm();
        return;
      }
      this.preciseWait(left);
      now = performance.now();
    } else if (now < this.deadline - this.earlyMs) {
      this.arm();
      return;
    }
    this.inRun = true;
    try {
      const limit = this.maxCatchUp * this.phases;
      let runs = 0;
      do {
        this.runPhase(now);
        this.advance();
        now = performance.now();
        if (now - this.deadline > this.maxCatchUp * this.periodMs) this.skipAhead(now);
      } while (this.live > 0 && now >= this.deadline - this.earlyMs && ++runs < limit);
      if (this.afterRun !== null) this.hook(this.afterRun);
    } finally {
      this.inRun = false;
    }
    if (this.live > 0) this.arm();
  };

  private runPhase(started: number): void {
    const phase = this.phase;
    if (phase === 0) {
      this.index++;
      this.ticks++;
    }
    this.lateness.add(started - this.deadline);
    const tick = this.index;
    const list = this.lists[phase];
    const n = list.length; // listeners added during the run start on their phase's next turn
    for (let i = 0; i < n; i++) {
      const fn = list[i];
      if (fn === null) continue;
      try {
        if (typeof fn === 'function') fn(tick);
        else fn.clockTick(tick);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    if (this.afterPhase !== null) this.hook(this.afterPhase);
    if (this.holes[phase]) {
      this.lists[phase] = this.lists[phase].filter((f) => f !== null);
      this.holes[phase] = false;
    }
    this.work.add(performance.now() - started);
  }

  private hook(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onListenerError(err);
    }
  }

  /** Moves to the next phase that has listeners (phase 0 always counts: it numbers the ticks). */
  private advance(): void {
    this.step();
    this.seekNonEmpty();
  }

  private step(): void {
    this.phase++;
    if (this.phase === this.phases) {
      this.phase = 0;
      this.period++;
    }
  }

  private seekNonEmpty(): void {
    while (this.phase !== 0 && this.counts[this.phase] === 0) this.step();
    this.deadline = this.origin + this.period * this.periodMs + this.phase * this.phaseMs;
  }

  private skipAhead(now: number): void {
    const missed = Math.floor((now - this.deadline) / this.periodMs);
    if (missed <= 0) return;
    this.period += missed;
    this.index += missed;
    this.skipped += missed;
    this.deadline += missed * this.periodMs;
  }
}
