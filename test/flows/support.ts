// A scripted person on a fake call, for the flow runner's unit tests (pure logic: the call port is the
// only thing it touches). `keys` answers each collect() in turn ('' = no key; several characters are
// typed one collect at a time as the runner asks); a key written '!k' interrupts the prompt being played.
// `optOutAt` presses the opt-out key at that interaction instead (plays, first keys and records count).
import { EventEmitter } from 'node:events';
import type { Call, CallEnded, CallEvents, PlayResult, PromptRef, RecordOptions, RecordResult } from '../../core/call-port.ts';
import type { Flow, FlowPrompt } from '../../appliance/flows/model.ts';
import { promptKey } from '../../appliance/flows/model.ts';
import type { FlowEnv } from '../../appliance/flows/session.ts';
import { callbackSlot } from '../../appliance/flows/callback-slot.ts';

export class ScriptedCall extends EventEmitter<CallEvents> implements Call {
  readonly id = 'scripted';
  state: Call['state'] = 'answered';
  readonly done: Promise<CallEnded>;
  private resolveDone!: (e: CallEnded) => void;
  /** What the person heard, as prompt ids, and what happened at each interaction. */
  readonly heard: string[] = [];
  interactions = 0;
  private pendingTyped = '';

  constructor(private readonly keys: string[], private readonly o: { optOutKey?: string; optOutAt?: number; recordMs?: number; dialled?: boolean } = {}) {
    super();
    this.done = new Promise((r) => { this.resolveDone = r; });
    if (o.dialled) {
      // Dialled by a fake engine: answered on the next turn, once the dialer listens.
      this.state = 'dialling';
      setImmediate(() => {
        this.state = 'answered';
        this.emit('answered');
      });
    }
  }

  private optOutNow(): boolean {
    const now = this.interactions++;
    return this.o.optOutAt === now && this.o.optOutKey !== undefined;
  }

  private press(digit: string): void {
    this.emit('dtmf', { digit, source: 'rfc4733' });
  }

  async play(prompt: PromptRef, opts?: { bargeIn?: boolean }): Promise<PlayResult> {
    this.heard.push(prompt.id);
    if (this.optOutNow() && opts?.bargeIn) {
      this.press(this.o.optOutKey!);
      return { completed: false, interruptedBy: this.o.optOutKey!, playedMs: 500 };
    }
    const next = this.keys[0];
    if (next?.startsWith('!') && opts?.bargeIn) {
      this.keys.shift();
      this.press(next[1]!);
      if (next.length > 2) this.pendingTyped = next.slice(2);
      return { completed: false, interruptedBy: next[1]!, playedMs: 500 };
    }
    return { completed: true, playedMs: 2000 };
  }

  async collect(opts: { max: number; timeoutMs: number; terminators?: string }): Promise<string> {
    // In the middle of typing an answer the opt-out key is a digit like the others (only the first key of
    // a gather opts out), so it is not an interaction of its own.
    if (!this.pendingTyped && this.optOutNow()) {
      this.press(this.o.optOutKey!);
      return this.o.optOutKey!;
    }
    let typed = this.pendingTyped;
    this.pendingTyped = '';
    if (!typed) {
      const k = this.keys.shift() ?? '';
      typed = k.startsWith('!') ? k.slice(1) : k;
    }
    let got = '';
    for (const d of typed) {
      this.press(d);
      if (opts.terminators?.includes(d)) return got;
      got += d;
      if (got.length >= opts.max) {
        this.pendingTyped = typed.slice(got.length);
        break;
      }
    }
    return got;
  }

  async record(o: RecordOptions): Promise<RecordResult> {
    if (this.optOutNow()) {
      this.press(this.o.optOutKey!);
      return { ms: 300, endedBy: 'key', key: this.o.optOutKey!, spoke: false };
    }
    return { ms: this.o.recordMs ?? 2500, endedBy: 'silence', spoke: true, ...(o.endKeys ? {} : {}) };
  }

  async hangup(): Promise<void> {
    if (this.state === 'ended') return;
    this.state = 'ended';
    const e: CallEnded = { outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local', durations: { setupMs: 0, ringMs: 0, talkMs: 1000, totalMs: 1000 } };
    this.emit('ended', e);
    this.resolveDone(e);
  }
}

/** Prompts named after their flow prompt (so tests can read what was heard). */
export function promptOf(p: FlowPrompt): PromptRef {
  const id = promptKey(p);
  return { id, pcmu: `${id}.pcmu`, pcma: `${id}.pcma` };
}

/** A flow environment at a fixed instant, for a callee in `zone` called Monday to Saturday 09:00-20:00. */
export function testEnv(now: number, o: { optOutKey?: string; zone?: string } = {}): FlowEnv {
  return {
    prompt: promptOf,
    ...(o.optOutKey ? { optOutKey: o.optOutKey } : {}),
    now: () => now,
    slot: (opt) => callbackSlot(opt, now, [o.zone ?? 'Europe/Paris'], { startDate: null, endDate: null, windows: [{ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '20:00' }] }),
    recordFile: (name) => `/answers/${name}.wav`,
  };
}

export type { Flow };
