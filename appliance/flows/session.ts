// A flow's running state on one call, and the only place verbs reach the call (through the call port):
// prompts with barge-in, keys with first-key and between-keys timeouts, recordings, the opt-out key
// watched everywhere, answers and the path kept for the attempt.
import { rm } from 'node:fs/promises';
import type { Call, PromptRef } from '../../core/call-port.ts';
import type { CallbackOption, FlowPrompt, TransferStep } from './model.ts';

export interface CallbackBooking {
  /** Epoch ms of the new attempt (inside the slot and the campaign's windows). */
  at: number;
  /** End of the chosen slot. */
  until: number;
  label: string;
}

export interface SpokenAnswer {
  name: string;
  file: string;
  ms: number;
}

export interface FlowEnv {
  /** The prompt a step names, resolved before the call (recordings, rendered text). */
  prompt: (p: FlowPrompt) => PromptRef;
  /** The campaign's opt-out key. */
  optOutKey?: string;
  now: () => number;
  /** The slot of a callback choice as epoch ms, clipped to the campaign's windows; null when none is left. */
  slot: (o: CallbackOption) => { at: number; until: number } | null;
  /** Where a spoken answer is written; null = recording is not possible here. */
  recordFile: (name: string) => string | null;
  /** Hands the callee to a person (appliance/staff/transfer.ts); absent = no transfer here (the fallback runs). */
  transfer?: (call: Call, req: TransferRequest) => Promise<TransferRecord>;
}

/** What a `transfer` step asks of the box. */
export interface TransferRequest {
  step: TransferStep;
  /** The answers so far (the whisper says them to the staff member). */
  answers: Readonly<Record<string, string>>;
  /** The step's hold prompt, resolved; absent = the box's hold music. */
  hold?: PromptRef;
  /** The campaign's opt-out key: it works while the callee waits, too. */
  optOutKey?: string;
  /** The flow is stopped (the call is over). */
  signal?: AbortSignal;
}

export type TransferOutcome = 'connected' | 'no-answer' | 'no-staff' | 'refused' | 'failed' | 'caller-hung-up' | 'opted-out';

/** How a transfer went, kept with the attempt (migration 0130) and shown in the report. */
export interface TransferRecord {
  outcome: TransferOutcome;
  /** From the start of the transfer until someone answered, or until the wait ended. */
  waitMs: number;
  /** The conversation's length (0 when nobody was connected). */
  talkMs: number;
  /** The box user who took it, or `external:<hash>` for one of the organisation's numbers; null when nobody did. */
  takenBy: string | null;
}

type Said = { optOut: boolean };

export class FlowSession {
  /** A key that stopped a prompt, kept for the next input step. */
  private pending = '';
  private readonly gotos = new Map<string, number>();
  readonly answers: Record<string, string> = {};
  readonly recordings: SpokenAnswer[] = [];
  readonly notes: string[] = [];
  callback: CallbackBooking | null = null;
  /** The last transfer of this call. */
  transferred: TransferRecord | null = null;
  messagePlayedMs = 0;
  messageCompleted = false;
  /** Why the last try of a gather/menu failed (chooses the re-prompt). */
  lastMiss: 'no-input' | 'invalid' = 'no-input';

  private readonly stop: AbortSignal | undefined;

  /** `stop`: the flow is over when it fires (detection said "machine": the voicemail message takes over). */
  constructor(private readonly call: Call, private readonly env: FlowEnv, stop?: AbortSignal) {
    this.stop = stop;
  }

  /** The flow cannot go on: the call ended, or it was stopped. */
  get ended(): boolean {
    return this.call.state === 'ended' || this.stop?.aborted === true;
  }

  private isOptOut(key: string | undefined): boolean {
    return Boolean(key && this.env.optOutKey && key === this.env.optOutKey);
  }

  /** Plays a prompt; the opt-out key always stops it. `keepKey`: another key stops it too and is kept. */
  async say(p: FlowPrompt, o: { keepKey: boolean }): Promise<Said> {
    if (this.ended) return { optOut: false };
    const interruptible = o.keepKey || Boolean(this.env.optOutKey);
    const r = await this.call.play(this.env.prompt(p), { bargeIn: interruptible, ...(this.stop ? { signal: this.stop } : {}) });
    if ('message' in p) {
      this.messagePlayedMs += r.playedMs;
      this.messageCompleted ||= r.completed;
    }
    if (this.isOptOut(r.interruptedBy)) return { optOut: true };
    if (r.interruptedBy && o.keepKey) this.pending = r.interruptedBy;
    return { optOut: false };
  }

  /**
   * The question of an input step: on the first try its prompt (unless a key is already waiting); on a
   * later try the re-prompt for what went wrong, or the question again.
   */
  async ask(attempt: number, prompt?: FlowPrompt, noInput?: FlowPrompt, invalid?: FlowPrompt): Promise<Said> {
    if (this.pending) return { optOut: false };
    const p = attempt === 1 ? prompt : (this.lastMiss === 'invalid' ? invalid : noInput) ?? prompt;
    return p ? this.say(p, { keepKey: true }) : { optOut: false };
  }

  /** Up to `max` keys: `firstMs` for the first, `interMs` between; a waiting key counts as the first. */
  async keys(o: { max: number; firstMs: number; interMs?: number; terminator?: string }): Promise<{ optOut: boolean; keys: string }> {
    let got = this.pending;
    this.pending = '';
    const stop = this.stop ? { signal: this.stop } : {};
    if (!got && !this.ended) got = await this.call.collect({ max: 1, timeoutMs: o.firstMs, ...(o.terminator ? { terminators: o.terminator } : {}), ...stop });
    if (this.isOptOut(got.slice(0, 1))) return { optOut: true, keys: '' };
    if (o.terminator && got === o.terminator) return { optOut: false, keys: '' };
    if (got && got.length < o.max && !this.ended) {
      got += await this.call.collect({ max: o.max - got.length, timeoutMs: o.interMs ?? o.firstMs, ...(o.terminator ? { terminators: o.terminator } : {}), ...stop });
    }
    return { optOut: false, keys: got };
  }

  /** Records a spoken answer with the call port; the opt-out key ends it and drops the file. */
  async record(name: string, o: { maxMs: number; silenceMs: number; endKeys: string }): Promise<{ optOut: boolean }> {
    this.pending = '';
    const file = this.env.recordFile(name);
    if (!this.call.record || !file || this.ended) {
      this.note(`record-unavailable:${name}`);
      return { optOut: false };
    }
    const keys = o.endKeys + (this.env.optOutKey ?? '');
    const r = await this.call.record({ file, maxMs: o.maxMs, silenceMs: o.silenceMs, ...(keys ? { endKeys: keys } : {}) });
    if (this.isOptOut(r.key)) {
      await rm(file, { force: true });
      return { optOut: true };
    }
    if (r.ms > 0) {
      this.recordings.push({ name, file, ms: r.ms });
      this.answers[name] = `recording:${Math.round(r.ms)}ms`;
    }
    return { optOut: false };
  }

  /** Hands the callee to a person; the opt-out key works while they wait. */
  async transfer(step: TransferStep): Promise<{ optOut: boolean; record: TransferRecord }> {
    this.pending = '';
    if (!this.env.transfer || this.ended) {
      this.note('transfer-unavailable');
      const record: TransferRecord = { outcome: 'failed', waitMs: 0, talkMs: 0, takenBy: null };
      this.transferred = record;
      return { optOut: false, record };
    }
    const record = await this.env.transfer(this.call, {
      step,
      answers: { ...this.answers },
      ...(step.holdPrompt ? { hold: this.env.prompt(step.holdPrompt) } : {}),
      ...(this.env.optOutKey ? { optOutKey: this.env.optOutKey } : {}),
      ...(this.stop ? { signal: this.stop } : {}),
    });
    this.transferred = record;
    return { optOut: record.outcome === 'opted-out', record };
  }

  answer(name: string, value: string): void {
    this.answers[name] = value;
  }

  slot(o: CallbackOption): { at: number; until: number } | null {
    return this.env.slot(o);
  }

  bookCallback(b: CallbackBooking): void {
    this.callback = b;
  }

  countGoto(id: string): number {
    const n = (this.gotos.get(id) ?? 0) + 1;
    this.gotos.set(id, n);
    return n;
  }

  note(what: string): void {
    this.notes.push(what);
  }
}
