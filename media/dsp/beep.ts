// Voicemail beep detection for 8 kHz audio in 20 ms frames. A beep is one steady sine anywhere between
// ~300 and ~2600 Hz lasting from ~100 ms to a few seconds. Rather than a Goertzel bank (dozens of bins to
// cover the range), each frame gets a 2nd-order linear predictor: a pure sine is predicted almost
// perfectly and its coefficients give its frequency; a least-squares sine fit at that frequency then
// checks that nearly all the energy sits there (speech vowels spread theirs over several harmonics).
import { FRAME_MS, frameLevelDb, NoiseFloor, SAMPLE_RATE } from './energy.ts';

export interface BeepOptions {
  minHz?: number;
  maxHz?: number;
  /** Shortest steady tone accepted as a beep. */
  minBeepMs?: number;
  /** Longer steady tones are not beeps (dial tone, a fax, music). */
  maxBeepMs?: number;
  /** Quietest beep, dBFS RMS. */
  minLevelDb?: number;
  /** Frame prediction gain needed, dB (how sine-like the frame is). */
  minPredictionGainDb?: number;
  /** Share of the frame's energy at the estimated frequency, 0..1. */
  minTonality?: number;
}

export interface BeepEvent {
  beepStartMs: number;
  /** When the tone stopped, ms since the first frame (to ~3 ms). */
  beepEndMs: number;
  hz: number;
  levelDb: number;
}

export const BEEP_DEFAULTS: Required<BeepOptions> = {
  minHz: 300,
  maxHz: 2600,
  // Four whole 20 ms frames: a 100 ms beep always covers four, and speech never held a pure sine that
  // long in the tuning corpus (two frames at most).
  minBeepMs: 80,
  maxBeepMs: 4000,
  minLevelDb: -48,
  minPredictionGainDb: 10,
  minTonality: 0.85,
};

export interface ToneFrame {
  levelDb: number;
  hz: number;
  predictionGainDb: number;
  tonality: number;
}

/** How sine-like one frame is. `prev1`/`prev2` are the two samples before the frame (0 for the first frame). */
export function analyseToneFrame(frame: Int16Array, prev1 = 0, prev2 = 0): ToneFrame {
  const n = frame.length;
  const levelDb = frameLevelDb(frame);
  // Covariance method: exact for a sine whatever its phase and however many periods fit in the frame.
  let c00 = 0, c01 = 0, c02 = 0, c11 = 0, c12 = 0, c22 = 0;
  let xm1 = prev1;
  let xm2 = prev2;
  for (let i = 0; i < n; i++) {
    const x = frame[i] ?? 0;
    c00 += x * x;
    c01 += x * xm1;
    c02 += x * xm2;
    c11 += xm1 * xm1;
    c12 += xm1 * xm2;
    c22 += xm2 * xm2;
    xm2 = xm1;
    xm1 = x;
  }
  const none: ToneFrame = { levelDb, hz: 0, predictionGainDb: 0, tonality: 0 };
  const det = c11 * c22 - c12 * c12;
  if (c00 <= 0 || det <= 1e-9 * c11 * c22) return none;
  const a1 = (c01 * c22 - c02 * c12) / det;
  const a2 = (c02 * c11 - c01 * c12) / det;
  const residual = Math.max(1e-9, (c00 - a1 * c01 - a2 * c02) / c00);
  const predictionGainDb = -10 * Math.log10(residual);
  if (a2 >= 0) return { ...none, predictionGainDb };
  const cosw = a1 / (2 * Math.sqrt(-a2));
  if (cosw <= -1 || cosw >= 1) return { ...none, predictionGainDb };
  let w = Math.acos(cosw);
  let tonality = sineFit(frame, w, c00);
  // In noise the predictor's frequency is biased by a percent or two, enough to lose much of a 20 ms
  // fit; when the frame looks tonal at all, search the neighbourhood and refine with a parabola.
  if (predictionGainDb >= 6 && tonality >= 0.3) {
    const step = 0.006;
    let bestK = 0;
    const fits = new Map<number, number>([[0, tonality]]);
    for (let k = -3; k <= 3; k++) {
      if (k === 0) continue;
      const f = sineFit(frame, w * (1 + k * step), c00);
      fits.set(k, f);
      if (f > (fits.get(bestK) ?? 0)) bestK = k;
    }
    const y0 = fits.get(bestK - 1);
    const y1 = fits.get(bestK) ?? tonality;
    const y2 = fits.get(bestK + 1);
    let k = bestK;
    if (y0 !== undefined && y2 !== undefined && y0 - 2 * y1 + y2 < 0) k += (0.5 * (y0 - y2)) / (y0 - 2 * y1 + y2);
    const refined = w * (1 + k * step);
    const fit = sineFit(frame, refined, c00);
    if (fit >= y1) {
      w = refined;
      tonality = fit;
    } else {
      w = w * (1 + bestK * step);
      tonality = y1;
    }
  }
  const hz = (w * SAMPLE_RATE) / (2 * Math.PI);
  return { levelDb, hz, predictionGainDb, tonality };
}

/** Share of the frame's energy explained by one sinusoid at `w` (least-squares fit of its phase and amplitude). */
function sineFit(frame: Int16Array, w: number, energy: number): number {
  const cw = Math.cos(w);
  const sw = Math.sin(w);
  let c = 1;
  let s = 0;
  let xc = 0, xs = 0, cc = 0, ss = 0, cs = 0;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i] ?? 0;
    xc += x * c;
    xs += x * s;
    cc += c * c;
    ss += s * s;
    cs += c * s;
    // Rotate (cos, sin) by w instead of calling the trig functions per sample.
    const nc = c * cw - s * sw;
    s = s * cw + c * sw;
    c = nc;
  }
  const det = cc * ss - cs * cs;
  if (det <= 0) return 0;
  const alpha = (xc * ss - xs * cs) / det;
  const beta = (xs * cc - xc * cs) / det;
  return Math.max(0, Math.min(1, (alpha * xc + beta * xs) / energy));
}

interface Run {
  startMs: number;
  frames: number;
  hzSum: number;
  levelSum: number;
  rmsSum: number;
}

/** Reports a beep once it has ended, so the voicemail message can start right after it. */
export class BeepDetector {
  private readonly o: Required<BeepOptions>;
  private readonly floor = new NoiseFloor();
  private t = 0;
  private p1 = 0;
  private p2 = 0;
  private run: Run | null = null;

  constructor(opts: BeepOptions = {}) {
    this.o = { ...BEEP_DEFAULTS, ...opts };
  }

  /** Milliseconds of audio seen so far. */
  get ms(): number {
    return this.t;
  }

  push(frame: Int16Array): BeepEvent | null {
    const at = this.t;
    this.t += FRAME_MS;
    const f = analyseToneFrame(frame, this.p1, this.p2);
    this.p1 = frame[frame.length - 1] ?? 0;
    this.p2 = frame[frame.length - 2] ?? 0;
    const noiseDb = this.floor.db;
    this.floor.update(f.levelDb);
    const tonal =
      f.levelDb >= this.o.minLevelDb &&
      f.levelDb > noiseDb + 10 &&
      f.predictionGainDb >= this.o.minPredictionGainDb &&
      f.tonality >= this.o.minTonality &&
      f.hz >= this.o.minHz &&
      f.hz <= this.o.maxHz;
    const run = this.run;
    if (tonal && run) {
      const hz = run.hzSum / run.frames;
      const level = run.levelSum / run.frames;
      if (Math.abs(f.hz - hz) <= hz * 0.03 && Math.abs(f.levelDb - level) <= 6) {
        run.frames++;
        run.hzSum += f.hz;
        run.levelSum += f.levelDb;
        run.rmsSum += 10 ** (f.levelDb / 20);
        return null;
      }
    }
    // The run (if any) ends in this frame: a change of pitch or the tone stopping.
    const ended = run ? this.finish(run, frame, at) : null;
    this.run = tonal ? { startMs: at, frames: 1, hzSum: f.hz, levelSum: f.levelDb, rmsSum: 10 ** (f.levelDb / 20) } : null;
    return ended;
  }

  private finish(run: Run, frame: Int16Array, frameStartMs: number): BeepEvent | null {
    const durMs = run.frames * FRAME_MS;
    if (durMs < this.o.minBeepMs || durMs > this.o.maxBeepMs) return null;
    // Where in this frame did the tone stop? Walk 2.5 ms slices while they keep half the tone's level.
    const toneRms = (run.rmsSum / run.frames) * 32768;
    const slice = 20;
    let kept = 0;
    for (let off = 0; off + slice <= frame.length; off += slice) {
      let s = 0;
      for (let i = off; i < off + slice; i++) s += (frame[i] ?? 0) ** 2;
      if (Math.sqrt(s / slice) < toneRms * 0.5) break;
      kept++;
    }
    const endMs = frameStartMs + (kept * slice * 1000) / SAMPLE_RATE;
    return {
      beepStartMs: run.startMs,
      beepEndMs: Math.round(endMs),
      hz: Math.round(run.hzSum / run.frames),
      levelDb: Math.round((run.levelSum / run.frames) * 10) / 10,
    };
  }
}
