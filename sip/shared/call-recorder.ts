// The call port's record() for both engines: what the callee says, from the call's received audio, to
// a WAV file (8 kHz 16-bit mono), ended by silence after speech, a key, the length bound or the end of
// the call. Written whole and synced (temporary file, fsync, rename): a kept answer is a whole file.
import { open, rename, rm } from 'node:fs/promises';
import type { RecordOptions, RecordResult } from '../../core/call-port.ts';
import { EnergyVad, FRAME_MS, FRAME_SAMPLES } from '../../media/dsp/energy.ts';

export interface RecorderSource {
  /** Hear received audio (any frame size); returns the function that stops it. */
  audio(fn: (pcm: Int16Array) => void): () => void;
  /** Hear keys; returns the function that stops it. */
  keys(fn: (digit: string) => void): () => void;
  /** Resolves when the call ends. */
  ended: Promise<unknown>;

}

function wavHeader(bytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + bytes, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24); h.writeUInt32LE(16000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(bytes, 40);
  return h;
}

export async function recordCall(src: RecorderSource, o: RecordOptions): Promise<RecordResult> {
  const maxSamples = Math.floor((o.maxMs / 1000) * 8000);
  const chunks: Int16Array[] = [];
  let samples = 0;
  const vad = new EnergyVad();
  const frame = new Int16Array(FRAME_SAMPLES);
  let fill = 0;
  let spoke = false;
  // Silence is measured on the clock too, so a far end that sends no audio at all ends it in time.
  let lastVoiceAt = Date.now();
  const result = await new Promise<Omit<RecordResult, 'ms' | 'spoke'>>((resolve) => {
    let done = false;
    const finish = (r: Omit<RecordResult, 'ms' | 'spoke'>): void => {
      if (done) return;
      done = true;
      stopAudio();
      stopKeys();
      clearTimeout(guard);
      clearInterval(silence);
      resolve(r);
    };
    const stopAudio = src.audio((pcm) => {
      if (done) return;
      const take = pcm.subarray(0, Math.max(0, maxSamples - samples));
      chunks.push(Int16Array.from(take));
      samples += take.length;
      for (let i = 0; i < take.length; i++) {
        frame[fill++] = take[i]!;
        if (fill === FRAME_SAMPLES) {
          fill = 0;
          const v = vad.push(frame);
          if (v.voiced) {
            spoke = true;
            lastVoiceAt = Date.now();
          }
        }
      }
      if (samples >= maxSamples) finish({ endedBy: 'max' });
    });
    const stopKeys = src.keys((digit) => {
      if (o.endKeys?.includes(digit)) finish({ endedBy: 'key', key: digit });
    });
        const guard = setTimeout(() => finish({ endedBy: 'max' }), o.maxMs);
    const silence = setInterval(() => { if (Date.now() - lastVoiceAt >= o.silenceMs) finish({ endedBy: 'silence' }); }, FRAME_MS * 5);
    void src.ended.then(() => finish({ endedBy: 'hangup' }));
  });
  const pcm = Buffer.alloc(samples * 2);
  let at = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++, at += 2) pcm.writeInt16LE(c[i]!, at);
  }
  const tmp = `${o.file}.part`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(Buffer.concat([wavHeader(pcm.length), pcm]));
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (samples === 0) {
    await rm(tmp, { force: true });
    return { ...result, ms: 0, spoke: false };
  }
  await rename(tmp, o.file);
  return { ...result, ms: (samples / 8000) * 1000, spoke };
}
