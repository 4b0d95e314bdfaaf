// Answering-machine detection from the first seconds of an answered call, fed 20 ms frames of 8 kHz audio.
// The cues are those of the established detectors (Asterisk's app_amd): initial silence, length of the
// greeting, number of words, silence after the greeting, total time. Two differences: the voice threshold
// follows the line's noise floor instead of a fixed level, and the silence that proves a person grows with
// the length of what they said (a short "Hello?" then a pause is a person at once; a longer phrase needs a
// longer pause before we rule out a recorded greeting). A beep heard before any decision is a machine.
import type { AmdOptions } from '../../core/call-port.ts';
import { BeepDetector } from './beep.ts';
import { EnergyVad, FRAME_MS } from './energy.ts';

export type AmdVerdictKind = 'human' | 'machine' | 'unknown';

export type AmdReason =
  | 'short-greeting-then-silence'
  | 'long-greeting'
  | 'too-many-words'
  | 'initial-silence'
  | 'beep'
  | 'analysis-timeout';

export interface AmdVerdict {
  verdict: AmdVerdictKind;
  /** 0..1: how far the deciding cue was past its threshold. */
  confidence: number;
  /** Milliseconds of audio heard when the decision was made. */
  ms: number;
  reason: AmdReason;
  /** What the detector measured, for logs and the per-campaign agreement report. */
  stats: AmdStats;
}

export interface AmdStats {
  initialSilenceMs: number;
  /** From the first word to the end of the last word of the current utterance. */
  greetingMs: number;
  voicedMs: number;
  words: number;
  silenceAfterMs: number;
}

export type ResolvedAmdOptions = Required<AmdOptions>;

/**
 * Defaults, tuned on the seed-1 corpus (240 cases; bench/amd.ts reports a held-out seed). Asterisk's amd.conf.sample
 * uses 2500/1500/800/5000/100/50/2. Our greeting limit is longer because it spans a whole utterance with
 * its short pauses (people say "Hello? ... Hello, can you hear me?"); a wrong "machine" costs a person the
 * message, a late "machine" costs nothing since the voicemail message waits for the beep anyway. The
 * after-greeting silence applies to a 0.7 s utterance and grows with longer ones (requiredSilenceMs),
 * which keeps people's median decision near 2.3 s. Word counting stays as a safety net only (energy segmentation
 * splits syllables, so a low limit mistakes talkative people for machines).
 */
export const AMD_DEFAULTS: ResolvedAmdOptions = {
  initialSilenceMs: 3000,
  greetingMs: 3000,
  afterGreetingSilenceMs: 650,
  totalAnalysisMs: 5000,
  minWordMs: 100,
  betweenWordsSilenceMs: 60,
  maxWords: 10,
  beepTimeoutMs: 20000,
};

/** Campaign settings over the defaults; `true` means defaults. Out-of-range values are clamped. */
export function resolveAmdOptions(opts?: AmdOptions | boolean): ResolvedAmdOptions {
  const o = typeof opts === 'object' && opts !== null ? opts : {};
  const pick = (v: number | undefined, d: number, lo: number, hi: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : d;
  const d = AMD_DEFAULTS;
  return {
    initialSilenceMs: pick(o.initialSilenceMs, d.initialSilenceMs, 500, 10000),
    greetingMs: pick(o.greetingMs, d.greetingMs, 500, 10000),
    afterGreetingSilenceMs: pick(o.afterGreetingSilenceMs, d.afterGreetingSilenceMs, 200, 5000),
    totalAnalysisMs: pick(o.totalAnalysisMs, d.totalAnalysisMs, 1000, 30000),
    minWordMs: pick(o.minWordMs, d.minWordMs, 20, 1000),
    betweenWordsSilenceMs: pick(o.betweenWordsSilenceMs, d.betweenWordsSilenceMs, 20, 1000),
    maxWords: pick(o.maxWords, d.maxWords, 1, 100),
    beepTimeoutMs: pick(o.beepTimeoutMs, d.beepTimeoutMs, 1000, 120000),
  };
}

/** Internal constants, exposed for the benchmark's tuning runs; campaigns set AmdOptions only. */
export interface AmdTuning {
  /** Silence needed changes by this much per millisecond of utterance away from `silenceKneeMs`. */
  silenceSlope: number;
  silenceKneeMs: number;
  /** Never less silence than this, however short the word (a breath between words is ~200 ms). */
  minSilenceMs: number;
}

export const AMD_TUNING: AmdTuning = { silenceSlope: 0.3, silenceKneeMs: 700, minSilenceMs: 600 };

/**
 * Silence after an utterance that makes it a person's: the configured pause after a short word, growing
 * with every millisecond of speech beyond the knee (a longer phrase could be the first sentence of a
 * recorded greeting, so we wait longer before ruling that out).
 */
export function requiredSilenceMs(o: ResolvedAmdOptions, utteranceMs: number, tuning: AmdTuning = AMD_TUNING): number {
  return Math.max(tuning.minSilenceMs, o.afterGreetingSilenceMs + (utteranceMs - tuning.silenceKneeMs) * tuning.silenceSlope);
}

export class AnsweringMachineDetector {
  private readonly o: ResolvedAmdOptions;
  private readonly vad = new EnergyVad();
  private readonly beep = new BeepDetector();
  private t = 0;
  private verdictValue: AmdVerdict | null = null;
  // Segmentation state.
  private voiceRun = 0;
  private silenceRun = 0;
  private inWord = false;
  private words = 0;
  private firstWordMs = -1;
  private utteranceStartMs = -1;
  private lastWordEndMs = -1;
  private voicedMs = 0;

  private readonly tuning: AmdTuning;

  constructor(opts?: AmdOptions | boolean, tuning: Partial<AmdTuning> = {}) {
    this.o = resolveAmdOptions(opts);
    this.tuning = { ...AMD_TUNING, ...tuning };
  }

  get options(): ResolvedAmdOptions {
    return this.o;
  }

  get verdict(): AmdVerdict | null {
    return this.verdictValue;
  }

  /** Feed one 20 ms frame (160 samples); returns the verdict once, when decided, and null before and after. */
  push(frame: Int16Array): AmdVerdict | null {
    if (this.verdictValue) return null;
    this.t += FRAME_MS;
    const now = this.t;
    const v = this.vad.push(frame);
    const beep = this.beep.push(frame);
    if (beep) return this.decide('machine', 0.99, 'beep');

    if (v.voiced) {
      this.voiceRun += FRAME_MS;
      this.silenceRun = 0;
      if (this.inWord) this.voicedMs += FRAME_MS;
      else if (this.voiceRun >= this.o.minWordMs) {
        // A word starts once voice has lasted minWordMs: clicks and pops never count.
        this.inWord = true;
        this.words++;
        this.voicedMs += this.voiceRun;
        const start = now - this.voiceRun;
        if (this.firstWordMs < 0) this.firstWordMs = start;
        if (this.utteranceStartMs < 0) this.utteranceStartMs = start;
      }
    } else {
      this.silenceRun += FRAME_MS;
      if (this.silenceRun >= this.o.betweenWordsSilenceMs || !this.inWord) {
        if (this.inWord) this.lastWordEndMs = now - this.silenceRun;
        this.inWord = false;
        this.voiceRun = 0;
      }
    }

    if (this.words >= this.o.maxWords) return this.decide('machine', 0.75, 'too-many-words');

    if (this.firstWordMs < 0) {
      if (now >= this.o.initialSilenceMs) return this.decide('machine', 0.6, 'initial-silence');
    } else {
      const utteranceEnd = this.inWord ? now : this.lastWordEndMs;
      const utteranceMs = utteranceEnd - this.utteranceStartMs;
      if (utteranceMs >= this.o.greetingMs) {
        return this.decide('machine', Math.min(0.97, 0.8 + (utteranceMs - this.o.greetingMs) / 5000), 'long-greeting');
      }
      if (!this.inWord && this.lastWordEndMs >= 0) {
        const silence = now - this.lastWordEndMs;
        const need = requiredSilenceMs(this.o, utteranceMs, this.tuning);
        if (silence >= need) {
          const margin = 1 - utteranceMs / this.o.greetingMs;
          return this.decide('human', Math.max(0.55, Math.min(0.95, 0.55 + margin * 0.45)), 'short-greeting-then-silence');
        }
      }
    }
    if (now >= this.o.totalAnalysisMs) {
      // Still talking at the end of the window: far more often a recording than a person.
      if (this.inWord) return this.decide('machine', 0.6, 'analysis-timeout');
      return this.decide('unknown', 0, 'analysis-timeout');
    }
    return null;
  }

  private decide(verdict: AmdVerdictKind, confidence: number, reason: AmdReason): AmdVerdict {
    const utteranceEnd = this.inWord ? this.t : this.lastWordEndMs;
    const stats: AmdStats = {
      initialSilenceMs: this.firstWordMs >= 0 ? this.firstWordMs : this.t,
      greetingMs: this.utteranceStartMs >= 0 ? Math.max(0, utteranceEnd - this.utteranceStartMs) : 0,
      voicedMs: this.voicedMs,
      words: this.words,
      silenceAfterMs: this.inWord || this.lastWordEndMs < 0 ? 0 : this.t - this.lastWordEndMs,
    };
    this.verdictValue = { verdict, confidence: Math.round(confidence * 100) / 100, ms: this.t, reason, stats };
    return this.verdictValue;
  }
}
