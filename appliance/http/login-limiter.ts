// Login rate limit. Failed attempts are counted in a sliding window per source address, per account
// and source together, and per account. A source that failed too often is refused (for every account,
// even with the right password): that is the guesser. An account that failed too often from elsewhere
// is only slowed down, never refused, for a source that has not failed: otherwise anyone on the LAN
// could keep the admin out by failing five logins a minute. Memory is bounded: old keys are pruned,
// and the map is capped.
export interface LoginLimit {
  /** Failures allowed per source, and per account from one source, inside the window. */
  max: number;
  windowMs: number;
  /** Delay added per account failure beyond `max` (from any source), up to `maxDelayMs`. */
  delayStepMs?: number;
  maxDelayMs?: number;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimit = { max: 5, windowMs: 60_000, delayStepMs: 500, maxDelayMs: 4_000 };
const MAX_KEYS = 10_000;

/** What to do with a login attempt before its password is checked. */
export interface LoginVerdict {
  /** > 0: refuse; the source may try again after this many ms. */
  refuseMs: number;
  /** Wait this long before checking the password (right or wrong alike, so the wait tells nothing). */
  delayMs: number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: LoginLimit = DEFAULT_LOGIN_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  check(account: string, source: string): LoginVerdict {
    const t = this.now();
    const { max, windowMs } = this.limit;
    let refuseMs = 0;
    for (const key of [sourceKey(source), pairKey(account, source)]) {
      const recent = this.recent(key, t);
      if (recent.length >= max) refuseMs = Math.max(refuseMs, recent[recent.length - max]! + windowMs - t);
    }
    const accountFailures = this.recent(accountKey(account), t).length;
    const over = accountFailures - max + 1;
    const step = this.limit.delayStepMs ?? 0;
    const delayMs = over > 0 ? Math.min(this.limit.maxDelayMs ?? 0, over * step) : 0;
    return { refuseMs, delayMs };
  }

  fail(account: string, source: string): void {
    const t = this.now();
    if (this.failures.size >= MAX_KEYS) this.prune(t);
    const { max, maxDelayMs = 0, delayStepMs = 0 } = this.limit;
    // The account's list is kept long enough for the delay to reach its cap.
    const accountKeep = max + (delayStepMs > 0 ? Math.ceil(maxDelayMs / delayStepMs) : 0);
    this.push(sourceKey(source), t, max);
    this.push(pairKey(account, source), t, max);
    this.push(accountKey(account), t, accountKeep);
  }

  /**
   * A right password from a source clears that source's count for the account. Neither the source's
   * own count (one good account must not reset a guesser's) nor the account's (others' failures).
   */
  succeed(account: string, source: string): void {
    this.failures.delete(pairKey(account, source));
  }

  private push(key: string, t: number, keep: number): void {
    const recent = this.recent(key, t);
    recent.push(t);
    this.failures.set(key, recent.slice(-keep));
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

const sourceKey = (source: string): string => `ip:${source}`;
const accountKey = (account: string): string => `user:${account.toLowerCase()}`;
const pairKey = (account: string, source: string): string => `pair:${account.toLowerCase()}\n${source}`;
