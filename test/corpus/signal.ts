// Seeded randomness and synthetic signals for the corpus: every case is a pure function of (seed, index).

export { rng } from '../support/random.ts';

export type Rand = () => number;

export function uniform(r: Rand, lo: number, hi: number): number {
  return lo + (hi - lo) * r();
}

export function logUniform(r: Rand, lo: number, hi: number): number {
  return Math.exp(uniform(r, Math.log(lo), Math.log(hi)));
}

export function pick<T>(r: Rand, items: readonly T[]): T {
  const v = items[Math.floor(r() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

export function gaussian(r: Rand): number {
  const u = Math.max(1e-12, r());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export type NoiseKind = 'hiss' | 'white' | 'pink' | 'brown' | 'street' | 'hum';

/** Unit-RMS noise of the given colour, `n` samples at `rate`. */
export function noise(r: Rand, kind: NoiseKind, n: number, rate: number): Float32Array {
  const out = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0, brown = 0, env = 1, envTarget = 1;
  for (let i = 0; i < n; i++) {
    const w = gaussian(r);
    let v: number;
    switch (kind) {
      case 'white':
      case 'hiss':
        v = w;
        break;
      case 'pink':
      case 'street':
        // Three-pole approximation of a 1/f spectrum.
        b0 = 0.99765 * b0 + w * 0.099046;
        b1 = 0.963 * b1 + w * 0.2965164;
        b2 = 0.57 * b2 + w * 1.0526913;
        v = b0 + b1 + b2 + w * 0.1848;
        break;
      case 'brown':
        brown = 0.995 * brown + w * 0.1;
        v = brown;
        break;
      case 'hum':
        v = Math.sin((2 * Math.PI * 50 * i) / rate) + 0.5 * Math.sin((2 * Math.PI * 150 * i) / rate) + 0.3 * Math.sin((2 * Math.PI * 250 * i) / rate) + 0.05 * w;
        break;
    }
    if (kind === 'street') {
      // Traffic swells and fades over a second or two.
      if (i % Math.round(rate / 10) === 0) envTarget = 0.4 + 1.2 * r();
      env += (envTarget - env) * (20 / rate);
      v *= env;
    }
    out[i] = v;
  }
  return normaliseRms(out);
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] ?? 0) ** 2;
  return Math.sqrt(s / Math.max(1, to - from));
}

export function normaliseRms(x: Float32Array): Float32Array {
  const g = rms(x);
  if (g > 0) for (let i = 0; i < x.length; i++) x[i] = (x[i] ?? 0) / g;
  return x;
}

/** A voicemail beep: one sine with 5 ms raised-cosine edges (boxes do not click). */
export function tone(hz: number, ms: number, amplitude: number, rate: number): Float32Array {
  const n = Math.round((ms * rate) / 1000);
  const edge = Math.min(Math.round(rate / 200), Math.floor(n / 2));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let g = 1;
    if (i < edge) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / edge);
    else if (i >= n - edge) g = 0.5 - 0.5 * Math.cos((Math.PI * (n - 1 - i)) / edge);
    out[i] = amplitude * g * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return out;
}

/** First and last sample louder than `threshold` (absolute), to label where speech really starts and ends. */
export function activeSpan(x: Float32Array, threshold: number): { start: number; end: number } {
  let start = 0;
  while (start < x.length && Math.abs(x[start] ?? 0) < threshold) start++;
  let end = x.length;
  while (end > start && Math.abs(x[end - 1] ?? 0) < threshold) end--;
  return { start, end };
}

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}
