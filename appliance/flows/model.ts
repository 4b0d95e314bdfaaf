// A call flow as data: what a call does once answered, kept as JSON in the campaign (versioned) and run
// verb by verb against the call port. Answering-machine detection and the voicemail drop come before
// every outbound flow (the runner does them); the campaign's opt-out key works in every step.

/** The flow document's version; a stored flow of another version is refused with a clear error. */
export const FLOW_VERSION = 1;

export const VERBS = ['play', 'gather', 'menu', 'record', 'set', 'callback', 'transfer', 'goto', 'hangup'] as const;
export type VerbName = (typeof VERBS)[number];

/**
 * What a step says: a recording of the library, the campaign's own message (a recording or its
 * per-contact text-to-speech), or text rendered per contact with the campaign's voice ({tokens} of the list).
 */
export type FlowPrompt = { recording: string } | { message: true } | { tts: string };

interface StepBase {
  /** Unique in the flow: letters, digits, '-' and '_'. */
  id: string;
}

export interface PlayStep extends StepBase {
  verb: 'play';
  prompt: FlowPrompt;
  /** A key pressed during the prompt stops it and is kept for the next gather/menu/callback (default true). */
  bargeIn?: boolean;
  /** Next step; absent = the call ends (outcome `human`). */
  next?: string;
}

export type GatherValidation = { kind: 'range'; min: number; max: number } | { kind: 'date' };

export interface GatherStep extends StepBase {
  verb: 'gather';
  /** The answer is kept under this name. */
  name: string;
  prompt?: FlowPrompt;
  minDigits: number;
  maxDigits: number;
  /** Key that ends the input early (not part of the answer), e.g. '#'. */
  terminator?: string;
  firstDigitTimeoutMs: number;
  interDigitTimeoutMs: number;
  /** Prompts before a try again: after nothing was typed, after an invalid answer. */
  noInputPrompt?: FlowPrompt;
  invalidPrompt?: FlowPrompt;
  /** How many times the question is asked at most (1 to 5). */
  tries: number;
  /** A range of whole numbers, or a date typed as DDMMYYYY. */
  validate?: GatherValidation;
  next?: string;
  /** Where to go when every try failed; absent = the call ends. */
  onFail?: string;
}

export interface MenuStep extends StepBase {
  verb: 'menu';
  /** The key pressed is kept under this name (optional). */
  name?: string;
  prompt?: FlowPrompt;
  /** Key -> step id. */
  options: Record<string, string>;
  timeoutMs: number;
  tries: number;
  noInputPrompt?: FlowPrompt;
  invalidPrompt?: FlowPrompt;
  /** After the last try with no key / a key the menu does not have; absent = the call ends. */
  noInput?: string;
  invalid?: string;
}

export interface RecordStep extends StepBase {
  verb: 'record';
  /** The recording is kept with the attempt under this name. */
  name: string;
  prompt?: FlowPrompt;
  /** Longest recording (1 to 300 s). */
  maxMs: number;
  /** Ends after this much silence once the callee has spoken. */
  silenceMs: number;
  /** Keys that end the recording (not the opt-out key). */
  endKeys?: string;
  next?: string;
}

export interface SetStep extends StepBase {
  verb: 'set';
  name: string;
  value: string;
  next?: string;
}

/** One choice of a callback menu: a time slot in the callee's local time, today or tomorrow. */
export interface CallbackOption {
  key: string;
  /** 0 = today, 1 = tomorrow, ... up to 6. */
  dayOffset: number;
  from: string;
  to: string;
  /** What the answer is recorded as (e.g. "this-evening"). */
  label: string;
}

export interface CallbackStep extends StepBase {
  verb: 'callback';
  /** The chosen label is kept under this name. */
  name: string;
  prompt?: FlowPrompt;
  options: CallbackOption[];
  timeoutMs: number;
  tries: number;
  /** Played when a slot was booked, before `next`. */
  confirmPrompt?: FlowPrompt;
  next?: string;
  /** No key, an unknown key or a slot already past after the last try. */
  onFail?: string;
}

/**
 * Hand the callee to a person (issue 16): a staff group of the box (ringing all, or the longest idle
 * first), or an external number through a trunk, only one of the organisation's own numbers
 * (`staff.transferNumbers`). The callee hears `holdPrompt` while it rings; nobody answering within
 * `waitMs` leads to `noAnswer` (required: nobody waits in silence, e.g. a callback step).
 */
export interface TransferStep extends StepBase {
  verb: 'transfer';
  /** A staff group's name, or an E.164 number of the organisation (`+...`). */
  to: string;
  /** How a group is rung (default: the group's own strategy). */
  strategy?: 'ring-all' | 'longest-idle';
  /** Said to the staff member before connecting: the contact's name, the campaign, the answers so far (default true). */
  whisper?: boolean;
  /** Music or a message the callee hears while it rings (repeated); default a short waiting message. */
  holdPrompt?: FlowPrompt;
  /** Longest wait for someone to answer (5 to 300 s). */
  waitMs: number;
  /** After the conversation, when the person hung up first and the callee is still there; absent = the call ends. */
  next?: string;
  /** Nobody answered within `waitMs`, nobody was available, or the transfer was refused. */
  noAnswer?: string;
}

/** Whether a transfer's target is an external number rather than a staff group. */
export function isExternalTarget(to: string): boolean {
  return to.startsWith('+');
}

export interface GotoStep extends StepBase {
  verb: 'goto';
  target: string;
  /** How many times this goto may be taken in one call (the bound of its loop, 1 to 10). */
  max: number;
  /** Where to go once the bound is reached; absent = the call ends. */
  else?: string;
}

export interface HangupStep extends StepBase {
  verb: 'hangup';
  prompt?: FlowPrompt;
  /** The attempt's outcome when the call ends here (default `human`). */
  outcome?: 'human' | 'confirmed';
}

export type FlowStep = PlayStep | GatherStep | MenuStep | RecordStep | SetStep | CallbackStep | TransferStep | GotoStep | HangupStep;

export interface Flow {
  version: typeof FLOW_VERSION;
  /** The template it was made from, for the wizard (informative). */
  template?: string;
  /** Played after the opt-out key, before hanging up. */
  optOutAck?: FlowPrompt;
  /** The first step is where the call starts. */
  steps: FlowStep[];
}

/** Every step id a step may lead to, with the field that names it. */
export function edges(step: FlowStep): Array<{ field: string; to: string; bounded?: boolean }> {
  const out: Array<{ field: string; to: string; bounded?: boolean }> = [];
  const add = (field: string, to: string | undefined, bounded?: boolean): void => {
    if (to !== undefined) out.push({ field, to, ...(bounded ? { bounded } : {}) });
  };
  switch (step.verb) {
    case 'menu':
      for (const [k, to] of Object.entries(step.options)) add(`options.${k}`, to);
      add('noInput', step.noInput);
      add('invalid', step.invalid);
      break;
    case 'goto':
      add('target', step.target, true);
      add('else', step.else);
      break;
    case 'gather':
    case 'callback':
      add('next', step.next);
      add('onFail', step.onFail);
      break;
    case 'transfer':
      add('next', step.next);
      add('noAnswer', step.noAnswer);
      break;
    case 'hangup':
      break;
    default:
      add('next', step.next);
  }
  return out;
}

/** Every prompt of a step, with its field. */
export function prompts(step: FlowStep): Array<{ field: string; prompt: FlowPrompt }> {
  const out: Array<{ field: string; prompt: FlowPrompt }> = [];
  for (const f of ['prompt', 'noInputPrompt', 'invalidPrompt', 'confirmPrompt', 'holdPrompt'] as const) {
    const p = (step as unknown as Record<string, FlowPrompt | undefined>)[f];
    if (p) out.push({ field: f, prompt: p });
  }
  return out;
}

/** Every prompt the flow may play (to resolve them all before the call). */
export function allPrompts(flow: Flow): FlowPrompt[] {
  return [...flow.steps.flatMap((s) => prompts(s).map((p) => p.prompt)), ...(flow.optOutAck ? [flow.optOutAck] : [])];
}

/** One key per distinct prompt. */
export function promptKey(p: FlowPrompt): string {
  return 'recording' in p ? `r:${p.recording}` : 'tts' in p ? `t:${p.tts}` : 'm';
}
