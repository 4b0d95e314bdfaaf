// ffmpeg's part of the prompt pipeline: formats other than PCM WAV are decoded to 8 kHz mono float by
// ffmpeg in its own process. Everything after decoding (trim, loudness, G.711) is TypeScript (prepare.ts).
import { AppError } from '../../core/errors.ts';
import { floatsFromF32le, PROMPT_RATE } from './pcm.ts';
import { fmtS, type ProbeResult } from './probe.ts';
import { firstErrorLine, runTool } from './tools.ts';

/**
 * -19 LUFS integrated, true peak at most -2 dBTP. ITU-T P.56's nominal telephone speech level is about
 * -26 dBov; a recorded announcement sits a few dB hotter so it is not heard as quieter than live talkers
 * after network loss and handset AGC, while -2 dBTP keeps G.711's +3 dBm0 ceiling from clipping peaks.
 */
export const LOUDNESS_TARGET = { integratedLufs: -19, truePeakDbtp: -2 } as const;

/** Prompts longer than this are refused: a broadcast message, not an audiobook, and the box has little RAM. */
export const MAX_PROMPT_MS = 10 * 60 * 1000;

/** Refuse a file whose header already says it is too long, before any decoding. */
export function checkDeclaredLength(probe: ProbeResult, displayName: string): void {
  if (probe.declaredMs !== null && probe.declaredMs > MAX_PROMPT_MS + 1000) {
    throw new AppError('E_PROMPT', `the recording "${displayName}" is too long (${fmtS(probe.declaredMs)}); the limit is ${MAX_PROMPT_MS / 60000} minutes`, { file: displayName });
  }
}

/** Decode with ffmpeg to 8 kHz mono float (at most the length limit and a second). */
export async function decodeWithFfmpeg(path: string, probe: ProbeResult, displayName: string): Promise<Float32Array> {
  checkDeclaredLength(probe, displayName);
  const r = await runTool(
    'ffmpeg',
    [
      '-nostdin', '-hide_banner', '-v', 'error', '-protocol_whitelist', 'file',
      '-f', probe.demuxer, '-i', `file:${path}`,
      '-map', '0:a:0', '-vn', '-sn', '-dn',
      '-t', String((MAX_PROMPT_MS + 1000) / 1000),
      '-ac', '1', '-ar', String(PROMPT_RATE), '-f', 'f32le', 'pipe:1',
    ],
    { timeoutMs: 180_000 },
  );
  if (r.code !== 0) {
    throw new AppError('E_PROMPT', `the file "${displayName}" could not be decoded (${firstErrorLine(r.stderr) || 'decoder failed'}); it may be damaged`, { file: displayName });
  }
  return floatsFromF32le(r.stdout);
}
