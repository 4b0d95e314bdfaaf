// When to start the voicemail message: right after the beep; without a beep, once the greeting has ended
// (silence after speech); in any case after a timeout. If a beep turns up shortly after we started on
// silence, the message is restarted after it, since the box only records from its beep.
import { BeepDetector, type BeepEvent, type BeepOptions } from './beep.ts';
import { EnergyVad, FRAME_MS } from './energy.ts';

export interface EndOfGreetingOptions {
  /** Silence after speech that ends the greeting. */
  silenceMs?: number;
  /** Speech needed before a silence counts (a click or a breath is not a greeting). */
  minSpeechMs?: number;
}

/** Reports the end of speech once `silenceMs` of silence has followed it; again if speech resumes and stops. */
export class EndOfGreetingDetector {
  private readonly silenceMs: number;
  private readonly minSpeechMs: number;
  private readonly vad = new EnergyVad();
  private t = 0;
  private speechMs = 0;
  private voiceRun = 0;
  private lastVoiceEndMs = -1;
  private lastVoiceStartMs = -1;
  private reported = false;

  constructor(opts: EndOfGreetingOptions = {}) {
    this.silenceMs = opts.silenceMs ?? 1200;
    this.minSpeechMs = opts.minSpeechMs ?? 300;
  }

  /** True while sustained voice is going on (not a click). */
  get speaking(): boolean {
    return this.voiceRun >= 60;
  }

  get lastSpeechEndMs(): number {
    return this.lastVoiceEndMs;
  }

  /** Start of the latest sustained voice (-1 if none yet). */
  get lastSpeechStartMs(): number {
    return this.lastVoiceStartMs;
  }

  push(frame: Int16Array): { speechEndMs: number } | null {
    const at = this.t;
    this.t += FRAME_MS;
    const v = this.vad.push(frame);
    if (v.voiced) {
      this.voiceRun += FRAME_MS;
      // Short blips (clicks, a pop) are not speech; sustained voice re-arms the detector.
      if (this.voiceRun >= 60) {
        if (this.voiceRun === 60) {
          this.speechMs += 60;
          this.lastVoiceStartMs = this.t - 60;
        } else this.speechMs += FRAME_MS;
        this.reported = false;
      }
      return null;
    }
    if (this.voiceRun >= 60) this.lastVoiceEndMs = at;
    this.voiceRun = 0;
    if (!this.reported && this.speechMs >= this.minSpeechMs && this.lastVoiceEndMs >= 0 && this.t - this.lastVoiceEndMs >= this.silenceMs) {
      this.reported = true;
      return { speechEndMs: this.lastVoiceEndMs };
    }
    return null;
  }
}

export interface VoicemailDropOptions {
  /** Without a beep, start this long after the greeting's last word. */
  noBeepSilenceMs?: number;
  /** Start anyway this long after `arm()` (a greeting over music, a box that never pauses). */
  beepTimeoutMs?: number;
  /** After a start on silence or timeout, a beep within this window restarts the message after it. */
  lateBeepWindowMs?: number;
  beep?: BeepOptions;
}

export type DropReason = 'beep' | 'greeting-ended' | 'timeout' | 'late-beep';

export interface DropDecision {
  action: 'start' | 'restart';
  /** Audio time (ms since the first frame) of the decision. */
  atMs: number;
  reason: DropReason;
  beep?: BeepEvent;
}

/**
 * Feed it every frame from the answer on; call `arm()` when the call is known to be a machine. It answers
 * "start the message now" once (and possibly "restart" once, for a late beep).
 */
export class VoicemailDrop {
  private readonly beepDet: BeepDetector;
  private readonly eog: EndOfGreetingDetector;
  private readonly timeoutMs: number;
  private readonly lateWindowMs: number;
  private t = 0;
  private armedAt = -1;
  private started: DropDecision | null = null;
  private restarted = false;
  private lastBeep: BeepEvent | null = null;
  private lastGreetingEnd: number | null = null;

  constructor(opts: VoicemailDropOptions = {}) {
    this.beepDet = new BeepDetector(opts.beep);
    this.eog = new EndOfGreetingDetector({ silenceMs: opts.noBeepSilenceMs ?? 1200 });
    this.timeoutMs = opts.beepTimeoutMs ?? 20000;
    this.lateWindowMs = opts.lateBeepWindowMs ?? 4000;
  }

  get decision(): DropDecision | null {
    return this.started;
  }

  /** The call is a machine: from now on, decide. May decide at once (the beep already went). */
  arm(): DropDecision | null {
    if (this.armedAt >= 0) return null;
    this.armedAt = this.t;
    // A beep already heard, with no new speech since: the box is recording now. (The energy detector
    // hears the beep itself as voice, so what counts is voice that started after the beep ended.)
    if (this.lastBeep && this.eog.lastSpeechStartMs <= this.lastBeep.beepEndMs + 2 * FRAME_MS) {
      return this.start('beep', this.lastBeep);
    }
    return null;
  }

  push(frame: Int16Array): DropDecision | null {
    this.t += FRAME_MS;
    const beep = this.beepDet.push(frame);
    const eog = this.eog.push(frame);
    if (beep) this.lastBeep = beep;
    if (eog) this.lastGreetingEnd = eog.speechEndMs;
    // The greeting went on after a pause: that pause was not its end.
    if (this.eog.speaking) this.lastGreetingEnd = null;
    if (this.armedAt < 0) return null;
    if (!this.started) {
      if (beep) return this.start('beep', beep);
      if (this.lastGreetingEnd !== null && !this.eog.speaking) return this.start('greeting-ended');
      if (this.t - this.armedAt >= this.timeoutMs) return this.start('timeout');
      return null;
    }
    if (beep && !this.restarted && this.started.reason !== 'beep' && this.t - this.started.atMs <= this.lateWindowMs) {
      this.restarted = true;
      return { action: 'restart', atMs: this.t, reason: 'late-beep', beep };
    }
    return null;
  }

  private start(reason: DropReason, beep?: BeepEvent): DropDecision {
    this.started = { action: 'start', atMs: this.t, reason, ...(beep ? { beep } : {}) };
    return this.started;
  }
}
