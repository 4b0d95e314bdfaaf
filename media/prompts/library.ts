// The recording library on disk: one folder per recording (original, 8 kHz WAV, mu-law, A-law, meta.json).
// A recording is built in a staging folder and renamed into place only when complete, so a failure or a
// power cut never leaves a half-imported recording behind.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PromptRef } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { parseJsonSafe } from '../../core/safe-json.ts';

export interface RecordingMeta {
  id: string;
  /** Name shown to staff. */
  name: string;
  /** What the engines play (absolute paths). */
  prompt: PromptRef;
  durationMs: number;
  /** Integrated loudness of the stored audio (EBU R128), LUFS. */
  loudnessLufs: number;
  truePeakDbtp: number;
  /** 200 peak values in 0..1 over the stored audio, for the UI. */
  waveform: number[];
  /** File name as uploaded (display only; the stored copy is `originalPath`). */
  originalName: string;
  originalPath: string;
  /** Container of the original: wav, mp3, ogg, m4a, flac, webm, or tts. */
  format: string;
  codec: string;
  originalDurationMs: number;
  /** Silence removed at the start and the end. */
  trimmedMs: { lead: number; tail: number };
  source: 'upload' | 'tts';
  tts?: { text: string; voice: string; rate: number };
  createdAt: string;
}

export const FILES = { wav: 'audio.wav', pcmu: 'audio.pcmu', pcma: 'audio.pcma', meta: 'meta.json' } as const;

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new AppError('E_PROMPT', `invalid recording id "${id.slice(0, 80)}": use letters, digits, - and _ (at most 64)`, { id: id.slice(0, 80) });
  return id;
}

export function newId(): string {
  return `rec-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function recordingDir(libraryDir: string, id: string): string {
  return join(libraryDir, checkId(id));
}

/** A fresh, private staging folder inside the library (same file system, so the final rename is atomic). */
export async function createStaging(libraryDir: string, id: string): Promise<string> {
  const dir = join(libraryDir, '.staging', `${id}-${randomBytes(6).toString('hex')}`);
  // Another job may remove the (empty) shared parent between our two mkdirs: try again.
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dir, { recursive: true });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
    }
  }
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Make the staged files durable, then move the folder into place in one rename. */
export async function commitStaging(staging: string, libraryDir: string, id: string, fileNames: string[]): Promise<string> {
  for (const f of fileNames) await fsyncPath(join(staging, f));
  await fsyncPath(staging);
  const target = recordingDir(libraryDir, id);
  try {
    await rename(staging, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
      throw new AppError('E_PROMPT', `a recording with id "${id}" already exists`, { id });
    }
    throw e;
  }
  await fsyncPath(libraryDir).catch(() => undefined);
  await removeIfEmpty(dirname(staging));
  return target;
}

export async function discardStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
  await removeIfEmpty(dirname(staging));
}

/** The shared staging parent goes away when no import is in progress (another one may still use it). */
async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
}

/** Meta as stored: file paths relative to the recording's folder, so the state folder can move. */
export function toStored(meta: RecordingMeta, dir: string): RecordingMeta {
  const rel = (p: string): string => (p.startsWith(dir) ? p.slice(dir.length).replace(/^[/\\]+/, '') : p);
  return {
    ...meta,
    prompt: { id: meta.prompt.id, pcmu: rel(meta.prompt.pcmu), pcma: rel(meta.prompt.pcma), ...(meta.prompt.wav ? { wav: rel(meta.prompt.wav) } : {}) },
    originalPath: rel(meta.originalPath),
  };
}

function isStored(v: unknown): v is RecordingMeta {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const p = o.prompt as Record<string, unknown> | undefined;
  return (
    typeof o.id === 'string' &&
    typeof o.name === 'string' &&
    typeof o.durationMs === 'number' &&
    typeof o.loudnessLufs === 'number' &&
    Array.isArray(o.waveform) &&
    typeof o.originalPath === 'string' &&
    typeof p === 'object' && p !== null &&
    typeof p.pcmu === 'string' &&
    typeof p.pcma === 'string'
  );
}

/** Read one recording's metadata with absolute paths; null when it does not exist. */
export async function readRecording(libraryDir: string, id: string): Promise<RecordingMeta | null> {
  const dir = recordingDir(libraryDir, id);
  let text: string;
  try {
    text = await readFile(join(dir, FILES.meta), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const raw: unknown = parseJsonSafe(text);
  if (!isStored(raw)) throw new AppError('E_PROMPT', `the metadata of recording "${id}" is damaged`, { id });
  const abs = (p: string): string => join(dir, p);
  return {
    ...raw,
    prompt: { id: raw.prompt.id, pcmu: abs(raw.prompt.pcmu), pcma: abs(raw.prompt.pcma), ...(raw.prompt.wav ? { wav: abs(raw.prompt.wav) } : {}) },
    originalPath: abs(raw.originalPath),
  };
}

/** Every complete recording in the library (staging folders are not recordings). */
export async function listRecordings(libraryDir: string): Promise<RecordingMeta[]> {
  let names: string[];
  try {
    names = await readdir(libraryDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: RecordingMeta[] = [];
  for (const n of names.sort()) {
    if (!ID_RE.test(n)) continue;
    const m = await readRecording(libraryDir, n).catch(() => null);
    if (m) out.push(m);
  }
  return out;
}

export async function deleteRecording(libraryDir: string, id: string): Promise<boolean> {
  const dir = recordingDir(libraryDir, id);
  const existed = (await readRecording(libraryDir, id).catch(() => null)) !== null;
  await rm(dir, { recursive: true, force: true });
  return existed;
}

/** Remove staging folders left by a crash mid-import (call at start-up). */
export async function sweepStaging(libraryDir: string): Promise<void> {
  await rm(join(libraryDir, '.staging'), { recursive: true, force: true });
}

/**
 * The recording with this id, imported from `file` first if the library does not have it yet (the call
 * command keys ad-hoc prompts by the file's hash, so the same file is imported once).
 */
export async function loadOrImportPrompt(file: string, opts: { libraryDir: string; id: string; name: string }): Promise<PromptRef> {
  const existing = await readRecording(opts.libraryDir, opts.id);
  if (existing) return existing.prompt;
  // Imported lazily: import.ts builds on this module.
  const { importRecording } = await import('./import.ts');
  try {
    return (await importRecording(file, opts)).prompt;
  } catch (e) {
    // Two callers raced on the same file: the other one finished first.
    const raced = await readRecording(opts.libraryDir, opts.id).catch(() => null);
    if (raced) return raced.prompt;
    throw e;
  }
}
