// Ringing a staff user (issue 16's dialStaff), the same in both engines: every free endpoint rings at
// once, the first to answer takes the call and the others are cancelled. The result is one Call: it
// answers when a leg answers, then plays, collects and records through that leg; unanswered, it ends
// with the most telling failure of its legs (a decline over a timeout), or 480 when nobody is
// registered. Each engine adds how the answering leg is bridged (its own media).
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Bridge, Call, CallEnded, CallEvents, PlayResult, PromptRef, RecordOptions, RecordResult } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import type { CollectOptions } from './call-keys.ts';
import type { StaffBinding, StaffRegistry } from './staff-registry.ts';

/** What a ringing leg must offer: a Call the engine can also end at once. */
export type RingLegCall = Call & { forceEnd(reason: string): void };

export interface RingLeg<C extends RingLegCall = RingLegCall> {
  call: C;
  binding: StaffBinding;
  /** The leg's place at the start line its call waits at (RingTogether): given up when the call ends. */
  start?: RingStart;
}

/** One leg's place at a RingTogether start line. */
export interface RingStart {
  /** This leg's media is ready: resolves when it may send its INVITE. */
  ready(): Promise<void>;
  /** This leg will not ring after all (its set-up failed, or it ended); a no-op once ready. */
  drop(): void;
}

/**
 * Rings every leg of one ring-all at the same moment. Each leg sets up its media first (a media
 * worker's round trip, a WebRTC leg gathering candidates), and those take different times: without a
 * start line, the endpoint whose media was ready first rang first, could answer before the other had
 * been sent its INVITE, and the other never rang at all. Each leg waits at ready() until every leg
 * is ready or has dropped out, or until `maxWaitMs` after seal() (a slow leg does not hold the others back longer).
 */
export class RingTogether {
  private members = 0;
  private arrived = 0;
  private sealed = false;
  private open = false;
  private timer: NodeJS.Timeout | null = null;
  private release!: () => void;
  private readonly go = new Promise<void>((resolve) => { this.release = resolve; });

  constructor(private readonly maxWaitMs = 2000) {}

  /** A place for one more leg (before seal()). */
  member(): RingStart {
    if (this.sealed) throw new Error('RingTogether.member() after seal()');
    this.members++;
    let done = false;
    const arrive = (): void => {
      if (done) return;
      done = true;
      this.arrived++;
      this.check();
    };
    return {
      ready: () => { arrive(); return this.go; },
      drop: arrive,
    };
  }

  /** Every leg has its place: the line opens when they have all arrived, or after maxWaitMs. */
  seal(): void {
    this.sealed = true;
    this.check();
    if (!this.open) this.timer = setTimeout(() => this.openLine(), this.maxWaitMs);
  }

  private check(): void {
    if (this.sealed && this.arrived >= this.members) this.openLine();
  }

  private openLine(): void {
    if (this.open) return;
    this.open = true;
    if (this.timer) clearTimeout(this.timer);
    this.release();
  }
}

/** Which unanswered end says most about why nobody took the call. */
function rank(e: CallEnded): number {
  if (e.outcome === 'declined' || e.outcome === 'busy') return 3;
  if (e.outcome === 'no-answer') return 2;
  return 1;
}

export abstract class RingAllCall<C extends RingLegCall> extends EventEmitter<CallEvents> implements Call {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  protected readonly log: Logger;
  protected winner: RingLeg<C> | null = null;
  private st: Call['state'] = 'dialling';
  private readonly legs: RingLeg<C>[];
  private readonly registry: StaffRegistry | null;
  private resolveDone!: (e: CallEnded) => void;
  private readonly startedAt = Date.now();

  /** `registry` marks the answering endpoint busy while it talks (null: an engine without staff side). */
  constructor(legs: RingLeg<C>[], registry: StaffRegistry | null, log: Logger) {
    super();
    this.legs = legs;
    this.registry = registry;
    this.log = log.child({ call: this.id, staff: true });
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    if (legs.length === 0) {
      setImmediate(() => this.finish({
        outcome: 'no-answer', sipCode: 480, q850: 18, endedBy: 'local', reason: 'no staff endpoint registered',
        durations: { setupMs: 0, ringMs: 0, talkMs: 0, totalMs: 0 },
      }));
      return;
    }
    for (const leg of legs) this.watch(leg);
  }

  get state(): Call['state'] { return this.st; }

  /** The endpoint that took the call. */
  get answeredBy(): StaffBinding | null { return this.winner?.binding ?? null; }

  abstract bridge(other: Call): Bridge;

  play(prompt: PromptRef, opts?: { bargeIn?: boolean; signal?: AbortSignal }): Promise<PlayResult> {
    return this.winner ? this.winner.call.play(prompt, opts) : Promise.resolve({ completed: false, playedMs: 0 });
  }

  collect(opts: CollectOptions): Promise<string> {
    return this.winner ? this.winner.call.collect(opts) : Promise.resolve('');
  }

  async record(opts: RecordOptions): Promise<RecordResult> {
    const c = this.winner?.call;
    return c?.record ? c.record(opts) : { ms: 0, endedBy: 'hangup', spoke: false };
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.st === 'ended') return;
    if (this.winner) await this.winner.call.hangup(reason);
    else await Promise.all(this.legs.map((l) => l.call.hangup(reason)));
    await this.done;
  }

  forceEnd(reason: string): void {
    for (const l of this.legs) l.call.forceEnd(reason);
  }

  private watch(leg: RingLeg<C>): void {
    const c = leg.call;
    c.on('progress', (p) => {
      if (this.st !== 'dialling') return;
      this.st = 'ringing';
      this.emit('progress', p);
    });
    c.on('answered', () => {
      if (this.winner || this.st === 'ended') {
        void c.hangup('answered elsewhere');
        return;
      }
      this.winner = leg;
      this.st = 'answered';
      this.registry?.setBusy(leg.binding, true);
      for (const other of this.legs) if (other !== leg) void other.call.hangup('answered elsewhere');
      c.on('dtmf', (e) => this.emit('dtmf', e));
      this.log.info({ user: leg.binding.user, kind: leg.binding.kind }, 'staff endpoint answered');
      this.emit('answered');
    });
    void c.done.then((e) => {
      leg.start?.drop();
      if (this.winner === leg) {
        this.registry?.setBusy(leg.binding, false);
        this.finish(e);
        return;
      }
      if (this.winner) return;
      if (this.legs.every((l) => l === leg || l.call.state === 'ended')) {
        void Promise.all(this.legs.map((l) => l.call.done)).then((ends) => {
          const best = ends.reduce((a, b) => (rank(b) > rank(a) ? b : a));
          this.finish({ ...best, durations: { ...best.durations, totalMs: Date.now() - this.startedAt } });
        });
      }
    });
  }

  private finish(e: CallEnded): void {
    if (this.st === 'ended') return;
    this.st = 'ended';
    this.resolveDone(e);
    this.emit('ended', e);
  }
}
