// transfer: hand the callee to a person (issue 16) — a staff group or one of the organisation's own
// numbers. The callee hears music or a message while it rings; nobody answering within the bounded wait
// (or nobody available, or a refused target) leads to `noAnswer`. After the conversation, a callee still
// on the line goes on with `next` (absent: the call ends).
import type { TransferStep } from '../model.ts';
import type { FlowSession } from '../session.ts';
import { Verb, type VerbResult } from './verb.ts';

export class TransferVerb extends Verb<TransferStep> {
  async run(s: FlowSession): Promise<VerbResult> {
    const r = await s.transfer(this.step);
    if (r.optOut) return { optOut: true };
    if (r.record.outcome === 'connected') return s.ended ? {} : { next: this.step.next };
    if (s.ended) return {};
    return { next: this.step.noAnswer };
  }
}
