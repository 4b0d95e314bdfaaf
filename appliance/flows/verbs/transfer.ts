// transfer: to a person (issue 16). Validation refuses a flow that has it; should one run anyway (a
// stored flow from a newer box), the call ends normally rather than dropping the callee into silence.
import type { TransferStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class TransferVerb extends Verb<TransferStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    s.note('transfer-unavailable');
    return { next: this.step.next };
  }
}
