// Login rate limit: failed attempts counted per source address and per username in a sliding window.
// Once either key reaches the limit, logins for it are refused (even with the right password) until
// the oldest failure leaves the window. Memory is bounded: old keys are pruned, and the map is capped.
export interface LoginLimit {
  /** Failures allowed per key inside the window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimit = { max: 5, windowMs: 60_000 };
const MAX_KEYS = 10_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: LoginLimit = DEFAULT_LOGIN_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until a login may be tried again for these keys; 0 when allowed now. */
  retryAfterMs(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, t);
      if (recent.length >= this.limit.max) wait = Math.max(wait, recent[recent.length - this.limit.max]! + this.limit.windowMs - t);
    }
    return wait;
  }

  fail(keys: string[]): void {
    const t = this.now();
    if (this.failures.size >= MAX_KEYS) this.prune(t);
    for (const key of keys) {
      const recent = this.recent(key, t);
      recent.push(t);
      this.failures.set(key, recent.slice(-this.limit.max));
    }
  }

  /** A successful login clears the username's count (not the address's: one good account must not reset it). */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, t: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => t - at < this.limit.windowMs);
  }

  private prune(t: number): void {
    for (const [key, list] of this.failures) {
      if (list.every((at) => t - at >= this.limit.windowMs)) this.failures.delete(key);
    }
    // Still full (a flood of distinct keys): drop the oldest entries rather than grow without bound.
    for (const key of this.failures.keys()) {
      if (this.failures.size < MAX_KEYS) break;
      this.failures.delete(key);
    }
  }
}
