// Process plumbing for bench/media.ts: CPU pinning and priority, the far-end child process, and the
// raw-UDP baseline.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { literalLookup } from '../../media/rtp/port-pool.ts';
import type { FromReceiver, ToReceiver } from './receiver.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Pins a process, all its threads, to `cpu` (a number or a list such as "0-1"); with `oneThread`, only the
 * thread whose id is `id` (the main thread's is the process's pid; threads it starts later inherit it).
 * False when taskset is missing or refuses.
 */
export function pin(id: number, cpu: number | string, oneThread = false): boolean {
  try {
    execFileSync('taskset', [...(oneThread ? [] : ['-a']), '-cp', String(cpu), String(id)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Where this process's threads may run, each CPU set with its thread count: e.g. "CPU 1: 1 thread, CPU 0: 12 threads". */
export function threadPlacement(): string {
  const bySet = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'));
    const set = m?.[1] ?? '?';
    bySet.set(set, (bySet.get(set) ?? 0) + 1);
  }
  return [...bySet].map(([set, n]) => `CPU ${set}: ${n} thread${n > 1 ? 's' : ''}`).join(', ');
}

/**
 * A thread of this process's time on a CPU and waiting in a run queue for one, in µs since it started
 * (/proc/self/task/<tid>/schedstat, kept in nanoseconds by the scheduler itself: /proc/stat's per-CPU
 * ticks missed most of a media thread that wakes every 2 ms and sleeps again within the tick). Null
 * where unreadable.
 */
export function threadSchedMicros(tid: number): { run: number; wait: number } | null {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return run === undefined || wait === undefined || Number.isNaN(run) || Number.isNaN(wait) ? null : { run: run / 1000, wait: wait / 1000 };
  } catch {
    return null;
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
    // serial scavenges, as the media workers have them (media/rtp/worker-engine.ts): pinned to one core,
    // a parallel scavenge waits for helper threads that wait for that core
    const cmd = [...(pinned ? ['taskset', '-c', '1'] : []), ...(high ? ['nice', '-n', String(NICE)] : []), process.execPath, '--no-parallel-scavenge', '--import=tsx', script];
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

/**
 * The baseline: Node's own dgram path on loopback with the calls' 172-byte datagrams, in tight loops and
 * nothing else. A call sends 50 datagrams a second and receives 50, each on its own socket, so the
 * baseline does both, the way calls do: SOCKETS connected sockets taking turns, one datagram each per
 * turn of the loop; first sending alone (to a sink), then sending to an echo and receiving what comes
 * back (one datagram per socket at a time, as a call gets them), which gives the CPU cost of a receive.
 */
export const RAW_SOCKETS = 256;

export interface RawResult {
  /** Sends per second of the faster send-only variant (wall clock: falls when the machine is busy). */
  perSec: number;
  connectedPerSec: number;
  unconnectedPerSec: number;
  /** CPU time of one send on the connected sockets (as the calls' sockets are once latched). */
  sendUs: number;
  /** CPU time of one receive ('message' event with the datagram and its source), from the echo run. */
  receiveUs: number;
  /** A call's mix, half sent and half received: (sendUs + receiveUs) / 2. Robust to a busy machine. */
  cpuUsPerDatagram: number;
  /** Calls (50 sent + 50 received per second) a whole core carries at this cost: 1e6 / (100 cpuUsPerDatagram). */
  callLimit: number;
  /** Datagrams of the echo run: sent, and received back. */
  echoSent: number;
  echoReceived: number;
  delivered: number;
}

export async function rawUdp(receiver: Receiver, ms: number): Promise<RawResult> {
  const buf = Buffer.alloc(172, 0x55);
  const run = async (send: () => void, forMs: number, burst: number) => {
    let n = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const end = start + forMs;
    while (performance.now() < end) {
      for (let i = 0; i < burst; i++) send();
      n += burst;
      await new Promise((r) => setImmediate(r));
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuUs = cpu.user + cpu.system;
    return { n, perSec: n / ((performance.now() - start) / 1000), cpuUs, cpuUsEach: cpuUs / n };
  };
  const socket = async (): Promise<dgram.Socket> => {
    const s = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return s;
  };
  const connectedSockets = async (to: number): Promise<dgram.Socket[]> =>
    Promise.all(
      Array.from({ length: RAW_SOCKETS }, async () => {
        const s = await socket();
        await new Promise<void>((r) => s.connect(to, '127.0.0.1', () => r()));
        return s;
      }),
    );
  const roundRobin = (sockets: dgram.Socket[]) => {
    let i = 0;
    return () => {
      sockets[i].send(buf);
      i = i + 1 === sockets.length ? 0 : i + 1;
    };
  };
  // sends only
  const { port } = await receiver.ask({ type: 'raw-sink' }, 'raw-sink');
  const unconnected = await socket();
  const u = await run(() => unconnected.send(buf, port, '127.0.0.1'), ms / 3, 1000);
  unconnected.close();
  const senders = await connectedSockets(port);
  const c = await run(roundRobin(senders), ms / 3, RAW_SOCKETS);
  for (const s of senders) s.close();
  const { received: delivered } = await receiver.ask({ type: 'raw-stop' }, 'raw-count');
  // sends and receives: what comes back from the echo is counted, as a session counts its packets
  const echo = await receiver.ask({ type: 'raw-sink', echo: true }, 'raw-sink');
  const both = await connectedSockets(echo.port);
  let received = 0;
  const count = (): void => {
    received++;
  };
  for (const s of both) s.on('message', count);
  const cpu0 = process.cpuUsage();
  const e = await run(roundRobin(both), ms / 3, RAW_SOCKETS);
  await new Promise((r) => setTimeout(r, 100)); // the last replies
  const echoCpu = process.cpuUsage(cpu0);
  for (const s of both) s.close();
  await receiver.ask({ type: 'raw-stop' }, 'raw-count');
  const sendUs = c.cpuUsEach;
  // CPU of the echo run minus its sends at the send-only cost, per datagram received
  const receiveUs = received > 0 ? Math.max(0, (echoCpu.user + echoCpu.system - e.n * sendUs) / received) : Number.NaN;
  const cpuUsPerDatagram = (sendUs + receiveUs) / 2;
  return {
    perSec: Math.max(c.perSec, u.perSec),
    connectedPerSec: c.perSec,
    unconnectedPerSec: u.perSec,
    sendUs,
    receiveUs,
    cpuUsPerDatagram,
    callLimit: 1e6 / (100 * cpuUsPerDatagram),
    echoSent: e.n,
    echoReceived: received,
    delivered,
  };
}
