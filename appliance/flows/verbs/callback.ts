// callback: the callee chooses on the keypad when to be called again ("this evening", "tomorrow
// morning"); the slot is in the callee's local time and the new attempt lands inside it and inside the
// campaign's windows. A slot already past (or closed all through) counts as an invalid key.
import type { CallbackOption, CallbackStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class CallbackVerb extends Verb<CallbackStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const st = this.step;
    for (let attempt = 1; attempt <= st.tries; attempt++) {
      const r = await s.ask(attempt, st.prompt, undefined, undefined);
      if (r.optOut) return { optOut: true };
      const got = await s.keys({ max: 1, firstMs: st.timeoutMs });
      if (got.optOut) return { optOut: true };
      if (s.ended) return {};
      const option: CallbackOption | undefined = st.options.find((o) => o.key === got.keys);
      const slot = option ? s.slot(option) : null;
      if (option && slot) {
        s.answer(st.name, option.label);
        s.bookCallback({ ...slot, label: option.label });
        if (st.confirmPrompt) {
          const c = await s.say(st.confirmPrompt, { keepKey: false });
          if (c.optOut) return { optOut: true };
        }
        return { next: st.next };
      }
      s.lastMiss = got.keys ? 'invalid' : 'no-input';
    }
    return { next: st.onFail };
  }
}
