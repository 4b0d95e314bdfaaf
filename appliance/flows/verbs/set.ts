// set: keep a value under a name (e.g. which branch the callee took), for reports and exports.
import type { SetStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class SetVerb extends Verb<SetStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    s.answer(this.step.name, this.step.value);
    return { next: this.step.next };
  }
}
