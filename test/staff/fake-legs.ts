// Test doubles of the call port for the transfer's pure-logic unit tests (who is rung, in what order,
// what each party hears, when the wait ends). The acceptance tests (transfer-box.test.ts) use real peers.
import { EventEmitter } from 'node:events';
import type { Bridge, Call, CallEnded, CallEvents, PlayResult, PromptRef, StaffDialRequest, StaffEndpoint, DialRequest } from '../../core/call-port.ts';

const ENDED: CallEnded = { outcome: 'human', sipCode: 200, q850: 16, durations: { setupMs: 0, ringMs: 0, talkMs: 0, totalMs: 0 }, endedBy: 'local' };

/** A call whose prompts last `promptMs` (or until aborted); records what was played, and when. */
export class FakeLeg extends EventEmitter<CallEvents> implements Call {
  state: Call['state'];
  readonly done: Promise<CallEnded>;
  private resolveDone!: (e: CallEnded) => void;
  readonly played: Array<{ id: string; at: number; endedAt?: number; completed?: boolean }> = [];
  bridgedWith: FakeLeg | null = null;
  private bridgeEnd: ((r: { endedBy: 'this' | 'other' | 'unbridged' }) => void) | null = null;
  /** Called when this leg is bridged (a test ends the conversation from there). */
  onBridged: (() => void) | null = null;
  /** A key pressed during the next play (barge-in). */
  pressDuringPlay: string | null = null;

  constructor(readonly id: string, answered: boolean, private readonly promptMs = 200) {
    super();
    this.state = answered ? 'answered' : 'ringing';
    this.done = new Promise((r) => { this.resolveDone = r; });
  }

  answer(): void {
    this.state = 'answered';
    this.emit('answered');
  }

  end(by: 'local' | 'remote' = 'remote'): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    const e = { ...ENDED, endedBy: by };
    this.emit('ended', e);
    this.resolveDone(e);
    if (this.bridgeEnd) this.bridgeEnd({ endedBy: 'this' });
    if (this.bridgedWith?.bridgeEnd) this.bridgedWith.bridgeEnd({ endedBy: 'other' });
  }

  play(prompt: PromptRef, opts: { bargeIn?: boolean; signal?: AbortSignal } = {}): Promise<PlayResult> {
    const entry: { id: string; at: number; endedAt?: number; completed?: boolean } = { id: prompt.id, at: Date.now() };
    this.played.push(entry);
    return new Promise((resolve) => {
      const finish = (r: PlayResult): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        entry.endedAt = Date.now();
        entry.completed = r.completed;
        resolve(r);
      };
      const timer = setTimeout(() => {
        const key = this.pressDuringPlay;
        if (key && opts.bargeIn) {
          this.pressDuringPlay = null;
          this.emit('dtmf', { digit: key, source: 'rfc4733' });
          finish({ completed: false, interruptedBy: key, playedMs: this.promptMs / 2 });
        } else finish({ completed: true, playedMs: this.promptMs });
      }, this.pressDuringPlay ? this.promptMs / 2 : this.promptMs);
      const onAbort = (): void => finish({ completed: false, playedMs: 1 });
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  collect(): Promise<string> {
    return Promise.resolve('');
  }

  async hangup(): Promise<void> {
    this.end('local');
  }

  bridge(other: Call): Bridge {
    const o = other as FakeLeg;
    this.bridgedWith = o;
    o.bridgedWith = this;
    const done = new Promise<{ endedBy: 'this' | 'other' | 'unbridged' }>((r) => { this.bridgeEnd = r; });
    this.onBridged?.();
    o.onBridged?.();
    return { done, unbridge: () => this.bridgeEnd?.({ endedBy: 'unbridged' }) };
  }
}

/** An engine with staff endpoints; each dialled leg is kept so a test can answer it or let it ring. */
export class FakeStaffEngine {
  readonly staffDials: Array<{ req: StaffDialRequest; leg: FakeLeg; at: number }> = [];
  readonly dials: Array<{ req: DialRequest; leg: FakeLeg }> = [];
  endpoints: StaffEndpoint[] = [];
  /** What happens to each staff leg as it is placed (answer after ms, or ring forever). */
  onStaffDial: (user: string, leg: FakeLeg) => void = () => undefined;

  dialStaff(req: StaffDialRequest): Call {
    const leg = new FakeLeg(`staff-${req.user}-${this.staffDials.length}`, false);
    this.staffDials.push({ req, leg, at: Date.now() });
    this.onStaffDial(req.user, leg);
    return leg;
  }

  staffEndpoints(): StaffEndpoint[] {
    return this.endpoints;
  }

  dial(req: DialRequest): Call {
    const leg = new FakeLeg(`out-${this.dials.length}`, false);
    this.dials.push({ req, leg });
    setTimeout(() => leg.answer(), 50);
    return leg;
  }
}

export function endpoint(user: string, since: number, busy = false): StaffEndpoint {
  return { user, kind: 'browser', source: 'wss', since, busy };
}
