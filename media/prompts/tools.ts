// The Debian audio tools (ffmpeg, ffprobe, espeak-ng, sox): which are installed (none is needed to start;
// each missing one disables only what it lists), and running them as separate processes, so a crash or
// a hostile file never takes the box down and the event loop never waits on decoding.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AppError, isAppError } from '../../core/errors.ts';
import type { AudioToolName, ToolStatus } from './tool-types.ts';

export interface ToolResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface ToolOptions {
  timeoutMs?: number;
  /** Bytes written to the tool's stdin, which is then closed. */
  stdin?: Buffer | string;
  /** Stop collecting stdout beyond this many bytes (the tool is killed). */
  maxStdoutBytes?: number;
}

const PACKAGE_OF: Record<string, string> = { ffmpeg: 'ffmpeg', ffprobe: 'ffmpeg', 'espeak-ng': 'espeak-ng', sox: 'sox' };

export type { AudioToolName, ToolStatus } from './tool-types.ts';

/**
 * The Debian audio tools the box can use. None is needed to start, run the sandbox or import a PCM WAV
 * message; each one missing disables only what it lists.
 */
export const AUDIO_TOOLS: ReadonlyArray<{ name: AudioToolName; commands: readonly string[]; package: string; neededFor: string }> = [
  {
    name: 'ffmpeg', commands: ['ffmpeg', 'ffprobe'], package: 'ffmpeg',
    neededFor: 'messages in MP3, OGG/Opus, M4A/AAC, FLAC, WebM (recorded in the browser) or compressed WAV; PCM WAV needs nothing',
  },
  { name: 'espeak-ng', commands: ['espeak-ng'], package: 'espeak-ng', neededFor: 'text-to-speech messages and the caller-ID verification calls' },
  {
    name: 'sox', commands: ['sox'], package: 'sox',
    neededFor: 'nothing the box does itself (its sandbox voices ship with it); the test suite and sip/sandbox/render-voices.ts use it',
  },
];

function executableIn(dir: string, cmd: string): boolean {
  const p = join(dir, cmd);
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Which audio tools are on `PATH` (looked up in its folders, nothing is run). */
export function detectTools(pathEnv: string = process.env.PATH ?? ''): ToolStatus[] {
  const dirs = pathEnv.split(delimiter).filter((d) => d.length > 0);
  return AUDIO_TOOLS.map((t) => ({
    name: t.name,
    present: t.commands.every((c) => dirs.some((d) => executableIn(d, c))),
    package: t.package,
    neededFor: t.neededFor,
  }));
}

/** The command that installs the missing tools, e.g. `sudo apt-get install -y ffmpeg espeak-ng`; null when none is missing. */
export function installLine(tools: readonly ToolStatus[]): string | null {
  const pkgs = [...new Set(tools.filter((t) => !t.present).map((t) => t.package))];
  return pkgs.length > 0 ? `sudo apt-get install -y ${pkgs.join(' ')}` : null;
}

/** The one start-up line about missing tools (what is off, and the install command); null when all are there. */
export function missingToolsMessage(tools: readonly ToolStatus[]): string | null {
  const missing = tools.filter((t) => !t.present);
  if (missing.length === 0) return null;
  const what = missing.map((t) => `${t.name}: ${t.neededFor}`).join(' | ');
  return `audio tools not installed; the box runs without them and refuses only what needs them. ${what}. Install them with: ${installLine(tools)}`;
}

export function isToolMissing(e: unknown): e is AppError {
  return isAppError(e) && e.code === 'E_TOOL_MISSING';
}

/** Run a tool to completion; never rejects for a non-zero exit (callers classify stderr), only when it cannot run. */
export function runTool(cmd: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const maxStdout = opts.maxStdoutBytes ?? 256 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let settled = false;
    let killedFor: string | null = null;
    const timer = setTimeout(() => {
      killedFor = `took longer than ${Math.round(timeoutMs / 1000)} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > maxStdout) {
        killedFor = 'produced too much output';
        child.kill('SIGKILL');
        return;
      }
      out.push(b);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      // stderr can be chatty on damaged files; the first part is what explains the problem.
      if (err.length < 64 * 1024) err += s;
    });
    child.stdin.on('error', () => {
      /* the tool may exit before reading its stdin; its exit code tells the story */
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (e.code === 'ENOENT') {
        const pkg = PACKAGE_OF[cmd] ?? cmd;
        reject(new AppError('E_TOOL_MISSING', `${cmd} is not installed on this box: install the Debian package "${pkg}" (sudo apt-get install -y ${pkg})`, { tool: cmd, package: pkg }, { cause: e }));
      } else {
        reject(new AppError('E_PROMPT', `could not run ${cmd}: ${e.message}`, { tool: cmd }, { cause: e }));
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (killedFor) {
        reject(new AppError('E_PROMPT', `${cmd} ${killedFor}; the file may be damaged or far too long`, { tool: cmd }));
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: err });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** First meaningful stderr line, for error messages and logs (tools prefix lines with their component). */
export function firstErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const line = lines.find((l) => /error|invalid|failed|no such|unable/i.test(l)) ?? lines[0];
  return (line ?? '').slice(0, 200);
}
