// The signal work of an import, synchronous and pure (it runs in a worker thread, see prepare-thread.ts):
// decode a PCM WAV (or take ffmpeg's samples), check the length, trim the silence, normalise the
// loudness to LOUDNESS_TARGET and quantise to 16-bit 8 kHz.
import { readFileSync } from 'node:fs';
import { AppError } from '../../core/errors.ts';
import { highpass, integratedLoudness, measure, normalise } from './loudness.ts';
import { applyTrim, findTrim, PROMPT_RATE, type TrimResult } from './pcm.ts';
import { fmtS } from './probe.ts';
import { resample } from './resample.ts';
import { LOUDNESS_TARGET, MAX_PROMPT_MS } from './transcode.ts';
import { decodeWavPcm, type WavFormat } from './wav.ts';

export interface PrepareInput {
  /** A built-in WAV to decode here, or the 8 kHz samples ffmpeg decoded. */
  source: { wavPath: string; wav: WavFormat } | { samples: Float32Array };
  /** Duration the file's header announces, to catch a file cut short. */
  declaredMs: number | null;
  displayName: string;
}

export interface PreparedPrompt {
  /** Length of the decoded audio before trimming, in 8 kHz samples. */
  decodedSamples: number;
  trim: TrimResult;
  /** The message as stored: 16-bit, 8 kHz, normalised. */
  pcm: Int16Array;
  integratedLufs: number;
  truePeakDbtp: number;
}

function fail(message: string, displayName: string): AppError {
  return new AppError('E_PROMPT', message, { file: displayName });
}

export function preparePrompt(input: PrepareInput): PreparedPrompt {
  const name = input.displayName;
  let samples: Float32Array;
  if ('wavPath' in input.source) {
    const { wav, wavPath } = input.source;
    const maxFrames = Math.ceil(((MAX_PROMPT_MS + 1000) / 1000) * wav.rate);
    samples = resample(decodeWavPcm(readFileSync(wavPath), wav, maxFrames), wav.rate, PROMPT_RATE);
  } else {
    samples = input.source.samples;
  }
  const decodedMs = Math.round((samples.length / PROMPT_RATE) * 1000);
  if (decodedMs > MAX_PROMPT_MS) throw fail(`the recording "${name}" is too long; the limit is ${MAX_PROMPT_MS / 60000} minutes`, name);
  // A file that decodes to much less than it announces was cut short (a partial upload or export).
  if (input.declaredMs !== null && decodedMs < input.declaredMs * 0.95 - 200) {
    throw fail(`the file "${name}" is truncated: only ${fmtS(decodedMs)} of its ${fmtS(input.declaredMs)} could be read; export or upload it again`, name);
  }
  if (samples.length === 0) throw fail(`the file "${name}" contains no sound samples`, name);
  const trim = findTrim(samples, PROMPT_RATE);
  if (trim.silent) throw fail(`the recording "${name}" is silent (or far too quiet to use): record it again closer to the microphone`, name);
  const kept = applyTrim(samples, trim, PROMPT_RATE);
  return { decodedSamples: samples.length, trim, ...normalisePrompt(kept, name) };
}

/**
 * Normalise the trimmed 8 kHz message (high-pass at 100 Hz first: phones do not carry the low end, and
 * rumble would eat the headroom) and quantise it to 16 bits; the loudness reported is the stored one's.
 */
export function normalisePrompt(samples: Float32Array, displayName: string): { pcm: Int16Array; integratedLufs: number; truePeakDbtp: number } {
  const filtered = highpass(samples, PROMPT_RATE, 100);
  const measured = integratedLoudness(filtered, PROMPT_RATE);
  if (!Number.isFinite(measured) || measured < -70) {
    throw fail(`the recording "${displayName}" is too short or too quiet to measure its loudness (it needs at least half a second of sound)`, displayName);
  }
  const t = LOUDNESS_TARGET;
  // Where the limiter had to hold peaks down the message ends up a little under target: aim again, higher.
  let assumed = measured;
  let out = normalise(filtered, PROMPT_RATE, assumed, t.integratedLufs, t.truePeakDbtp);
  for (let pass = 0; pass < 2; pass++) {
    const got = integratedLoudness(out, PROMPT_RATE);
    if (!(t.integratedLufs - got > 0.2)) break;
    assumed -= t.integratedLufs - got;
    out = normalise(filtered, PROMPT_RATE, assumed, t.integratedLufs, t.truePeakDbtp);
  }
  const pcm = new Int16Array(out.length);
  const asStored = new Float32Array(out.length);
  for (let i = 0; i < out.length; i++) {
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(out[i]! * 32768)));
    asStored[i] = pcm[i]! / 32768;
  }
  const m = measure(asStored, PROMPT_RATE);
  return { pcm, integratedLufs: m.integratedLufs, truePeakDbtp: m.truePeakDbtp };
}
