// record: the callee's spoken answer, bounded in length, ended by silence after speech or by a key;
// the file is kept with the attempt under `name`. The opt-out key still opts out (the file is dropped).
import type { RecordStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class RecordVerb extends Verb<RecordStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const st = this.step;
    if (st.prompt) {
      const r = await s.say(st.prompt, { keepKey: false });
      if (r.optOut) return { optOut: true };
    }
    const r = await s.record(st.name, { maxMs: st.maxMs, silenceMs: st.silenceMs, endKeys: st.endKeys ?? '' });
    if (r.optOut) return { optOut: true };
    return { next: st.next };
  }
}
