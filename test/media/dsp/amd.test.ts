// Answering-machine detection on the labelled test subset of the corpus (people answering and voicemail
// greetings, English and French, telephone band + G.711), fed 20 ms at a time as a call would.
import test from 'ava';
import { AMD_DEFAULTS, AnsweringMachineDetector, resolveAmdOptions, type AmdVerdict } from '../../../media/dsp/amd.ts';
import { encodeG711, decodeG711 } from '../../../media/dsp/g711.ts';
import { frames, loadTestSubset } from '../../corpus/load.ts';

function run(samples: Int16Array, det = new AnsweringMachineDetector()): AmdVerdict | null {
  for (const f of frames(samples)) {
    const v = det.push(f);
    if (v) return v;
  }
  return det.verdict;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

test('tells people from voicemail on the test corpus, and decides quickly for people', async (t) => {
  const { manifest, samples } = await loadTestSubset();
  t.is(manifest.cases.length, 24);
  let correct = 0;
  let peopleCalledMachines = 0;
  const humanMs: number[] = [];
  for (const c of manifest.cases) {
    const v = run(samples.get(c.id) as Int16Array);
    t.truthy(v, `${c.id} got a verdict`);
    if (!v) continue;
    t.true(v.confidence >= 0 && v.confidence <= 1);
    if (v.verdict === c.label) correct++;
    if (c.label === 'human') {
      humanMs.push(v.ms);
      if (v.verdict === 'machine') peopleCalledMachines++;
    }
  }
  // The bench holds the full targets (>= 95 %, median <= 2.5 s) on 120 held-out cases; 24 cases allow one miss.
  t.true(correct >= 23, `accuracy ${correct}/24`);
  t.true(peopleCalledMachines <= 1, `${peopleCalledMachines} people taken for machines`);
  t.true(median(humanMs) <= 2600, `people decided in a median ${median(humanMs)} ms`);
});

test('a line that stays silent is a machine after the initial-silence limit (3 s by default)', (t) => {
  const hiss = new Int16Array(8000 * 6).map((_, i) => Math.round(Math.sin(i * 12.9898) * 43758.5453) % 40);
  const v = run(hiss);
  t.is(v?.verdict, 'machine');
  t.is(v?.reason, 'initial-silence');
  t.is(v?.ms, 3000);
});

/** A crude voice: a 150 Hz buzz through a 700 Hz resonance, switched on for `spans` (ms). */
function voiced(spans: Array<[number, number]>, totalMs: number): Int16Array {
  const out = new Int16Array((totalMs * 8000) / 1000);
  let y1 = 0;
  let y2 = 0;
  const r = 0.95;
  const w = (2 * Math.PI * 700) / 8000;
  for (let i = 0; i < out.length; i++) {
    const ms = i / 8;
    const on = spans.some(([a, b]) => ms >= a && ms < b);
    const x = on && i % 53 === 0 ? 3000 : 0;
    const y = x + 2 * r * Math.cos(w) * y1 - r * r * y2;
    y2 = y1;
    y1 = y;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(y)));
  }
  // Through G.711 like everything a call receives.
  return decodeG711('pcma', encodeG711('pcma', out));
}

test('a short "hello" then silence is a person, decided right after the pause', (t) => {
  // Half a second of speech ending at 1.1 s: a person once some 600 ms of silence follow it (650 ms are
  // asked after a 0.7 s word, a little less after a shorter one), give or take a frame and the resonance's tail.
  const v = run(voiced([[600, 1100]], 5000));
  t.is(v?.verdict, 'human');
  t.is(v?.reason, 'short-greeting-then-silence');
  t.true((v?.ms ?? 0) >= 1700 && (v?.ms ?? 0) <= 1800, `decided at ${v?.ms} ms`);
  t.true((v?.stats.words ?? 0) >= 1);
});

test('a longer first phrase needs a longer pause before it counts as a person', (t) => {
  // 1.4 s of speech could open a recorded greeting: 650 ms + 0.3 ms per ms beyond 0.7 s = 860 ms of silence.
  const v = run(voiced([[600, 2000]], 5000));
  t.is(v?.verdict, 'human');
  t.is(v?.reason, 'short-greeting-then-silence');
  t.true((v?.ms ?? 0) >= 2000 + 850 && (v?.ms ?? 0) <= 2000 + 950, `decided at ${v?.ms} ms`);
});

test('continuous speech with short pauses is a machine once it exceeds the greeting limit (3 s by default)', (t) => {
  const spans: Array<[number, number]> = [];
  for (let at = 400; at < 8000; at += 900) spans.push([at, at + 700]);
  const v = run(voiced(spans, 9000));
  t.is(v?.verdict, 'machine');
  t.is(v?.reason, 'long-greeting');
  // Speech from 0.4 s on: decided 3 s into it, within 200 ms.
  t.true((v?.ms ?? 0) >= 3400 && (v?.ms ?? 0) < 3600, `decided at ${v?.ms} ms`);
});

test('campaign settings override the defaults and are clamped to sane ranges', (t) => {
  t.deepEqual(resolveAmdOptions(true), AMD_DEFAULTS);
  const o = resolveAmdOptions({ greetingMs: 1800, afterGreetingSilenceMs: 50, initialSilenceMs: Number.NaN });
  t.is(o.greetingMs, 1800);
  t.is(o.afterGreetingSilenceMs, 200);
  t.is(o.initialSilenceMs, 3000, 'an unusable value falls back to the default');
  const det = new AnsweringMachineDetector({ initialSilenceMs: 1000 });
  t.is(run(new Int16Array(8000 * 4))?.ms, 3000);
  t.is(run(new Int16Array(8000 * 2), det)?.ms, 1000);
  t.is(det.push(new Int16Array(160)), null, 'nothing more once decided');
});
