// Pacing: a calls-per-second cap that holds in EVERY one-second window (a sliding log of the
// last starts, not a refilling bucket that allows bursts at a boundary), plus channel counting.

export class SlidingRateLimiter {
  private readonly starts: number[] = [];
  private head = 0;

  // The window is a little longer than a second so that network jitter between us and the trunk
  // cannot squeeze one call too many into a one-second window as the trunk sees it.
  constructor(private perSecond: number, private readonly windowMs = 1030) {}

  setRate(perSecond: number): void {
    this.perSecond = perSecond;
  }

  /** Whole calls allowed in a window (a cps of 0.5 allows one call per two seconds). */
  private capacity(): { count: number; window: number } {
    if (this.perSecond >= 1) return { count: Math.floor(this.perSecond), window: this.windowMs };
    return { count: 1, window: Math.ceil(this.windowMs / this.perSecond) };
  }

  private prune(now: number, window: number): void {
    while (this.head < this.starts.length && this.starts[this.head]! <= now - window) this.head++;
    if (this.head > 1024) {
      this.starts.splice(0, this.head);
      this.head = 0;
    }
  }

  /** How many calls may start now. */
  available(now: number): number {
    const { count, window } = this.capacity();
    this.prune(now, window);
    return Math.max(0, count - (this.starts.length - this.head));
  }

  /** Record a start; false (and nothing recorded) when it would break the cap. */
  tryTake(now: number): boolean {
    if (this.available(now) <= 0) return false;
    this.starts.push(now);
    return true;
  }

  /** Milliseconds until one more call may start. */
  waitMs(now: number): number {
    const { window } = this.capacity();
    if (this.available(now) > 0) return 0;
    return Math.max(1, this.starts[this.head]! + window - now + 1);
  }
}

/** Consecutive trunk failures open the breaker; it half-opens after a cool-down. */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(private readonly threshold = 5, private readonly coolDownMs = 60_000) {}

  record(ok: boolean, now: number): void {
    if (ok) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    if (this.failures >= this.threshold) this.openUntil = now + this.coolDownMs;
  }

  isOpen(now: number): boolean {
    if (this.openUntil > now) return true;
    if (this.openUntil !== 0 && this.openUntil <= now) {
      // Half-open: let one call through; one more failure re-opens it.
      this.openUntil = 0;
      this.failures = this.threshold - 1;
    }
    return false;
  }
}
