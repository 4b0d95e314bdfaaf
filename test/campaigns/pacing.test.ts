import test from 'ava';
import { SlidingRateLimiter, CircuitBreaker } from '../../appliance/campaigns/pacing.ts';

test('the cap holds in every one-second window, not only on second boundaries', (t) => {
  const l = new SlidingRateLimiter(10);
  const starts: number[] = [];
  // Ask for a call every millisecond for 5 s of simulated time.
  for (let now = 0; now < 5000; now++) if (l.tryTake(now)) starts.push(now);
  for (let i = 0; i < starts.length; i++) {
    const inWindow = starts.filter((s) => s >= starts[i]! && s < starts[i]! + 1000).length;
    t.true(inWindow <= 10, `window from ${starts[i]} holds ${inWindow} starts`);
  }
  t.true(starts.length >= 45, `throughput stays close to the cap (${starts.length} in 5 s)`);
});

test('a fractional rate spaces calls out', (t) => {
  const l = new SlidingRateLimiter(0.5);
  t.true(l.tryTake(0));
  t.false(l.tryTake(1000));
  t.true(l.waitMs(1000) > 0);
  t.true(l.tryTake(2100));
});

test('the breaker opens after repeated trunk failures and half-opens after its cool-down', (t) => {
  const b = new CircuitBreaker(3, 1000);
  b.record(false, 0); b.record(false, 1);
  t.false(b.isOpen(2));
  b.record(false, 3);
  t.true(b.isOpen(4));
  t.false(b.isOpen(1100));
  b.record(false, 1101);
  t.true(b.isOpen(1102));
});
