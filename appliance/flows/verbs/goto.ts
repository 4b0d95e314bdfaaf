// goto: jump to a step, at most `max` times in one call (the bound of every loop), then `else`.
import type { GotoStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class GotoVerb extends Verb<GotoStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const taken = s.countGoto(this.step.id);
    return { next: taken <= this.step.max ? this.step.target : this.step.else };
  }
}
