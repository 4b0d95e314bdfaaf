// The life cycle every verb shares: built once from its step by the factory, then `run` once per visit
// with the call's session; it answers where the flow goes next. Verbs touch the call only through the
// session, which uses only the call port.
import type { FlowStep } from '../model.ts';
import type { FlowSession } from '../session.ts';

export type VerbResult =
  /** Go on to this step; absent = the call ends normally. */
  | { next?: string }
  /** The callee pressed the campaign's opt-out key. */
  | { optOut: true }
  /** The flow ends here with this outcome. */
  | { end: 'human' | 'confirmed' };

export abstract class Verb<S extends FlowStep = FlowStep> {
  constructor(readonly step: S) {}
  abstract run(session: FlowSession): Promise<VerbResult>;
}
