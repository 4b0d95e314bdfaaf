// Frame energy and an energy-based voice activity detector for 8 kHz telephone audio in 20 ms frames.
// The threshold follows the line's own noise floor, so a noisy mobile call and a clean digital line are
// segmented alike (a fixed threshold, as in the classic detectors, fails on one or the other).

export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;

/** RMS level of a frame in dBFS (full scale = 32768); -100 for digital silence. */
export function frameLevelDb(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i] ?? 0;
    sum += v * v;
  }
  if (sum === 0 || frame.length === 0) return -100;
  return 10 * Math.log10(sum / frame.length / (32768 * 32768));
}

/** Mean absolute amplitude on Asterisk's 0..32767 scale (what its silence_threshold compares against). */
export function frameMeanAbs(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += Math.abs(frame[i] ?? 0);
  return frame.length > 0 ? sum / frame.length : 0;
}

export interface VadOptions {
  /** dB above the noise floor for a frame to start counting as voice. */
  onsetMarginDb?: number;
  /** dB above the noise floor for voice to continue (hysteresis: trailing syllables are quieter). */
  holdMarginDb?: number;
  /** Absolute level under which nothing is voice, dBFS (G.711 idle noise and line hiss). */
  floorDb?: number;
}

export interface VadFrame {
  levelDb: number;
  noiseDb: number;
  voiced: boolean;
}

const VAD_DEFAULTS: Required<VadOptions> = { onsetMarginDb: 9, holdMarginDb: 6, floorDb: -52 };

/**
 * Noise floor: follows quiet frames quickly and loud ones very slowly, so it sits under speech but still
 * climbs onto a steady noise (traffic, a fan) within a few seconds.
 */
export class NoiseFloor {
  private value: number | null = null;

  get db(): number {
    return this.value ?? -70;
  }

  update(levelDb: number): number {
    const lvl = Math.max(levelDb, -90);
    if (this.value === null) {
      this.value = lvl;
      return lvl;
    }
    const d = lvl - this.value;
    if (d < 0) this.value += d * 0.25;
    else if (d < 3) this.value += d * 0.05;
    else this.value += Math.min(d, 20) * 0.004;
    return this.value;
  }
}

export class EnergyVad {
  private readonly o: Required<VadOptions>;
  private readonly floor = new NoiseFloor();
  private inVoice = false;

  constructor(opts: VadOptions = {}) {
    this.o = { ...VAD_DEFAULTS, ...opts };
  }

  get noiseDb(): number {
    return this.floor.db;
  }

  push(frame: Int16Array): VadFrame {
    const levelDb = frameLevelDb(frame);
    // Decide against the floor as it was before this frame, then let the frame move it.
    const noiseDb = this.floor.db;
    const margin = this.inVoice ? this.o.holdMarginDb : this.o.onsetMarginDb;
    const voiced = levelDb > this.o.floorDb && levelDb > noiseDb + margin;
    this.inVoice = voiced;
    this.floor.update(levelDb);
    return { levelDb, noiseDb, voiced };
  }
}
