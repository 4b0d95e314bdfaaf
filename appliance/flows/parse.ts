// Untrusted flow JSON (HTTP body, fleet command, a stored campaign) into a typed Flow. Every problem is
// a field error whose key is the path (`flow.steps[3].next`) and whose message names the step by id.
import { AppError, type FieldError } from '../../core/errors.ts';
import { FLOW_VERSION, VERBS, type CallbackOption, type Flow, type FlowPrompt, type FlowStep, type GatherValidation, type VerbName } from './model.ts';

type Json = Record<string, unknown>;

const ID = /^[A-Za-z0-9_-]{1,40}$/;
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const KEY = /^[0-9*#]$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const MAX_STEPS = 100;
/** A staff group's name, or an E.164 number. */
const TRANSFER_TO = /^(\+[1-9][0-9]{6,14}|[A-Za-z0-9][A-Za-z0-9_.-]{0,39})$/;

/** Collects field errors; `fail()` throws them all at once (the first one is the message). */
export class FlowProblems {
  readonly list: FieldError[] = [];
  add(key: string, message: string): void {
    this.list.push({ key, message });
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    const step = /steps\[(\d+)\]/.exec(first.key)?.[1];
    throw new AppError('E_FLOW_INVALID', `campaign field "${first.key}": ${first.message}`, { field: first.key, ...(step !== undefined ? { step: Number(step) } : {}) }, { fields: this.list });
  }
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class StepReader {
  constructor(private readonly o: Json, private readonly path: string, private readonly label: string, private readonly p: FlowProblems) {}
  private bad(field: string, what: string): undefined {
    this.p.add(`${this.path}.${field}`, `${this.label}: ${what}`);
    return undefined;
  }
  str(field: string, what: string, re?: RegExp, optional = false): string | undefined {
    const v = this.o[field];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || !v || (re && !re.test(v))) return this.bad(field, what);
    return v;
  }
  int(field: string, min: number, max: number, what: string, fallback?: number): number | undefined {
    const v = this.o[field] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) return this.bad(field, `${what} (${min} to ${max})`);
    return v as number;
  }
  ref(field: string, optional = true): string | undefined {
    return this.str(field, 'the id of another step', ID, optional);
  }
  prompt(field: string, optional = true): FlowPrompt | undefined {
    const v = this.o[field];
    if (v === undefined && optional) return undefined;
    if (isObj(v)) {
      if (typeof v.recording === 'string' && v.recording && Object.keys(v).length === 1) return { recording: v.recording };
      if (v.message === true && Object.keys(v).length === 1) return { message: true };
      if (typeof v.tts === 'string' && v.tts.trim() && v.tts.length <= 2000 && Object.keys(v).length === 1) return { tts: v.tts };
    }
    return this.bad(field, 'a prompt: {"recording": "<id>"}, {"message": true} or {"tts": "<text, 1 to 2000 characters>"}');
  }
  keys(field: string, what: string): string | undefined {
    const v = this.o[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^[0-9*#]{1,12}$/.test(v)) return this.bad(field, what);
    return v;
  }
  reject(field: string, what: string): void {
    this.bad(field, what);
  }
}

function parseStep(raw: unknown, i: number, p: FlowProblems): FlowStep | null {
  const path = `flow.steps[${i}]`;
  if (!isObj(raw)) {
    p.add(path, `step ${i + 1}: an object with "id" and "verb"`);
    return null;
  }
  const id = typeof raw.id === 'string' && ID.test(raw.id) ? raw.id : null;
  if (!id) p.add(`${path}.id`, `step ${i + 1}: an id of 1 to 40 letters, digits, "-" or "_"`);
  const label = `step "${id ?? i + 1}"`;
  const r = new StepReader(raw, path, label, p);
  const verb = raw.verb as VerbName;
  if (!VERBS.includes(verb)) {
    p.add(`${path}.verb`, `${label}: unknown verb "${String(raw.verb).slice(0, 30)}" (one of ${VERBS.join(', ')})`);
    return null;
  }
  const base = { id: id ?? `#${i}` };
  const tries = (): number | undefined => r.int('tries', 1, 5, 'how many times it is asked', 1);
  switch (verb) {
    case 'play': {
      const prompt = r.prompt('prompt', false);
      if (raw.bargeIn !== undefined && typeof raw.bargeIn !== 'boolean') r.reject('bargeIn', 'true or false');
      const next = r.ref('next');
      return prompt ? { ...base, verb, prompt, ...(raw.bargeIn === false ? { bargeIn: false } : {}), ...(next ? { next } : {}) } : null;
    }
    case 'gather': {
      const name = r.str('name', 'the answer\'s name: lower-case letters, digits and "_", starting with a letter', NAME);
      const minDigits = r.int('minDigits', 1, 20, 'fewest keys', 1);
      const maxDigits = r.int('maxDigits', 1, 20, 'most keys', 1);
      if (minDigits !== undefined && maxDigits !== undefined && minDigits > maxDigits) r.reject('minDigits', 'no more than maxDigits');
      const terminator = r.str('terminator', 'one key 0-9, * or #', KEY, true);
      const first = r.int('firstDigitTimeoutMs', 1000, 60_000, 'milliseconds to wait for the first key', 5000);
      const inter = r.int('interDigitTimeoutMs', 500, 30_000, 'milliseconds to wait between keys', 3000);
      let validate: GatherValidation | undefined;
      const v = raw.validate;
      if (v !== undefined) {
        if (isObj(v) && v.kind === 'range' && Number.isInteger(v.min) && Number.isInteger(v.max) && (v.min as number) <= (v.max as number)) validate = { kind: 'range', min: v.min as number, max: v.max as number };
        else if (isObj(v) && v.kind === 'date') validate = { kind: 'date' };
        else r.reject('validate', '{"kind": "range", "min": <n>, "max": <n>} or {"kind": "date"} (typed as DDMMYYYY)');
      }
      const s = { ...base, verb, name: name ?? '', minDigits: minDigits ?? 1, maxDigits: maxDigits ?? 1, firstDigitTimeoutMs: first ?? 5000, interDigitTimeoutMs: inter ?? 3000, tries: tries() ?? 1 } as FlowStep & { verb: 'gather' };
      const opt = { prompt: r.prompt('prompt'), noInputPrompt: r.prompt('noInputPrompt'), invalidPrompt: r.prompt('invalidPrompt'), next: r.ref('next'), onFail: r.ref('onFail') };
      return Object.assign(s, strip({ ...opt, terminator, validate }));
    }
    case 'menu': {
      const options: Record<string, string> = {};
      // No option at all is a pause that only listens for the opt-out key.
      if (!isObj(raw.options)) r.reject('options', 'keys leading to steps, e.g. {"1": "confirm"}');
      else {
        for (const [k, to] of Object.entries(raw.options)) {
          if (!KEY.test(k)) r.reject(`options.${k}`, `"${k.slice(0, 5)}" is not one key 0-9, * or #`);
          else if (typeof to !== 'string' || !ID.test(to)) r.reject(`options.${k}`, 'the id of another step');
          else options[k] = to;
        }
      }
      const name = r.str('name', 'the answer\'s name: lower-case letters, digits and "_", starting with a letter', NAME, true);
      const timeoutMs = r.int('timeoutMs', 1000, 60_000, 'milliseconds to wait for a key', 5000) ?? 5000;
      const opt = { name, prompt: r.prompt('prompt'), noInputPrompt: r.prompt('noInputPrompt'), invalidPrompt: r.prompt('invalidPrompt'), noInput: r.ref('noInput'), invalid: r.ref('invalid') };
      return { ...base, verb, options, timeoutMs, tries: tries() ?? 1, ...strip(opt) };
    }
    case 'record': {
      const name = r.str('name', 'the answer\'s name: lower-case letters, digits and "_", starting with a letter', NAME);
      const maxMs = r.int('maxMs', 1000, 300_000, 'longest recording in milliseconds', 60_000) ?? 60_000;
      const silenceMs = r.int('silenceMs', 500, 30_000, 'silence that ends it, in milliseconds', 3000) ?? 3000;
      const opt = { prompt: r.prompt('prompt'), endKeys: r.keys('endKeys', 'keys that end the recording, e.g. "#"'), next: r.ref('next') };
      return { ...base, verb, name: name ?? '', maxMs, silenceMs, ...strip(opt) };
    }
    case 'set': {
      const name = r.str('name', 'the answer\'s name: lower-case letters, digits and "_", starting with a letter', NAME);
      if (typeof raw.value !== 'string' || raw.value.length > 200) r.reject('value', 'text of at most 200 characters');
      const next = r.ref('next');
      return { ...base, verb, name: name ?? '', value: typeof raw.value === 'string' ? raw.value : '', ...(next ? { next } : {}) };
    }
    case 'callback': {
      const name = r.str('name', 'the answer\'s name: lower-case letters, digits and "_", starting with a letter', NAME);
      const options: CallbackOption[] = [];
      if (!Array.isArray(raw.options) || raw.options.length === 0) r.reject('options', 'at least one time slot: {"key", "dayOffset", "from", "to", "label"}');
      else {
        raw.options.forEach((o: unknown, j: number) => {
          const at = `options[${j}]`;
          if (!isObj(o)) {
            r.reject(at, 'a time slot: {"key", "dayOffset", "from", "to", "label"}');
            return;
          }
          const okKey = typeof o.key === 'string' && KEY.test(o.key);
          const okDay = Number.isInteger(o.dayOffset) && (o.dayOffset as number) >= 0 && (o.dayOffset as number) <= 6;
          const okTimes = typeof o.from === 'string' && HHMM.test(o.from) && typeof o.to === 'string' && HHMM.test(o.to) && o.from < o.to;
          const okLabel = typeof o.label === 'string' && NAME.test(o.label);
          if (!okKey) r.reject(`${at}.key`, 'one key 0-9, * or #');
          if (!okDay) r.reject(`${at}.dayOffset`, '0 (today) to 6 days ahead');
          if (!okTimes) r.reject(`${at}.from`, '"from" and "to" as HH:MM in the callee\'s local time, "from" before "to"');
          if (!okLabel) r.reject(`${at}.label`, 'a label: lower-case letters, digits and "_" (e.g. "tomorrow_morning")');
          if (okKey && okDay && okTimes && okLabel) options.push({ key: o.key as string, dayOffset: o.dayOffset as number, from: o.from as string, to: o.to as string, label: o.label as string });
        });
      }
      const timeoutMs = r.int('timeoutMs', 1000, 60_000, 'milliseconds to wait for a key', 5000) ?? 5000;
      const opt = { prompt: r.prompt('prompt'), confirmPrompt: r.prompt('confirmPrompt'), next: r.ref('next'), onFail: r.ref('onFail') };
      return { ...base, verb, name: name ?? '', options, timeoutMs, tries: tries() ?? 1, ...strip(opt) };
    }
    case 'transfer': {
      const to = r.str('to', 'a staff group\'s name, or one of the organisation\'s numbers in E.164 (+...)', TRANSFER_TO);
      if (raw.strategy !== undefined && raw.strategy !== 'ring-all' && raw.strategy !== 'longest-idle') r.reject('strategy', '"ring-all" or "longest-idle"');
      if (raw.whisper !== undefined && typeof raw.whisper !== 'boolean') r.reject('whisper', 'true or false');
      const waitMs = r.int('waitMs', 5000, 300_000, 'milliseconds the callee waits for someone to answer', 30_000) ?? 30_000;
      const opt = { holdPrompt: r.prompt('holdPrompt'), next: r.ref('next'), noAnswer: r.ref('noAnswer') };
      const strategy = raw.strategy === 'ring-all' || raw.strategy === 'longest-idle' ? raw.strategy : undefined;
      return { ...base, verb, to: to ?? '', waitMs, ...(strategy ? { strategy } : {}), ...(raw.whisper === false ? { whisper: false } : {}), ...strip(opt) };
    }
    case 'goto': {
      const target = r.ref('target', false);
      const max = r.int('max', 1, 10, 'how many times this goto may be taken in one call', undefined);
      const other = r.ref('else');
      return { ...base, verb, target: target ?? '', max: max ?? 1, ...(other ? { else: other } : {}) };
    }
    case 'hangup': {
      if (raw.outcome !== undefined && raw.outcome !== 'human' && raw.outcome !== 'confirmed') r.reject('outcome', '"human" or "confirmed"');
      const prompt = r.prompt('prompt');
      return { ...base, verb, ...(prompt ? { prompt } : {}), ...(raw.outcome === 'confirmed' ? { outcome: 'confirmed' as const } : {}) };
    }
  }
}

function strip<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The structure of a flow; problems are collected in `p` (the caller throws). */
export function parseFlowInto(input: unknown, p: FlowProblems): Flow | null {
  if (!isObj(input)) {
    p.add('flow', 'a flow: {"version": 1, "steps": [...]}');
    return null;
  }
  if (input.version !== FLOW_VERSION) p.add('flow.version', `this box runs flows of version ${FLOW_VERSION}`);
  const steps = input.steps;
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    p.add('flow.steps', `1 to ${MAX_STEPS} steps`);
    return null;
  }
  const parsed = steps.map((s, i) => parseStep(s, i, p));
  const optOutAck = new StepReader(input, 'flow', 'the flow', p).prompt('optOutAck');
  if (input.template !== undefined && (typeof input.template !== 'string' || !ID.test(input.template))) p.add('flow.template', 'the template\'s name');
  if (parsed.some((s) => s === null)) return null;
  return { version: FLOW_VERSION, ...(typeof input.template === 'string' && ID.test(input.template) ? { template: input.template } : {}), ...(optOutAck ? { optOutAck } : {}), steps: parsed as FlowStep[] };
}

/** Parse a flow's structure alone; throws E_FLOW_INVALID with every field at fault. */
export function parseFlow(input: unknown): Flow {
  const p = new FlowProblems();
  const flow = parseFlowInto(input, p);
  p.throwIfAny();
  return flow!;
}
