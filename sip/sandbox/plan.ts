// What one call to one number will do, decided at INVITE time from (seed, number, attempt): behaviour,
// how long it rings, what the person says, which key a presser presses, which greeting and beep a
// voicemail plays. Pure, so tests check it without SIP.
import type { ClipInfo, Language } from './audio.ts';
import { behaviourFor, baseBehaviour, draw, pickWeighted, DEFAULT_RETRY_REACH, type Behaviour, type KeyWeights, type Mix } from './mix.ts';
import { languageOf } from './number.ts';
import { pressesFor } from './menu-keys.ts';
import { walkFlow, type FlowPlan, type Turn } from './flow-people.ts';
import type { SandboxMenu } from '../../core/sandbox-menu.ts';
import type { SandboxFlow } from '../../core/sandbox-flow.ts';

/**
 * `timeScale` scales waiting (ringing, give-up delays); never what is heard or how long a pause must last
 * to count as the end of the message, so the box's answering-machine detection meets realistic audio.
 */
export interface Timings {
  timeScale: number;
  /** Silence after speech that means "the message has ended" (listener hangs up, presser presses). */
  endSilenceMs: number;
  /** A listener with nothing to hear hangs up after this long. */
  listenGiveUpMs: number;
  /** After pressing, a presser hangs up when nothing more is said for this long. */
  afterKeyGiveUpMs: number;
  /** A person following a flow waits this long for the next prompt (the box's input timeouts are unscaled). */
  flowGiveUpMs: number;
  /** A voicemail hangs up when no message starts this long after the beep. */
  noMessageGiveUpMs: number;
  /** A voicemail stops recording after this much silence following a message. */
  recordEndSilenceMs: number;
  /** Longest recording / longest call. */
  maxRecordMs: number;
  maxCallMs: number;
  /** An unanswered INVITE gets 480 after this long (real networks give up after a few minutes). */
  noAnswerCapMs: number;
}

export function timingsFor(timeScale: number, overrides: Partial<Omit<Timings, 'timeScale'>> = {}): Timings {
  const waitAtLeast = (ms: number, floor: number) => Math.max(Math.round(ms * timeScale), floor);
  return {
    timeScale,
    endSilenceMs: 1500,
    // Floors leave the box time for its answering-machine verdict before anything is played.
    listenGiveUpMs: waitAtLeast(10_000, 5000),
    afterKeyGiveUpMs: waitAtLeast(5000, 3000),
    flowGiveUpMs: waitAtLeast(20_000, 12_000),
    noMessageGiveUpMs: waitAtLeast(10_000, 5000),
    recordEndSilenceMs: 3000,
    maxRecordMs: 120_000,
    maxCallMs: 300_000,
    noAnswerCapMs: 180_000,
    ...overrides,
  };
}

export interface CallPlan {
  number: string;
  attempt: number;
  behaviour: Behaviour;
  /** The behaviour on attempt 1 (differs from `behaviour` only for busy / no-answer retries). */
  baseBehaviour: Behaviour;
  lang: Language;
  /** Ringing before the answer (or before 603 for decline); scaled. 0 for busy / invalid / no-answer. */
  ringMs: number;
  /** Pause between answering and speaking (listener, presser, slow-answer). */
  helloDelayMs: number;
  utteranceId: string;
  /** Presser only: the first key pressed (`keys[0]`). */
  key: string | null;
  /** Presser only: every key pressed, one each time the caller stops speaking (e.g. repeat, then confirm). */
  keys: string[];
  /**
   * What the person does, one turn each time the caller stops speaking: a presser's keys, or, when the box
   * told its flow, the presser's walk through it (flow-people.ts). Empty for everyone else.
   */
  turns: Turn[];
  /** The walk through the box's flow (presser with a flow only), with what the box should keep. */
  flow: FlowPlan | null;
  keyMs: number;
  /** Voicemail only: silence before the greeting, the greeting, the pause before the beep, the beep. */
  greetingLeadMs: number;
  greetingId: string | null;
  beepGapMs: number;
  beepId: string | null;
}

export interface PlanInputs {
  seed: number | string;
  mix: Mix;
  keys: KeyWeights;
  timeScale: number;
  retryReach?: number;
  clips: ReadonlyArray<Pick<ClipInfo, 'id' | 'kind' | 'lang'>>;
}

function between(u: number, lo: number, hi: number): number {
  return Math.round(lo + u * (hi - lo));
}

/** Clip ids of a kind, in the language when there are any in it, sorted. */
function clipsOf(clips: PlanInputs['clips'], kind: ClipInfo['kind'], lang: Language | null): string[] {
  const of = clips.filter((c) => c.kind === kind && (lang === null || c.lang === lang)).map((c) => c.id).sort();
  return of.length > 0 ? of : clips.filter((c) => c.kind === kind).map((c) => c.id).sort();
}

function pickClip(clips: PlanInputs['clips'], kind: ClipInfo['kind'], lang: Language | null, u: number): string | null {
  const all = clipsOf(clips, kind, lang);
  return all.length > 0 ? all[Math.min(all.length - 1, Math.floor(u * all.length))]! : null;
}

/**
 * `menu`: the campaign's keys when the box said them (X-Sandbox-Menu); a presser then presses those
 * (menu-keys.ts), else one key from the network's key weights.
 */
export function planCall(inputs: PlanInputs, number: string, attempt: number, menu: SandboxMenu | null = null, flow: SandboxFlow | null = null): CallPlan {
  const { seed, timeScale, clips } = inputs;
  const behaviour = behaviourFor(seed, number, attempt, inputs.mix, inputs.retryReach ?? DEFAULT_RETRY_REACH);
  const u = (label: string) => draw(seed, label, number, attempt);
  const lang = languageOf(number);
  let ringMs = 0;
  if (behaviour === 'slow-answer') ringMs = between(u('ring'), 18_000, 24_000) * timeScale;
  else if (behaviour === 'listener' || behaviour === 'presser' || behaviour === 'voicemail' || behaviour === 'decline') {
    ringMs = between(u('ring'), 1000, 5000) * timeScale;
  }
  const isVoicemail = behaviour === 'voicemail';
  const walk = behaviour === 'presser' && flow ? walkFlow(flow, {
    u: (label) => draw(seed, 'flow', label, number, attempt),
    optOutKey: menu?.['opt-out'] ?? null,
    answerClips: clipsOf(clips, 'answer', lang),
  }) : null;
  const keys = behaviour !== 'presser' ? []
    : walk ? walk.turns.flatMap((t) => (t.act === 'keys' ? [t.keys] : t.act === 'speak' && t.endKey ? [t.endKey] : []))
      : (menu ? pressesFor(menu, u('menu-key'), u('menu-key-2')) : null) ?? [pickWeighted(inputs.keys.map((k) => ({ item: k.key, weight: k.weight })), u('key'))];
  const turns: Turn[] = walk ? walk.turns : keys.map((k) => ({ act: 'keys', step: -1, keys: k, intent: 'answer' }));
  return {
    number,
    attempt,
    behaviour,
    baseBehaviour: baseBehaviour(seed, number, inputs.mix),
    lang,
    ringMs: Math.round(ringMs),
    helloDelayMs: between(u('hello-delay'), 200, 700),
    utteranceId: pickClip(clips, 'utterance', lang, u('utterance')) ?? '',
    key: keys[0] ?? null,
    keys,
    turns,
    flow: walk,
    keyMs: between(u('key-ms'), 120, 240),
    greetingLeadMs: isVoicemail ? between(u('greeting-lead'), 100, 600) : 0,
    greetingId: isVoicemail ? pickClip(clips, 'greeting', lang, u('greeting')) : null,
    beepGapMs: isVoicemail ? between(u('beep-gap'), 200, 900) : 0,
    beepId: isVoicemail ? pickClip(clips, 'beep', null, u('beep')) : null,
  };
}
