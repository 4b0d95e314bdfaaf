// Who (or what) is on the line once a call is answered: a person who says hello and listens (and, for
// a presser, takes a turn each time the caller stops speaking: presses a key, or, following the box's
// flow, types digits, stays silent, speaks an answer or hangs up), or a voicemail that plays a greeting
// and a beep and records. Driven by the shared media clock; it listens to the caller's audio frame by frame.
import type { MediaClock } from '../../media/rtp/clock.ts';
import type { RtpSession } from '../../media/rtp/session.ts';
import type { Turn } from './flow-people.ts';
import type { CallPlan, Timings } from './plan.ts';
import { emptyHeard, type HeardAudio } from './records.ts';

/** Mean square of a 20 ms frame above this counts as speech (RMS 400, about -38 dBFS). */
const SPEECH_MEAN_SQUARE = 400 * 400;
/**
 * Both ends send 20 ms packets, so the start of a message is known to one packet: a message that
 * begins less than a packet before the beep has ended counts as after the beep (nothing audible is lost).
 */
export const BEEP_TOLERANCE_MS = 20;
/** Conditions are checked every this many clock ticks (100 ms). */
const CHECK_EVERY_TICKS = 5;
/**
 * A person asked for a spoken answer starts sooner than one who presses a key: the box's recording ends
 * on silence when nobody speaks, so they answer once the question has been over this long.
 */
export const SPEAK_AFTER_SILENCE_MS = 1000;
/** Pause between two sentences of a spoken answer. */
const SENTENCE_GAP_MS = 400;

export interface PersonOptions {
  plan: CallPlan;
  timings: Timings;
  session: RtpSession;
  clock: MediaClock;
  /** Encoded audio of a clip in the session's law. */
  clip: (id: string | null) => Buffer | null;
  /** Monotonic milliseconds. */
  now: () => number;
  /** The caller's SDP offered RFC 4733 telephone-event. */
  telephoneEvent: boolean;
  /** The person hangs up (the SIP side sends BYE). */
  hangup: (reason: string) => void;
}

type Phase = 'greeting' | 'listening' | 'after-key' | 'speaking' | 'recording' | 'done';

export class Person {
  private readonly o: PersonOptions;
  private phase: Phase = 'greeting';
  private answeredAt = 0;
  /** Start of the current listening stretch: speech is awaited after it. */
  private markAt = 0;
  private lastSpeechAt = -Infinity;
  private heardSinceMark = false;
  private beepEndAt: number | null = null;
  private speechMs = 0;
  private speechBeforeBeepMs = 0;
  private firstSpeechAt: number | null = null;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  dtmfSent = '';
  dtmfMode: 'rfc4733' | 'inband' | null = null;
  /** Turns taken so far (plan.turns). */
  turnsTaken = 0;
  /** Milliseconds of speech the person sent as answers (record steps). */
  spokeMs = 0;

  constructor(o: PersonOptions) {
    this.o = o;
  }

  /** A getter, so checks after an await are not narrowed away by the compiler. */
  private get stopped(): boolean {
    return this.phase === 'done';
  }

  get isVoicemail(): boolean {
    return this.o.plan.behaviour === 'voicemail';
  }

  start(): void {
    const { session, clock, plan } = this.o;
    this.answeredAt = this.o.now();
    session.on('audio', this.onAudio);
    this.unsubscribe = clock.subscribe(this.onTick);
    if (this.isVoicemail) {
      this.later(plan.greetingLeadMs, () => void this.runVoicemail());
    } else {
      this.later(plan.helloDelayMs, () => void this.runPerson());
    }
  }

  stop(): void {
    this.phase = 'done';
    this.o.session.off('audio', this.onAudio);
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  heard(): HeardAudio {
    const h = emptyHeard();
    h.speechMs = this.speechMs;
    h.firstSpeechMs = this.firstSpeechAt === null ? null : Math.round(this.firstSpeechAt - this.answeredAt);
    if (this.isVoicemail) {
      h.speechBeforeBeepMs = this.beepEndAt === null ? this.speechMs : this.speechBeforeBeepMs;
      if (this.beepEndAt !== null) {
        h.beepEndMs = Math.round(this.beepEndAt - this.answeredAt);
        if (this.firstSpeechAt !== null) {
          h.messageStartAfterBeepMs = Math.round(this.firstSpeechAt - this.beepEndAt);
          h.startedAfterBeep = h.messageStartAfterBeepMs > -BEEP_TOLERANCE_MS;
        }
      }
    }
    return h;
  }

  private later(ms: number, fn: () => void): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.phase !== 'done') fn();
    }, ms);
  }

  private async runPerson(): Promise<void> {
    const hello = this.o.clip(this.o.plan.utteranceId);
    if (hello) await this.o.session.play(hello);
    if (this.stopped) return;
    this.listen('listening');
  }

  private async runVoicemail(): Promise<void> {
    const { session, plan } = this.o;
    const greeting = this.o.clip(plan.greetingId);
    if (greeting) await session.play(greeting);
    if (this.stopped) return;
    await new Promise<void>((resolve) => this.later(plan.beepGapMs, resolve));
    const beep = this.o.clip(plan.beepId);
    if (beep) await session.play(beep);
    if (this.stopped) return;
    this.beepEndAt = this.o.now();
    this.listen('recording');
  }

  private listen(phase: Phase): void {
    this.phase = phase;
    this.markAt = this.o.now();
    this.heardSinceMark = false;
  }

  private readonly onAudio = (pcm: Int16Array): void => {
    let sum = 0;
    for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
    if (pcm.length === 0 || sum / pcm.length < SPEECH_MEAN_SQUARE) return;
    const at = this.o.now();
    const ms = pcm.length / 8;
    this.speechMs += ms;
    if (this.firstSpeechAt === null) this.firstSpeechAt = at - ms;
    if (this.isVoicemail && this.beepEndAt === null) this.speechBeforeBeepMs += ms;
    this.lastSpeechAt = at;
    if (at >= this.markAt) this.heardSinceMark = true;
  };

  private readonly onTick = (tick: number): void => {
    if (tick % CHECK_EVERY_TICKS !== 0 || this.phase === 'done') return;
    const t = this.o.timings;
    const now = this.o.now();
    if (now - this.answeredAt >= (this.isVoicemail ? t.maxRecordMs : t.maxCallMs)) return this.end(this.isVoicemail ? 'max-length' : 'max-duration');
    if (this.phase === 'greeting') return;
    const silence = now - Math.max(this.lastSpeechAt, this.markAt);
    if (this.phase === 'recording') {
      if (this.beepEndAt !== null && this.lastSpeechAt > this.beepEndAt && now - this.lastSpeechAt >= t.recordEndSilenceMs) return this.end('message-recorded');
      if (!this.heardSinceMark && silence >= t.noMessageGiveUpMs) return this.end('no-message');
      return;
    }
    if (this.phase === 'speaking') return;
    const next: Turn | undefined = this.o.plan.turns[this.turnsTaken];
    const wait = next?.act === 'speak' ? SPEAK_AFTER_SILENCE_MS : t.endSilenceMs;
    if (this.heardSinceMark && now - this.lastSpeechAt >= wait) {
      if (next) return this.take(next);
      return this.end(this.phase === 'after-key' ? 'done-after-key' : 'message-ended');
    }
    if (!this.heardSinceMark) {
      const giveUp = this.phase !== 'after-key' ? t.listenGiveUpMs : this.o.plan.flow ? t.flowGiveUpMs : t.afterKeyGiveUpMs;
      if (silence >= giveUp) return this.end(this.phase === 'after-key' ? 'done-after-key' : 'no-speech');
    }
  };

  private take(turn: Turn): void {
    this.turnsTaken++;
    switch (turn.act) {
      case 'keys': return this.press(turn.keys);
      // Says nothing: waits for the box's next prompt (its re-prompt, or the next question).
      case 'silent': return this.listen('after-key');
      case 'hangup': return this.end('hung-up-midway');
      case 'speak': return void this.speak(turn.clips, turn.endKey);
    }
  }

  private press(keys: string): void {
    this.listen('after-key');
    this.dtmfSent += keys;
    // The session falls back to in-band tones when the caller offered no telephone-event.
    this.dtmfMode = this.o.telephoneEvent ? 'rfc4733' : 'inband';
    void this.o.session.sendDtmf(keys, { durationMs: this.o.plan.keyMs, ...(keys.length > 1 ? { gapMs: 120 } : {}) });
  }

  /** A spoken answer: the clips, a short pause between them, then silence or an end key. */
  private async speak(clips: string[], endKey: string | null): Promise<void> {
    this.phase = 'speaking';
    for (const [i, id] of clips.entries()) {
      if (i > 0) await new Promise<void>((resolve) => this.later(SENTENCE_GAP_MS, resolve));
      const audio = this.o.clip(id);
      if (this.stopped) return;
      if (audio) {
        await this.o.session.play(audio);
        this.spokeMs += audio.length / 8;
      }
      if (this.stopped) return;
    }
    if (endKey) {
      await new Promise<void>((resolve) => this.later(SENTENCE_GAP_MS, resolve));
      if (this.stopped) return;
      this.press(endKey);
    } else {
      this.listen('after-key');
    }
  }

  private end(reason: string): void {
    if (this.phase === 'done') return;
    this.stop();
    this.o.hangup(reason);
  }
}
