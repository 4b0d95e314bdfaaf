// Loudness of a prompt and its normalisation, in TypeScript: integrated loudness after ITU-R BS.1770-4
// (K-weighting, 400 ms blocks with 75 % overlap, absolute gate at -70 LUFS, relative gate 10 LU under),
// true peak by 4x oversampling (BS.1770-4 annex 2), then one linear gain to the target and, only where
// that gain would push the true peak over its ceiling, a look-ahead limiter on those peaks.
import { sincTable } from './resample.ts';

export interface LoudnessResult {
  integratedLufs: number;
  truePeakDbtp: number;
}

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function runBiquad(x: Float32Array | Float64Array, f: Biquad, out: Float64Array): Float64Array {
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = f.b0 * x0 + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    out[i] = y0;
  }
  return out;
}

/** The two K-weighting stages of BS.1770 (a +4 dB shelf above ~1.7 kHz, a high-pass at ~38 Hz), for any rate. */
function kWeighting(rate: number): [Biquad, Biquad] {
  let K = Math.tan((Math.PI * 1681.974450955533) / rate);
  const Q = 0.7071752369554196;
  const Vh = 10 ** (3.999843853973347 / 20);
  const Vb = Vh ** 0.4996667741545416;
  let a0 = 1 + K / Q + K * K;
  const shelf = { b0: (Vh + (Vb * K) / Q + K * K) / a0, b1: (2 * (K * K - Vh)) / a0, b2: (Vh - (Vb * K) / Q + K * K) / a0, a1: (2 * (K * K - 1)) / a0, a2: (1 - K / Q + K * K) / a0 };
  K = Math.tan((Math.PI * 38.13547087602444) / rate);
  const Q2 = 0.5003270373238773;
  a0 = 1 + K / Q2 + K * K;
  const highpass = { b0: 1, b1: -2, b2: 1, a1: (2 * (K * K - 1)) / a0, a2: (1 - K / Q2 + K * K) / a0 };
  return [shelf, highpass];
}

/** Second-order Butterworth high-pass (what ffmpeg's `highpass` filter is by default). */
export function highpass(samples: Float32Array, rate: number, hz: number): Float32Array {
  const w = (2 * Math.PI * hz) / rate;
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const f = { b0: (1 + cos) / 2 / a0, b1: -(1 + cos) / a0, b2: (1 + cos) / 2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
  return Float32Array.from(runBiquad(samples, f, new Float64Array(samples.length)));
}

/** Integrated loudness, LUFS (mono); -Infinity when nothing passes the absolute gate. */
export function integratedLoudness(samples: Float32Array, rate: number): number {
  const [shelf, hp] = kWeighting(rate);
  const tmp = new Float64Array(samples.length);
  const weighted = runBiquad(runBiquad(samples, shelf, tmp), hp, new Float64Array(samples.length));
  const block = Math.round(rate * 0.4);
  const hop = Math.round(rate * 0.1);
  // Running sums of squares so each block costs O(1).
  const cum = new Float64Array(weighted.length + 1);
  for (let i = 0; i < weighted.length; i++) cum[i + 1] = cum[i]! + weighted[i]! * weighted[i]!;
  const powers: number[] = [];
  if (weighted.length < block) {
    // Shorter than one block: the block is the sound and the silence after it.
    powers.push(cum[weighted.length]! / block);
  } else {
    for (let start = 0; start + block <= weighted.length; start += hop) powers.push((cum[start + block]! - cum[start]!) / block);
  }
  const lufs = (p: number): number => -0.691 + 10 * Math.log10(p);
  const absGated = powers.filter((p) => p > 0 && lufs(p) > -70);
  if (absGated.length === 0) return -Infinity;
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  const relGate = lufs(mean(absGated)) - 10;
  const gated = absGated.filter((p) => lufs(p) > relGate);
  return lufs(mean(gated));
}

const TP_TAPS = 12; // per side, for the 4x interpolation
let tpTable: Float64Array | null = null;
const TP_RES = 512;

/** Weights of the three in-between phases (1/4, 1/2, 3/4) of a 4x oversampler. */
function tpPhases(): Float64Array[] {
  const table = (tpTable ??= sincTable(TP_TAPS, 7, TP_RES));
  const phases: Float64Array[] = [];
  for (const frac of [0.25, 0.5, 0.75]) {
    const w = new Float64Array(2 * TP_TAPS);
    for (let j = 0; j < 2 * TP_TAPS; j++) {
      const d = Math.abs(j - (TP_TAPS - 1) - frac); // distance from sample (n - TP_TAPS + 1 + j) to n + frac
      const x = d * TP_RES;
      const i = x | 0;
      w[j] = d >= TP_TAPS ? 0 : table[i]! + (table[i + 1]! - table[i]!) * (x - i);
    }
    phases.push(w);
  }
  return phases;
}

/** Per-sample true-peak envelope: the largest magnitude at the sample and the three points after it. */
function truePeakEnvelope(samples: Float32Array): Float32Array {
  const phases = tpPhases();
  const env = new Float32Array(samples.length);
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    let peak = Math.abs(samples[i]!);
    for (const w of phases) {
      let acc = 0;
      const base = i - TP_TAPS + 1;
      for (let j = 0; j < w.length; j++) {
        const k = base + j;
        if (k >= 0 && k < n) acc += samples[k]! * w[j]!;
      }
      const a = Math.abs(acc);
      if (a > peak) peak = a;
    }
    env[i] = peak;
  }
  return env;
}

export function truePeakDb(samples: Float32Array): number {
  const env = truePeakEnvelope(samples);
  let peak = 0;
  for (let i = 0; i < env.length; i++) if (env[i]! > peak) peak = env[i]!;
  return peak > 0 ? 20 * Math.log10(peak) : -Infinity;
}

export function measure(samples: Float32Array, rate: number): LoudnessResult {
  return { integratedLufs: integratedLoudness(samples, rate), truePeakDbtp: truePeakDb(samples) };
}

/**
 * Gain to `targetLufs`; where a true peak would then exceed `ceilingDbtp`, the gain dips around that
 * peak only (5 ms look-ahead attack, 80 ms release), so one loud consonant does not make the whole
 * message quieter.
 */
export function normalise(samples: Float32Array, rate: number, measured: number, targetLufs: number, ceilingDbtp: number): Float32Array {
  const gain = 10 ** ((targetLufs - measured) / 20);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * gain;
  // A hair under the ceiling: the limited signal's own interpolated peaks move a little with the gain curve.
  let ceiling = 10 ** ((ceilingDbtp - 0.1) / 20);
  for (let pass = 0; pass < 4; pass++) {
    const env = truePeakEnvelope(out);
    let over = false;
    for (let i = 0; i < env.length; i++) if (env[i]! > ceiling) over = true;
    if (!over) break;
    const g = limiterGain(env, ceiling, rate);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * g[i]!;
    ceiling *= 10 ** (-0.05 / 20);
  }
  return out;
}

function limiterGain(env: Float32Array, ceiling: number, rate: number): Float32Array {
  const n = env.length;
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = env[i]! > ceiling ? ceiling / env[i]! : 1;
  // Backward pass: the gain reaches each dip's depth smoothly over ~5 ms before it (look-ahead attack).
  const attack = Math.exp(-1 / (0.005 * rate / 4));
  for (let i = n - 2; i >= 0; i--) g[i] = Math.min(g[i]!, 1 - (1 - g[i + 1]!) * attack);
  // Forward pass: it recovers over ~80 ms after.
  const release = Math.exp(-1 / (0.08 * rate));
  for (let i = 1; i < n; i++) g[i] = Math.min(g[i]!, 1 - (1 - g[i - 1]!) * release);
  return g;
}
