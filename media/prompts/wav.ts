// PCM WAV read in TypeScript, so the commonest upload (and espeak-ng's output) needs no ffmpeg: the RIFF
// header is parsed here, the samples are decoded and mixed down to mono floats at the file's own rate.
// Other WAV codings (ADPCM, G.711 in WAV, GSM) and rates outside 8–48 kHz are left to ffmpeg.

/** What this module decodes without ffmpeg. */
export const BUILTIN_WAV_TEXT = 'PCM WAV (8, 16, 24 or 32-bit, or 32-bit float; mono or stereo; 8 to 48 kHz)';

export const MIN_BUILTIN_RATE = 8000;
export const MAX_BUILTIN_RATE = 48000;

export interface WavFormat {
  /** 1 = integer PCM, 3 = IEEE float (after resolving WAVE_FORMAT_EXTENSIBLE). */
  format: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign: number;
  byteRate: number;
  /** Offset of the first sample byte in the file. */
  dataOffset: number;
  /** Bytes of samples the header announces; null when the writer left it unknown (0 or 0xFFFFFFFF). */
  dataBytes: number | null;
}

export type WavHeader =
  | { kind: 'not-wav' }
  | { kind: 'incomplete'; reason: string }
  | { kind: 'wav'; fmt: WavFormat; builtin: true; codec: string }
  | { kind: 'wav'; fmt: WavFormat; builtin: false; codec: string; reason: string };

// The sub-format GUIDs of WAVE_FORMAT_EXTENSIBLE end with this fixed tail; the first two bytes are the format tag.
const KSDATAFORMAT_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');

/** ffprobe's name for a WAV coding, so the recording's metadata reads the same whichever decoder ran. */
function codecName(format: number, bits: number): string {
  if (format === 1) return bits === 8 ? 'pcm_u8' : `pcm_s${bits}le`;
  if (format === 3) return `pcm_f${bits}le`;
  const known: Record<number, string> = { 2: 'adpcm_ms', 6: 'pcm_alaw', 7: 'pcm_mulaw', 0x11: 'adpcm_ima_wav', 0x31: 'gsm_ms', 0x55: 'mp3' };
  return known[format] ?? `wav-format-0x${format.toString(16)}`;
}

/** Parse the RIFF chunks before the samples (`head` is the file's first bytes, 64 kB is plenty). */
export function parseWavHeader(head: Buffer): WavHeader {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return { kind: 'not-wav' };
  let off = 12;
  let fmt: Omit<WavFormat, 'dataOffset' | 'dataBytes'> | null = null;
  while (off + 8 <= head.length) {
    const id = head.toString('latin1', off, off + 4);
    const len = head.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (len < 16 || body + 16 > head.length) return { kind: 'incomplete', reason: 'its format chunk is cut short' };
      let format = head.readUInt16LE(body);
      if (format === 0xfffe && len >= 40 && body + 40 <= head.length) {
        const guid = head.subarray(body + 24, body + 40);
        format = guid.subarray(2).equals(KSDATAFORMAT_TAIL) ? guid.readUInt16LE(0) : -1;
      }
      fmt = {
        format,
        channels: head.readUInt16LE(body + 2),
        rate: head.readUInt32LE(body + 4),
        byteRate: head.readUInt32LE(body + 8),
        blockAlign: head.readUInt16LE(body + 12),
        bits: head.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) return { kind: 'incomplete', reason: 'its samples come before their format' };
      const full: WavFormat = { ...fmt, dataOffset: body, dataBytes: len === 0 || len === 0xffffffff ? null : len };
      const codec = codecName(fmt.format, fmt.bits);
      const why = notBuiltin(full);
      return why === null ? { kind: 'wav', fmt: full, builtin: true, codec } : { kind: 'wav', fmt: full, builtin: false, codec, reason: why };
    }
    off = body + len + (len % 2);
  }
  return { kind: 'incomplete', reason: fmt ? 'no samples were found after its header' : 'no format chunk was found' };
}

function notBuiltin(f: WavFormat): string | null {
  const intPcm = f.format === 1 && [8, 16, 24, 32].includes(f.bits);
  const floatPcm = f.format === 3 && f.bits === 32;
  if (!intPcm && !floatPcm) return `${codecName(f.format, f.bits)} coding`;
  if (f.channels < 1 || f.channels > 2) return `${f.channels} channels`;
  if (f.rate < MIN_BUILTIN_RATE || f.rate > MAX_BUILTIN_RATE) return `a sample rate of ${f.rate} Hz`;
  if (f.blockAlign !== f.channels * (f.bits / 8)) return 'an inconsistent block size';
  return null;
}

/**
 * Samples of a built-in WAV, mixed down to mono (the mean of the channels), as floats in [-1, 1), at the
 * file's rate. A trailing partial frame is dropped. `maxFrames` bounds the work on an over-long file.
 */
export function decodeWavPcm(file: Buffer, fmt: WavFormat, maxFrames = Infinity): Float32Array {
  const end = fmt.dataBytes === null ? file.length : Math.min(file.length, fmt.dataOffset + fmt.dataBytes);
  const frames = Math.min(maxFrames, Math.max(0, Math.floor((end - fmt.dataOffset) / fmt.blockAlign)));
  const out = new Float32Array(frames);
  const width = fmt.bits / 8;
  const read = sampleReader(file, fmt);
  const scale = 1 / fmt.channels;
  for (let i = 0; i < frames; i++) {
    const at = fmt.dataOffset + i * fmt.blockAlign;
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++) sum += read(at + c * width);
    out[i] = sum * scale;
  }
  return out;
}

function sampleReader(b: Buffer, fmt: WavFormat): (at: number) => number {
  if (fmt.format === 3) return (at) => b.readFloatLE(at);
  switch (fmt.bits) {
    case 8:
      return (at) => ((b[at] ?? 128) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (at) => b.readInt16LE(at) / 32768;
    case 24:
      return (at) => b.readIntLE(at, 3) / 8388608;
    default:
      return (at) => b.readInt32LE(at) / 2147483648;
  }
}
