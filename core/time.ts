// Time as the telephony and domain code see it: the wall clock in the box, a fake one in tests
// (test/campaigns/dialer.test.ts drives the dialer's loop on one). Two shapes: Clock for code that
// waits (channel pools, registration), TimerClock for a loop that schedules its next turn (the dialer).

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface TimerClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a handle for clear(). */
  schedule(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimerClock: TimerClock = {
  now: () => Date.now(),
  schedule: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
