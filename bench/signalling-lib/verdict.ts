// The signalling bench's verdict. The rate is the best round's (a busy moment on a shared machine
// slows a round without saying anything about the engine), but a failed call says something whichever
// round it fell in: the bench passes only when no call of ours failed in any round, warm-up included,
// as seen by us or by the UAS.

export interface EngineRound {
  /** 'warm-up', 'round 1', ...: named in the verdict when it failed calls. */
  label: string;
  setupsPerSec: number;
  /** Calls that failed on our side. */
  failed: number;
  /** Calls the UAS counted as failed (e.g. no ACK or BYE from us). */
  uasFailed: number;
}

export interface SignallingVerdict {
  pass: boolean;
  setupsPerSec: number;
  /** Rounds with any failed call, by label. */
  roundsWithFailures: string[];
}

export function signallingVerdict(rounds: readonly EngineRound[], target: number): SignallingVerdict {
  const measured = rounds.filter((r) => r.label !== 'warm-up');
  const best = measured.reduce((m, r) => Math.max(m, r.setupsPerSec), 0);
  const roundsWithFailures = rounds.filter((r) => r.failed > 0 || r.uasFailed > 0).map((r) => r.label);
  return { pass: measured.length > 0 && best >= target && roundsWithFailures.length === 0, setupsPerSec: best, roundsWithFailures };
}
