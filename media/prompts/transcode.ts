// ffmpeg steps of the prompt pipeline: decode to 8 kHz mono float, measure loudness (EBU R128), then apply a
// linear gain and write the three forms the engines read (16-bit WAV, mu-law, A-law) in one pass.
import { AppError } from '../../core/errors.ts';
import { floatsFromF32le, PROMPT_RATE } from './pcm.ts';
import { fmtS, type ProbeResult } from './probe.ts';
import { firstErrorLine, runTool } from './tools.ts';

/**
 * -19 LUFS integrated, true peak at most -2 dBTP. ITU-T P.56's nominal telephone speech level is about
 * -26 dBov; a recorded announcement sits a few dB hotter so it is not heard as quieter than live talkers
 * after network loss and handset AGC, while -2 dBTP keeps G.711's +3 dBm0 ceiling from clipping peaks.
 */
export const LOUDNESS_TARGET = { integratedLufs: -19, truePeakDbtp: -2, lraLu: 20 } as const;

/** Prompts longer than this are refused: a broadcast message, not an audiobook, and the box has little RAM. */
export const MAX_PROMPT_MS = 10 * 60 * 1000;

/**
 * Phones do not carry the low end; removing it keeps rumble from eating the headroom. The pad to 3.5 s
 * works around loudnorm mis-computing its gain on inputs shorter than its 3 s window (silence is gated
 * out of the measurement, and the output is cut back to the real length).
 */
const PRE_FILTER = 'highpass=f=100,apad=whole_dur=3.5';

export interface Decoded {
  samples: Float32Array;
  /** Non-fatal decoder complaints (logged, or used as evidence of damage). */
  warnings: string;
}

export async function decodeToFloat(path: string, probe: ProbeResult, displayName: string): Promise<Decoded> {
  if (probe.declaredMs !== null && probe.declaredMs > MAX_PROMPT_MS + 1000) {
    throw new AppError('E_PROMPT', `the recording "${displayName}" is too long (${fmtS(probe.declaredMs)}); the limit is ${MAX_PROMPT_MS / 60000} minutes`, { file: displayName });
  }
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
  const samples = floatsFromF32le(r.stdout);
  const decodedMs = Math.round((samples.length / PROMPT_RATE) * 1000);
  if (decodedMs > MAX_PROMPT_MS) {
    throw new AppError('E_PROMPT', `the recording "${displayName}" is too long; the limit is ${MAX_PROMPT_MS / 60000} minutes`, { file: displayName });
  }
  // A file that decodes to much less than it announces was cut short (a partial upload or export).
  if (probe.declaredMs !== null && decodedMs < probe.declaredMs * 0.95 - 200) {
    throw new AppError(
      'E_PROMPT',
      `the file "${displayName}" is truncated: only ${fmtS(decodedMs)} of its ${fmtS(probe.declaredMs)} could be read; export or upload it again`,
      { file: displayName },
    );
  }
  if (samples.length === 0) {
    throw new AppError('E_PROMPT', `the file "${displayName}" contains no sound samples`, { file: displayName });
  }
  return { samples, warnings: r.stderr };
}

export interface LoudnessStats {
  integratedLufs: number;
  truePeakDbtp: number;
  lraLu: number;
  thresholdLufs: number;
  offsetLu: number;
}

function parseLoudnorm(stderr: string, which: 'input' | 'output'): LoudnessStats | null {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(stderr.slice(start, end + 1)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const n = (k: string): number => {
    const v = obj[k];
    const x = typeof v === 'string' ? Number(v) : NaN;
    return Number.isFinite(x) ? x : -Infinity;
  };
  return {
    integratedLufs: n(`${which}_i`),
    truePeakDbtp: n(`${which}_tp`),
    lraLu: n(`${which}_lra`) === -Infinity ? 0 : n(`${which}_lra`),
    thresholdLufs: n(`${which}_thresh`),
    offsetLu: n('target_offset') === -Infinity ? 0 : n('target_offset'),
  };
}

function loudnormArgs(measured?: LoudnessStats): string {
  const t = LOUDNESS_TARGET;
  const base = `loudnorm=I=${t.integratedLufs}:TP=${t.truePeakDbtp}:LRA=${t.lraLu}:print_format=json`;
  if (!measured) return base;
  const clamp = (v: number, lo: number, hi: number): string => Math.min(hi, Math.max(lo, v)).toFixed(2);
  return (
    `${base}:linear=true:measured_I=${clamp(measured.integratedLufs, -99, 0)}:measured_TP=${clamp(measured.truePeakDbtp, -99, 99)}` +
    `:measured_LRA=${clamp(measured.lraLu, 0, 99)}:measured_thresh=${clamp(measured.thresholdLufs, -99, 0)}:offset=${clamp(measured.offsetLu, -99, 99)}`
  );
}

const RAW_IN = ['-f', 'f32le', '-ar', String(PROMPT_RATE), '-ac', '1'];

/** First loudnorm pass: measure only. */
export async function measureLoudness(f32Path: string): Promise<LoudnessStats> {
  const r = await runTool('ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-v', 'info', ...RAW_IN, '-i', `file:${f32Path}`, '-af', `${PRE_FILTER},${loudnormArgs()}`, '-f', 'null', '-'], {
    timeoutMs: 180_000,
  });
  const stats = r.code === 0 ? parseLoudnorm(r.stderr, 'input') : null;
  if (!stats) throw new AppError('E_PROMPT', `loudness could not be measured (${firstErrorLine(r.stderr)})`);
  return stats;
}

export interface NormalisedFiles {
  wav: string;
  pcmu: string;
  pcma: string;
}

/** Second pass: linear gain to the target (loudnorm limits peaks only if it must), then the three outputs. */
export async function normaliseAndEncode(f32Path: string, sampleCount: number, measured: LoudnessStats, out: NormalisedFiles): Promise<LoudnessStats> {
  const graph = `[0:a]${PRE_FILTER},${loudnormArgs(measured)},aresample=${PROMPT_RATE},atrim=end_sample=${sampleCount},asplit=3[w][u][a]`;
  const r = await runTool(
    'ffmpeg',
    [
      '-nostdin', '-hide_banner', '-nostats', '-v', 'info', ...RAW_IN, '-i', `file:${f32Path}`,
      '-filter_complex', graph,
      '-map', '[w]', '-map_metadata', '-1', '-fflags', '+bitexact', '-c:a', 'pcm_s16le', '-ar', String(PROMPT_RATE), '-ac', '1', '-f', 'wav', `file:${out.wav}`,
      '-map', '[u]', '-c:a', 'pcm_mulaw', '-ar', String(PROMPT_RATE), '-ac', '1', '-f', 'mulaw', `file:${out.pcmu}`,
      '-map', '[a]', '-c:a', 'pcm_alaw', '-ar', String(PROMPT_RATE), '-ac', '1', '-f', 'alaw', `file:${out.pcma}`,
    ],
    { timeoutMs: 180_000 },
  );
  const stats = r.code === 0 ? parseLoudnorm(r.stderr, 'output') : null;
  if (!stats) throw new AppError('E_PROMPT', `the recording could not be normalised (${firstErrorLine(r.stderr)})`);
  return stats;
}
