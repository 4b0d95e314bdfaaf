// Spawning the Debian audio tools (ffmpeg, ffprobe, espeak-ng, sox) as separate processes: a crash or a
// hostile file never takes the box down, and the event loop never waits on decoding.
import { spawn } from 'node:child_process';
import { AppError } from '../../core/errors.ts';

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
        reject(new AppError('E_PROMPT', `${cmd} is not installed on this box (install the Debian package "${PACKAGE_OF[cmd] ?? cmd}")`, { tool: cmd }, { cause: e }));
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
