// Import a recording: probe, decode to 8 kHz mono, trim silence, normalise loudness, encode both G.711 laws,
// summarise for the UI, and move the finished folder into the library in one step.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { encodeG711 } from '../dsp/g711.ts';
import { checkId, commitStaging, createStaging, discardStaging, FILES, newId, toStored, type RecordingMeta } from './library.ts';
import { PROMPT_RATE, waveformPeaks, wavS16 } from './pcm.ts';
import { prepareOffThread } from './prepare-thread.ts';
import { probeAudio, type ProbeResult } from './probe.ts';
import { checkDeclaredLength, decodeWithFfmpeg } from './transcode.ts';

export type { RecordingMeta } from './library.ts';

export interface ImportOptions {
  libraryDir: string;
  /** Stable id (letters, digits, - and _); a fresh one when omitted. Refused if it already exists. */
  id?: string;
  /** Name shown to staff. */
  name: string;
  /** File name to show and to report in errors, when `input` is a temporary upload path. */
  originalName?: string;
}

/** Import an audio file into the library. Throws AppError E_PROMPT with an actionable message; leaves nothing behind on failure. */
export async function importRecording(input: string, opts: ImportOptions): Promise<RecordingMeta> {
  const id = opts.id !== undefined ? checkId(opts.id) : newId();
  const name = cleanName(opts.name);
  const originalName = cleanName(opts.originalName ?? basename(input));
  const probe = await probeAudio(input, originalName);
  return buildRecording({ sourcePath: input, probe, originalName, libraryDir: opts.libraryDir, id, name, source: 'upload' });
}

export interface BuildInput {
  sourcePath: string;
  probe: ProbeResult;
  originalName: string;
  libraryDir: string;
  id: string;
  name: string;
  source: 'upload' | 'tts';
  tts?: { text: string; voice: string; rate: number };
  /** Keep this extension for the stored original (defaults to the container's). */
  originalExt?: string;
}

/** The shared pipeline of uploads and text-to-speech. */
export async function buildRecording(b: BuildInput): Promise<RecordingMeta> {
  await mkdir(b.libraryDir, { recursive: true });
  const staging = await createStaging(b.libraryDir, b.id);
  try {
    const origFile = `original.${b.originalExt ?? b.probe.container}`;
    // Work from our own copy: the upload path may be removed or rewritten while we work.
    await copyFile(b.sourcePath, join(staging, origFile));
    const original = join(staging, origFile);
    checkDeclaredLength(b.probe, b.originalName);
    // PCM WAV is decoded in the worker; other formats by ffmpeg first.
    const source = b.probe.decoder === 'builtin' && b.probe.wav
      ? { wavPath: original, wav: b.probe.wav }
      : { samples: await decodeWithFfmpeg(original, b.probe, b.originalName) };
    const prepared = await prepareOffThread({ source, declaredMs: b.probe.declaredMs, displayName: b.originalName });
    const { pcm: samples, trim } = prepared;
    await writeFile(join(staging, FILES.wav), wavS16(samples, PROMPT_RATE));
    await writeFile(join(staging, FILES.pcmu), encodeG711('pcmu', samples));
    await writeFile(join(staging, FILES.pcma), encodeG711('pcma', samples));

    const finalDir = join(b.libraryDir, b.id);
    const meta: RecordingMeta = {
      id: b.id,
      name: b.name,
      prompt: { id: b.id, pcmu: join(finalDir, FILES.pcmu), pcma: join(finalDir, FILES.pcma), wav: join(finalDir, FILES.wav) },
      durationMs: Math.round((samples.length / PROMPT_RATE) * 1000),
      loudnessLufs: round1(prepared.integratedLufs),
      truePeakDbtp: round1(prepared.truePeakDbtp),
      waveform: waveformPeaks(samples, 200),
      originalName: b.originalName,
      originalPath: join(finalDir, origFile),
      format: b.source === 'tts' ? 'tts' : b.probe.container,
      codec: b.probe.codec,
      originalDurationMs: Math.round((prepared.decodedSamples / PROMPT_RATE) * 1000),
      trimmedMs: { lead: Math.round((trim.start / PROMPT_RATE) * 1000), tail: Math.round(((prepared.decodedSamples - trim.end) / PROMPT_RATE) * 1000) },
      source: b.source,
      ...(b.tts ? { tts: b.tts } : {}),
      createdAt: new Date().toISOString(),
    };
    await writeFile(join(staging, FILES.meta), `${JSON.stringify(toStored(meta, finalDir), null, 1)}\n`);
    await commitStaging(staging, b.libraryDir, b.id, [origFile, FILES.wav, FILES.pcmu, FILES.pcma, FILES.meta]);
    return meta;
  } catch (e) {
    await discardStaging(staging);
    throw e;
  }
}

function round1(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : x;
}

/** Names come from people and browsers: keep them printable and short. */
function cleanName(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return t.length > 0 ? t : 'recording';
}
