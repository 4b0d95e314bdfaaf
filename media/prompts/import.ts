// Import a recording: probe, decode to 8 kHz mono, trim silence, normalise loudness, encode both G.711 laws,
// summarise for the UI, and move the finished folder into the library in one step.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { checkId, commitStaging, createStaging, discardStaging, FILES, newId, toStored, type RecordingMeta } from './library.ts';
import { applyTrim, f32leFromFloats, findTrim, PROMPT_RATE, readWavS16, waveformPeaks } from './pcm.ts';
import { probeAudio, type ProbeResult } from './probe.ts';
import { decodeToFloat, measureLoudness, normaliseAndEncode } from './transcode.ts';

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
    const decoded = await decodeToFloat(join(staging, origFile), b.probe, b.originalName);
    const trim = findTrim(decoded.samples, PROMPT_RATE);
    if (trim.silent) {
      throw new AppError('E_PROMPT', `the recording "${b.originalName}" is silent (or far too quiet to use): record it again closer to the microphone`, { file: b.originalName });
    }
    const kept = applyTrim(decoded.samples, trim, PROMPT_RATE);
    const work = join(staging, 'trimmed.f32');
    await writeFile(work, f32leFromFloats(kept));
    const measured = await measureLoudness(work);
    if (!Number.isFinite(measured.integratedLufs) || measured.integratedLufs < -70) {
      throw new AppError('E_PROMPT', `the recording "${b.originalName}" is too short or too quiet to measure its loudness (it needs at least half a second of sound)`, { file: b.originalName });
    }
    const out = { wav: join(staging, FILES.wav), pcmu: join(staging, FILES.pcmu), pcma: join(staging, FILES.pcma) };
    const result = await normaliseAndEncode(work, kept.length, measured, out);
    const { samples } = readWavS16(await readFile(out.wav));
    await rm(work, { force: true });

    const finalDir = join(b.libraryDir, b.id);
    const meta: RecordingMeta = {
      id: b.id,
      name: b.name,
      prompt: { id: b.id, pcmu: join(finalDir, FILES.pcmu), pcma: join(finalDir, FILES.pcma), wav: join(finalDir, FILES.wav) },
      durationMs: Math.round((samples.length / PROMPT_RATE) * 1000),
      loudnessLufs: round1(result.integratedLufs),
      truePeakDbtp: round1(result.truePeakDbtp),
      waveform: waveformPeaks(samples, 200),
      originalName: b.originalName,
      originalPath: join(finalDir, origFile),
      format: b.source === 'tts' ? 'tts' : b.probe.container,
      codec: b.probe.codec,
      originalDurationMs: Math.round((decoded.samples.length / PROMPT_RATE) * 1000),
      trimmedMs: { lead: Math.round((trim.start / PROMPT_RATE) * 1000), tail: Math.round(((decoded.samples.length - trim.end) / PROMPT_RATE) * 1000) },
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
