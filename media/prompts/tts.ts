// Offline text-to-speech with Debian's espeak-ng, run as a separate process, then the same pipeline as an
// upload (trim, loudness, G.711). Results are keyed by a hash of text, voice and rate, so a text is
// synthesised once and later requests reuse the stored recording.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { buildRecording } from './import.ts';
import { checkId, createStaging, discardStaging, readRecording, type RecordingMeta } from './library.ts';
import { probeAudio } from './probe.ts';
import { localeForVoice, renderTemplate, type Fields } from './template.ts';
import { firstErrorLine, runTool } from './tools.ts';

export interface TtsOptions {
  /** espeak-ng voice: 'en', 'en-us', 'fr', 'fr-be', optionally with a variant ('fr+f2'). */
  voice: string;
  libraryDir: string;
  /** Words per minute (espeak-ng -s), 80..400; 160 by default, a little slower than espeak's 175 for phone lines. */
  rate?: number;
  /** espeak-ng pitch 0..99 (default 50). */
  pitch?: number;
  /** Recording id; by default `tts-<hash>` so identical requests share one recording. */
  id?: string;
  name?: string;
}

export const DEFAULT_TTS_RATE = 160;
export const MAX_TTS_CHARS = 4000;
const VOICE_RE = /^[a-z]{2,3}(-[a-z0-9]{1,8}){0,2}(\+[a-z0-9]{1,16})?$/i;

export function checkVoice(voice: string): string {
  if (!VOICE_RE.test(voice)) throw new AppError('E_PROMPT', `invalid voice "${voice.slice(0, 40)}": use a language code such as en, en-us, fr, optionally with a variant (fr+f2)`, { voice: voice.slice(0, 40) });
  return voice;
}

/** Cache key of a synthesis: the same words in the same voice and speed are rendered once. */
export function ttsKey(text: string, voice: string, rate = DEFAULT_TTS_RATE, pitch = 50): string {
  return createHash('sha256').update(JSON.stringify(['tts-v1', text, voice.toLowerCase(), rate, pitch])).digest('hex').slice(0, 24);
}

function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const t = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  if (t.length === 0) throw new AppError('E_PROMPT', 'the text to speak is empty');
  if (t.length > MAX_TTS_CHARS) throw new AppError('E_PROMPT', `the text to speak is too long (${t.length} characters; the limit is ${MAX_TTS_CHARS})`);
  return t;
}

/** Speak `text` (already personalised) into the library; returns the stored recording (cached by content). */
export async function synthesize(text: string, opts: TtsOptions): Promise<RecordingMeta> {
  const voice = checkVoice(opts.voice);
  const words = cleanText(text);
  const rate = Math.round(opts.rate ?? DEFAULT_TTS_RATE);
  const pitch = Math.round(opts.pitch ?? 50);
  if (rate < 80 || rate > 400) throw new AppError('E_PROMPT', `speech rate ${rate} is out of range (80 to 400 words per minute)`);
  if (pitch < 0 || pitch > 99) throw new AppError('E_PROMPT', `pitch ${pitch} is out of range (0 to 99)`);
  const id = checkId(opts.id ?? `tts-${ttsKey(words, voice, rate, pitch)}`);
  const existing = await readRecording(opts.libraryDir, id);
  if (existing) return existing;

  await mkdir(opts.libraryDir, { recursive: true });
  const scratch = await createStaging(opts.libraryDir, `${id}-espeak`);
  try {
    const textFile = join(scratch, 'text.txt');
    const wav = join(scratch, 'speech.wav');
    await writeFile(textFile, words, 'utf8');
    // Text goes through a file, not argv: nothing in it can be read as an option.
    const r = await runTool('espeak-ng', ['-v', voice, '-s', String(rate), '-p', String(pitch), '-b', '1', '-w', wav, '-f', textFile], { timeoutMs: 60_000 });
    if (r.code !== 0) {
      if (/voice does not exist/i.test(r.stderr)) throw new AppError('E_PROMPT', `espeak-ng has no voice "${voice}" (try en, en-us, fr)`, { voice });
      throw new AppError('E_PROMPT', `text-to-speech failed: ${firstErrorLine(r.stderr) || `espeak-ng exited with ${r.code}`}`, { voice });
    }
    const probe = await probeAudio(wav, 'speech.wav');
    try {
      return await buildRecording({
        sourcePath: wav,
        probe,
        originalName: 'speech.wav',
        libraryDir: opts.libraryDir,
        id,
        name: opts.name ?? words.slice(0, 60),
        source: 'tts',
        tts: { text: words, voice, rate },
        originalExt: 'wav',
      });
    } catch (e) {
      // Another caller rendered the same text meanwhile: theirs is as good as ours.
      const raced = await readRecording(opts.libraryDir, id).catch(() => null);
      if (raced) return raced;
      throw e;
    }
  } finally {
    await discardStaging(scratch);
  }
}

export interface PreviewOptions extends TtsOptions {
  /** Sample contact fields for the tokens; tokens are checked either way. */
  fields?: Fields;
  timeZone?: string;
}

/** For the API's "preview" button: render (with sample fields) and return the 8 kHz WAV's path. */
export async function previewTts(text: string, opts: PreviewOptions): Promise<string> {
  const rendered = renderTemplate(text, opts.fields ?? {}, { locale: localeForVoice(opts.voice), ...(opts.timeZone ? { timeZone: opts.timeZone } : {}) });
  const meta = await synthesize(rendered, opts);
  if (!meta.prompt.wav) throw new AppError('E_PROMPT', 'the preview has no WAV file');
  return meta.prompt.wav;
}
