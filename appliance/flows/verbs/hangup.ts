// hangup: an optional last prompt, then the call ends with the step's outcome.
import type { HangupStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class HangupVerb extends Verb<HangupStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    if (this.step.prompt) {
      const r = await s.say(this.step.prompt, { keepKey: false });
      if (r.optOut) return { optOut: true };
    }
    return { end: this.step.outcome ?? 'human' };
  }
}
