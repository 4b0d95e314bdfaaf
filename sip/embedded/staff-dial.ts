// Ringing a staff user (issue 16's dialStaff): every registered endpoint rings at once, the first to
// answer takes the call and the others are cancelled. The result is one Call: it answers when a leg
// answers, then plays, collects, records and bridges through that leg; unanswered, it ends with the
// most telling failure of its legs (a decline over a timeout), or 480 when nobody is registered.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Bridge, Call, CallEnded, CallEvents, PlayResult, PromptRef, RecordOptions, RecordResult } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import type { CollectOptions } from '../shared/call-keys.ts';
import type { StaffBinding, StaffRegistry } from '../shared/staff-registry.ts';
import type { RelayLeg } from '../../media/rtp/relay-leg.ts';
import { bridgeCalls, type Bridgeable, type CallMediaLeg } from './leg-call.ts';

export interface StaffLeg {
  call: Bridgeable & { forceEnd(reason: string): void; listenLeg(): CallMediaLeg | null };
  binding: StaffBinding;
}

type State = Call['state'];

/** Which unanswered end says most about why nobody took the call. */
function rank(e: CallEnded): number {
  if (e.outcome === 'declined' || e.outcome === 'busy') return 3;
  if (e.outcome === 'no-answer') return 2;
  return 1;
}

export class StaffCall extends EventEmitter<CallEvents> implements Bridgeable {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  private st: State = 'dialling';
  private winner: StaffLeg | null = null;
  private readonly legs: StaffLeg[];
  private readonly registry: StaffRegistry;
  private readonly log: Logger;
  private resolveDone!: (e: CallEnded) => void;
  private readonly startedAt = Date.now();

  constructor(legs: StaffLeg[], registry: StaffRegistry, log: Logger) {
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

  get state(): State { return this.st; }

  /** The endpoint that took the call. */
  get answeredBy(): StaffBinding | null { return this.winner?.binding ?? null; }

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

  listenLeg(): CallMediaLeg | null {
    return this.winner?.call.listenLeg() ?? null;
  }

  relayLeg(): RelayLeg | null {
    return this.winner?.call.relayLeg() ?? null;
  }

  bridge(other: Call): Bridge {
    return bridgeCalls(this, other);
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

  private watch(leg: StaffLeg): void {
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
      this.registry.setBusy(leg.binding, true);
      for (const other of this.legs) if (other !== leg) void other.call.hangup('answered elsewhere');
      c.on('dtmf', (e) => this.emit('dtmf', e));
      this.log.info({ user: leg.binding.user, kind: leg.binding.kind }, 'staff endpoint answered');
      this.emit('answered');
    });
    void c.done.then((e) => {
      if (this.winner === leg) {
        this.registry.setBusy(leg.binding, false);
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
