// A fake clock for code that schedules with setTimeout and reads performance.now() (the media clock):
// time moves only when the test says, so a test states what happens at each millisecond instead of
// measuring real timers on a loaded machine. Install it around a synchronous stretch of a test and
// restore it before the test awaits anything (ava's own timers must stay real): see withFakeTime().

interface Pending { id: number; at: number; fn: () => void }

export interface FakeTimeOptions {
  /**
   * Added to each timer's due time when it is set (ms; may be negative): stands for a timer that fires
   * late, as on a busy machine, or early, as Node's millisecond timers do.
   */
  jitter?: () => number;
}

export class FakeTime {
  private nowMs = 1000;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly jitter: () => number;

  constructor(opts: FakeTimeOptions = {}) {
    this.jitter = opts.jitter ?? (() => 0);
  }

  /** What performance.now() says. */
  get now(): number {
    return this.nowMs;
  }

  /** Timers set and not yet run or cleared. */
  get timers(): number {
    return this.pending.size;
  }

  /** Replaces setTimeout, setImmediate (and their clears) and performance.now; returns the function that puts them back. */
  install(): () => void {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { setTimeout: g.setTimeout, clearTimeout: g.clearTimeout, setImmediate: g.setImmediate, clearImmediate: g.clearImmediate };
    g.setTimeout = (fn: () => void, ms?: number): unknown => {
      const id = this.nextId++;
      const delay = Math.max(1, Number(ms) || 0); // as Node: less than 1 ms means 1 ms
      this.pending.set(id, { id, at: this.nowMs + delay + this.jitter(), fn });
      return { id, unref() { return this; }, ref() { return this; }, hasRef: () => true };
    };
    g.clearTimeout = (handle: unknown): void => {
      if (typeof handle === 'object' && handle !== null) this.pending.delete((handle as { id: number }).id);
    };
    // an immediate runs at the time it was set, after the timers already due (no jitter: no timer involved)
    g.setImmediate = (fn: () => void): unknown => {
      const id = this.nextId++;
      this.pending.set(id, { id, at: this.nowMs, fn });
      return { id, unref() { return this; }, ref() { return this; }, hasRef: () => true };
    };
    g.clearImmediate = g.clearTimeout;
    const perf = performance as unknown as { now: () => number };
    const own = Object.getOwnPropertyDescriptor(perf, 'now');
    Object.defineProperty(perf, 'now', { value: () => this.nowMs, configurable: true, writable: true });
    return () => {
      g.setTimeout = saved.setTimeout;
      g.clearTimeout = saved.clearTimeout;
      g.setImmediate = saved.setImmediate;
      g.clearImmediate = saved.clearImmediate;
      if (own) Object.defineProperty(perf, 'now', own);
      else delete (perf as { now?: unknown }).now;
    };
  }

  /** Lets `ms` pass, running each timer when it falls due (earliest first), as an idle event loop would. */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      let next: Pending | null = null;
      for (const p of this.pending.values()) {
        if (p.at <= until && (!next || p.at < next.at || (p.at === next.at && p.id < next.id))) next = p;
      }
      if (!next) break;
      this.pending.delete(next.id);
      this.nowMs = Math.max(this.nowMs, next.at);
      next.fn();
    }
    this.nowMs = until;
  }

  /**
   * `ms` pass while the event loop is blocked (a hang, or work inside a callback): no timer runs until
   * the next advance(), which then runs whatever fell due meanwhile.
   */
  stall(ms: number): void {
    this.nowMs += ms;
  }
}

/** Runs `body` with a fake clock installed, and puts the real one back whatever happens. */
export function withFakeTime<T>(body: (time: FakeTime) => T, opts: FakeTimeOptions = {}): T {
  const time = new FakeTime(opts);
  const restore = time.install();
  try {
    return body(time);
  } finally {
    restore();
  }
}

/**
 * The dialer's TimerClock in tests: timers run only when the test moves time on (advanceTo/advance), in
 * order, with the dialer's promises settled between them.
 */
export class FakeTimerClock {
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  schedule(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clear(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time to `to` (ms since the epoch), running every timer due on the way, in order. */
  async advanceTo(to: number): Promise<void> {
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0])) next = e;
      if (!next || next[1].at > to) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = Math.max(this.t, to);
    await settle();
  }
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }
}

/** Lets the promises a timer started run to their next wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
}
