// A call flow as the sandbox's simulated people need it: what each step asks of the callee (keys, digits
// within bounds, a spoken answer, a callback slot) and where each answer leads, so a person can follow
// the flow the box runs. Sent in the X-Sandbox-Menu header (core/sandbox-menu.ts, its `flow=` part), only
// ever to a trunk of kind 'sandbox'. Compact (one short token per step, steps by index, no texts, no
// names, no values), bounded (SANDBOX_FLOW_MAX_CHARS), versioned (the first item).
//
//   flow=1/p>1/gd1-1r1-5t2>2!2/re#>3/h
//
// Items are separated by '/'; the first is the version, then one token per step in the flow's order:
// a verb letter then tags. Verbs: p play, s set (nothing to answer), h hangup, x transfer (both end what
// the person follows), j goto, m menu, g gather, r record, c callback. Tags: >N next (goto: target),
// !N on fail (menu: invalid, goto: else), ?N no input (menu), tN tries, mN goto bound, dA-B digits,
// rA-B range, v a date (DDMMYYYY), eK terminator (gather) or end keys (record), oK:N a menu option,
// kKEYS callback keys. N is a step index; a missing target ends the call. Keys are 0-9 * # A-D.

export const SANDBOX_FLOW_VERSION = 1;
/** A flow longer than this once encoded is not sent (the people then press the menu's keys only). */
export const SANDBOX_FLOW_MAX_CHARS = 900;
export const SANDBOX_FLOW_MAX_STEPS = 100;

type Target = number | null;

export type SandboxStep =
  /** play, set: nothing is asked. */
  | { verb: 'pass'; next: Target }
  /** hangup, transfer: the person has nothing more to follow. */
  | { verb: 'end' }
  | { verb: 'goto'; target: Target; max: number; else: Target }
  | { verb: 'menu'; options: Record<string, number>; tries: number; noInput: Target; invalid: Target }
  | { verb: 'gather'; min: number; max: number; range: [number, number] | null; date: boolean; terminator: string | null; tries: number; next: Target; onFail: Target }
  | { verb: 'record'; endKeys: string; next: Target }
  | { verb: 'callback'; keys: string; tries: number; next: Target; onFail: Target };

export interface SandboxFlow {
  steps: SandboxStep[];
}

/** The shape of a flow step this encoder reads (appliance/flows/model.ts FlowStep fits it). */
export interface FlowStepLike {
  id: string;
  verb: string;
  next?: string;
  onFail?: string;
  else?: string;
  target?: string;
  max?: number;
  noInput?: string;
  invalid?: string;
  tries?: number;
  minDigits?: number;
  maxDigits?: number;
  terminator?: string;
  validate?: { kind: 'range'; min: number; max: number } | { kind: 'date' };
  endKeys?: string;
  options?: Readonly<Record<string, string>> | ReadonlyArray<{ key: string }>;
}

const KEY = '[0-9*#A-D]';

/** The flow's token, or null when it cannot be told within the bounds (too many steps, too long). */
export function formatSandboxFlow(steps: readonly FlowStepLike[]): string | null {
  if (steps.length === 0 || steps.length > SANDBOX_FLOW_MAX_STEPS) return null;
  const index = new Map(steps.map((s, i) => [s.id, i]));
  const to = (tag: string, id: string | undefined): string => {
    const i = id === undefined ? undefined : index.get(id);
    return i === undefined ? '' : `${tag}${i}`;
  };
  const tries = (s: FlowStepLike): string => `t${s.tries ?? 1}`;
  const tokens = steps.map((s): string => {
    switch (s.verb) {
      case 'play': return `p${to('>', s.next)}`;
      case 'set': return `s${to('>', s.next)}`;
      case 'hangup': return 'h';
      case 'transfer': return 'x';
      case 'goto': return `j${to('>', s.target)}m${s.max ?? 1}${to('!', s.else)}`;
      case 'menu': {
        const o = Array.isArray(s.options) ? [] : Object.entries(s.options ?? {});
        return `m${o.map(([k, id]) => to(`o${k}:`, id)).join('')}${tries(s)}${to('?', s.noInput)}${to('!', s.invalid)}`;
      }
      case 'gather': {
        const v = s.validate?.kind === 'range' ? `r${Math.max(0, s.validate.min)}-${Math.max(0, s.validate.max)}` : s.validate?.kind === 'date' ? 'v' : '';
        return `gd${s.minDigits ?? 1}-${s.maxDigits ?? 1}${v}${s.terminator ? `e${s.terminator}` : ''}${tries(s)}${to('>', s.next)}${to('!', s.onFail)}`;
      }
      case 'record': return `r${s.endKeys ? `e${s.endKeys}` : ''}${to('>', s.next)}`;
      case 'callback': {
        const keys = Array.isArray(s.options) ? (s.options as ReadonlyArray<{ key: string }>).map((o) => o.key).join('') : '';
        return `c${keys ? `k${keys}` : ''}${tries(s)}${to('>', s.next)}${to('!', s.onFail)}`;
      }
      default: return 'x';
    }
  });
  const text = [String(SANDBOX_FLOW_VERSION), ...tokens].join('/');
  return text.length <= SANDBOX_FLOW_MAX_CHARS ? text : null;
}

const TAG = new RegExp(`([>!?])(\\d+)|t(\\d+)|m(\\d+)|d(\\d+)-(\\d+)|r(\\d+)-(\\d+)|(v)|e(${KEY}+)|o(${KEY}):(\\d+)|k(${KEY}+)`, 'y');

interface Tags {
  next: Target; fail: Target; noInput: Target; tries: number; max: number | null;
  digits: [number, number] | null; range: [number, number] | null; date: boolean; keys: string; options: Record<string, number>; ck: string;
}

function readTags(rest: string, steps: number): Tags | null {
  const t: Tags = { next: null, fail: null, noInput: null, tries: 1, max: null, digits: null, range: null, date: false, keys: '', options: {}, ck: '' };
  const idx = (s: string): number | null => {
    const n = Number(s);
    return n < steps ? n : null;
  };
  TAG.lastIndex = 0;
  while (TAG.lastIndex < rest.length) {
    const at = TAG.lastIndex;
    const m = TAG.exec(rest);
    if (!m || m.index !== at) return null;
    if (m[1]) {
      const i = idx(m[2]!);
      if (i === null) return null;
      if (m[1] === '>') t.next = i;
      else if (m[1] === '!') t.fail = i;
      else t.noInput = i;
    } else if (m[3]) t.tries = Math.min(Math.max(Number(m[3]), 1), 10);
    else if (m[4]) t.max = Math.min(Number(m[4]), 100);
    else if (m[5]) t.digits = [Number(m[5]), Number(m[6])];
    else if (m[7]) t.range = [Number(m[7]), Number(m[8])];
    else if (m[9]) t.date = true;
    else if (m[10]) t.keys = m[10];
    else if (m[11]) {
      const i = idx(m[12]!);
      if (i === null) return null;
      t.options[m[11]] = i;
    } else if (m[13]) t.ck = m[13];
  }
  return t;
}

/** The flow part read back; null when absent, of another version, too long or not well formed (all or nothing). */
export function parseSandboxFlow(text: string | null | undefined): SandboxFlow | null {
  if (!text || text.length > SANDBOX_FLOW_MAX_CHARS) return null;
  const [version, ...tokens] = text.split('/');
  if (version !== String(SANDBOX_FLOW_VERSION) || tokens.length === 0 || tokens.length > SANDBOX_FLOW_MAX_STEPS) return null;
  const steps: SandboxStep[] = [];
  for (const token of tokens) {
    const verb = token.charAt(0);
    const t = readTags(token.slice(1), tokens.length);
    if (!t) return null;
    switch (verb) {
      case 'p': case 's': steps.push({ verb: 'pass', next: t.next }); break;
      case 'h': case 'x': steps.push({ verb: 'end' }); break;
      case 'j': steps.push({ verb: 'goto', target: t.next, max: t.max ?? 1, else: t.fail }); break;
      case 'm': steps.push({ verb: 'menu', options: t.options, tries: t.tries, noInput: t.noInput, invalid: t.fail }); break;
      case 'g': {
        if (!t.digits || t.digits[0] < 1 || t.digits[1] < t.digits[0] || t.digits[1] > 32) return null;
        steps.push({ verb: 'gather', min: t.digits[0], max: t.digits[1], range: t.range, date: t.date, terminator: t.keys.slice(0, 1) || null, tries: t.tries, next: t.next, onFail: t.fail });
        break;
      }
      case 'r': steps.push({ verb: 'record', endKeys: t.keys, next: t.next }); break;
      case 'c': steps.push({ verb: 'callback', keys: t.ck, tries: t.tries, next: t.next, onFail: t.fail }); break;
      default: return null;
    }
  }
  return { steps };
}
