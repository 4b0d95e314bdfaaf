// sipp for the signalling bench: a UAS on a free loopback port, or the baseline UAC, each optionally
// pinned to one CPU (taskset execs sipp, so the pid is sipp's). The figures come from sipp's own
// statistics file: its final line carries exact start and end times and the call counters.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, SCENARIO_DIR, stopper } from '../../test/peers/sipp.ts';

export interface SippFigures {
  exitCode: number | null;
  successful: number;
  failed: number;
  retransmissions: number;
  /** From sipp's StartTime to the time of its last statistics line, seconds. */
  elapsedSec: number;
  /** CPU seconds sipp used (user + system), read from /proc while it ran; null when unknown. */
  cpuSec: number | null;
  errors: string;
}

export interface SippRun {
  port: number;
  exited: Promise<SippFigures>;
  /** Waits up to waitMs for sipp to end by itself, then ends it. */
  stop(waitMs?: number): Promise<SippFigures>;
}

const TICKS = 100; // USER_HZ on Linux

function epochOf(cell: string | undefined): number {
  // "2026-11-28\t18:32:27.381036\t1795890747.381036": the last field is seconds since the epoch.
  const last = cell?.split('\t').pop();
  return last ? Number(last) : NaN;
}

function readFigures(dir: string, exitCode: number | null, cpuSec: number | null, stderr: string): SippFigures {
  let errors = stderr;
  try { errors += fs.readFileSync(path.join(dir, 'errors.log'), 'utf8'); } catch { /* no unexpected messages */ }
  let lines: string[] = [];
  try { lines = fs.readFileSync(path.join(dir, 'stat.csv'), 'utf8').split(/\r?\n/).filter((l) => l.trim()); } catch { /* no stats */ }
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? lines[lines.length - 1]!.split(';') : [];
  const col = (name: string): string | undefined => last[header.indexOf(name)];
  return {
    exitCode,
    successful: Number(col('SuccessfulCall(C)') ?? 0),
    failed: Number(col('FailedCall(C)') ?? 0),
    retransmissions: Number(col('Retransmissions(C)') ?? 0),
    elapsedSec: epochOf(col('CurrentTime')) - epochOf(col('StartTime')),
    cpuSec,
    errors: errors.slice(0, 4000),
  };
}

function cpuOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return null;
  }
}

function run(args: string[], cpu: number | null): { child: ChildProcess; exited: Promise<SippFigures> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-bench-sipp-'));
  const full = [
    ...args, '-nostdin', '-buff_size', '1048576',
    '-trace_stat', '-stf', path.join(dir, 'stat.csv'), '-fd', '1', '-trace_err', '-error_file', path.join(dir, 'errors.log'),
  ];
  const cmd = cpu === null ? ['sipp', ...full] : ['taskset', '-c', String(cpu), 'sipp', ...full];
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  // The CPU counter is sampled while sipp runs: once it has exited, /proc no longer has it.
  let cpuSec: number | null = null;
  const sampler = setInterval(() => { cpuSec = cpuOf(child.pid) ?? cpuSec; }, 50);
  const exited = new Promise<SippFigures>((resolve) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      const figures = readFigures(dir, code, cpuSec, stderr);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(figures);
    });
  });
  return { child, exited };
}

function listening(port: number): boolean {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return fs.readFileSync('/proc/net/udp', 'utf8').includes(` ${hex} `);
  } catch {
    return false;
  }
}

function scenario(name: string): string {
  return path.join(SCENARIO_DIR, name);
}

/** sipp UAS on a free loopback port; resolves once its SIP socket is bound. */
export async function startUas(o: { scenario: string; calls: number; cpu: number | null; timeoutSec: number }): Promise<SippRun> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const args = [
      '-sf', scenario(o.scenario), '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(await freePort()),
      '-m', String(o.calls), '-timeout', `${o.timeoutSec}s`,
    ];
    const { child, exited } = run(args, o.cpu);
    let gone = false;
    void exited.then(() => { gone = true; });
    const until = Date.now() + 5000;
    while (!gone && Date.now() < until && !listening(port)) await new Promise((r) => setTimeout(r, 20));
    if (!gone && listening(port)) return { port, exited, stop: stopper(child, exited) };
    child.kill('SIGKILL');
    await exited;
  }
  throw new Error('sipp UAS did not start');
}

/** The baseline: sipp UAC calling target as fast as `window` calls in flight allow. */
export async function runUac(o: { scenario: string; target: string; calls: number; window: number; cpu: number | null; timeoutSec: number }): Promise<SippFigures> {
  const args = [
    o.target, '-sf', scenario(o.scenario), '-i', '127.0.0.1', '-p', String(await freePort()), '-mi', '127.0.0.1', '-mp', String(await freePort()),
    // A rate far above what either side can do: the window (-l) is the only limit.
    '-r', '100000', '-rp', '1000', '-l', String(o.window), '-m', String(o.calls), '-timeout', `${o.timeoutSec}s`,
  ];
  const { child, exited } = run(args, o.cpu);
  return stopper(child, exited)(o.timeoutSec * 1000 + 2000);
}
