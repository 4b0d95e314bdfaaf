// The keys a callee presses, as both engines' calls take them: one count per key whatever the carrier
// (RFC 4733, in-band tones, SIP INFO), keys typed ahead of a collect() kept for it, barge-in listeners.
import type { Call, DtmfSource } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';

type DtmfMode = TrunkProfile['dtmf'];

export interface CollectOptions {
  max: number;
  timeoutMs: number;
  terminators?: string;
  /** Ends the wait early with what was typed so far. */
  signal?: AbortSignal;
}

/** A repeat of the same key sooner than this, by a carrier other than RFC 4733, is the same press. */
const REPEAT_MS = 120;

export class CallKeys {
  private rfc4733Seen = false;
  private lastDigit: { digit: string; at: number } | null = null;
  private typeAhead = '';
  private readonly listeners = new Set<(digit: string) => void>();
  private readonly onKey: (digit: string, source: DtmfSource) => void;

  /** onKey hears each key once, before any listener or collect() does (the call's 'dtmf' event). */
  constructor(onKey: (digit: string, source: DtmfSource) => void) {
    this.onKey = onKey;
  }

  /** A key as a carrier reported it; mode is the trunk's DTMF setting. */
  receive(digit: string, source: DtmfSource, mode: DtmfMode): void {
    if (mode !== 'auto' && mode !== source) return;
    if (source === 'rfc4733') this.rfc4733Seen = true;
    // A gateway that sends RFC 4733 may leave the tones in the audio too: count the key once.
    if (source === 'inband' && this.rfc4733Seen) return;
    const now = Date.now();
    if (this.lastDigit && this.lastDigit.digit === digit && now - this.lastDigit.at < REPEAT_MS && source !== 'rfc4733') return;
    this.lastDigit = { digit, at: now };
    this.onKey(digit, source);
    if (this.listeners.size === 0) this.typeAhead += digit;
    for (const w of [...this.listeners]) w(digit);
  }

  /** Forget keys typed so far (a prompt starts: what counts is what is pressed from now on). */
  clearTypeAhead(): void {
    this.typeAhead = '';
  }

  /** Hear every key from now on; the returned function stops it. */
  listen(fn: (digit: string) => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** The call port's collect(): up to max keys, a terminator, or timeoutMs without a key; '' once ended. */
  collect(opts: CollectOptions, call: Pick<Call, 'state' | 'once' | 'off'>): Promise<string> {
    if (call.state === 'ended' || opts.max <= 0 || opts.signal?.aborted) return Promise.resolve('');
    return new Promise((resolve) => {
      let got = '';
      let finished = false;
      let timer: NodeJS.Timeout | null = null;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        this.listeners.delete(onDigit);
        call.off('ended', finish);
        opts.signal?.removeEventListener('abort', finish);
        resolve(got);
      };
      // The timeout runs again after each key: it is the time allowed for the next one.
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(finish, opts.timeoutMs);
      };
      const onDigit = (digit: string): void => {
        if (finished) return;
        if (opts.terminators?.includes(digit)) return finish();
        got += digit;
        if (got.length >= opts.max) return finish();
        arm();
      };
      this.listeners.add(onDigit);
      call.once('ended', finish);
      opts.signal?.addEventListener('abort', finish, { once: true });
      arm();
      // Keys typed ahead since the last prompt ended count.
      const typed = this.typeAhead;
      this.typeAhead = '';
      for (const digit of typed) onDigit(digit);
    });
  }
}
