// play: one prompt. Barge-in by default: a key stops it and waits for the next input step; the opt-out
// key always stops it and opts out.
import type { PlayStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class PlayVerb extends Verb<PlayStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const r = await s.say(this.step.prompt, { keepKey: this.step.bargeIn !== false });
    if (r.optOut) return { optOut: true };
    return { next: this.step.next };
  }
}
