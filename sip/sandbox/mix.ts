// The sandbox's population: which behaviour each number has, drawn deterministically from (seed,
// number) by a weighted mix, and how a number behaves on a later attempt (the retry rule below).
import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.ts';

export const BEHAVIOURS = ['listener', 'presser', 'voicemail', 'busy', 'no-answer', 'invalid', 'slow-answer', 'decline'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Relative weights (any non-negative numbers; they need not add up to 100). */
export type Mix = Readonly<Record<Behaviour, number>>;

export const DEFAULT_MIX_SPEC = 'listener=40,presser=15,voicemail=20,busy=8,no-answer=10,invalid=3,slow-answer=2,decline=2';

/** Keys a presser may press, with weights: '1' confirm, '9' repeat, '2' opt out. */
export const DEFAULT_KEYS_SPEC = '1=60,9=20,2=20';

function isBehaviour(s: string): s is Behaviour {
  return (BEHAVIOURS as readonly string[]).includes(s);
}

/** Parse "name=weight,..." items; `what` names the option in error messages. */
function parseWeights(spec: string, what: string, validName: (name: string) => boolean, valid: string): Map<string, number> {
  const out = new Map<string, number>();
  const items = spec.split(',').map((s) => s.trim());
  if (spec.trim() === '') throw new AppError('E_CONFIG_INVALID', `${what} is empty; expected e.g. ${valid}`, { key: what });
  for (const item of items) {
    const m = /^([^=\s]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)$/.exec(item);
    if (!m) throw new AppError('E_CONFIG_INVALID', `${what}: "${item}" is not name=weight (a non-negative number)`, { key: what, item });
    const [, name = '', weight = ''] = m;
    if (!validName(name)) throw new AppError('E_CONFIG_INVALID', `${what}: unknown name "${name}" (valid: ${valid})`, { key: what, item });
    if (out.has(name)) throw new AppError('E_CONFIG_INVALID', `${what}: "${name}" is given twice`, { key: what, item });
    out.set(name, Number(weight));
  }
  let total = 0;
  for (const w of out.values()) total += w;
  if (!(total > 0)) throw new AppError('E_CONFIG_INVALID', `${what}: the weights add up to 0; give at least one a positive weight`, { key: what });
  return out;
}

/** "listener=40,presser=15,..." → weights; behaviours not named get 0. Throws E_CONFIG_INVALID naming the bad item. */
export function parseMix(spec: string): Mix {
  const w = parseWeights(spec, 'mix', isBehaviour, BEHAVIOURS.join(', '));
  const mix = {} as Record<Behaviour, number>;
  for (const b of BEHAVIOURS) mix[b] = w.get(b) ?? 0;
  return mix;
}

export function formatMix(mix: Mix): string {
  return BEHAVIOURS.filter((b) => mix[b] > 0).map((b) => `${b}=${mix[b]}`).join(',');
}

export type KeyWeights = ReadonlyArray<{ key: string; weight: number }>;

/** "1=60,9=20,2=20" → the presser's keys (0-9, *, #, A-D) with weights. */
export function parseKeys(spec: string): KeyWeights {
  const w = parseWeights(spec, 'keys', (k) => /^[0-9*#A-D]$/.test(k), 'one DTMF key each: 0-9 * # A-D');
  return [...w.entries()].map(([key, weight]) => ({ key, weight }));
}

/**
 * A uniform number in [0, 1) from the seed and a list of labels: the same inputs give the same draw on
 * every machine and run. SHA-256 is plenty fast for a few draws per INVITE and has no bias to worry about.
 */
export function draw(seed: number | string, ...labels: Array<string | number>): number {
  const h = createHash('sha256').update(`${seed}\u0000${labels.join('\u0000')}`).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

/** Pick from weighted items with a uniform draw u in [0, 1). */
export function pickWeighted<T>(items: ReadonlyArray<{ item: T; weight: number }>, u: number): T {
  let total = 0;
  for (const i of items) total += i.weight;
  let x = u * total;
  for (const i of items) {
    if (i.weight <= 0) continue;
    if (x < i.weight) return i.item;
    x -= i.weight;
  }
  // Rounding at the top end: the last item with weight.
  const last = [...items].reverse().find((i) => i.weight > 0);
  if (!last) throw new Error('pickWeighted: no item has a positive weight');
  return last.item;
}

/** The behaviour a number shows on its first attempt (and, except for the retry rule, always). */
export function baseBehaviour(seed: number | string, number: string, mix: Mix): Behaviour {
  return pickWeighted(BEHAVIOURS.map((b) => ({ item: b, weight: mix[b] })), draw(seed, 'behaviour', number));
}

const ANSWERING: readonly Behaviour[] = ['listener', 'presser', 'voicemail'];

/** Default chance that a busy / unanswered number is reachable on a given retry. */
export const DEFAULT_RETRY_REACH = 0.5;

/**
 * The retry rule. Attempt 1 always shows the number's base behaviour. On attempt n >= 2 a `busy` or
 * `no-answer` number is reachable with probability `reach`, drawn per (seed, number, n); when reachable it
 * answers as a listener, presser or voicemail in the proportions of the mix (listener if those weigh 0).
 * Every other behaviour (including decline, invalid and slow-answer) is the same on every attempt.
 */
export function behaviourFor(seed: number | string, number: string, attempt: number, mix: Mix, reach = DEFAULT_RETRY_REACH): Behaviour {
  const base = baseBehaviour(seed, number, mix);
  if (attempt <= 1 || (base !== 'busy' && base !== 'no-answer')) return base;
  if (draw(seed, 'reach', number, attempt) >= reach) return base;
  const answering = ANSWERING.map((b) => ({ item: b, weight: mix[b] }));
  if (answering.every((a) => a.weight <= 0)) return 'listener';
  return pickWeighted(answering, draw(seed, 'answer-as', number, attempt));
}
