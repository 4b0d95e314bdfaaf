// Sample-rate conversion in TypeScript (band-limited interpolation): each output sample is the input
// convolved with a Kaiser-windowed sinc low-pass centred on its position, read from a finely sampled
// table. For 8 kHz telephone output the pass band is flat to 3.4 kHz and everything above 4 kHz, which
// would fold back as aliasing, is at least 80 dB down.

/** Zero crossings of the sinc kept on each side: sets the transition band (about 580 Hz wide at 8 kHz out). */
const ZERO_CROSSINGS = 32;
/** Kaiser β: about 80 dB of stop-band attenuation. */
const KAISER_BETA = 8;
/** Table points per zero crossing; linear interpolation between them. */
const TABLE_RESOLUTION = 512;
/** The -6 dB point as a fraction of the lower Nyquist frequency (3.7 kHz for 8 kHz out). */
const CUTOFF = 0.925;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/** Windowed sinc on [0, crossings], indexed in units of zero crossings × resolution. */
export function sincTable(crossings: number, beta: number, resolution: number): Float64Array {
  const n = crossings * resolution;
  const table = new Float64Array(n + 2);
  const i0b = besselI0(beta);
  for (let i = 0; i <= n; i++) {
    const u = i / resolution;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const r = u / crossings;
    table[i] = (sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r)))) / i0b;
  }
  return table; // the extra trailing zero keeps the interpolation in bounds at the edge
}

let shared: Float64Array | null = null;

/** Convert `input` (at `inRate` Hz) to `outRate` Hz. Same rate: a copy. */
export function resample(input: Float32Array, inRate: number, outRate: number): Float32Array {
  if (!(inRate > 0) || !(outRate > 0)) throw new RangeError(`bad sample rates ${inRate} -> ${outRate}`);
  if (inRate === outRate) return input.slice();
  const table = (shared ??= sincTable(ZERO_CROSSINGS, KAISER_BETA, TABLE_RESOLUTION));
  // Cut-off in cycles per input sample, below both Nyquist frequencies.
  const fc = (CUTOFF * Math.min(inRate, outRate)) / 2 / inRate;
  const scale = 2 * fc; // unity gain in the pass band
  const unitsPerSample = 2 * fc; // zero crossings per input sample
  const half = ZERO_CROSSINGS / unitsPerSample; // kernel half-width in input samples
  const step = inRate / outRate;
  const outLen = Math.floor((input.length * outRate) / inRate);
  const out = new Float32Array(outLen);
  const last = input.length - 1;
  for (let n = 0; n < outLen; n++) {
    const pos = n * step;
    const from = Math.max(0, Math.ceil(pos - half));
    const to = Math.min(last, Math.floor(pos + half));
    let acc = 0;
    for (let k = from; k <= to; k++) {
      const x = Math.abs(pos - k) * unitsPerSample * TABLE_RESOLUTION;
      const i = x | 0;
      const f = x - i;
      const w = table[i]! + (table[i + 1]! - table[i]!) * f;
      acc += input[k]! * w;
    }
    out[n] = acc * scale;
  }
  return out;
}
