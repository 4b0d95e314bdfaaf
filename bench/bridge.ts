// Bridge bench (issue 16): how many concurrent trunk(RTP) <-> browser(WebRTC, DTLS-SRTP) bridged calls one
// core carries with p99 packet send lateness <= 2 ms and zero loss, against plain RTP <-> RTP bridging
// measured in the same run (the ratio). The box's side (this process, CPU 0) runs the real legs and
// bridges on one shared clock; the far ends (bench/bridge-lib/far.ts, CPU 1) send tagged 20 ms frames on
// both sides and count the tags that come back across the bridge. Final line: one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bridgeLegs, type MediaBridge } from '../media/rtp/bridge.ts';
import { LatencyHistogram, MediaClock } from '../media/rtp/clock.ts';
import { MediaEngine } from '../media/rtp/media-engine.ts';
import { RtpSession } from '../media/rtp/session.ts';
import { beforeEachSend } from '../media/rtp/rtp-socket.ts';
import { WebRtcLeg } from '../media/webrtc/leg.ts';
import { inOwnSession, NICE, pin, raisePriority } from './media-lib/harness.ts';
import { climb, round } from './media-lib/ladder.ts';
import type { FromFar, ToFar } from './bridge-lib/far.ts';

const { values: args } = parseArgs({
  options: {
    'warm-ms': { type: 'string', default: '1500' },
    'measure-ms': { type: 'string', default: '3000' },
    'webrtc-steps': { type: 'string', default: '5,10,25,50,75,100,150,200,250,300,400,500,600' },
    'rtp-steps': { type: 'string', default: '25,50,100,250,500,750,1000,1250,1500,2000,2500,3000' },
    priority: { type: 'string', default: 'high' },
    pin: { type: 'string', default: 'yes' },
  },
});

const say = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WARM_MS = Number(args['warm-ms']);
const MEASURE_MS = Number(args['measure-ms']);
const LATENESS_LIMIT_MS = 2;
const FAR_SOCKETS = 8;
const here = dirname(fileURLToPath(import.meta.url));

if (args.priority === 'high') await inOwnSession(fileURLToPath(import.meta.url));

class Far {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, (m: FromFar) => void>();
  constructor(pinned: boolean, high: boolean) {
    const cmd = [...(pinned ? ['taskset', '-c', '1'] : []), ...(high ? ['nice', '-n', String(NICE)] : []), process.execPath, '--import=tsx', join(here, 'bridge-lib', 'far.ts')];
    this.child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromFar) => {
      const key = 'id' in m ? `${m.type}:${m.id}` : m.type;
      const w = this.waiting.get(key);
      this.waiting.delete(key);
      w?.(m);
    });
  }
  ask<T extends FromFar['type']>(m: ToFar, type: T, id?: number): Promise<Extract<FromFar, { type: T }>> {
    return new Promise((resolve) => {
      this.waiting.set(id === undefined ? type : `${type}:${id}`, (r) => resolve(r as Extract<FromFar, { type: T }>));
      this.child.send(m);
    });
  }
  tell(m: ToFar): void {
    this.child.send(m);
  }
  close(): void {
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies ToFar);
    setTimeout(() => this.child.kill(), 500).unref();
  }
}

let farEnds: Far | null = null;

type Mode = 'webrtc' | 'rtp';
interface BridgedCall {
  id: number;
  bridge: MediaBridge;
  close: () => void;
}

interface Step {
  mode: Mode;
  calls: number;
  p99LatenessMs: number;
  p99TickLatenessMs: number;
  p99PhaseWorkMs: number;
  lost: number;
  received: number;
  lossPct: number;
  droppedInBridge: number;
  skippedTicks: number;
  cpuPct: number;
  cpuUsPerCallSecond: number;
  farCpuPct: number;
  /** p99 lateness within the target, no frame lost, no tick skipped. */
  pass: boolean;
  /** No frame lost and no tick skipped, whatever the lateness (the machine's floor may be above 2 ms). */
  zeroLoss: boolean;
}

async function main(): Promise<void> {
  const pinned = args.pin === 'yes' && pin(process.pid, 0);
  const high = args.priority === 'high' && raisePriority();
  const far = new Far(pinned, high);
  farEnds = far;
  say(`bridge bench: box legs ${pinned ? 'pinned to CPU 0' : 'not pinned'}, far ends in a child process${pinned ? ' on CPU 1' : ''}, ${high ? `nice ${NICE}` : 'normal priority'}`);
  const { ports } = await far.ask({ type: 'init', sockets: FAR_SOCKETS }, 'ports');
  // the floor this machine sets: lateness of the bare shared clock with nothing to send
  const idle = new MediaClock();
  const off = idle.subscribe(() => {});
  await sleep(2000);
  off();
  const idleClockP99Ms = round(idle.stats().p99LatenessMs);
  say(`idle clock: p99 lateness ${idleClockP99Ms} ms (the machine's timer and scheduling floor)`);
  const engine = new MediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: 20000, rtpPortMax: 40000 });
  engine.start();
  const clock = engine.clock;
  const lateness = new LatencyHistogram();
  let nextId = 0;
  let ladderStart = 0;
  const calls: BridgedCall[] = [];

  // every 8th call of a ladder (its first included) has its packets (both legs) timed against the
  // clock's deadline as they leave
  const timed = (id: number) => (id - ladderStart) % 8 === 0;
  const session = async (id: number, remotePort: number): Promise<RtpSession> => {
    const port = await engine.ports.allocate();
    if (timed(id)) {
      beforeEachSend(port.socket, () => lateness.add(performance.now() - clock.deadlineMs));
    }
    return new RtpSession({ socket: port.socket, localAddress: port.address, localPort: port.port, clock, payloadType: 0, remoteAddress: '127.0.0.1', remotePort, onClose: () => port.release() });
  };

  const addWebRtc = async (): Promise<void> => {
    const id = nextId++;
    const { sdp: offer } = await far.ask({ type: 'offer', id }, 'offer', id);
    const leg = new WebRtcLeg({ clock, address: '127.0.0.1', laws: ['pcmu'], connectTimeoutMs: 30_000 });
    const answer = await leg.answer(offer);
    const up = await far.ask({ type: 'answer', id, sdp: answer }, 'up', id);
    if (!up.ok) throw new Error(`WebRTC far end ${id} did not connect: ${up.error}`);
    await leg.connected;
    if (timed(id)) {
      // the leg's packets leave through werift's DTLS transport: time them there
      const dtls = (leg as unknown as { dtls: { sendRtp: (...a: unknown[]) => Promise<number> } }).dtls;
      const sendRtp = dtls.sendRtp.bind(dtls);
      dtls.sendRtp = (...a: unknown[]) => {
        lateness.add(performance.now() - clock.deadlineMs);
        return sendRtp(...a);
      };
    }
    const trunk = await session(id, ports[id % FAR_SOCKETS]);
    const bridge = bridgeLegs(trunk, leg);
    far.tell({ type: 'start', id, trunkPort: trunk.localPort });
    calls.push({ id, bridge, close: () => { trunk.close(); leg.close(); } });
  };

  const addRtp = async (): Promise<void> => {
    const id = nextId++;
    const a = await session(id, ports[id % FAR_SOCKETS]);
    const b = await session(id, ports[(id + 1) % FAR_SOCKETS]);
    const bridge = bridgeLegs(a, b);
    far.tell({ type: 'start', id, trunkPort: a.localPort, otherPort: b.localPort });
    calls.push({ id, bridge, close: () => { a.close(); b.close(); } });
  };

  const closeAll = async (): Promise<void> => {
    for (const c of calls.splice(0)) {
      far.tell({ type: 'stop', id: c.id });
      c.close();
    }
    await sleep(500);
  };

  const measure = async (mode: Mode, n: number): Promise<Step> => {
    const add = mode === 'webrtc' ? addWebRtc : addRtp;
    const before = calls.length;
    while (calls.length < n) {
      const batch = Math.min(mode === 'webrtc' ? 10 : 50, n - calls.length);
      await Promise.all(Array.from({ length: batch }, () => add()));
    }
    await sleep(WARM_MS + (n - before) * (mode === 'webrtc' ? 5 : 1));
    const s0 = await far.ask({ type: 'snapshot' }, 'snapshot');
    const dropped0 = calls.reduce((x, c) => x + c.bridge.stats().droppedAtoB + c.bridge.stats().droppedBtoA + c.bridge.stats().trimmedAtoB + c.bridge.stats().trimmedBtoA, 0);
    clock.resetStats();
    lateness.reset();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(MEASURE_MS);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const cs = clock.stats();
    const p99 = lateness.quantile(0.99);
    const s1 = await far.ask({ type: 'snapshot' }, 'snapshot');
    const dropped = calls.reduce((x, c) => x + c.bridge.stats().droppedAtoB + c.bridge.stats().droppedBtoA + c.bridge.stats().trimmedAtoB + c.bridge.stats().trimmedBtoA, 0) - dropped0;
    const lost = s1.lost - s0.lost;
    const received = s1.received - s0.received;
    // every call carries two streams of 50 frames a second; most must have crossed in the window
    const expected = n * 2 * 50 * (wall / 1000);
    const r: Step = {
      mode,
      calls: n,
      p99LatenessMs: round(p99),
      p99TickLatenessMs: round(cs.p99LatenessMs),
      p99PhaseWorkMs: round(cs.p99WorkMs),
      lost,
      received,
      lossPct: round((100 * lost) / Math.max(1, lost + received), 4),
      droppedInBridge: dropped,
      skippedTicks: cs.skippedTicks,
      cpuPct: round((100 * (cpu.user + cpu.system)) / 1000 / wall, 1),
      cpuUsPerCallSecond: round((cpu.user + cpu.system) / (n * (wall / 1000)), 1),
      farCpuPct: round((100 * (s1.cpuMicros - s0.cpuMicros)) / 1000 / (s1.wallMs - s0.wallMs), 1),
      pass: false,
      zeroLoss: false,
    };
    r.zeroLoss = lost === 0 && dropped === 0 && cs.skippedTicks === 0 && received >= 0.97 * expected && r.cpuPct < 95;
    r.pass = r.zeroLoss && p99 <= LATENESS_LIMIT_MS && lateness.count > 0;
    say(
      `${mode.padEnd(6)} ${String(n).padStart(5)} calls: p99 send lateness ${r.p99LatenessMs} ms (tick ${r.p99TickLatenessMs}, phase work ${r.p99PhaseWorkMs}), ` +
        `lost ${lost} of ${received + lost} (${Math.round((100 * received) / expected)}% of due), bridge drops ${dropped}, skipped ticks ${cs.skippedTicks}, ` +
        `cpu ${r.cpuPct}% = ${r.cpuUsPerCallSecond} us/call-s (far ends ${r.farCpuPct}%) -> ${r.pass ? 'pass' : r.zeroLoss ? 'zero loss, late' : 'FAIL'}`,
    );
    return r;
  };

  // Up the ladder while steps pass (a failed step measured once more); past the first lateness failure, on
  // while nothing is lost (the zero-loss capacity).
  const ladder = async (mode: Mode, steps: number[]) => {
    ladderStart = nextId;
    const r = await climb(steps, (n) => measure(mode, n), { attempts: 2, zeroLossAttempts: 2, budgetMs: 150_000 });
    await closeAll();
    return { ...r, last: r.steps[r.steps.length - 1] ?? null };
  };

  const rtp = await ladder('rtp', args['rtp-steps'].split(',').map(Number));
  const webrtc = await ladder('webrtc', args['webrtc-steps'].split(',').map(Number));
  await engine.stop();
  far.close();
  const callsPerCore = webrtc.best?.calls ?? 0;
  const rtpCallsPerCore = rtp.best?.calls ?? 0;
  const cpuBound = (s: Step | null) => (s ? Math.round(1e6 / s.cpuUsPerCallSecond) : null);
  // CPU per call from the largest clean step (else the last measured): fixed costs are spread thinnest there
  const wCpu = webrtc.zeroLoss ?? webrtc.last;
  const rCpu = rtp.zeroLoss ?? rtp.last;
  const result = {
    bench: 'bridge',
    callsPerCore,
    p99LatenessMs: webrtc.best?.p99LatenessMs ?? null,
    lossPct: webrtc.best?.lossPct ?? null,
    rtpCallsPerCore,
    rtpP99LatenessMs: rtp.best?.p99LatenessMs ?? null,
    ratio: rtpCallsPerCore > 0 ? round(callsPerCore / rtpCallsPerCore, 3) : null,
    zeroLossCalls: webrtc.zeroLoss?.calls ?? 0,
    rtpZeroLossCalls: rtp.zeroLoss?.calls ?? 0,
    zeroLossRatio: rtp.zeroLoss && webrtc.zeroLoss ? round(webrtc.zeroLoss.calls / rtp.zeroLoss.calls, 3) : null,
    // CPU-time view, robust to other load on the machine: what a whole core would carry
    cpuUsPerCallSecond: wCpu?.cpuUsPerCallSecond ?? null,
    rtpCpuUsPerCallSecond: rCpu?.cpuUsPerCallSecond ?? null,
    cpuBoundCalls: cpuBound(wCpu),
    rtpCpuBoundCalls: cpuBound(rCpu),
    cpuRatio: wCpu && rCpu ? round(rCpu.cpuUsPerCallSecond / wCpu.cpuUsPerCallSecond, 3) : null,
    farCpuPct: wCpu?.farCpuPct ?? null,
    idleClockP99Ms,
    webrtcLibrary: 'werift@0.25.2',
    pinned,
    priority: high ? `nice ${NICE}` : 'normal',
    measureMs: MEASURE_MS,
    steps: [...rtp.steps, ...webrtc.steps],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

// a bench must never outstay its welcome on a shared machine
setTimeout(() => {
  say('bridge bench: gave up after 8 minutes');
  process.exit(1);
}, 480_000).unref();

main().catch((err) => {
  say(`bridge bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  farEnds?.close(); // the far ends' process must not outlive the bench
  setTimeout(() => process.exit(1), 600);
});
