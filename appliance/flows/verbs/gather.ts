// gather: digits typed on the keypad (min/max, terminator, first-key and between-keys timeouts),
// asked again after no input or an invalid answer, a bounded number of times; kept under `name`.
import type { GatherStep, GatherValidation } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

/** The answer as kept (a date as YYYY-MM-DD), or null when it is not valid. */
export function validAnswer(digits: string, min: number, max: number, v: GatherValidation | undefined): string | null {
  if (digits.length < min || digits.length > max || !/^[0-9*#]+$/.test(digits)) return null;
  if (!v) return digits;
  if (v.kind === 'range') {
    if (!/^\d+$/.test(digits)) return null;
    const n = Number(digits);
    return n >= v.min && n <= v.max ? String(n) : null;
  }
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(digits);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[3]}-${m[2]}-${m[1]}`;
}

export class GatherVerb extends Verb<GatherStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const st = this.step;
    for (let attempt = 1; attempt <= st.tries; attempt++) {
      const r = await s.ask(attempt, st.prompt, st.noInputPrompt, st.invalidPrompt);
      if (r.optOut) return { optOut: true };
      const got = await s.keys({ max: st.maxDigits, firstMs: st.firstDigitTimeoutMs, interMs: st.interDigitTimeoutMs, terminator: st.terminator });
      if (got.optOut) return { optOut: true };
      if (s.ended) return {};
      if (got.keys === '') {
        s.lastMiss = 'no-input';
        continue;
      }
      const answer = validAnswer(got.keys, st.minDigits, st.maxDigits, st.validate);
      if (answer === null) {
        s.lastMiss = 'invalid';
        continue;
      }
      s.answer(st.name, answer);
      return { next: st.next };
    }
    return { next: st.onFail };
  }
}
