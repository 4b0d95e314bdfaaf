// Sample-level helpers for the prompt pipeline: raw float buffers, 16-bit WAV files, silence trimming and
// the waveform summary the UI draws.

export const PROMPT_RATE = 8000;

export function floatsFromF32le(buf: Buffer): Float32Array {
  const n = Math.floor(buf.length / 4);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export function f32leFromFloats(samples: Float32Array): Buffer {
  const buf = Buffer.alloc(samples.length * 4);
  for (let i = 0; i < samples.length; i++) buf.writeFloatLE(samples[i] ?? 0, i * 4);
  return buf;
}

/** Samples of a 16-bit PCM mono WAV; throws on anything else (we only read WAVs we wrote or sox wrote). */
export function readWavS16(buf: Buffer): { rate: number; samples: Int16Array } {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let off = 12;
  let rate = 0;
  let channels = 0;
  let bits = 0;
  let format = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('latin1', off, off + 4);
    const len = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      rate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in its sub-format GUID.
      if (format === 0xfffe && len >= 26) format = buf.readUInt16LE(body + 24);
    } else if (id === 'data') {
      if (format !== 1 || bits !== 16 || channels !== 1) throw new Error(`expected 16-bit mono PCM, got format ${format}, ${bits} bits, ${channels} channels`);
      const end = Math.min(buf.length, len === 0xffffffff || len === 0 ? buf.length : body + len);
      const n = Math.floor((end - body) / 2);
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(body + i * 2);
      return { rate, samples };
    }
    off = body + len + (len % 2);
  }
  throw new Error('no data chunk');
}

/** The 44-byte header of a 16-bit mono PCM WAV whose samples take dataBytes. */
export function wavHeader(dataBytes: number, rate = 8000): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export function wavS16(samples: Int16Array, rate: number): Buffer {
  const buf = Buffer.alloc(44 + samples.length * 2);
  wavHeader(samples.length * 2, rate).copy(buf);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] ?? 0, 44 + i * 2);
  return buf;
}

export interface TrimResult {
  /** First and last sample kept (end exclusive). */
  start: number;
  end: number;
  /** Level of the loud part, dBFS (95th percentile of 10 ms frames). */
  speechDb: number;
  silent: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return -120;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))));
  return sorted[i] ?? -120;
}

/**
 * Find where the sound starts and ends. The threshold follows the recording's own noise floor (10th
 * percentile) and stays well under its speech level, so hiss is trimmed but quiet syllables are not.
 */
export function findTrim(samples: Float32Array, rate = PROMPT_RATE, opts: { leadPadMs?: number; tailPadMs?: number } = {}): TrimResult {
  const frame = Math.round(rate / 100);
  const levels: number[] = [];
  for (let off = 0; off + frame <= samples.length; off += frame) {
    let sum = 0;
    for (let i = off; i < off + frame; i++) sum += (samples[i] ?? 0) ** 2;
    levels.push(10 * Math.log10(sum / frame + 1e-12));
  }
  const sorted = [...levels].sort((a, b) => a - b);
  const noise = percentile(sorted, 10);
  const speech = percentile(sorted, 95);
  if (levels.length === 0 || speech < -60) return { start: 0, end: 0, speechDb: speech, silent: true };
  const threshold = Math.min(Math.max(noise + 10, -65), speech - 15);
  // Two loud frames in a row: a single click does not count as the start of the message.
  let first = -1;
  for (let i = 0; i + 1 < levels.length; i++) {
    if ((levels[i] ?? -120) > threshold && (levels[i + 1] ?? -120) > threshold) {
      first = i;
      break;
    }
  }
  let last = -1;
  for (let i = levels.length - 1; i > 0; i--) {
    if ((levels[i] ?? -120) > threshold && (levels[i - 1] ?? -120) > threshold) {
      last = i;
      break;
    }
  }
  if (first < 0 || last < first) return { start: 0, end: 0, speechDb: speech, silent: true };
  const lead = Math.round(((opts.leadPadMs ?? 100) * rate) / 1000);
  const tail = Math.round(((opts.tailPadMs ?? 200) * rate) / 1000);
  const start = Math.max(0, first * frame - lead);
  const end = Math.min(samples.length, (last + 1) * frame + tail);
  return { start, end, speechDb: speech, silent: false };
}

/** Copy the kept part with 5 ms fades, so a cut through background noise does not click. */
export function applyTrim(samples: Float32Array, trim: TrimResult, rate = PROMPT_RATE): Float32Array {
  const out = samples.slice(trim.start, trim.end);
  const fade = Math.min(Math.round(rate / 200), Math.floor(out.length / 2));
  for (let i = 0; i < fade; i++) {
    const g = i / fade;
    out[i] = (out[i] ?? 0) * g;
    const j = out.length - 1 - i;
    out[j] = (out[j] ?? 0) * g;
  }
  return out;
}

/** Peak per bucket, 0..1, for the UI's waveform drawing. */
export function waveformPeaks(samples: Int16Array, buckets = 200): number[] {
  const out: number[] = [];
  if (samples.length === 0) return new Array<number>(buckets).fill(0);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * samples.length) / buckets);
    const to = Math.max(from + 1, Math.floor(((b + 1) * samples.length) / buckets));
    let peak = 0;
    for (let i = from; i < to && i < samples.length; i++) {
      const v = Math.abs(samples[i] ?? 0);
      if (v > peak) peak = v;
    }
    out.push(Math.round((peak / 32768) * 1000) / 1000);
  }
  return out;
}
