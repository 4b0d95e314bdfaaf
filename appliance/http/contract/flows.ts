// The call flow as the web UI's flow editor reads and writes it (issue 15), the wizard's templates and
// "try it". The flow document itself is checked whole by the box (appliance/flows/parse.ts, validate.ts);
// the wire keeps each step as an object with an id and a verb, so a verb's new fields pass through the
// editor untouched.
import { Nullable, StringEnum, Type, type Static } from './kit.ts';

/** What a step says: a recording of the library, the campaign's own message, or text with {tokens}. */
export type WirePrompt = { recording: string } | { message: true } | { tts: string };

/** One step: `id`, `verb` and the verb's fields (appliance/flows/README.md). */
export type WireStep = { id: string; verb: string } & Record<string, unknown>;

/** A flow document (`version: 1`), as `config.flow` of a campaign carries it. */
export interface WireFlow {
  version: number;
  template?: string;
  optOutAck?: WirePrompt;
  steps: WireStep[];
}

export const FLOW_TEMPLATES = ['message-menu', 'appointment-reminder', 'satisfaction-survey', 'payment-reminder', 'emergency-alert'] as const;
export type FlowTemplateName = (typeof FLOW_TEMPLATES)[number];

export const TemplateParams = Type.Object({ name: StringEnum(FLOW_TEMPLATES) });
export type TemplateParams = Static<typeof TemplateParams>;
export const TemplateQuery = Type.Object({
  lang: Type.Optional(StringEnum(['en', 'fr'] as const, { description: 'language of the spoken texts (default en)' })),
  optOut: Type.Optional(Type.String({ pattern: '^[0-9*#]$', description: 'the campaign\'s opt-out key: the template\'s keys go around it' })),
});
export type TemplateQuery = Static<typeof TemplateQuery>;
/** The template's steps (the document the box would make of `{template, lang}`), for the editor. */
export const TemplateReply = Type.Object({
  version: Type.Integer(),
  template: Type.Optional(Type.String()),
  optOutAck: Type.Optional(Type.Unknown()),
  steps: Type.Array(Type.Object({ id: Type.String(), verb: Type.String() }, { additionalProperties: true })),
});

/** Who the simulated callee is: a person who presses keys, a person who only listens, an answering machine. */
export const TRIAL_CALLEES = ['presser', 'listener', 'voicemail'] as const;
export type TrialCallee = (typeof TRIAL_CALLEES)[number];

export const TryFlowBody = Type.Object({
  callee: Type.Optional(StringEnum(TRIAL_CALLEES, { description: 'who answers on the sandbox (default presser)' })),
}, { additionalProperties: false });
export type TryFlowBody = Static<typeof TryFlowBody>;

/** One step the call went through, in order, with what the callee did there. */
export const TrialStep = Type.Object({
  id: Type.String(),
  verb: Type.String(),
  /** The key that chose the branch taken (a menu, a callback slot); null when no key chose it. */
  key: Nullable(Type.String()),
  /** How the step was left: a branch field of the step (`options.1`, `next`, `noInput`, `onFail`, ...), `end`, `opt-out` or `hung-up`. */
  via: Type.String(),
  /** The answer the step kept (a gather's digits, a menu's key, a callback's slot, a set's value), under `name`. */
  name: Nullable(Type.String()),
  answer: Nullable(Type.String()),
  /** A record step: how long the spoken answer is (ms). */
  spokenMs: Nullable(Type.Integer()),
});
export type TrialStep = Static<typeof TrialStep>;

export const TryFlowReply = Type.Object({
  campaignId: Type.Integer(),
  trunk: Type.String(),
  callee: StringEnum(TRIAL_CALLEES),
  /** False when the sandbox is another process: who answered is the simulated network's choice. */
  calleeChosen: Type.Boolean(),
  outcome: Type.String(),
  sipCode: Nullable(Type.Integer()),
  amd: Nullable(Type.String()),
  /** Every key the simulated callee pressed, in order. */
  keys: Type.String(),
  steps: Type.Array(TrialStep),
  answers: Type.Record(Type.String(), Type.String()),
  callback: Nullable(Type.Object({ label: Type.String(), at: Type.Integer() })),
  talkMs: Type.Integer(),
  notes: Type.Array(Type.String()),
});
export type TryFlowReply = Static<typeof TryFlowReply>;

/**
 * "Call my browser" (issue 16): the campaign's flow on a call to the user's own browser softphone. `request`
 * is a token of the page's choosing, sent back in the call's X-Box-Request header so the page answers
 * that call by itself (and no other).
 */
export const BrowserWalkBody = Type.Object({
  request: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{8,64}$', description: 'the page\'s token, echoed in the INVITE\'s X-Box-Request header' })),
}, { additionalProperties: false });
export type BrowserWalkBody = Static<typeof BrowserWalkBody>;

export const BrowserWalkReply = Type.Object({
  campaignId: Type.Integer(),
  /** Who was called (the logged-in user). */
  user: Type.String(),
  /** Whose fields filled the personalised texts: the list's first contact, or a made-up test contact. */
  contact: StringEnum(['sample', 'test'] as const),
  outcome: Type.String(),
  /** Every key pressed on the softphone's keypad, in order. */
  keys: Type.String(),
  steps: Type.Array(TrialStep),
  answers: Type.Record(Type.String(), Type.String()),
  callback: Nullable(Type.Object({ label: Type.String(), at: Type.Integer() })),
  talkMs: Type.Integer(),
  /** The opt-out key was pressed: in a real call the number would go on the do-not-call list (not done here). */
  optedOut: Type.Boolean(),
  notes: Type.Array(Type.String()),
});
export type BrowserWalkReply = Static<typeof BrowserWalkReply>;
