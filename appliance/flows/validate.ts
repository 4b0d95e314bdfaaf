// What a flow must be before a campaign may use it (create, update, start): every branch leads to a
// step that exists, every step can be reached, every loop has a bound, the campaign's opt-out key is
// nobody else's, every token is a column of the list, every recording is in the library, every
// callback slot lies inside a window of the campaign and of the pack. Each problem names its step.
import { templateTokens } from '../../media/prompts/template.ts';
import { edges, isExternalTarget, prompts, type Flow, type FlowStep, type GatherValidation, type TransferStep } from './model.ts';
import { FlowProblems, parseFlowInto } from './parse.ts';

export interface TimeWindow {
  from: string;
  to: string;
}

export interface FlowContext {
  /** The campaign's opt-out key: it works in every step and no step may take it. */
  optOutKey?: string;
  /** Whether a recording is in the library; absent = not checked here. */
  recordingExists?: (id: string) => boolean;
  /** The list's columns and the personal tokens; absent = not checked here. */
  tokens?: readonly string[];
  /** Daily windows (callee's local time) of the campaign; a callback slot must overlap one. */
  campaignWindows?: readonly TimeWindow[];
  /** Daily windows of the pack's calling-window rules; a callback slot must overlap one of each rule. */
  packWindows?: ReadonlyArray<readonly TimeWindow[]>;
  /** The pack's name, for the message. */
  packName?: string;
  /** The box's staff groups (a transfer names one); absent = not checked here. */
  staffGroups?: readonly string[];
  /**
   * The organisation's own numbers a transfer may reach through a trunk. Always checked: absent = none,
   * so an external transfer is refused (handing callees to a third party: the Rising Eagle case).
   */
  transferNumbers?: readonly string[];
}

const toMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const overlaps = (a: TimeWindow, b: TimeWindow): boolean => toMin(a.from) < toMin(b.to) && toMin(b.from) < toMin(a.to);

function checkGraph(flow: Flow, p: FlowProblems): void {
  const index = new Map<string, number>();
  flow.steps.forEach((s, i) => {
    if (index.has(s.id)) p.add(`flow.steps[${i}].id`, `step "${s.id}": another step (number ${index.get(s.id)! + 1}) has the same id`);
    else index.set(s.id, i);
  });
  const missing = new Set<string>();
  flow.steps.forEach((s, i) => {
    for (const e of edges(s)) {
      if (!index.has(e.to)) {
        missing.add(`${i}.${e.field}`);
        p.add(`flow.steps[${i}].${e.field}`, `step "${s.id}": leads to step "${e.to}", which the flow does not have`);
      }
    }
  });
  // Reachable from the first step.
  const seen = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const i = queue.shift()!;
    for (const e of edges(flow.steps[i]!)) {
      const j = index.get(e.to);
      if (j !== undefined && !seen.has(j)) {
        seen.add(j);
        queue.push(j);
      }
    }
  }
  flow.steps.forEach((s, i) => {
    if (!seen.has(i)) p.add(`flow.steps[${i}]`, `step "${s.id}": cannot be reached from the first step "${flow.steps[0]!.id}"`);
  });
  // A loop needs a bound: only a goto's target edge (taken at most `max` times) may close one.
  const state = new Map<number, 1 | 2>();
  const reported = new Set<string>();
  const visit = (i: number): void => {
    state.set(i, 1);
    const s = flow.steps[i]!;
    for (const e of edges(s)) {
      if (e.bounded) continue;
      const j = index.get(e.to);
      if (j === undefined) continue;
      if (state.get(j) === 1) {
        const key = `flow.steps[${i}].${e.field}`;
        if (!reported.has(key)) {
          reported.add(key);
          p.add(key, `step "${s.id}": leads back to step "${e.to}", a loop without a bound; go back through a "goto" step with a "max"`);
        }
      } else if (!state.has(j)) visit(j);
    }
    state.set(i, 2);
  };
  flow.steps.forEach((_, i) => { if (!state.has(i)) visit(i); });
}

/** A gather's first key opts out when it is the opt-out key: a valid answer must not begin with it. */
function answerMayStartWith(v: GatherValidation | undefined, key: string): boolean {
  if (!v || !/^\d$/.test(key)) return false;
  if (v.kind === 'date') return '0123'.includes(key);
  if (v.max - v.min > 100_000) return true;
  for (let n = Math.max(0, v.min); n <= v.max; n++) if (String(n)[0] === key) return true;
  return false;
}

function checkKeys(step: FlowStep, i: number, optOut: string, p: FlowProblems): void {
  const taken = (field: string, what: string): void => p.add(`flow.steps[${i}].${field}`, `step "${step.id}": ${what} uses key ${optOut}, the campaign's opt-out key (it always opts out, in every step)`);
  if (step.verb === 'menu' && step.options[optOut] !== undefined) taken(`options.${optOut}`, 'the menu');
  if (step.verb === 'gather' && step.terminator === optOut) taken('terminator', 'the terminator');
  if (step.verb === 'gather' && answerMayStartWith(step.validate, optOut)) taken('validate', 'an answer that may begin with this key');
  if (step.verb === 'record' && step.endKeys?.includes(optOut)) taken('endKeys', 'ending the recording');
  if (step.verb === 'callback') step.options.forEach((o, j) => { if (o.key === optOut) taken(`options[${j}].key`, `the slot "${o.label}"`); });
}

function checkCallback(step: FlowStep, i: number, ctx: FlowContext, p: FlowProblems): void {
  if (step.verb !== 'callback') return;
  step.options.forEach((o, j) => {
    const slot = { from: o.from, to: o.to };
    if (ctx.campaignWindows && !ctx.campaignWindows.some((w) => overlaps(w, slot))) {
      p.add(`flow.steps[${i}].options[${j}]`, `step "${step.id}": the slot "${o.label}" (${o.from}-${o.to}) is outside every calling window of the campaign (${ctx.campaignWindows.map((w) => `${w.from}-${w.to}`).join(', ')})`);
    }
    const rule = ctx.packWindows?.find((ws) => !ws.some((w) => overlaps(w, slot)));
    if (rule) {
      p.add(`flow.steps[${i}].options[${j}]`, `step "${step.id}": the slot "${o.label}" (${o.from}-${o.to}) is outside every window of the ${ctx.packName ?? ''} pack (${rule.map((w) => `${w.from}-${w.to}`).join(', ')})`);
    }
  });
}

function checkPrompts(step: FlowStep, i: number, ctx: FlowContext, p: FlowProblems): void {
  for (const { field, prompt } of prompts(step)) {
    if ('recording' in prompt && ctx.recordingExists && !ctx.recordingExists(prompt.recording)) {
      p.add(`flow.steps[${i}].${field}`, `step "${step.id}": no recording "${prompt.recording}" in the library`);
    }
    if ('tts' in prompt && ctx.tokens) {
      const known = new Set(ctx.tokens);
      const unknown = templateTokens(prompt.tts).filter((t) => !known.has(t));
      if (unknown.length > 0) {
        p.add(`flow.steps[${i}].${field}`, `step "${step.id}": the list has no ${unknown.map((u) => `{${u}}`).join(', ')} (it has ${[...known].map((k) => `{${k}}`).join(', ')})`);
      }
    }
  }
}

function checkTransfer(step: TransferStep, i: number, ctx: FlowContext, p: FlowProblems): void {
  const at = `flow.steps[${i}]`;
  if (isExternalTarget(step.to)) {
    if (!(ctx.transferNumbers ?? []).includes(step.to)) {
      p.add(`${at}.to`, `step "${step.id}": ${maskNumber(step.to)} is not one of the organisation's own numbers (settings staff.transferNumbers); callees are never handed to a third party`);
    }
  } else if (ctx.staffGroups && !ctx.staffGroups.includes(step.to)) {
    const known = ctx.staffGroups.length > 0 ? ` (the box has ${ctx.staffGroups.map((g) => `"${g}"`).join(', ')})` : ' (the box has none yet: settings staff.groups)';
    p.add(`${at}.to`, `step "${step.id}": no staff group "${step.to}"${known}`);
  }
  if (step.noAnswer === undefined) {
    p.add(`${at}.noAnswer`, `step "${step.id}": needs a step for when nobody answers (e.g. a callback), so nobody waits in silence`);
  }
}

/** A number in a message a person reads: its country code and last digits only. */
function maskNumber(n: string): string {
  return n.length > 6 ? `${n.slice(0, 3)}…${n.slice(-3)}` : n;
}

/** Structure and meaning at once; every problem is collected, then thrown as one E_FLOW_INVALID. */
export function checkFlow(input: unknown, ctx: FlowContext = {}): Flow {
  const p = new FlowProblems();
  const flow = parseFlowInto(input, p);
  if (flow) {
    checkGraph(flow, p);
    flow.steps.forEach((s, i) => {
      if (ctx.optOutKey) checkKeys(s, i, ctx.optOutKey, p);
      checkCallback(s, i, ctx, p);
      checkPrompts(s, i, ctx, p);
      if (s.verb === 'transfer') checkTransfer(s, i, ctx, p);
    });
    if (flow.optOutAck && 'recording' in flow.optOutAck && ctx.recordingExists && !ctx.recordingExists(flow.optOutAck.recording)) {
      p.add('flow.optOutAck', `the opt-out acknowledgement: no recording "${flow.optOutAck.recording}" in the library`);
    }
  }
  p.throwIfAny();
  return flow!;
}
