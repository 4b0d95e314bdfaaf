// Call-progress analysis as both engines wire it: the far end's audio in early media (183 with SDP)
// and in the first seconds after an answer goes to media/dsp's CallProgressDetector, so that a dead
// number's Special Information Tone and announcement, or a gateway's in-band busy tone, end the attempt
// as what it is (invalid number, trunk failure, busy), never as a person or a machine. Gateways that
// answer 200 OK to play the announcement are why the first seconds after the answer are listened to too.
import type { InbandSignal } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { CallProgressDetector } from '../../media/dsp/call-progress.ts';

const FRAME = 160;
/** How long after the answer we still listen for a network's tone (a SIT plays at once). */
export const ANSWERED_LISTEN_MS = 6000;

export class ProgressFeed {
  private readonly detector = new CallProgressDetector();
  private readonly buf = new Int16Array(FRAME);
  private fill = 0;
  private phase: InbandSignal['phase'] = 'early-media';
  private phaseStartMs = 0;
  private over = false;
  private signal: InbandSignal | null = null;
  private readonly onSignal: (s: InbandSignal) => void;

  constructor(onSignal: (s: InbandSignal) => void) {
    this.onSignal = onSignal;
  }

  /** False once a signal was heard, or the listening time after the answer is over. */
  get active(): boolean {
    return !this.over;
  }

  /** The call was answered: listen ANSWERED_LISTEN_MS more (what early media began carries on). */
  answered(): void {
    this.phase = 'answered';
    this.phaseStartMs = this.detector.ms;
  }

  /** The network's signal, once heard (the call is ending on it). */
  get heard(): InbandSignal | null {
    return this.signal;
  }

  /** While a SIT may be under way, what else listens (answering-machine detection) should wait. */
  get holding(): boolean {
    return !this.over && this.detector.sitPending;
  }

  stop(): void {
    this.over = true;
  }

  push(pcm: Int16Array): void {
    let i = 0;
    while (i < pcm.length && !this.over) {
      const n = Math.min(FRAME - this.fill, pcm.length - i);
      this.buf.set(pcm.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill < FRAME) continue;
      this.fill = 0;
      const v = this.detector.push(this.buf);
      const ms = this.detector.ms - this.phaseStartMs;
      if (v) {
        this.over = true;
        this.signal = { kind: v.kind, ...(v.kind === 'sit' ? { variant: v.variant } : {}), outcome: v.outcome, phase: this.phase, ms };
        this.onSignal(this.signal);
      } else if (this.phase === 'answered' && ms >= ANSWERED_LISTEN_MS) {
        this.over = true;
      }
    }
  }
}

/** A call's feed with the signal logged (what was heard, for the attempt's record) before `end` runs. */
export function callProgressFeed(log: Logger, end: (s: InbandSignal) => void): ProgressFeed {
  return new ProgressFeed((s) => {
    log.info({ inband: s.kind, variant: s.variant, phase: s.phase, ms: s.ms, outcome: s.outcome }, 'network tone heard: ending the attempt');
    end(s);
  });
}

/**
 * Answering-machine detection fed behind the progress feed: while a SIT may be under way its frames wait,
 * then go through in order (AMD counts audio, not wall time, so its verdicts keep their timing); if the
 * SIT completes, the call ends and AMD never hears it.
 */
export class HeldAudio {
  private readonly waiting: Int16Array[] = [];
  constructor(private readonly progress: ProgressFeed, private readonly next: (pcm: Int16Array) => void) {}

  push(pcm: Int16Array): void {
    // The network spoke: the call ends on it, and what waited is not a greeting.
    if (this.progress.heard) {
      this.waiting.length = 0;
      return;
    }
    if (this.progress.holding) {
      this.waiting.push(pcm.slice());
      return;
    }
    for (const w of this.waiting.splice(0)) this.next(w);
    this.next(pcm);
  }
}
