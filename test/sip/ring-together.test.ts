// The ring-all start line (sip/shared/ring-all.ts RingTogether): every endpoint's INVITE leaves at
// once, whichever leg's media was ready first; a leg that drops out or is slow does not hold the rest.
import test from 'ava';
import { type RingStart, RingTogether } from '../../sip/shared/ring-all.ts';

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise((r) => setImmediate(r));
  return done;
};

/** A start line with `n` places, sealed. */
function line(n: number, maxWaitMs = 10_000): RingStart[] {
  const together = new RingTogether(maxWaitMs);
  const places = Array.from({ length: n }, () => together.member());
  together.seal();
  return places;
}

test('the first leg ready waits for the second, and both go together', async (t) => {
  const [a, b] = line(2) as [RingStart, RingStart];
  const aGo = a.ready();
  t.false(await settled(aGo), 'the faster leg does not ring alone');
  const bGo = b.ready();
  t.true(await settled(aGo));
  t.true(await settled(bGo));
});

test('a leg that drops out (its set-up failed, or it ended) lets the others go', async (t) => {
  const [a, b] = line(2) as [RingStart, RingStart];
  const aGo = a.ready();
  b.drop();
  t.true(await settled(aGo));
  b.drop(); // twice, and after the line opened: no effect
  t.true(await settled(b.ready()));
});

test('a leg that drops after it was ready does not count twice', async (t) => {
  const [a, b, c] = line(3) as [RingStart, RingStart, RingStart];
  void a.ready();
  a.drop();
  const bGo = b.ready();
  t.false(await settled(bGo), 'c is neither ready nor gone');
  c.drop();
  t.true(await settled(bGo));
});

test('a slow leg holds the others back for maxWaitMs at most', async (t) => {
  const [a] = line(2, 50) as [RingStart, RingStart]; // the second is never ready
  const started = performance.now();
  await a.ready();
  t.true(performance.now() - started >= 40);
});

test('one leg alone, or legs all ready before the line is sealed, go at once', async (t) => {
  const [only] = line(1) as [RingStart];
  t.true(await settled(only.ready()));
  const early = new RingTogether(10_000);
  const x = early.member();
  const xGo = x.ready();
  t.false(await settled(xGo), 'not sealed: more legs may join');
  early.seal();
  t.true(await settled(xGo));
  t.throws(() => early.member(), { message: /after seal/ });
});
