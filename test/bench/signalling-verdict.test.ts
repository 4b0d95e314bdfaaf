// The signalling bench's pass: the best round's rate against the target, and no failed call of ours in
// any round (a failure outside the best round used to go unseen).
import test from 'ava';
import { signallingVerdict, type EngineRound } from '../../bench/signalling-lib/verdict.ts';

const round = (label: string, setupsPerSec: number, failed = 0, uasFailed = 0): EngineRound => ({ label, setupsPerSec, failed, uasFailed });

test('passes on the best round\'s rate when no round failed a call', (t) => {
  const v = signallingVerdict([round('warm-up', 600), round('round 1', 900), round('round 2', 1250), round('round 3', 1100)], 1000);
  t.deepEqual(v, { pass: true, setupsPerSec: 1250, roundsWithFailures: [] });
});

test('a failed call in a round other than the best one fails the bench', (t) => {
  const v = signallingVerdict([round('round 1', 900, 3), round('round 2', 1250), round('round 3', 1100)], 1000);
  t.deepEqual(v, { pass: false, setupsPerSec: 1250, roundsWithFailures: ['round 1'] });
});

test('failures the UAS saw, and failures during the warm-up, count too', (t) => {
  t.deepEqual(signallingVerdict([round('round 1', 1250, 0, 1)], 1000).roundsWithFailures, ['round 1']);
  const v = signallingVerdict([round('warm-up', 700, 2), round('round 1', 1250)], 1000);
  t.false(v.pass);
  t.deepEqual(v.roundsWithFailures, ['warm-up']);
});

test('the warm-up\'s rate is not a measurement, and no rate under the target passes', (t) => {
  t.deepEqual(signallingVerdict([round('warm-up', 5000), round('round 1', 999)], 1000), { pass: false, setupsPerSec: 999, roundsWithFailures: [] });
  t.false(signallingVerdict([], 1000).pass);
});
