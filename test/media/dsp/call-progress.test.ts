// Call-progress analysis: every SIT variant is recognised with its meaning (North American encoding and
// the ITU's generic SIT), at telephone levels, with line noise, through G.711; in-band busy and congestion
// cadences are told apart from ringback; and no person or answering machine of the test corpus is ever
// taken for a network tone.
import test from 'ava';
import { CallProgressDetector, cadencedTone, sitSpec, sitTones, type ProgressVerdict, type SitVariant } from '../../../media/dsp/call-progress.ts';
import { decodeG711, encodeG711 } from '../../../media/dsp/g711.ts';
import { frames, loadTestSubset } from '../../corpus/load.ts';

const RATE = 8000;

/** Seeded noise (peak `noiseAmp`) under the given audio, through mu-law like a call. */
function line(audio: Int16Array, noiseAmp: number, seed = 7): Int16Array {
  let s = seed >>> 0;
  const out = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = (audio[i] ?? 0) + ((s / 2 ** 32) * 2 - 1) * noiseAmp;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return decodeG711('pcmu', encodeG711('pcmu', out));
}

/** Speech-like buzz (a pulse train with a resonance): what an announcement sounds like to a tone detector. */
function announcement(ms: number, amp = 4000): Int16Array {
  const n = (ms * RATE) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((i % 61 < 3 ? amp : 0) * Math.cos(i * 0.6) * Math.exp(-(i % 61) / 10) + amp * 0.2 * Math.sin(i * 0.17) * Math.sin(i * 0.0031));
  return out;
}

const silence = (ms: number): Int16Array => new Int16Array((ms * RATE) / 1000);

function join(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function detect(samples: Int16Array): ProgressVerdict | null {
  const d = new CallProgressDetector();
  for (const f of frames(samples)) {
    const v = d.push(f);
    if (v) return v;
  }
  return null;
}

const VARIANTS: Array<[Exclude<SitVariant, 'unassigned'>, 'invalid-number' | 'trunk-failure']> = [
  ['intercept', 'invalid-number'],
  ['vacant-code', 'invalid-number'],
  ['ineffective-other', 'invalid-number'],
  ['reserved', 'invalid-number'],
  ['reorder-intra', 'trunk-failure'],
  ['reorder-inter', 'trunk-failure'],
  ['no-circuit-intra', 'trunk-failure'],
  ['no-circuit-inter', 'trunk-failure'],
  ['itu', 'invalid-number'],
];

for (const [variant, outcome] of VARIANTS) {
  test(`SIT ${variant} is recognised as ${outcome} at loud and quiet levels, with noise`, (t) => {
    // Peaks 8000 (about -9 dBm0), 1500 and 250 (about -40 dBm0, with the noise 14 dB below it).
    for (const [amp, noise] of [[8000, 0], [1500, 200], [250, 50]] as const) {
      const audio = line(join(silence(300), sitTones(sitSpec(variant), amp), silence(150), announcement(2000, amp)), noise);
      const v = detect(audio);
      t.is(v?.kind, 'sit', `amplitude ${amp}`);
      if (v?.kind !== 'sit') continue;
      t.is(v.variant, variant, `amplitude ${amp}: ${JSON.stringify(v.tones)}`);
      t.is(v.outcome, outcome);
      // Decided at the third tone's end: within a frame or two after it.
      const spec = sitSpec(variant);
      const end = 300 + spec.ms[0] + spec.ms[1] + spec.ms[2] + 2 * (spec.gapMs ?? 0);
      t.true(v.ms >= end && v.ms <= end + 60, `decided at ${v.ms} ms, tones end at ${end} ms`);
    }
  });
}

test('an ITU SIT anywhere in its tolerances (±50 Hz, 330 ± 70 ms) is recognised', (t) => {
  for (const [hz, ms] of [[[905, 1355, 1755], [265, 265, 265]], [[995, 1445, 1845], [395, 395, 395]], [[950, 1400, 1800], [330, 330, 330]]] as const) {
    const v = detect(line(join(silence(200), sitTones({ hz: [...hz], ms: [...ms], gapMs: 25 }, 2000), announcement(1500)), 100));
    t.is(v?.kind, 'sit', `${hz.join('/')} Hz, ${ms[0]} ms`);
  }
});

test('tones out of order, too short, too long, or with long gaps are not a SIT', (t) => {
  const cases: Array<[string, Int16Array]> = [
    ['falling', sitTones({ hz: [1800, 1400, 950], ms: [330, 330, 330] })],
    ['two tones only', sitTones({ hz: [950, 1400, 3000], ms: [330, 330, 330] })],
    ['too short', sitTones({ hz: [950, 1400, 1800], ms: [120, 120, 120] })],
    ['too long', sitTones({ hz: [950, 1400, 1800], ms: [700, 700, 700] })],
    ['gaps of 200 ms', sitTones({ hz: [950, 1400, 1800], ms: [330, 330, 330], gapMs: 200 })],
    ['a voicemail beep at 1 kHz', sitTones({ hz: [1000, 1000, 1000], ms: [400, 1, 1] })],
  ];
  for (const [what, audio] of cases) t.is(detect(line(join(silence(200), audio, silence(500)), 50)), null, what);
});

test('in-band busy tones (Europe 425 Hz, France 440 Hz, UK 400 Hz, North America 480+620 Hz) are busy', (t) => {
  for (const [hz, on, off] of [[[425], 500, 500], [[440], 500, 500], [[400], 375, 375], [[480, 620], 500, 500]] as const) {
    const v = detect(line(join(silence(400), cadencedTone([...hz], on, off, 4, 2500)), 100));
    t.is(v?.kind, 'busy', `${hz.join('+')} Hz ${on}/${off}`);
    t.is(v?.outcome, 'busy');
  }
});

test('a fast cadence (reorder, 250 ms on / off) is congestion, a trunk failure', (t) => {
  const v = detect(line(cadencedTone([480, 620], 250, 250, 6, 2500), 100));
  t.is(v?.kind, 'congestion');
  t.is(v?.outcome, 'trunk-failure');
});

test('ringback (Europe 425 Hz 1 s / 4 s, France 440 Hz 1.5 s / 3.5 s, UK 400+450 Hz double ring, North America 440+480 Hz 2 s / 4 s) is no verdict', (t) => {
  const uk = join(cadencedTone([400, 450], 400, 200, 1), cadencedTone([400, 450], 400, 2000, 1));
  for (const [what, audio] of [
    ['Europe', cadencedTone([425], 1000, 4000, 3)],
    ['France', cadencedTone([440], 1500, 3500, 3)],
    ['UK', join(uk, uk, uk)],
    ['North America', cadencedTone([440, 480], 2000, 4000, 3)],
  ] as const) t.is(detect(line(audio, 80)), null, what);
});

test('no person and no answering machine of the test corpus is taken for a SIT or a busy tone', async (t) => {
  const { manifest, samples } = await loadTestSubset();
  t.true(manifest.cases.length >= 20);
  for (const c of manifest.cases) t.is(detect(samples.get(c.id) as Int16Array), null, `${c.id} (${c.label})`);
});
