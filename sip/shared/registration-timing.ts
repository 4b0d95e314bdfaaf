// Registration timing both engines use: when to refresh a registration, how long to back off after
// failures (with jitter), and the states a trunk's registration goes through.

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'failed';

/** Delay before retry number `failures` (1-based): base·2^(n-1), capped, with ±10% jitter. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(raw * (0.9 + 0.2 * random()));
}

/** When to refresh a binding granted for `expiresSec`: well before it lapses, never after. */
export function refreshDelayMs(expiresSec: number): number {
  const s = expiresSec <= 10 ? expiresSec / 2 : Math.min(expiresSec * 0.8, expiresSec - 5);
  return Math.max(500, Math.round(s * 1000));
}
