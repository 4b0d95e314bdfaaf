// Test helper: run sipp (Debian `sip-tester`) with a scenario from test/peers/sipp/, as UAS on a free
// loopback port or as UAC towards us, and collect its exit code and statistics.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freeUdpRange } from './ports.ts';

export { freePort };

export const SCENARIO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

export interface SippStats {
  successful: number;
  failed: number;
  /** Every column of sipp's last statistics line, by its CSV header. */
  raw: Record<string, string>;
}

export interface SippResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stats: SippStats | null;
  /** sipp's unexpected-message log and stderr, for assertion messages. */
  errors: string;
}

export interface SippHandle {
  address: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Resolves when sipp exits by itself (e.g. after -m calls). */
  exited: Promise<SippResult>;
  /** Wait for sipp to finish (up to waitMs), then end it; always resolves. */
  stop(waitMs?: number): Promise<SippResult>;
}

export interface SippOptions {
  /** Scenario file name in test/peers/sipp/, or an absolute path. */
  scenario: string;
  address?: string;
  transport?: 'udp' | 'tcp';
  /** Stop after this many calls (-m). */
  calls?: number;
  /** Values for [key] in the scenario (-key name value). */
  keys?: Record<string, string>;
  args?: string[];
  /** Global timeout in seconds (-timeout), a safety net so sipp never outlives a test. */
  timeoutSec?: number;
  /** Files put in sipp's working folder before it starts (e.g. a pcap the scenario plays by name). */
  files?: Record<string, Buffer | string>;
}

/** sipp instances a test process runs at once: a burst of them starves the SIP timers under test. */
const MAX_CONCURRENT = Number(process.env.SIPP_CONCURRENCY ?? 3);
let running = 0;
const queue: Array<() => void> = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((r) => queue.push(r));
  running++;
  let freed = false;
  return () => {
    if (freed) return;
    freed = true;
    running--;
    queue.shift()?.();
  };
}

function scenarioPath(s: string): string {
  return path.isAbsolute(s) ? s : path.join(SCENARIO_DIR, s);
}


function hexAddress(address: string, port: number): string {
  const ip = address.split('.').map(Number).reverse().map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  return `${ip}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Has process `pid` bound address:port (UDP) or is it listening on it (TCP)? Read from /proc, no packets
 * sent. The owner matters: between `freePort()` closing its probe and sipp binding the port, another
 * process's port-0 bind can take it; sipp then exits, and the port being bound proves nothing.
 */
function isListeningBy(pid: number | undefined, address: string, port: number, transport: 'udp' | 'tcp'): boolean {
  if (pid === undefined) return false;
  const want = hexAddress(address, port);
  const any = hexAddress('0.0.0.0', port);
  try {
    const inodes = new Set(fs.readFileSync(`/proc/net/${transport}`, 'utf8').split('\n').slice(1).flatMap((l) => {
      const cols = l.trim().split(/\s+/);
      const local = cols[1];
      return (local === want || local === any) && (transport === 'udp' || cols[3] === '0A') ? [`socket:[${cols[9]}]`] : [];
    }));
    if (inodes.size === 0) return false;
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false; // closed since the listing
      }
    });
  } catch {
    return false;
  }
}

function parseStats(file: string): SippStats | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length < 2) return null;
  const header = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  const raw: Record<string, string> = {};
  header.forEach((h, i) => { if (h) raw[h] = last[i] ?? ''; });
  return { successful: Number(raw['SuccessfulCall(C)'] ?? 0), failed: Number(raw['FailedCall(C)'] ?? 0), raw };
}

function launch(args: string[], dir: string, files: Record<string, Buffer | string> = {}): { child: ChildProcess; exited: Promise<SippResult> } {
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, path.basename(name)), data);
  const statFile = path.join(dir, 'stat.csv');
  const errFile = path.join(dir, 'errors.log');
  const full = [...args, '-nostdin', '-trace_stat', '-stf', statFile, '-fd', '1', '-trace_err', '-error_file', errFile];
  const child = spawn('sipp', full, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { stderr += d; });
  const exited = new Promise<SippResult>((resolve) => {
    const done = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      let errors = stderr;
      try { errors += fs.readFileSync(errFile, 'utf8'); } catch { /* no unexpected messages */ }
      const stats = parseStats(statFile);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ exitCode, signal, stats, errors });
    };
    child.once('exit', done);
    child.once('error', (e) => { stderr += String(e); done(null, null); });
  });
  return { child, exited };
}

/** Stops a sipp run: waits up to waitMs for it to end on its own, then SIGTERM, then SIGKILL. */
export function stopper<T>(child: ChildProcess, exited: Promise<T>): (waitMs?: number) => Promise<T> {
  return async (waitMs = 3000) => {
    // Unref'd: a pending wait must not keep the test process alive after sipp has gone.
    const timer = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
    if ((await Promise.race([exited.then(() => 'exited' as const), timer(waitMs)])) === 'timeout') {
      child.kill('SIGTERM');
      if ((await Promise.race([exited.then(() => 'exited' as const), timer(2000)])) === 'timeout') child.kill('SIGKILL');
    }
    return exited;
  };
}

function commonArgs(o: SippOptions): string[] {
  const args = ['-sf', scenarioPath(o.scenario)];
  if (o.transport === 'tcp') args.push('-t', 't1');
  if (o.calls !== undefined) args.push('-m', String(o.calls));
  args.push('-timeout', `${o.timeoutSec ?? 50}s`);
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  return [...args, ...(o.args ?? [])];
}

/**
 * sipp binds its media port, the port after it, and the two after that (audio and video, RTP and RTCP):
 * `-mp auto` takes four free ports, checked, outside the kernel's ephemeral range. A retry takes new
 * ones whatever was given, so that a port taken by another test between the check and the bind
 * cannot fail every attempt.
 */
async function withMediaPorts(args: string[], attempt: number): Promise<string[]> {
  const i = args.indexOf('-mp');
  if (i < 0 || (args[i + 1] !== 'auto' && attempt === 0)) return args;
  const out = [...args];
  out[i + 1] = String(await freeUdpRange(4));
  return out;
}

/** Start sipp as a UAS (server) on a free port; resolves once it listens. `-mp auto`: see withMediaPorts. */
export async function startSippUas(o: SippOptions): Promise<SippHandle> {
  const address = o.address ?? '127.0.0.1';
  const transport = o.transport ?? 'udp';
  const free = await slot();
  try {
    const h = await startUasInSlot(o, address, transport);
    void h.exited.then(free);
    return h;
  } catch (e) {
    free();
    throw e;
  }
}

async function startUasInSlot(o: SippOptions, address: string, transport: 'udp' | 'tcp'): Promise<SippHandle> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(address);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
    const args = await withMediaPorts(commonArgs(o), attempt);
    const { child, exited } = launch([...args, '-i', address, '-p', String(port)], dir, o.files);
    let gone = false;
    void exited.then(() => { gone = true; });
    const deadline = Date.now() + 5000;
    while (!gone && Date.now() < deadline && !isListeningBy(child.pid, address, port, transport)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!gone && isListeningBy(child.pid, address, port, transport)) {
      return { address, port, transport, exited, stop: stopper(child, exited) };
    }
    child.kill('SIGKILL');
    const r = await exited;
    if (attempt === 4) throw new Error(`sipp did not start: exit ${r.exitCode} ${r.errors}`);
  }
  throw new Error('unreachable');
}

/** Run sipp as a UAC towards target (host:port), e.g. a scanner from another loopback address. */
export function startSippUac(o: SippOptions & { target: string; localPort?: number }): SippHandle {
  const address = o.address ?? '127.0.0.1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const args = [o.target, ...commonArgs(o), '-i', address];
  if (o.localPort) args.push('-p', String(o.localPort));
  const { child, exited } = launch(args, dir, o.files);
  return { address, port: o.localPort ?? 0, transport: o.transport ?? 'udp', exited, stop: stopper(child, exited) };
}
