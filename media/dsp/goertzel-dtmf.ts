// In-band DTMF: Goertzel filters on short blocks of 8 kHz audio, with the checks a telephone-grade
// receiver makes (level, twist, dominance within each group, share of the block's energy), and a
// small state machine so that a held key gives exactly one digit and a gap is needed between two.

export const DTMF_DIGITS = '0123456789*#ABCD';
const ROW_HZ = [697, 770, 852, 941] as const;
const COL_HZ = [1209, 1336, 1477, 1633] as const;
const KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;
const SAMPLE_RATE = 8000;

export interface InbandDtmfOptions {
  /** Samples per analysis block: 102 (12.75 ms) lets two blocks fit in the shortest valid tone (40 ms). */
  blockSize?: number;
  /** Weakest accepted tone, as the peak amplitude of each sine (16-bit scale). Default 400 (about -35 dBm0). */
  minToneAmplitude?: number;
  /** Blocks in a row that must agree before a digit is reported. */
  hitBlocks?: number;
  /** Blocks in a row without that digit before it counts as released. */
  releaseBlocks?: number;
}

function rowCol(digit: string): [number, number] | null {
  for (let r = 0; r < 4; r++) {
    const c = KEYPAD[r].indexOf(digit.toUpperCase());
    if (c >= 0) return [r, c];
  }
  return null;
}

export function isDtmfDigit(d: string): boolean {
  return d.length === 1 && DTMF_DIGITS.includes(d.toUpperCase());
}

/**
 * Two-tone DTMF signal: each sine has peak `amplitude` (default 6000, about -11.5 dBm0 per tone),
 * so the sum peaks at twice that. `phaseSamples` continues a tone across calls.
 */
export function dtmfTone(digit: string, ms: number, amplitude = 6000, sampleRate = SAMPLE_RATE, phaseSamples = 0): Int16Array {
  const rc = rowCol(digit);
  if (!rc) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  const n = Math.round((ms * sampleRate) / 1000);
  const out = new Int16Array(n);
  const w1 = (2 * Math.PI * ROW_HZ[rc[0]]) / sampleRate;
  const w2 = (2 * Math.PI * COL_HZ[rc[1]]) / sampleRate;
  for (let i = 0; i < n; i++) {
    const v = amplitude * (Math.sin(w1 * (i + phaseSamples)) + Math.sin(w2 * (i + phaseSamples)));
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

// Power ratios (not dB) for the receiver checks.
const REVERSE_TWIST = 10 ** (4 / 10); // high group may be up to 4 dB stronger than the low group
const NORMAL_TWIST = 10 ** (8 / 10); // ... or up to 8 dB weaker
const GROUP_DOMINANCE = 10 ** (6 / 10); // the chosen tone beats the others of its group by 6 dB
const MIN_TONE_SHARE = 0.6; // the two tones carry at least this share of the block's energy

export class InbandDtmfDetector {
  private readonly blockSize: number;
  private readonly coeffs: Float64Array;
  private readonly block: Float64Array;
  private readonly energies = new Float64Array(8);
  private readonly minToneEnergy: number;
  private readonly hitBlocks: number;
  private readonly releaseBlocks: number;
  private fill = 0;
  private lastHit: string | null = null;
  private sameCount = 0;
  private current: string | null = null;
  private missCount = 0;

  constructor(opts: InbandDtmfOptions = {}) {
    this.blockSize = opts.blockSize ?? 102;
    this.hitBlocks = opts.hitBlocks ?? 2;
    this.releaseBlocks = opts.releaseBlocks ?? 2;
    const amp = opts.minToneAmplitude ?? 400;
    // A sine of peak A carries A^2/2 per sample, so A^2 * N / 2 over one block.
    this.minToneEnergy = (amp * amp * this.blockSize) / 2;
    this.block = new Float64Array(this.blockSize);
    this.coeffs = new Float64Array(8);
    const freqs = [...ROW_HZ, ...COL_HZ];
    for (let k = 0; k < 8; k++) this.coeffs[k] = 2 * Math.cos((2 * Math.PI * freqs[k]) / SAMPLE_RATE);
  }

  /** Feeds audio (any length); returns the digits whose key-down was recognised in it. */
  push(pcm: Int16Array): string[] {
    let found: string[] | null = null;
    const block = this.block;
    const size = this.blockSize;
    for (let i = 0; i < pcm.length; i++) {
      block[this.fill++] = pcm[i];
      if (this.fill === size) {
        this.fill = 0;
        const digit = this.step(this.classify());
        if (digit !== null) (found ??= []).push(digit);
      }
    }
    return found ?? [];
  }

  reset(): void {
    this.fill = 0;
    this.lastHit = null;
    this.sameCount = 0;
    this.current = null;
    this.missCount = 0;
  }

  /** The digit this block looks like, or null. */
  private classify(): string | null {
    const x = this.block;
    const n = this.blockSize;
    let total = 0;
    for (let i = 0; i < n; i++) total += x[i] * x[i];
    if (total < 2 * this.minToneEnergy) return null;
    const e = this.energies;
    for (let k = 0; k < 8; k++) {
      const c = this.coeffs[k];
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const s0 = x[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      // |X(f)|^2 scaled to the energy of the matching sine over the block
      e[k] = ((s1 * s1 + s2 * s2 - c * s1 * s2) * 2) / n;
    }
    let r = 0;
    for (let k = 1; k < 4; k++) if (e[k] > e[r]) r = k;
    let c = 4;
    for (let k = 5; k < 8; k++) if (e[k] > e[c]) c = k;
    const er = e[r];
    const ec = e[c];
    if (er < this.minToneEnergy || ec < this.minToneEnergy) return null;
    if (ec > er * REVERSE_TWIST || er > ec * NORMAL_TWIST) return null;
    for (let k = 0; k < 4; k++) if (k !== r && e[k] * GROUP_DOMINANCE > er) return null;
    for (let k = 4; k < 8; k++) if (k !== c && e[k] * GROUP_DOMINANCE > ec) return null;
    if (er + ec < MIN_TONE_SHARE * total) return null;
    return KEYPAD[r][c - 4];
  }

  private step(hit: string | null): string | null {
    if (hit === this.lastHit) this.sameCount++;
    else {
      this.lastHit = hit;
      this.sameCount = 1;
    }
    if (this.current !== null) {
      if (hit === this.current) this.missCount = 0;
      else if (++this.missCount >= this.releaseBlocks) this.current = null;
    }
    if (this.current === null && hit !== null && this.sameCount >= this.hitBlocks) {
      this.current = hit;
      this.missCount = 0;
      return hit;
    }
    return null;
  }
}
