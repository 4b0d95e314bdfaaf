// Call-progress analysis of in-band audio: what a network, not a person, plays to a caller.
//
// - Special Information Tones (SIT): three rising tones before a recorded announcement ("the number you
//   have dialled is not in service"). ITU-T E.180 defines them as 950 ± 50, 1400 ± 50 and 1800 ± 50 Hz,
//   each 330 ± 70 ms, with at most 30 ms between them. The North American variants (Telcordia, the
//   AT&T/Bellcore encoding) fix the frequencies precisely - first tone 913.8 (low) or 985.2 (high) Hz,
//   second 1370.6 or 1428.5 Hz, third always 1776.7 Hz - and the first two tones' lengths, 274 ms (short)
//   or 380 ms (long), so the tones also say why the call failed: intercept, vacant code, reorder, no
//   circuit, ineffective other.
// - Busy and congestion tones played in-band (GSM gateways answer a busy mobile that way): a tone in the
//   400-450 Hz band (Europe: 425 Hz; France 440 Hz; UK 400 Hz) or North America's 480 + 620 Hz, cadenced
//   on/off. About 0.5 s on / 0.5 s off (0.375 s in the UK) is busy; about 0.25 s on / off is congestion
//   (reorder). Ringback cadences (1 s and longer on) are not these.
//
// Fed 20 ms frames of 8 kHz audio; each frame costs a few Goertzel filters, and the precise frequency of a
// tone is measured once per tone over its whole length.
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE } from './energy.ts';

/** The outcome a network's in-band signal gives an attempt. */
export type ProgressOutcome = 'invalid-number' | 'trunk-failure' | 'busy';

export type SitVariant =
  | 'intercept'
  | 'vacant-code'
  | 'ineffective-other'
  | 'reorder-intra'
  | 'reorder-inter'
  | 'no-circuit-intra'
  | 'no-circuit-inter'
  | 'reserved'
  | 'unassigned'
  | 'itu';

export interface SitTone {
  hz: number;
  ms: number;
}

export type ProgressVerdict =
  | { kind: 'sit'; variant: SitVariant; outcome: ProgressOutcome; ms: number; tones: [SitTone, SitTone, SitTone] }
  | { kind: 'busy' | 'congestion'; outcome: ProgressOutcome; ms: number; cycles: number; onMs: number; offMs: number };

// ---- the North American encoding ----

const NA = { low1: 913.8, high1: 985.2, low2: 1370.6, high2: 1428.5, third: 1776.7 } as const;
/** A North American tone is within 0.2 % of its frequency; we allow 1.2 % (the line, the codec, our estimate). */
const NA_TOLERANCE = 0.012;
/** Between 274 ms (short) and 380 ms (long). */
const SHORT_LONG_SPLIT_MS = 327;

/** first tone (L/H + S/L), second tone (L/H + S/L) -> variant. */
const NA_VARIANTS: Record<string, SitVariant> = {
  'LS LS': 'intercept',
  'HL LS': 'vacant-code',
  'LL HS': 'ineffective-other',
  'LS HL': 'reorder-intra',
  'HS LL': 'reorder-inter',
  'HL HL': 'no-circuit-intra',
  'LL LL': 'no-circuit-inter',
  'HS HS': 'reserved',
};

/**
 * What a variant means for the attempt. Reorder and no-circuit say the network had no way through right
 * now (worth a later try, like a trunk failure); the others say the number itself does not work.
 */
export function sitOutcome(variant: SitVariant): ProgressOutcome {
  return variant.startsWith('reorder') || variant.startsWith('no-circuit') ? 'trunk-failure' : 'invalid-number';
}

// ---- frame analysis ----

type Band = 'A' | 'B' | 'C';
/** SIT bands (ITU's ±50 Hz around 950/1400/1800, which holds the North American tones too). */
const BANDS: Record<Band, { lo: number; hi: number; probes: number[] }> = {
  A: { lo: 895, hi: 1005, probes: [905, 935, 965, 995] },
  B: { lo: 1345, hi: 1455, probes: [1355, 1385, 1415, 1445] },
  C: { lo: 1745, hi: 1855, probes: [1755, 1785, 1815, 1845] },
};
const BUSY_SINGLE = [400, 425, 440, 450];
const BUSY_PAIR = [480, 620];

function coeff(hz: number, n = FRAME_SAMPLES): { c: number; n: number } {
  return { c: 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE), n };
}

/** Goertzel power of `x` at `c`, normalised so a pure sine at the probe gives its share of the energy (1). */
function power(x: Int16Array | Float64Array, c: number, from = 0, to = x.length): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (x[i] ?? 0) + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

const BAND_COEFFS = Object.fromEntries(Object.entries(BANDS).map(([b, v]) => [b, v.probes.map((hz) => coeff(hz).c)])) as Record<Band, number[]>;
const BUSY_SINGLE_COEFFS = BUSY_SINGLE.map((hz) => coeff(hz).c);
const BUSY_PAIR_COEFFS = BUSY_PAIR.map((hz) => coeff(hz).c);

/** Weakest tone we take (RMS, 16-bit scale): about -50 dBm0. */
const MIN_RMS = 25;
/** Share of a frame's energy one probe must hold for the frame to be "a tone in this band". */
const MIN_SHARE = 0.45;
/** A busy tone is a steady, clean tone: speech's strong harmonics near 400 Hz must not pass for one. */
const BUSY_SHARE = 0.6;

interface FrameLook {
  band: Band | null;
  /** Which busy-tone probe holds the frame (the last index: North America's pair); -1 for none. */
  busy: number;
}

function look(f: Int16Array): FrameLook {
  let energy = 0;
  for (let i = 0; i < f.length; i++) energy += (f[i] ?? 0) * (f[i] ?? 0);
  if (energy / f.length < MIN_RMS * MIN_RMS) return { band: null, busy: -1 };
  // A sine of amplitude a: energy a²N/2, Goertzel power (aN/2)²; their ratio N/2 makes a share.
  const norm = (energy * f.length) / 2;
  let best: Band | null = null;
  let bestShare = 0;
  for (const b of ['A', 'B', 'C'] as Band[]) {
    for (const c of BAND_COEFFS[b]) {
      const share = power(f, c) / norm;
      if (share > bestShare) { bestShare = share; best = b; }
    }
  }
  // The busy band: which probe holds the tone (a steady tone keeps its probe from frame to frame).
  let busy = -1;
  let busyShare = 0;
  BUSY_SINGLE_COEFFS.forEach((c, k) => {
    const share = power(f, c) / norm;
    if (share > busyShare) { busyShare = share; busy = k; }
  });
  if (busyShare < BUSY_SHARE) busy = -1;
  // North America's pair: each of the two tones present, together most of the energy.
  const pair = BUSY_PAIR_COEFFS.map((c) => power(f, c) / norm);
  if (busy < 0 && (pair[0] ?? 0) + (pair[1] ?? 0) >= BUSY_SHARE && pair.every((p) => p > 0.2)) busy = BUSY_SINGLE.length;
  return { band: bestShare >= MIN_SHARE ? best : null, busy };
}

/** Precise frequency of a tone over many frames: a fine Goertzel search within its band. */
function toneFrequency(x: Float64Array, lo: number, hi: number): number {
  let bestHz = lo;
  let best = -1;
  for (let hz = lo; hz <= hi; hz += 2) {
    const p = power(x, coeff(hz, x.length).c);
    if (p > best) { best = p; bestHz = hz; }
  }
  // Refine between the neighbours (parabola through three points of the 2 Hz grid).
  const p = (hz: number): number => power(x, coeff(hz, x.length).c);
  const a = p(bestHz - 2);
  const c = p(bestHz + 2);
  const d = a - 2 * best + c;
  return d < 0 ? bestHz + (2 * (a - c)) / (2 * d) : bestHz;
}

// ---- segments ----

interface Segment {
  band: Band;
  frames: number;
  /** Frame index where it started. */
  start: number;
  samples: Float64Array;
}

/** A SIT tone lasts 330 ± 70 ms (ITU) or 274 / 380 ms ± 5 % (North America); frames of 20 ms. */
const TONE_MIN_FRAMES = 10; // 200 ms
const TONE_MAX_FRAMES = 23; // 460 ms
/** Frames that belong to no tone between two tones (at most 30 ms of silence, plus the frame that straddles). */
const MAX_GAP_FRAMES = 3;
/** Samples kept per tone for its frequency (the longest tone). */
const TONE_BUFFER = TONE_MAX_FRAMES * FRAME_SAMPLES;

export interface CallProgressOptions {
  /** Recognise busy / congestion cadences (off where the far end is known to play none). Default true. */
  cadence?: boolean;
}

/**
 * Listens for SIT and in-band busy / congestion tones. `push` one 20 ms frame at a time; it returns the
 * verdict once, at the frame that completes it, and null otherwise (and after).
 */
export class CallProgressDetector {
  private frame = 0;
  private done = false;
  private readonly cadence: boolean;
  // SIT
  private run: Segment | null = null;
  private gap = 0;
  private readonly tones: Segment[] = [];
  // cadence: runs of frames with the same busy label (-1: no tone)
  private busyLabel = -1;
  private busyRun = 0;
  private readonly busyRuns: { label: number; frames: number }[] = [];

  constructor(opts: CallProgressOptions = {}) {
    this.cadence = opts.cadence ?? true;
  }

  /**
   * A SIT may be under way: a first tone was heard and the next may follow. Answering-machine detection
   * should wait (a SIT's first tone is a beep to it). A voicemail beep in the first tone's band makes this
   * true from its 200th ms to just after its end.
   */
  get sitPending(): boolean {
    if (this.done) return false;
    if (this.tones.length > 0) return true;
    const r = this.run;
    return r !== null && r.band === 'A' && r.frames >= TONE_MIN_FRAMES && r.frames <= TONE_MAX_FRAMES;
  }

  /** Milliseconds of audio heard so far. */
  get ms(): number {
    return this.frame * FRAME_MS;
  }

  push(f: Int16Array): ProgressVerdict | null {
    if (this.done) return null;
    this.frame++;
    const l = look(f);
    const v = this.sit(l.band, f) ?? (this.cadence ? this.busy(l.busy) : null);
    if (v) this.done = true;
    return v;
  }

  // A tone is a run of frames in one band. Tones follow each other A, B, C with short gaps; the third
  // tone's end completes the signal.
  private sit(band: Band | null, f: Int16Array): ProgressVerdict | null {
    const r = this.run;
    if (r && band === r.band) {
      if (r.frames < TONE_MAX_FRAMES) r.samples.set(f, r.frames * FRAME_SAMPLES);
      r.frames++;
      return null;
    }
    let verdict: ProgressVerdict | null = null;
    if (r) {
      this.run = null;
      if (r.frames >= TONE_MIN_FRAMES && r.frames <= TONE_MAX_FRAMES) {
        verdict = this.toneEnded(r);
      } else {
        this.tones.length = 0;
      }
      this.gap = 0;
    } else if (!band && this.tones.length > 0 && ++this.gap > MAX_GAP_FRAMES) {
      this.tones.length = 0;
    }
    if (verdict) return verdict;
    if (band) {
      const samples = new Float64Array(TONE_BUFFER);
      samples.set(f, 0);
      this.run = { band, frames: 1, start: this.frame, samples };
    }
    return null;
  }

  private toneEnded(seg: Segment): ProgressVerdict | null {
    const want: Band = (['A', 'B', 'C'] as Band[])[this.tones.length] ?? 'A';
    if (seg.band !== want) {
      // Out of order: it may start a new SIT.
      this.tones.length = 0;
      if (seg.band === 'A') this.tones.push(seg);
      return null;
    }
    this.tones.push(seg);
    if (this.tones.length < 3) return null;
    const [a, b, c] = this.tones as [Segment, Segment, Segment];
    this.tones.length = 0;
    return classifySit(a, b, c, this.frame * FRAME_MS);
  }

  // Busy and congestion: on/off runs of one steady busy-band tone; cycles of equal length decide.
  private busy(label: number): ProgressVerdict | null {
    if (label === this.busyLabel) {
      this.busyRun++;
      return null;
    }
    if (this.busyRun > 0) this.busyRuns.push({ label: this.busyLabel, frames: this.busyRun });
    this.busyLabel = label;
    this.busyRun = 1;
    if (this.busyRuns.length > 8) this.busyRuns.shift();
    return label >= 0 ? this.cadenceVerdict(label) : null;
  }

  /** At the start of an "on" run: the runs before it alternate on (this tone) / off (nothing), evenly. */
  private cadenceVerdict(label: number): ProgressVerdict | null {
    const at = this.frame * FRAME_MS;
    for (const [kind, cycles, lo, hi] of [['busy', 2, 300, 660], ['congestion', 3, 160, 299]] as const) {
      const runs = this.busyRuns.slice(-2 * cycles);
      if (runs.length < 2 * cycles) continue;
      if (!runs.every((r, i) => (i % 2 === 0 ? r.label === label : r.label === -1))) continue;
      const ons = runs.filter((_, i) => i % 2 === 0).map((r) => r.frames * FRAME_MS);
      const offs = runs.filter((_, i) => i % 2 === 1).map((r) => r.frames * FRAME_MS);
      const all = [...ons, ...offs];
      if (!all.every((ms) => ms >= lo && ms <= hi)) continue;
      // A machine's cadence repeats itself: each on (and each off) within 60 ms of the others.
      const steady = (xs: number[]): boolean => Math.max(...xs) - Math.min(...xs) <= 60;
      if (!steady(ons) || !steady(offs)) continue;
      const onMs = Math.round(ons.reduce((a, b) => a + b, 0) / ons.length);
      const offMs = Math.round(offs.reduce((a, b) => a + b, 0) / offs.length);
      if (Math.abs(onMs - offMs) > 160) continue;
      return { kind, outcome: kind === 'busy' ? 'busy' : 'trunk-failure', ms: at, cycles, onMs, offMs };
    }
    return null;
  }
}

function classifySit(a: Segment, b: Segment, c: Segment, atMs: number): ProgressVerdict {
  const hz = (s: Segment): number => {
    // Leave out the first and last frame (they may straddle the neighbouring tone).
    const n = Math.min(s.frames, TONE_MAX_FRAMES);
    const body = s.samples.subarray(FRAME_SAMPLES, Math.max(FRAME_SAMPLES * 2, (n - 1) * FRAME_SAMPLES));
    const band = BANDS[s.band];
    return Math.round(toneFrequency(body, band.lo, band.hi) * 10) / 10;
  };
  const tones: [SitTone, SitTone, SitTone] = [
    { hz: hz(a), ms: a.frames * FRAME_MS },
    { hz: hz(b), ms: b.frames * FRAME_MS },
    { hz: hz(c), ms: c.frames * FRAME_MS },
  ];
  const near = (f: number, target: number): boolean => Math.abs(f - target) <= target * NA_TOLERANCE;
  const level = (f: number, low: number, high: number): 'L' | 'H' | null => (near(f, low) ? 'L' : near(f, high) ? 'H' : null);
  const l1 = level(tones[0].hz, NA.low1, NA.high1);
  const l2 = level(tones[1].hz, NA.low2, NA.high2);
  let variant: SitVariant = 'itu';
  if (l1 && l2 && near(tones[2].hz, NA.third)) {
    const len = (ms: number): 'S' | 'L' => (ms < SHORT_LONG_SPLIT_MS ? 'S' : 'L');
    variant = NA_VARIANTS[`${l1}${len(tones[0].ms)} ${l2}${len(tones[1].ms)}`] ?? 'unassigned';
  }
  return { kind: 'sit', variant, outcome: sitOutcome(variant), ms: atMs, tones };
}

// ---- signals, for tests, benches and the sandbox ----

export interface SitSpec {
  /** Frequencies of the three tones (Hz). */
  hz: [number, number, number];
  /** Lengths of the three tones (ms). */
  ms: [number, number, number];
  /** Silence between tones (ms). */
  gapMs?: number;
}

/** The tones of a variant: North American frequencies and lengths, or the ITU's nominal ones for 'itu'. */
export function sitSpec(variant: Exclude<SitVariant, 'unassigned'>): SitSpec {
  if (variant === 'itu') return { hz: [950, 1400, 1800], ms: [330, 330, 330], gapMs: 15 };
  const code = Object.entries(NA_VARIANTS).find(([, v]) => v === variant)?.[0];
  if (!code) throw new RangeError(`no SIT variant ${variant}`);
  const [t1, t2] = code.split(' ') as [string, string];
  const f1 = t1[0] === 'L' ? NA.low1 : NA.high1;
  const f2 = t2[0] === 'L' ? NA.low2 : NA.high2;
  const d = (c: string | undefined): number => (c === 'S' ? 274 : 380);
  return { hz: [f1, f2, NA.third], ms: [d(t1[1]), d(t2[1]), 380], gapMs: 2 };
}

/** A SIT as 8 kHz samples; `amplitude` is each tone's peak (16-bit scale). */
export function sitTones(spec: SitSpec, amplitude = 3000): Int16Array {
  const gap = Math.round(((spec.gapMs ?? 0) * SAMPLE_RATE) / 1000);
  const lens = spec.ms.map((ms) => Math.round((ms * SAMPLE_RATE) / 1000));
  const out = new Int16Array(lens.reduce((n, l) => n + l, 0) + gap * 2);
  let at = 0;
  spec.hz.forEach((hz, k) => {
    const w = (2 * Math.PI * hz) / SAMPLE_RATE;
    for (let i = 0; i < (lens[k] ?? 0); i++) out[at + i] = Math.round(amplitude * Math.sin(w * i));
    at += (lens[k] ?? 0) + gap;
  });
  return out;
}

/** An in-band busy (or, with 250 ms, congestion) tone: `cycles` of on/off at `hz` (one tone or a pair). */
export function cadencedTone(hz: number[], onMs: number, offMs: number, cycles: number, amplitude = 3000): Int16Array {
  const on = Math.round((onMs * SAMPLE_RATE) / 1000);
  const off = Math.round((offMs * SAMPLE_RATE) / 1000);
  const out = new Int16Array((on + off) * cycles);
  for (let c = 0; c < cycles; c++) {
    for (let i = 0; i < on; i++) {
      let v = 0;
      for (const f of hz) v += Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
      out[c * (on + off) + i] = Math.round((amplitude * v) / hz.length);
    }
  }
  return out;
}
