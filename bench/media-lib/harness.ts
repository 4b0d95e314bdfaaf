// Process plumbing for bench/media.ts: CPU pinning and priority, the far-end child process, and the
// raw-UDP baseline.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { literalLookup } from '../../media/rtp/port-pool.ts';
import type { FromReceiver, ToReceiver } from './receiver.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Pins this process (all its threads) to `cpu` (a number or a list such as "0-1"); false when taskset is missing or refuses. */
export function pin(pid: number, cpu: number | string): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const NICE = -10;

/**
 * Raises this process's priority; false without the privilege. With autogroup scheduling (the
 * Linux default for desktops and many VMs) nice only counts inside a session's group, so the bench
 * runs in its own session (see inOwnSession) and raises that group's weight.
 */
export function raisePriority(): boolean {
  try {
    if (existsSync('/proc/self/autogroup')) writeFileSync('/proc/self/autogroup', String(NICE));
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), NICE);
    return true;
  } catch {
    return false;
  }
}

/**
 * Re-runs the bench in a new session (setsid), so that a raised priority applies to it alone; the
 * original process only waits and forwards signals. Resolves (in the session child) to carry on.
 */
export async function inOwnSession(script: string): Promise<void> {
  if (process.env.MEDIA_BENCH_SESSION === '1' || !existsSync('/usr/bin/setsid')) return;
  const child = spawn('/usr/bin/setsid', ['--wait', process.execPath, ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MEDIA_BENCH_SESSION: '1' },
  });
  child.on('exit', (code) => process.exit(code ?? 1));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  await new Promise(() => {}); // the session child does the work
}

/** The far ends: bench/media-lib/receiver.ts in a child process, on CPU 1 when pinned. */
export class Receiver {
  private readonly child: ChildProcess;
  get pid(): number | undefined {
    return this.child.pid;
  }
  private waiting: Array<(m: FromReceiver) => void> = [];
  constructor(pinned: boolean, high: boolean) {
    const script = join(here, 'receiver.ts');
    const cmd = [...(pinned ? ['taskset', '-c', '1'] : []), ...(high ? ['nice', '-n', String(NICE)] : []), process.execPath, '--import=tsx', script];
    this.child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromReceiver) => this.waiting.shift()?.(m));
  }
  ask<T extends FromReceiver['type']>(m: ToReceiver, type: T): Promise<Extract<FromReceiver, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiting.push((r) => (r.type === type ? resolve(r as Extract<FromReceiver, { type: T }>) : reject(new Error(`expected ${type}, got ${r.type}`))));
      this.child.send(m);
    });
  }
  close(): void {
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies ToReceiver);
    setTimeout(() => this.child.kill(), 500).unref();
  }
}

/** The baseline: a tight loop of 172-byte datagrams on loopback, the fastest way Node sends them. */
export interface RawResult {
  perSec: number;
  connectedPerSec: number;
  unconnectedPerSec: number;
  /** CPU time per datagram of the faster variant: the baseline is robust to a busy machine this way. */
  cpuUsPerDatagram: number;
  delivered: number;
}

export async function rawUdp(receiver: Receiver, ms: number): Promise<RawResult> {
  const { port } = await receiver.ask({ type: 'raw-sink' }, 'raw-sink');
  const buf = Buffer.alloc(172, 0x55);
  const run = async (send: () => void, forMs: number) => {
    let n = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const end = start + forMs;
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) send();
      n += 1000;
      await new Promise((r) => setImmediate(r));
    }
    const cpu = process.cpuUsage(cpu0);
    return { perSec: n / ((performance.now() - start) / 1000), cpuUs: (cpu.user + cpu.system) / n };
  };
  const unconnected = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
  await new Promise<void>((r) => unconnected.bind(0, '127.0.0.1', () => r()));
  const connected = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
  await new Promise<void>((r) => connected.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => connected.connect(port, '127.0.0.1', () => r()));
  const u = await run(() => unconnected.send(buf, port, '127.0.0.1'), ms / 2);
  const c = await run(() => connected.send(buf), ms / 2);
  unconnected.close();
  connected.close();
  const { received } = await receiver.ask({ type: 'raw-stop' }, 'raw-count');
  return {
    perSec: Math.max(c.perSec, u.perSec),
    connectedPerSec: c.perSec,
    unconnectedPerSec: u.perSec,
    cpuUsPerDatagram: Math.min(c.cpuUs, u.cpuUs),
    delivered: received,
  };
}

