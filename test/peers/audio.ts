// Audio helpers for acceptance tests: read WAV files (via sox when they are not plain 8 kHz PCM)
// and compare what a peer heard with what we sent.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { PromptRef } from '../../core/call-port.ts';
import { encodeG711 } from '../../media/dsp/g711.ts';

/** Decode any audio file sox/ffmpeg reads into 8 kHz mono Int16 samples. */
export function readPcm8k(file: string): Int16Array {
  const raw = execFileSync('sox', [file, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-r', '8000', '-L', '-'], { maxBuffer: 1 << 28 });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
}

function energy(x: Int16Array | Float64Array, from: number, len: number): number {
  let e = 0;
  for (let i = from; i < from + len; i++) e += x[i]! * x[i]!;
  return e;
}

/**
 * Best normalised cross-correlation of `probe` (the prompt) inside `heard` (the recording), over
 * every lag; 1.0 means the same waveform. Both must be at the same rate.
 */
export function bestNormalisedXcorr(heard: Int16Array, probe: Int16Array): { score: number; lag: number } {
  const n = probe.length;
  if (heard.length < n) return { score: 0, lag: -1 };
  const pe = Math.sqrt(energy(probe, 0, n));
  let best = { score: 0, lag: -1 };
  // Coarse search on a decimated envelope would be faster; recordings here are a few seconds long.
  let winE = energy(heard, 0, n);
  for (let lag = 0; lag + n <= heard.length; lag++) {
    if (lag > 0) {
      const out = heard[lag - 1]!;
      const inn = heard[lag + n - 1]!;
      winE += inn * inn - out * out;
    }
    if (winE <= 0) continue;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += heard[lag + i]! * probe[i]!;
    const score = dot / (pe * Math.sqrt(winE));
    if (score > best.score) best = { score, lag };
  }
  return best;
}

/** A tone written as a prompt (both G.711 laws) in `dir`: what the flow tests and the amd bench play. */
export function tonePrompt(dir: string, id: string, ms: number, hz: number): PromptRef {
  const pcm = new Int16Array((ms / 1000) * 8000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  const ref = { id, pcmu: path.join(dir, `${id}.pcmu`), pcma: path.join(dir, `${id}.pcma`) };
  fs.writeFileSync(ref.pcmu, encodeG711('pcmu', pcm));
  fs.writeFileSync(ref.pcma, encodeG711('pcma', pcm));
  return ref;
}

/**
 * Share of 200 ms windows (8 kHz) with sound in them (louder than about -35 dBFS) that are mostly a tone of
 * `hz` (Goertzel power against the window's energy): "the far end heard our tone". With two tones mixed
 * each holds about half of a window: `minPart` 0.2 counts a window where the tone is one part of the mix.
 */
export function toneShare(pcm: ArrayLike<number>, hz: number, minPart = 0.5): number {
  const n = 1600;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let loud = 0;
  let tone = 0;
  for (let at = 0; at + n <= pcm.length; at += n) {
    let s1 = 0;
    let s2 = 0;
    let energy = 0;
    for (let i = at; i < at + n; i++) {
      const x = pcm[i]!;
      const s = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s;
      energy += x * x;
    }
    if (energy / n < 1e4) continue;
    loud++;
    if ((s1 * s1 + s2 * s2 - coeff * s1 * s2) / (energy * n / 2) > minPart) tone++;
  }
  return loud === 0 ? 0 : tone / loud;
}

/** A sine tone as a 16-bit mono WAV made by sox (a peer's microphone or audio source). */
export function toneWav(file: string, hz: number, sec: number, rate = 8000): string {
  execFileSync('sox', ['-n', '-r', String(rate), '-c', '1', '-b', '16', file, 'synth', String(sec), 'sine', String(hz), 'vol', '0.5']);
  return file;
}
