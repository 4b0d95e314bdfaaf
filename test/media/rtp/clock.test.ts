import test from 'ava';
import { MediaClock } from '../../../media/rtp/clock.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.serial('over 5 s the clock ticks elapsed/20 times (±1): timer jitter does not accumulate', async (t) => {
  const clock = new MediaClock();
  let ticks = 0;
  let first = 0;
  let last = 0;
  const t0 = process.hrtime.bigint();
  const off = clock.subscribe((n) => {
    ticks++;
    t.true(n > last, 'tick numbers increase');
    if (first === 0) first = n;
    last = n;
  });
  // load the event loop now and then, as a busy box would
  const busy = setInterval(() => {
    const end = Date.now() + 7;
    while (Date.now() < end);
  }, 130);
  await sleep(5000);
  const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  off();
  clearInterval(busy);
  t.false(clock.running, 'stops without subscribers');
  const expected = Math.floor(elapsedMs / 20);
  // tick numbers count skipped ticks too (a stall longer than the catch-up bound on a busy machine)
  const numbered = last - first + 1;
  t.log({ ...clock.stats(), ran: ticks, numbered, expected });
  t.true(Math.abs(numbered - expected) <= 1, `${numbered} ticks in ${elapsedMs.toFixed(1)} ms`);
});

test.serial('after a stall the missed ticks run back to back, and beyond the catch-up bound they are skipped', async (t) => {
  const clock = new MediaClock({ maxCatchUpTicks: 5 });
  const seen: number[] = [];
  const off = clock.subscribe((n) => seen.push(n));
  await sleep(100);
  const before = seen.length;
  const end = Date.now() + 300; // block the loop for 15 ticks
  while (Date.now() < end);
  await sleep(70);
  off();
  const after = seen.slice(before);
  // tick numbers keep counting through the stall, so RTP timestamps stay true to wall time
  t.true(after[after.length - 1] - seen[before - 1] >= 17, `numbers advanced by ${after[after.length - 1] - seen[before - 1]}`);
  t.true(clock.stats().skippedTicks >= 5, `skipped ${clock.stats().skippedTicks}`);
  t.true(after.length < 17, `ran ${after.length} ticks, not all the missed ones`);
});

test.serial('subscribers can leave during a tick, a throwing one does not stop the others', async (t) => {
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
  await sleep(110);
  offB();
  offC();
  t.is(a, 1);
  t.true(b >= 3 && Math.abs(c - b) <= 1, `b=${b} c=${c}`); // b and c sit in different phases
  t.is(errors.length, b);
  t.is(clock.subscribers, 0);
  t.false(clock.running);
});

test.serial('subscribers are spread over the phases of the period, each called once per tick', async (t) => {
  const clock = new MediaClock({ phases: 4, phaseFill: 2 });
  const calls: Array<Array<{ tick: number; at: number }>> = [];
  const offs = [];
  for (let i = 0; i < 8; i++) {
    const mine: Array<{ tick: number; at: number }> = [];
    calls.push(mine);
    offs.push(clock.subscribe((tick) => mine.push({ tick, at: performance.now() })));
  }
  await sleep(300);
  for (const off of offs) off();
  const firstTick = Math.max(...calls.map((c) => c[0].tick));
  const lastTick = Math.min(...calls.map((c) => c.at(-1)?.tick ?? 0));
  for (const c of calls) {
    const ticks = c.filter((x) => x.tick >= firstTick && x.tick <= lastTick).map((x) => x.tick);
    t.deepEqual(ticks, Array.from({ length: lastTick - firstTick + 1 }, (_, i) => firstTick + i), 'one call per tick, none missed');
  }
  // within a tick, the four phases start about 5 ms apart (median over ticks: a busy machine may stall one)
  const spreads: number[] = [];
  for (let tick = firstTick; tick <= lastTick; tick++) {
    const starts = calls.map((c) => (c.find((x) => x.tick === tick) as { at: number }).at).sort((a, b) => a - b);
    spreads.push(starts[starts.length - 1] - starts[0]);
  }
  spreads.sort((a, b) => a - b);
  const spread = spreads[Math.floor(spreads.length / 2)];
  t.true(spread > 12 && spread < 18, `phases spread over ${spread.toFixed(2)} ms`);
});
