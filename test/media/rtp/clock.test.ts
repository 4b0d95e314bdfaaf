import test from 'ava';
import { MediaClock } from '../../../media/rtp/clock.ts';
import { withFakeTime } from '../../support/fake-time.ts';

// On a fake clock (test/support/fake-time.ts): each test states what happens at given milliseconds,
// whatever else the machine is doing. Real timers drive the clock in the RTP and engine tests.

test('over 5 s of timers firing late or early by a few ms, tick n still runs at its own deadline: jitter does not accumulate', (t) => {
  // A seeded jitter of -0.4..+3 ms on every timer: a clock that re-armed 20 ms from each run would
  // drift by 1.3 ms per tick on average (some 16 ticks behind after 5 s).
  let seed = 7;
  const jitter = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return -0.4 + (3.4 * seed) / 2 ** 32; };
  withFakeTime((time) => {
    const clock = new MediaClock({ phases: 1 });
    const runs: Array<{ tick: number; at: number }> = [];
    const start = time.now;
    const off = clock.subscribe((n) => runs.push({ tick: n, at: time.now }));
    time.advance(5010); // 250 deadlines, the last one's jitter included
    off();
    t.false(clock.running, 'stops without subscribers');
    t.is(runs.length, 250, 'one tick per 20 ms');
    t.deepEqual(runs.map((r) => r.tick), Array.from({ length: 250 }, (_, i) => runs[0]!.tick + i));
    // each run within the jitter of its own deadline (start + 20 ms x k), the last as the first
    const worst = Math.max(...runs.map((r, k) => Math.abs(r.at - (start + 20 * (k + 1)))));
    t.true(worst <= 3.5, `worst run ${worst.toFixed(2)} ms off its deadline`);
    t.is(clock.stats().skippedTicks, 0);
  }, { jitter });
});

test('after a short stall the missed ticks run back to back; beyond the catch-up bound they are skipped', (t) => {
  withFakeTime((time) => {
    const clock = new MediaClock({ phases: 1, maxCatchUpTicks: 5 });
    const runs: Array<{ tick: number; at: number }> = [];
    const off = clock.subscribe((n) => runs.push({ tick: n, at: time.now }));
    time.advance(100); // ticks at 20, 40, ... 100 ms
    t.is(runs.length, 5);
    const first = runs[0]!;

    // The loop hangs 70 ms (three ticks due meanwhile): all three run at once when it is back, none skipped.
    time.stall(70);
    const before = runs.length;
    time.advance(0);
    const caughtUp = runs.slice(before);
    t.is(caughtUp.length, 3);
    t.true(caughtUp.every((r) => r.at === caughtUp[0]!.at), 'back to back');
    t.is(clock.stats().skippedTicks, 0);

    // A 300 ms hang (15 ticks) is more than the bound of 5: the clock skips ahead instead of bursting...
    time.stall(300);
    const beforeLong = runs.length;
    time.advance(0);
    const burst = runs.slice(beforeLong);
    t.true(burst.length <= 6, `${burst.length} ticks run back to back after the hang`);
    t.true(clock.stats().skippedTicks >= 9, `skipped ${clock.stats().skippedTicks}`);
    // ... and the tick numbers keep counting through it, so RTP timestamps stay true to wall time.
    time.advance(100);
    off();
    const last = runs.at(-1)!;
    t.is(last.tick - first.tick, Math.round((last.at - first.at) / 20));
    t.is(last.at % 20, first.at % 20, 'back on its deadlines');
  });
});

test('subscribers can leave during a tick, a throwing one does not stop the others', (t) => {
  withFakeTime((time) => {
    const errors: unknown[] = [];
    const clock = new MediaClock({ onListenerError: (e) => errors.push(e) });
    let a = 0;
    let b = 0;
    const offA = clock.subscribe(() => {
      a++;
      offA();
    });
    const offB = clock.subscribe(() => {
      b++;
      throw new Error('boom');
    });
    let c = 0;
    const offC = clock.subscribe(() => c++);
    time.advance(110); // ticks at 20 ... 100 ms
    offB();
    offC();
    t.is(a, 1);
    t.is(b, 5);
    t.is(c, 5);
    t.is(errors.length, 5);
    t.is(clock.subscribers, 0);
    t.false(clock.running);
  });
});

test('an object subscriber (TickReceiver) is called as a method beside function subscribers, leaves the same way, and a throw is reported', (t) => {
  withFakeTime((time) => {
    const errors: unknown[] = [];
    const clock = new MediaClock({ onListenerError: (e) => errors.push(e) });
    const seen: string[] = [];
    const receiver = {
      name: 'session',
      clockTick(tick: number) {
        seen.push(`${this.name} ${tick}`); // `this` is the subscriber
        if (tick === 2) throw new Error('boom');
      },
    };
    const offObject = clock.subscribe(receiver);
    const offFunction = clock.subscribe((tick) => seen.push(`function ${tick}`));
    time.advance(50); // ticks 1 and 2
    offObject();
    time.advance(20); // tick 3: the function alone
    offFunction();
    t.deepEqual(seen, ['session 1', 'function 1', 'session 2', 'function 2', 'function 3']);
    t.is(errors.length, 1);
    t.is(clock.subscribers, 0);
  });
});

test('subscribers are spread over the phases of the period, each called once per tick', (t) => {
  withFakeTime((time) => {
    const clock = new MediaClock({ phases: 4, phaseFill: 2 });
    const calls: Array<Array<{ tick: number; at: number }>> = [];
    const offs = [];
    for (let i = 0; i < 8; i++) {
      const mine: Array<{ tick: number; at: number }> = [];
      calls.push(mine);
      offs.push(clock.subscribe((tick) => mine.push({ tick, at: time.now })));
    }
    time.advance(315); // 15 whole periods: phase 0 at 20, 40, ... 300 ms, the last phase 15 ms later
    for (const off of offs) off();
    const ticks = calls[0]!.map((x) => x.tick);
    t.is(ticks.length, 15);
    for (const c of calls) t.deepEqual(c.map((x) => x.tick), ticks, 'one call per tick, none missed');
    // two subscribers per phase; within a tick the four phases start 5 ms apart
    for (let k = 0; k < ticks.length; k++) {
      const starts = calls.map((c) => c[k]!.at - calls[0]![k]!.at);
      t.deepEqual(starts, [0, 0, 5, 5, 10, 10, 15, 15], `tick ${ticks[k]}`);
    }
  });
});

test('poll() from inside a long batch of I/O runs the phase due at once, not after the batch; never early, never twice', (t) => {
  withFakeTime((time) => {
    const clock = new MediaClock({ phases: 2, phaseFill: 1 });
    const runs: Array<{ who: string; tick: number; at: number }> = [];
    const start = time.now;
    const offA = clock.subscribe((tick) => runs.push({ who: 'a', tick, at: time.now - start }));
    const offB = clock.subscribe((tick) => runs.push({ who: 'b', tick, at: time.now - start }));
    time.advance(20); // phase 0 at 20 ms; phase 1 is due at 30 ms
    t.deepEqual(runs.map((r) => r.who), ['a']);

    // A batch of received packets handled from 25 to 37 ms (one every 0.5 ms), each polling the clock:
    // the loop is busy, so no timer can fire before the batch ends.
    const before = time.timers;
    time.stall(5);
    for (let i = 0; i < 24; i++) {
      time.stall(0.5);
      clock.poll();
    }
    t.deepEqual(runs.map((r) => r.who), ['a', 'b'], 'phase 1 ran during the batch, once');
    t.is(runs[1]!.at, 30, 'at the first packet on or after its deadline (30 ms), not when the batch ended (37 ms)');
    t.is(time.timers, before, 'the timer was moved to the next deadline, not doubled');

    time.stall(3); // 40 ms
    clock.poll();
    t.deepEqual(runs.map((r) => `${r.who}${r.tick - runs[0]!.tick}`), ['a0', 'b0', 'a1'], 'the next period at 40 ms, by poll');
    clock.poll();
    time.advance(9); // 49 ms: the timer left for 50 ms has not fired, and poll before a deadline runs nothing
    clock.poll();
    t.is(runs.length, 3);
    time.advance(1);
    t.deepEqual(runs.map((r) => `${r.who}${r.tick - runs[0]!.tick}@${r.at}`), ['a0@20', 'b0@30', 'a1@40', 'b1@50'], 'the timer takes over when I/O is quiet');
    offA();
    offB();
    clock.poll(); // stopped: nothing runs, no timer is armed
    t.false(clock.running);
    t.is(time.timers, 0);
  });
});

test('a closed clock takes no late subscriber (no timer left running after its engine stopped), until reopened', async (t) => {
  const clock = new MediaClock();
  let ticks = 0;
  const off = clock.subscribe(() => ticks++);
  await new Promise((r) => setTimeout(r, 70));
  t.true(ticks > 0);
  clock.close();
  off();
  // what subscribes as its engine stops (a session moving to the main thread, a leg closing) ...
  ticks = 0;
  const late = clock.subscribe(() => ticks++);
  t.false(clock.running, 'no timer started by a late subscriber (it would hold the process open)');
  await new Promise((r) => setTimeout(r, 70));
  t.is(ticks, 0, 'a late subscriber is never called');
  late();
  // ... while an engine started again runs its clock as before
  clock.reopen();
  const again = clock.subscribe(() => ticks++);
  t.true(clock.running);
  await new Promise((r) => setTimeout(r, 70));
  t.true(ticks > 0);
  again();
  clock.close();
});

test('with preciseWait (a media worker), timers up to 0.9 ms late still start every phase at its deadline, never early', (t) => {
  // Timers fire 0..0.9 ms late, as libuv's millisecond timers do; the clock wakes up early and sleeps the rest.
  let seed = 3;
  const late = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (0.9 * seed) / 2 ** 32; };
  const run = (precise: boolean): { offsets: number[]; waits: number } => withFakeTime((time) => {
    let waits = 0;
    const clock = new MediaClock({ phases: 10, phaseFill: 1, ...(precise ? { preciseWait: (ms: number) => { waits++; time.stall(ms); } } : {}) });
    const offsets: number[] = [];
    const offs = Array.from({ length: 10 }, () => clock.subscribe(() => offsets.push(time.now - clock.deadlineMs)));
    time.advance(2000);
    for (const off of offs) off();
    return { offsets, waits };
  }, { jitter: late });
  const precise = run(true);
  t.true(precise.offsets.length >= 990, `${precise.offsets.length} phase runs in 2 s`);
  t.true(precise.waits > 0, 'the last stretch was slept');
  t.true(precise.offsets.every((o) => Math.abs(o) < 1e-9), `every run at its deadline (worst ${Math.max(...precise.offsets.map(Math.abs))} ms)`);
  // the same timers without it: runs land up to the timers' lateness after (or half a ms before) the deadline
  const coarse = run(false);
  t.true(Math.max(...coarse.offsets.map(Math.abs)) > 0.3, 'timers alone are that far off');
});
