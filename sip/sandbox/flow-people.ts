// How a simulated person follows a campaign's flow (told by the box in the X-Sandbox-Menu header's
// `flow=` part, core/sandbox-flow.ts): the flow is walked here as the box will run it, and each step that
// asks something becomes one turn of the person, taken when the caller stops speaking. Pure and seeded:
// the same (seed, number, attempt) gives the same turns, so tests can say in advance what the box keeps.
import type { SandboxFlow, SandboxStep } from '../../core/sandbox-flow.ts';
import { pickWeighted } from './mix.ts';

/** What the person does at an input step. */
export type Turn =
  /** Presses keys (digits of a gather with its terminator, a menu or callback key, the opt-out key). */
  | { act: 'keys'; step: number; keys: string; intent: 'answer' | 'invalid' | 'opt-out' }
  /** Says nothing: the box's timeout, then its re-prompt (or its no-input branch). */
  | { act: 'silent'; step: number }
  /** Speaks (clip ids of the sandbox's own answers), then is silent, or presses an end key. */
  | { act: 'speak'; step: number; clips: string[]; endKey: string | null }
  /** Hangs up midway. */
  | { act: 'hangup'; step: number };

/**
 * Shares of what a person who follows the flow does at each input step. `invalid` only where the step
 * has an invalid answer to give (else its weight goes to `answer`); `opt-out` only when the campaign has
 * an opt-out key.
 */
export const TURN_SHARES = { answer: 80, invalid: 8, silent: 4, 'opt-out': 4, hangup: 4 } as const;
type Choice = keyof typeof TURN_SHARES;

/** After speaking into a record step: press one of its end keys (else wait for its silence to end it). */
export const END_KEY_SHARE = 0.4;

/** The most turns one person takes (validation bounds every loop of the flow; this is the sandbox's own guard). */
const MAX_TURNS = 40;
const MAX_VISITS = 500;

export interface FlowPlan {
  turns: Turn[];
  /** Step indexes in the order the box will visit them (if it hears what the person meant). */
  path: number[];
  /** Answers the box will keep, by step index: digits as validated (a date as YYYY-MM-DD), menu keys. */
  answers: Array<{ step: number; value: string }>;
  /** How the walk ended: the flow's end, an opt-out, the person hung up, or the sandbox's turn bound. */
  ended: 'flow-end' | 'opted-out' | 'hung-up' | 'bound';
}

export interface WalkDraws {
  /** A uniform draw in [0, 1) for a label (seeded by the caller: seed, number, attempt). */
  u: (label: string) => number;
  optOutKey: string | null;
  /** The person's spoken answers to pick from (ids, in a stable order); empty = nothing to say. */
  answerClips: readonly string[];
}

const PAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

function pickIndex<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
}

function between(u: number, lo: number, hi: number): number {
  return Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
}

/** Digits a person types for a gather: valid (and the value the box keeps) or invalid; null when no such answer exists. */
export function gatherDigits(st: Extract<SandboxStep, { verb: 'gather' }>, valid: boolean, optOutKey: string | null, u: (label: string) => number): { keys: string; value: string | null } | null {
  const endWith = (digits: string): string => (st.terminator && digits.length < st.max ? digits + st.terminator : digits);
  const firstOk = (d: string): boolean => d !== optOutKey && d !== st.terminator;
  if (st.date) {
    if (st.min > 8 || st.max < 8) return null;
    const y = 2027;
    const m = between(u('month'), 1, 12);
    const d = valid ? between(u('day'), 1, 28) : between(u('day'), 30, 31);
    const mo = valid ? m : 2;
    const keys = `${String(d).padStart(2, '0')}${String(mo).padStart(2, '0')}${y}`;
    if (!firstOk(keys[0]!)) return null;
    return { keys: endWith(keys), value: valid ? `${y}-${keys.slice(2, 4)}-${keys.slice(0, 2)}` : null };
  }
  if (st.range) {
    const [lo, hi] = st.range;
    const fits = (n: number): boolean => {
      const s = String(n);
      return n >= 0 && s.length >= st.min && s.length <= st.max && firstOk(s[0]!);
    };
    let candidates: number[];
    if (valid) {
      candidates = [];
      for (let n = lo; n <= hi && candidates.length < 1000; n++) if (fits(n)) candidates.push(n);
    } else {
      candidates = [hi + 1, hi + 2, lo - 1].filter((n) => n < lo || n > hi).filter(fits);
    }
    if (candidates.length === 0) return null;
    const n = pickIndex(candidates, u('value'));
    return { keys: endWith(String(n)), value: valid ? String(n) : null };
  }
  // Free digits: a valid answer is min..max digits; an invalid one is too short (possible when min > 1).
  const len = valid ? between(u('length'), st.min, st.max) : st.min - 1;
  if (len < 1) return null;
  const first = PAD.filter(firstOk);
  if (first.length === 0) return null;
  let keys = pickIndex(first, u('d0'));
  for (let i = 1; i < len; i++) keys += pickIndex(PAD, u(`d${i}`));
  return { keys: endWith(keys), value: valid ? keys : null };
}

/** A key the step does not offer (nor the opt-out key, nor a key that ends something). */
function strayKey(offered: string, optOutKey: string | null, u: number): string | null {
  const keys = PAD.filter((k) => !offered.includes(k) && k !== optOutKey);
  return keys.length > 0 ? pickIndex(keys, u) : null;
}

/** The turns of one person through the flow, and what the box should keep. */
export function walkFlow(flow: SandboxFlow, d: WalkDraws): FlowPlan {
  const plan: FlowPlan = { turns: [], path: [], answers: [], ended: 'flow-end' };
  const gotos = new Map<number, number>();
  let at: number | null = flow.steps.length > 0 ? 0 : null;
  let visits = 0;
  // One decision per turn: what the person does, then where the box goes from there.
  const choose = (n: number, canInvalid: boolean): Choice => {
    const items = (Object.keys(TURN_SHARES) as Choice[])
      .filter((c) => (c !== 'invalid' || canInvalid) && (c !== 'opt-out' || d.optOutKey !== null))
      .map((c) => ({ item: c, weight: TURN_SHARES[c] }));
    return pickWeighted(items, d.u(`turn-${n}`));
  };
  while (at !== null && visits++ < MAX_VISITS) {
    const st: SandboxStep = flow.steps[at]!;
    plan.path.push(at);
    const step = at;
    if (st.verb === 'pass') { at = st.next; continue; }
    if (st.verb === 'end') break;
    if (st.verb === 'goto') {
      const n = (gotos.get(step) ?? 0) + 1;
      gotos.set(step, n);
      at = n <= st.max ? st.target : st.else;
      continue;
    }
    // An input step: one turn per try, until an answer moves the flow on.
    const tries = st.verb === 'record' ? 1 : st.tries;
    let next: number | null | undefined;
    let miss: 'no-input' | 'invalid' = 'no-input';
    for (let attempt = 1; attempt <= tries && next === undefined; attempt++) {
      const n = plan.turns.length;
      if (n >= MAX_TURNS) { plan.ended = 'bound'; return plan; }
      const u = (label: string): number => d.u(`turn-${n}-${label}`);
      let choice: Choice;
      let invalid: { keys: string } | null = null;
      if (st.verb === 'gather') {
        const bad = gatherDigits(st, false, d.optOutKey, u);
        choice = choose(n, bad !== null);
        invalid = bad;
      } else if (st.verb === 'menu' || st.verb === 'callback') {
        const offered = st.verb === 'menu' ? Object.keys(st.options).join('') : st.keys;
        const stray = strayKey(offered, d.optOutKey, u('stray'));
        choice = choose(n, stray !== null && offered.length > 0);
        invalid = stray ? { keys: stray } : null;
      } else {
        choice = choose(n, false);
      }
      if (choice === 'hangup') { plan.turns.push({ act: 'hangup', step }); plan.ended = 'hung-up'; return plan; }
      if (choice === 'opt-out') { plan.turns.push({ act: 'keys', step, keys: d.optOutKey!, intent: 'opt-out' }); plan.ended = 'opted-out'; return plan; }
      if (choice === 'silent') { plan.turns.push({ act: 'silent', step }); miss = 'no-input'; continue; }
      if (choice === 'invalid' && invalid) { plan.turns.push({ act: 'keys', step, keys: invalid.keys, intent: 'invalid' }); miss = 'invalid'; continue; }
      switch (st.verb) {
        case 'gather': {
          const good = gatherDigits(st, true, d.optOutKey, u);
          if (!good) { plan.turns.push({ act: 'silent', step }); miss = 'no-input'; continue; }
          plan.turns.push({ act: 'keys', step, keys: good.keys, intent: 'answer' });
          plan.answers.push({ step, value: good.value! });
          next = st.next;
          break;
        }
        case 'menu': {
          const keys = Object.keys(st.options);
          if (keys.length === 0) { plan.turns.push({ act: 'silent', step }); miss = 'no-input'; continue; }
          const key = pickIndex(keys, u('key'));
          plan.turns.push({ act: 'keys', step, keys: key, intent: 'answer' });
          plan.answers.push({ step, value: key });
          next = st.options[key]!;
          break;
        }
        case 'callback': {
          if (st.keys.length === 0) { plan.turns.push({ act: 'silent', step }); miss = 'no-input'; continue; }
          const key = pickIndex([...st.keys], u('key'));
          plan.turns.push({ act: 'keys', step, keys: key, intent: 'answer' });
          plan.answers.push({ step, value: key });
          next = st.next;
          break;
        }
        case 'record': {
          const count = d.answerClips.length === 0 ? 0 : 1 + Math.floor(u('clips') * 2);
          const clips = Array.from({ length: count }, (_, i) => pickIndex(d.answerClips, u(`clip-${i}`)));
          const endKey = st.endKeys && u('end-key') < END_KEY_SHARE ? st.endKeys[0]! : null;
          plan.turns.push({ act: 'speak', step, clips, endKey });
          next = st.next;
          break;
        }
      }
    }
    if (next === undefined) {
      // Every try missed: the step's failure branch.
      if (st.verb === 'menu') next = miss === 'invalid' ? st.invalid : st.noInput;
      else if (st.verb === 'record') next = st.next;
      else next = st.onFail;
    }
    at = next;
  }
  if (visits > MAX_VISITS) plan.ended = 'bound';
  return plan;
}
