// Outgoing DTMF, one packet interval at a time: RFC 4733 event packets or in-band tones (pre-encoded
// in the session's law), each digit followed by a short gap. The session asks `step()` every tick
// while `active`; playback waits meanwhile.
import { dtmfTone, isDtmfDigit } from '../dsp/goertzel-dtmf.ts';
import { encodeG711, type G711Law } from '../dsp/g711.ts';
import { eventForDigit, planDigitEvent, type EventPacket } from './rfc4733.ts';

export type DtmfMode = 'rfc4733' | 'inband';

export interface DtmfSendOptions {
  mode?: DtmfMode;
  /** Tone or event length per digit; default 100 ms. */
  durationMs?: number;
  /** Pause after each digit; default 60 ms. */
  gapMs?: number;
  /** In-band only: peak amplitude of each sine; default 6000. */
  amplitude?: number;
}

export interface DtmfAction {
  kind: 'event' | 'audio' | 'silence';
  /** kind 'event': the event code and packet fields; `first` marks a new event (new timestamp). */
  event: number;
  packet: EventPacket;
  first: boolean;
  /** kind 'audio': 160 bytes (or fewer at the end) to send from `audio` at `offset`. */
  audio: Buffer;
  offset: number;
}

interface Job {
  digits: string;
  plan: EventPacket[];
  gapTicks: number;
  inband: Buffer | null;
  digit: number;
  packet: number;
  gapLeft: number;
  resolve: () => void;
}

const EMPTY = Buffer.alloc(0);

export class DtmfSender {
  private readonly queue: Job[] = [];
  private readonly action: DtmfAction = { kind: 'silence', event: 0, packet: { marker: false, end: false, duration: 0 }, first: false, audio: EMPTY, offset: 0 };

  constructor(private readonly frameBytes = 160) {}

  get active(): boolean {
    return this.queue.length > 0;
  }

  /** Queues the digits; resolves when the last packet or sample of the last one has been sent (rejects on a non-DTMF character). */
  enqueue(digits: string, mode: DtmfMode, law: G711Law, opts: DtmfSendOptions): Promise<void> {
    for (const d of digits) if (!isDtmfDigit(d)) return Promise.reject(new RangeError(`not a DTMF digit: ${JSON.stringify(d)}`));
    const durationMs = Math.max(40, opts.durationMs ?? 100);
    const gapMs = Math.max(40, opts.gapMs ?? 60);
    const tickMs = this.frameBytes / 8;
    let inband: Buffer | null = null;
    if (mode === 'inband') {
      const parts: Int16Array[] = [];
      for (const d of digits) parts.push(dtmfTone(d, durationMs, opts.amplitude ?? 6000), new Int16Array(Math.round(gapMs * 8)));
      const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        pcm.set(p, o);
        o += p.length;
      }
      inband = encodeG711(law, pcm);
    }
    return new Promise<void>((resolve) => {
      if (digits.length === 0) return resolve();
      this.queue.push({
        digits: digits.toUpperCase(),
        plan: planDigitEvent(durationMs, { packetMs: tickMs }),
        gapTicks: Math.ceil(gapMs / tickMs),
        inband,
        digit: 0,
        packet: 0,
        gapLeft: 0,
        resolve,
      });
    });
  }

  /** What to send this tick; only call while `active`. The returned object is reused. */
  step(): DtmfAction {
    const job = this.queue[0];
    const a = this.action;
    if (job.inband) {
      a.kind = 'audio';
      a.audio = job.inband;
      a.offset = job.packet * this.frameBytes;
      job.packet++;
      if (job.packet * this.frameBytes >= job.inband.length) this.finish();
      return a;
    }
    if (job.gapLeft > 0) {
      a.kind = 'silence';
      if (--job.gapLeft === 0 && job.digit >= job.digits.length) this.finish();
      return a;
    }
    a.kind = 'event';
    a.event = eventForDigit(job.digits[job.digit]) ?? 0;
    a.first = job.packet === 0;
    a.packet = job.plan[job.packet++];
    if (job.packet >= job.plan.length) {
      job.packet = 0;
      job.digit++;
      job.gapLeft = job.gapTicks;
    }
    return a;
  }

  /** Resolves everything queued (the session is closing). */
  cancelAll(): void {
    for (const job of this.queue.splice(0)) job.resolve();
  }

  private finish(): void {
    this.queue.shift()?.resolve();
  }
}
