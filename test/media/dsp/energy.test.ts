import test from 'ava';
import { EnergyVad, frameLevelDb, frameMeanAbs } from '../../../media/dsp/energy.ts';

function sine(amp: number, hz = 1000, n = 160): Int16Array {
  return new Int16Array(n).map((_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

function noise(amp: number, seed: number, n = 160): Int16Array {
  let s = seed >>> 0;
  return new Int16Array(n).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round(((s / 2 ** 32) * 2 - 1) * amp);
  });
}

test('frame levels: a full-scale sine is -3 dBFS, silence is -100', (t) => {
  t.true(Math.abs(frameLevelDb(sine(32767)) + 3.01) < 0.1);
  t.true(Math.abs(frameLevelDb(sine(3277)) + 23.01) < 0.1);
  t.is(frameLevelDb(new Int16Array(160)), -100);
  // 8 samples per period: mean of |sin| over 0, 45, 90 ... degrees is (0 + 0.707 + 1 + 0.707) / 4.
  t.true(Math.abs(frameMeanAbs(sine(1000)) - 603.6) < 1);
});

test('voice is found against the noise floor, on a quiet line and on a noisy one', (t) => {
  for (const noiseAmp of [30, 3000]) {
    const vad = new EnergyVad();
    let seed = 7;
    // One second of line noise, then speech-level tone 15 dB above it.
    for (let i = 0; i < 50; i++) t.false(vad.push(noise(noiseAmp, seed++)).voiced && i > 5, `noise ${noiseAmp} frame ${i}`);
    const loud = noiseAmp < 100 ? 3000 : noiseAmp * 6;
    let voiced = 0;
    for (let i = 0; i < 25; i++) {
      const f = noise(noiseAmp, seed++).map((v, j) => v + Math.round(loud * Math.sin(j * 0.7)));
      if (vad.push(f).voiced) voiced++;
    }
    t.true(voiced >= 24, `noise ${noiseAmp}: ${voiced}/25 voiced`);
    t.false(vad.push(noise(noiseAmp, seed++)).voiced, 'back to silence');
  }
});
