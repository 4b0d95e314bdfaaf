// menu: one key chooses a branch; no key or a key the menu does not have is asked again (bounded),
// then follows the no-input / invalid branch.
import type { MenuStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class MenuVerb extends Verb<MenuStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const st = this.step;
    let miss: 'no-input' | 'invalid' = 'no-input';
    for (let attempt = 1; attempt <= st.tries; attempt++) {
      const r = await s.ask(attempt, st.prompt, st.noInputPrompt, st.invalidPrompt);
      if (r.optOut) return { optOut: true };
      const got = await s.keys({ max: 1, firstMs: st.timeoutMs });
      if (got.optOut) return { optOut: true };
      if (s.ended) return {};
      const to = got.keys ? st.options[got.keys] : undefined;
      if (to !== undefined) {
        if (st.name) s.answer(st.name, got.keys);
        return { next: to };
      }
      miss = got.keys ? 'invalid' : 'no-input';
      s.lastMiss = miss;
    }
    return { next: miss === 'invalid' ? st.invalid : st.noInput };
  }
}
