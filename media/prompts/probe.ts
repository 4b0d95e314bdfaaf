// What is this file? A PCM WAV is recognised here from its header and decoded in TypeScript (no tool
// needed); anything else is put to ffprobe first, so a person gets a clear reason ("not audio",
// "truncated", "empty", "unsupported format") before any decoding; only a short list of demuxers is ever
// let through, which also keeps ffmpeg away from playlists and other formats that can reach for other files.
import { open, stat } from 'node:fs/promises';
import { AppError } from '../../core/errors.ts';
import { firstErrorLine, isToolMissing, runTool, type ToolResult } from './tools.ts';
import { BUILTIN_WAV_TEXT, parseWavHeader, type WavFormat, type WavHeader } from './wav.ts';

export type ContainerLabel = 'wav' | 'mp3' | 'ogg' | 'm4a' | 'flac' | 'webm';

interface ContainerRule {
  label: ContainerLabel;
  /** ffprobe's format_name for it. */
  formatName: string;
  /** Demuxer forced when decoding, so ffmpeg cannot be steered to another one. */
  demuxer: string;
  codecs: (codec: string) => boolean;
}

const CONTAINERS: readonly ContainerRule[] = [
  { label: 'wav', formatName: 'wav', demuxer: 'wav', codecs: (c) => c.startsWith('pcm_') || c.startsWith('adpcm_') || c === 'gsm_ms' },
  { label: 'mp3', formatName: 'mp3', demuxer: 'mp3', codecs: (c) => c === 'mp3' },
  { label: 'ogg', formatName: 'ogg', demuxer: 'ogg', codecs: (c) => c === 'opus' || c === 'vorbis' || c === 'flac' },
  { label: 'm4a', formatName: 'mov,mp4,m4a,3gp,3g2,mj2', demuxer: 'mov', codecs: (c) => c === 'aac' || c === 'alac' || c === 'mp3' },
  { label: 'flac', formatName: 'flac', demuxer: 'flac', codecs: (c) => c === 'flac' },
  // Browsers record to WebM/Opus (MediaRecorder), the UI's "record a message" path.
  { label: 'webm', formatName: 'matroska,webm', demuxer: 'matroska', codecs: (c) => c === 'opus' || c === 'vorbis' },
];

export const SUPPORTED_FORMATS_TEXT = 'WAV, MP3, OGG/Opus, M4A/AAC, FLAC or WebM/Opus';

export interface ProbeResult {
  container: ContainerLabel;
  demuxer: string;
  codec: string;
  /** Duration the file announces (header/metadata), when it announces one. */
  declaredMs: number | null;
  sampleRate: number;
  channels: number;
  sizeBytes: number;
  /** 'builtin': a PCM WAV decoded in TypeScript (`wav` says how); 'ffmpeg': everything else. */
  decoder: 'builtin' | 'ffmpeg';
  wav?: WavFormat;
}

interface FfprobeStream {
  codec_type?: unknown;
  codec_name?: unknown;
  sample_rate?: unknown;
  channels?: unknown;
  duration?: unknown;
}

function prompt(message: string, file: string): AppError {
  return new AppError('E_PROMPT', message, { file });
}

function num(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Probe a file and classify it; throws AppError E_PROMPT with a reason a person can act on. */
export async function probeAudio(path: string, displayName: string): Promise<ProbeResult> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw prompt(`"${displayName}" is not a file`, displayName);
    size = st.size;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw prompt(`"${displayName}" could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, displayName);
  }
  if (size === 0) throw prompt(`the file "${displayName}" is empty (0 bytes): upload it again`, displayName);

  const head = await readHead(path, 65_536);
  const wavHead = parseWavHeader(head);
  if (wavHead.kind === 'wav' && wavHead.builtin) return builtinWav(wavHead.fmt, wavHead.codec, size, displayName);

  let r: ToolResult;
  try {
    r = await runTool('ffprobe', ['-v', 'error', '-protocol_whitelist', 'file', '-show_format', '-show_streams', '-of', 'json', `file:${path}`], {
      timeoutMs: 30_000,
    });
  } catch (e) {
    if (isToolMissing(e)) throw withoutFfmpeg(head, wavHead, displayName);
    throw e;
  }
  if (r.code !== 0) {
    if (/moov atom not found/i.test(r.stderr)) {
      throw prompt(`the file "${displayName}" is truncated (its index is missing, the upload or export was cut short): export or upload it again`, displayName);
    }
    if (looksLikeAudioMagic(head)) {
      throw prompt(`the file "${displayName}" is damaged or truncated and cannot be decoded: export or upload it again`, displayName);
    }
    throw prompt(`the file "${displayName}" is not audio (or not a format this box can read); use ${SUPPORTED_FORMATS_TEXT}`, displayName);
  }
  let parsed: { format?: { format_name?: unknown; probe_score?: unknown; duration?: unknown }; streams?: FfprobeStream[] };
  try {
    parsed = JSON.parse(r.stdout.toString('utf8')) as typeof parsed;
  } catch {
    throw prompt(`the file "${displayName}" could not be analysed (${firstErrorLine(r.stderr) || 'no answer from ffprobe'})`, displayName);
  }
  const formatName = typeof parsed.format?.format_name === 'string' ? parsed.format.format_name : '';
  const score = num(parsed.format?.probe_score) ?? 0;
  const streams = Array.isArray(parsed.streams) ? parsed.streams : [];
  const audio = streams.find((s) => s.codec_type === 'audio');
  // A low probe score means ffmpeg is guessing (random bytes can look like MPEG audio).
  if (!formatName || score < 50 || formatName === 'tty') {
    throw prompt(`the file "${displayName}" is not audio; use ${SUPPORTED_FORMATS_TEXT}`, displayName);
  }
  if (!audio) {
    const kind = streams.some((s) => s.codec_type === 'video') ? 'an image or a video without sound' : 'not audio';
    throw prompt(`the file "${displayName}" is ${kind}; use ${SUPPORTED_FORMATS_TEXT}`, displayName);
  }
  const codec = typeof audio.codec_name === 'string' ? audio.codec_name : 'unknown';
  const rule = CONTAINERS.find((c) => c.formatName === formatName);
  if (!rule) {
    throw prompt(`unsupported format ${formatName.split(',')[0]?.toUpperCase()} (${codec}); convert it to ${SUPPORTED_FORMATS_TEXT}`, displayName);
  }
  if (!rule.codecs(codec)) {
    throw prompt(`unsupported format ${rule.label.toUpperCase()} with ${codec} audio; convert it to ${SUPPORTED_FORMATS_TEXT}`, displayName);
  }
  const sampleRate = num(audio.sample_rate) ?? 0;
  const channels = num(audio.channels) ?? 0;
  if (sampleRate <= 0 || channels <= 0) {
    throw prompt(`the file "${displayName}" is damaged (no sample rate or channel count): export it again`, displayName);
  }
  const durationS = num(audio.duration) ?? num(parsed.format?.duration);
  let declaredMs = durationS !== null && durationS > 0 ? Math.round(durationS * 1000) : null;

  if (rule.label === 'wav') {
    const wav = await wavDeclaredMs(path, size);
    if (wav.truncated) {
      throw prompt(`the file "${displayName}" is truncated: it stops at ${fmtS(wav.presentMs)} of the ${fmtS(wav.declaredMs)} its header announces; export or upload it again`, displayName);
    }
    declaredMs = wav.declaredMs > 0 ? wav.declaredMs : declaredMs;
  }
  if (rule.label === 'ogg' && !(await oggHasEndOfStream(path, size))) {
    throw prompt(`the file "${displayName}" is truncated (its last page is missing): export or upload it again`, displayName);
  }
  return { container: rule.label, demuxer: rule.demuxer, codec, declaredMs, sampleRate, channels, sizeBytes: size, decoder: 'ffmpeg' };
}

function builtinWav(fmt: WavFormat, codec: string, size: number, displayName: string): ProbeResult {
  const present = Math.max(0, size - fmt.dataOffset);
  let declaredMs: number | null = null;
  if (fmt.dataBytes !== null) {
    declaredMs = Math.round((fmt.dataBytes / fmt.byteRate) * 1000);
    // A header announcing more samples than the file holds: the upload or export was cut short.
    if (present < fmt.dataBytes - fmt.byteRate / 50) {
      const presentMs = Math.round((present / fmt.byteRate) * 1000);
      throw prompt(`the file "${displayName}" is truncated: it stops at ${fmtS(presentMs)} of the ${fmtS(declaredMs)} its header announces; export or upload it again`, displayName);
    }
  }
  if (Math.min(present, fmt.dataBytes ?? present) < fmt.blockAlign) throw prompt(`the file "${displayName}" contains no sound samples`, displayName);
  return { container: 'wav', demuxer: 'wav', codec, declaredMs, sampleRate: fmt.rate, channels: fmt.channels, sizeBytes: size, decoder: 'builtin', wav: fmt };
}

const MAGIC_NAMES: Array<[RegExp | ((b: Buffer) => boolean), string]> = [
  [/^ID3/, 'MP3'],
  [/^OggS/, 'OGG'],
  [/^fLaC/, 'FLAC'],
  [(b) => b.toString('latin1', 4, 8) === 'ftyp', 'M4A/MP4'],
  [(b) => b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3, 'WebM'],
  [(b) => b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0, 'MP3'],
];

/** Without ffmpeg only PCM WAV is readable: say which package would read this file, or that it is not audio. */
function withoutFfmpeg(head: Buffer, wav: WavHeader, displayName: string): AppError {
  const missing = (what: string) =>
    new AppError(
      'E_TOOL_MISSING',
      `the file "${displayName}" is ${what}, which this box reads only with ffmpeg: install the Debian package "ffmpeg" (sudo apt-get install -y ffmpeg), or export the message as ${BUILTIN_WAV_TEXT}`,
      { file: displayName, tool: 'ffmpeg', package: 'ffmpeg' },
    );
  if (wav.kind === 'wav' && !wav.builtin) return missing(`a WAV with ${wav.reason}`);
  if (wav.kind === 'incomplete') return prompt(`the file "${displayName}" is a damaged WAV (${wav.reason}): export or upload it again`, displayName);
  const ascii = head.toString('latin1', 0, 8);
  for (const [test, name] of MAGIC_NAMES) {
    if (typeof test === 'function' ? test(head) : test.test(ascii)) return missing(`${name} audio`);
  }
  return prompt(`the file "${displayName}" is not audio (or not a format this box can read); use ${BUILTIN_WAV_TEXT}, or install ffmpeg for ${SUPPORTED_FORMATS_TEXT}`, displayName);
}

export function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function looksLikeAudioMagic(b: Buffer): boolean {
  const ascii = b.toString('latin1');
  return (
    ascii.startsWith('RIFF') ||
    ascii.startsWith('ID3') ||
    ascii.startsWith('OggS') ||
    ascii.startsWith('fLaC') ||
    ascii.slice(4, 8) === 'ftyp' ||
    (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) ||
    (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)
  );
}

/** A WAV header states the size of its data chunk; fewer bytes on disk means the file was cut short. */
async function wavDeclaredMs(path: string, size: number): Promise<{ truncated: boolean; declaredMs: number; presentMs: number }> {
  const head = await readHead(path, Math.min(size, 4096));
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= head.length) {
    const id = head.toString('latin1', off, off + 4);
    const len = head.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 16 <= head.length) byteRate = head.readUInt32LE(off + 16);
    if (id === 'data') {
      const present = size - (off + 8);
      // 0 and 0xFFFFFFFF are "unknown length" (streamed writers); nothing to compare against.
      if (len === 0 || len === 0xffffffff || byteRate === 0) return { truncated: false, declaredMs: 0, presentMs: 0 };
      const declaredMs = Math.round((len / byteRate) * 1000);
      const presentMs = Math.round((Math.max(0, present) / byteRate) * 1000);
      return { truncated: present < len - byteRate / 50, declaredMs, presentMs };
    }
    off += 8 + len + (len % 2);
  }
  return { truncated: false, declaredMs: 0, presentMs: 0 };
}

/** A complete Ogg stream ends with a page flagged end-of-stream; a cut upload does not. */
async function oggHasEndOfStream(path: string, size: number): Promise<boolean> {
  const tailLen = Math.min(size, 65_536 + 300);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(tailLen);
    await fh.read(buf, 0, tailLen, size - tailLen);
    const last = buf.lastIndexOf('OggS', undefined, 'latin1');
    if (last < 0 || last + 6 > buf.length) return false;
    return ((buf[last + 5] ?? 0) & 0x04) !== 0;
  } finally {
    await fh.close();
  }
}
