// BASELINE for `npm run bench -- amd`: a fixed-parameter detector that behaves like Asterisk's AMD() as its
// documentation and amd.conf.sample describe it (written from the documented behaviour, not from its
// code), with the sample's defaults and its 5 s analysis window; then the usual dialplan for voicemail
// drop: WaitForSilence before playing. It is here to be measured against, not used by the box.
import { frameMeanAbs } from '../media/dsp/energy.ts';

export const ASTERISK_SAMPLE_DEFAULTS = {
  initialSilenceMs: 2500,
  greetingMs: 1500,
  afterGreetingSilenceMs: 800,
  totalAnalysisMs: 5000,
  minWordMs: 100,
  maxWordMs: 5000,
  betweenWordsSilenceMs: 50,
  maxWords: 2,
  /** Mean absolute amplitude (0..32767) under which a frame is silence. */
  silenceThreshold: 256,
} as const;

export interface BaselineVerdict {
  verdict: 'human' | 'machine' | 'unknown';
  ms: number;
  cause: string;
}

/** AMD() with fixed thresholds: MACHINE on initial silence, long greeting, too many words or a too-long word; HUMAN on silence after a greeting; NOTSURE at the end of the window. */
export class AsteriskLikeAmdBaseline {
  private readonly p = ASTERISK_SAMPLE_DEFAULTS;
  private t = 0;
  private done: BaselineVerdict | null = null;
  private silenceMs = 0;
  private voiceRunMs = 0;
  private voicedTotalMs = 0;
  private words = 0;
  private inWord = false;
  private heardGreeting = false;

  push(frame: Int16Array): BaselineVerdict | null {
    if (this.done) return null;
    this.t += 20;
    const silent = frameMeanAbs(frame) < this.p.silenceThreshold;
    if (silent) {
      this.silenceMs += 20;
      this.voiceRunMs = 0;
      if (this.inWord && this.silenceMs >= this.p.betweenWordsSilenceMs) this.inWord = false;
      if (!this.heardGreeting && this.silenceMs >= this.p.initialSilenceMs) return this.finish('machine', 'INITIALSILENCE');
      if (this.heardGreeting && this.silenceMs >= this.p.afterGreetingSilenceMs) return this.finish('human', 'HUMAN');
    } else {
      this.silenceMs = 0;
      this.voiceRunMs += 20;
      this.voicedTotalMs += 20;
      if (!this.inWord && this.voiceRunMs >= this.p.minWordMs) {
        this.inWord = true;
        this.heardGreeting = true;
        this.words++;
        if (this.words > this.p.maxWords) return this.finish('machine', 'MAXWORDS');
      }
      if (this.voiceRunMs >= this.p.maxWordMs) return this.finish('machine', 'MAXWORDLENGTH');
      if (this.heardGreeting && this.voicedTotalMs >= this.p.greetingMs) return this.finish('machine', 'LONGGREETING');
    }
    if (this.t >= this.p.totalAnalysisMs) return this.finish('unknown', 'TOOLONG');
    return null;
  }

  private finish(verdict: BaselineVerdict['verdict'], cause: string): BaselineVerdict {
    this.done = { verdict, ms: this.t, cause };
    return this.done;
  }
}

/** Dialplan-style voicemail drop: after MACHINE, WaitForSilence(1500) at the same fixed threshold, then play. */
export class WaitForSilenceBaseline {
  private t = 0;
  private armed = false;
  private silenceMs = 0;
  private startedAt: number | null = null;

  constructor(private readonly silenceNeededMs = 1500) {}

  arm(): void {
    this.armed = true;
    this.silenceMs = 0;
  }

  push(frame: Int16Array): number | null {
    this.t += 20;
    if (!this.armed || this.startedAt !== null) return null;
    if (frameMeanAbs(frame) < ASTERISK_SAMPLE_DEFAULTS.silenceThreshold) this.silenceMs += 20;
    else this.silenceMs = 0;
    if (this.silenceMs >= this.silenceNeededMs) {
      this.startedAt = this.t;
      return this.t;
    }
    return null;
  }
}
