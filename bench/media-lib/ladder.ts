// The capacity ladder the media benches climb (bench media, bench bridge): more calls per rung while a
// rung meets the target; then, past the first miss, on while nothing is lost (the zero-loss capacity, what
// a machine whose timer floor is above the target still carries).

export interface Rung {
  calls: number;
  /** Within the target (lateness, loss, whatever the bench asks). */
  pass: boolean;
  /** Nothing lost, nothing skipped, whatever the lateness. */
  zeroLoss: boolean;
}

export interface LadderOptions {
  /** Measurements of a rung that misses the target before it counts as missed (another process may have taken the core). */
  attempts: number;
  /** Measurements of a rung past the target that loses something before the climb stops. */
  zeroLossAttempts?: number;
  /** Given the last rung within the target and the first one past it, a rung between to try once (or null). */
  between?: (passed: number, missed: number) => number | null;
  /** The climb stops starting rungs after this long (a bench must not outstay its welcome). */
  budgetMs?: number;
}

export interface Ladder<S extends Rung> {
  /** The largest rung within the target. */
  best: S | null;
  /** The largest rung without loss (within the target or past it). */
  zeroLoss: S | null;
  /** The first rung that missed the target. */
  missedAt: number | null;
  steps: Array<S & { attempts: number }>;
}

export async function climb<S extends Rung>(rungs: number[], measure: (calls: number) => Promise<S>, o: LadderOptions): Promise<Ladder<S>> {
  const started = performance.now();
  const inBudget = () => o.budgetMs === undefined || performance.now() - started < o.budgetMs;
  const steps: Array<S & { attempts: number }> = [];
  const attempt = async (n: number, max: number, ok: (r: S) => boolean): Promise<S> => {
    let r = await measure(n);
    let attempts = 1;
    while (!ok(r) && attempts < max) {
      attempts++;
      r = await measure(n);
    }
    steps.push({ ...r, attempts });
    return r;
  };
  let best: S | null = null;
  let zeroLoss: S | null = null;
  let missed: S | null = null;
  let i = 0;
  while (i < rungs.length && inBudget()) {
    const r = await attempt(rungs[i++], o.attempts, (x) => x.pass);
    if (r.zeroLoss) zeroLoss = r;
    if (!r.pass) {
      missed = r;
      break;
    }
    best = r;
  }
  if (missed !== null && best !== null && o.between && inBudget()) {
    const mid = o.between(best.calls, missed.calls);
    if (mid !== null) {
      const r = await attempt(mid, o.attempts, (x) => x.pass);
      if (r.pass) best = r;
    }
  }
  // past the target: on while nothing is lost
  if (missed?.zeroLoss) {
    while (i < rungs.length && inBudget()) {
      const r = await attempt(rungs[i++], o.zeroLossAttempts ?? 1, (x) => x.zeroLoss);
      if (!r.zeroLoss) break;
      zeroLoss = r;
    }
  }
  const missedAt = missed?.calls ?? null;
  return { best, zeroLoss, missedAt, steps };
}

export const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
