import test from 'ava';
import { isAppError } from '../../core/errors.ts';
import {
  BEHAVIOURS, DEFAULT_MIX_SPEC, baseBehaviour, behaviourFor, formatMix, parseKeys, parseMix, type Behaviour,
} from '../../sip/sandbox/mix.ts';
import { e164FromUser, languageOf } from '../../sip/sandbox/number.ts';
import { planCall, timingsFor } from '../../sip/sandbox/plan.ts';

const numbers = (n: number, prefix = '+3361') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(7, '0')}`);

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return e.message;
    throw e;
  }
  throw new Error('expected an error');
}

test('the default mix spec parses to its weights', (t) => {
  const mix = parseMix(DEFAULT_MIX_SPEC);
  t.deepEqual(mix, { listener: 40, presser: 15, voicemail: 20, busy: 8, 'no-answer': 10, invalid: 3, 'slow-answer': 2, decline: 2 });
  t.is(formatMix(mix), DEFAULT_MIX_SPEC);
  t.is(parseMix('busy=1').listener, 0, 'behaviours left out weigh nothing');
});

test('a bad mix spec gets an error naming the offending item', (t) => {
  t.regex(errorOf(() => parseMix('listener=40,sleeper=5')), /unknown name "sleeper".*valid: listener, presser/);
  t.regex(errorOf(() => parseMix('listener=lots')), /"listener=lots" is not name=weight/);
  t.regex(errorOf(() => parseMix('busy=-3')), /"busy=-3" is not name=weight/);
  t.regex(errorOf(() => parseMix('busy=3,busy=4')), /"busy" is given twice/);
  t.regex(errorOf(() => parseMix('busy=0,listener=0')), /add up to 0/);
  t.regex(errorOf(() => parseMix('')), /empty/);
  t.regex(errorOf(() => parseMix('listener=40,,busy=2')), /"" is not name=weight/);
});

test('presser keys parse with weights and reject what is not a key', (t) => {
  t.deepEqual(parseKeys('1=60,9=20,2=20').map((k) => k.key), ['1', '9', '2']);
  t.regex(errorOf(() => parseKeys('12=5')), /unknown name "12"/);
});

test('over 1,000 numbers the behaviours follow the mix proportions', (t) => {
  const mix = parseMix(DEFAULT_MIX_SPEC);
  const counts = Object.fromEntries(BEHAVIOURS.map((b) => [b, 0])) as Record<Behaviour, number>;
  for (const n of numbers(1000)) counts[baseBehaviour(42, n, mix)]++;
  for (const b of BEHAVIOURS) {
    const expected = mix[b] * 10; // weights add up to 100
    // 4 standard deviations of a binomial draw, at least 8 numbers: fixed seed, so this never flakes
    const tolerance = Math.max(8, 4 * Math.sqrt(1000 * (mix[b] / 100) * (1 - mix[b] / 100)));
    t.true(Math.abs(counts[b] - expected) <= tolerance, `${b}: ${counts[b]} of 1000, expected about ${expected}`);
  }
});

test('the same seed gives the same behaviour per number; another seed reshuffles', (t) => {
  const mix = parseMix(DEFAULT_MIX_SPEC);
  const list = numbers(300, '+1202');
  const a = list.map((n) => behaviourFor(7, n, 1, mix));
  const b = list.map((n) => behaviourFor(7, n, 1, mix));
  const c = list.map((n) => behaviourFor(8, n, 1, mix));
  t.deepEqual(a, b);
  t.true(a.filter((x, i) => x !== c[i]).length > 100);
});

test('retry rule: busy and no-answer numbers are sometimes reachable later; the others never change', (t) => {
  const mix = parseMix(DEFAULT_MIX_SPEC);
  let retried = 0;
  let reached = 0;
  for (const n of numbers(2000)) {
    const base = baseBehaviour(3, n, mix);
    t.is(behaviourFor(3, n, 1, mix), base, 'attempt 1 is the base behaviour');
    for (const attempt of [2, 3, 4]) {
      const b = behaviourFor(3, n, attempt, mix);
      t.is(behaviourFor(3, n, attempt, mix), b, 'an attempt is deterministic too');
      if (base === 'busy' || base === 'no-answer') {
        retried++;
        if (b !== base) {
          reached++;
          t.true(['listener', 'presser', 'voicemail'].includes(b), `reachable as ${b}`);
        }
      } else {
        t.is(b, base, `${base} stays ${base} on attempt ${attempt}`);
      }
    }
  }
  t.true(retried > 500);
  t.true(Math.abs(reached / retried - 0.5) < 0.06, `reachable on ${reached} of ${retried} retries`);
  const busy = numbers(2000).find((n) => baseBehaviour(3, n, mix) === 'busy')!;
  t.is(behaviourFor(3, busy, 5, mix, 0), 'busy', 'reach 0: never reachable');
  t.not(behaviourFor(3, busy, 2, mix, 1), 'busy', 'reach 1: reachable on the first retry');
});

test('dialled user parts are read as E.164 numbers', (t) => {
  t.is(e164FromUser('+33612345678'), '+33612345678');
  t.is(e164FromUser('33612345678'), '+33612345678');
  t.is(e164FromUser('0033612345678'), '+33612345678');
  t.is(e164FromUser('01112025550123'), '+12025550123');
  t.is(e164FromUser('%2B33-6-12.34.56.78;phone-context=example.com'), '+33612345678');
  t.is(e164FromUser('912025550123', ['9']), '+12025550123', 'a configured trunk prefix');
  t.is(e164FromUser('0612345678'), null, 'a national number is not routable');
  t.is(e164FromUser('alice'), null);
  t.is(e164FromUser('123'), null);
  t.is(e164FromUser(undefined), null);
  t.is(languageOf('+33612345678'), 'fr');
  t.is(languageOf('+447700900123'), 'en');
});

const clips = [
  { id: 'hello-en-1', kind: 'utterance' as const, lang: 'en' as const },
  { id: 'hello-fr-1', kind: 'utterance' as const, lang: 'fr' as const },
  { id: 'greeting-en-short', kind: 'greeting' as const, lang: 'en' as const },
  { id: 'greeting-fr-short', kind: 'greeting' as const, lang: 'fr' as const },
  { id: 'beep-1000-500', kind: 'beep' as const, lang: null },
];

test('call plans: ringing scales with timeScale, voicemails get a greeting in the number\'s language and a beep', (t) => {
  const inputs = { seed: 1, mix: parseMix('voicemail=1'), keys: parseKeys('1=1'), timeScale: 1, clips };
  const slow = planCall(inputs, '+33612345678', 1);
  const fast = planCall({ ...inputs, timeScale: 0.1 }, '+33612345678', 1);
  t.true(slow.ringMs >= 1000 && slow.ringMs <= 5000);
  t.is(fast.ringMs, Math.round(slow.ringMs * 0.1));
  t.is(slow.greetingId, 'greeting-fr-short');
  t.is(slow.beepId, 'beep-1000-500');
  t.is(planCall(inputs, '+447700900123', 1).greetingId, 'greeting-en-short');
  const slowAnswer = planCall({ ...inputs, mix: parseMix('slow-answer=1') }, '+447700900123', 1);
  t.true(slowAnswer.ringMs >= 18_000 && slowAnswer.ringMs <= 24_000);
  t.is(planCall({ ...inputs, mix: parseMix('busy=1') }, '+447700900123', 1).ringMs, 0);
});

test('pressers press keys from the configured set in its proportions', (t) => {
  const inputs = { seed: 5, mix: parseMix('presser=1'), keys: parseKeys('1=60,9=20,2=20'), timeScale: 1, clips };
  const counts: Record<string, number> = {};
  for (const n of numbers(1000)) {
    const key = planCall(inputs, n, 1).key!;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  t.deepEqual(Object.keys(counts).sort(), ['1', '2', '9']);
  t.true(Math.abs(counts['1']! - 600) < 60 && Math.abs(counts['9']! - 200) < 50, JSON.stringify(counts));
});

test('timings: waits scale with floors, what is heard does not', (t) => {
  const real = timingsFor(1);
  const fast = timingsFor(0.1);
  t.is(real.listenGiveUpMs, 10_000);
  t.is(fast.listenGiveUpMs, 5000, 'never below the floor that leaves room for the box\'s AMD');
  t.is(fast.endSilenceMs, real.endSilenceMs);
  t.is(timingsFor(0.1, { endSilenceMs: 900 }).endSilenceMs, 900);
});
