// Media bench: how many concurrent calls one core carries, each playing a prompt over RTP while
// detecting RFC 4733 DTMF, with p99 packet send lateness <= 2 ms and zero loss; against the raw UDP
// baseline measured in the same run (172-byte datagrams per second / 100 packets per call-second).
// The far ends run in a child process pinned to the other core. Final line: one JSON object.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ulawEncode } from '../media/dsp/g711.ts';
import { LatencyHistogram, MediaClock } from '../media/rtp/clock.ts';
import { MediaEngine } from '../media/rtp/media-engine.ts';
import { RtpSession } from '../media/rtp/session.ts';
import { inOwnSession, NICE, pin, raisePriority, rawUdp, Receiver } from './media-lib/harness.ts';
import { freeswitchAvailable, freeswitchMediaBench } from './media-lib/freeswitch.ts';
import { climb, round } from './media-lib/ladder.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'embedded' },
    max: { type: 'string', default: '6000' },
    'warm-ms': { type: 'string', default: '1500' },
    'measure-ms': { type: 'string', default: '4000' },
    'raw-ms': { type: 'string', default: '3000' },
    steps: { type: 'string' },
    phases: { type: 'string' },
    // 'high' (nice -10, still the fair scheduler) keeps other work on a shared machine from
    // preempting the measurement much; 'normal' to compare. Never SCHED_FIFO: Node's helper
    // threads (and the tsx loader thread) then starve each other and the process spins.
    priority: { type: 'string', default: 'high' },
    // pin the sender to CPU 0 and the far end to CPU 1 ('no' lets the kernel place them)
    pin: { type: 'string', default: 'yes' },
  },
});

const say = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (args.engine === 'drachtio') {
  // FreeSWITCH carries the media: its own ladder, and its own figures under their own names (its send
  // lateness is not observable, so callsPerCore and p99LatenessMs are null): bench/media-lib/freeswitch.ts.
  const avail = freeswitchAvailable();
  if (!avail.ok) {
    say(`media bench: the drachtio engine is not available here (${avail.why})`);
    process.exit(2);
  }
  setTimeout(() => { say('media bench: gave up after 5 minutes'); process.exit(1); }, 300_000).unref();
  const result = await freeswitchMediaBench({
    max: Number(args.max === '6000' ? 800 : args.max), warmMs: Number(args['warm-ms']), measureMs: Number(args['measure-ms']),
    rawMs: Number(args['raw-ms']), steps: args.steps ? args.steps.split(',').map(Number) : undefined, say,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  await new Promise(() => {});
}
if (args.engine !== 'embedded') {
  say(`media bench: unknown engine ${JSON.stringify(args.engine)} (embedded | drachtio)`);
  process.exit(2);
}

const WARM_MS = Number(args['warm-ms']);
const MEASURE_MS = Number(args['measure-ms']);
const MAX_N = Number(args.max);
const LATENESS_LIMIT_MS = 2;

if (args.priority === 'high') await inOwnSession(fileURLToPath(import.meta.url));

interface Call {
  session: RtpSession;
  digits: number;
  /** Presses come 1, 2, ... 9, 0, 1 ... per call: a digit out of turn is a press missed or seen twice. */
  lastDigit: number;
  dtmfErrors: number;
  playing: boolean;
}

interface StepResult {
  calls: number;
  p99LatenessMs: number;
  p99TickLatenessMs: number;
  p99PhaseWorkMs: number;
  lossPct: number;
  lostForward: number;
  lostReturn: number;
  packetsForward: number;
  cpuPct: number;
  /** CPU time this process spent per call-second (sending 50 and receiving 50 packets). */
  cpuUsPerCallSecond: number;
  receiverCpuPct: number;
  jitterP99Ms: number;
  dtmfOk: boolean;
  dtmfDigits: number;
  dtmfErrors: number;
  skippedTicks: number;
  /** No loss, DTMF right, every packet due sent, the core not saturated: whatever the lateness. */
  zeroLoss: boolean;
  /** Packets sent against the 50 per call-second due (below 100 when the clock skipped ticks). */
  sentPct: number;
  pass: boolean;
}

async function main(): Promise<void> {
  const pinned = args.pin === 'yes' && pin(process.pid, 0);
  const high = args.priority === 'high' && raisePriority();
  const receiver = new Receiver(pinned, high);
  say(
    `media bench: sender ${pinned ? 'pinned to CPU 0' : 'not pinned (no taskset)'}, receivers in a child process${pinned ? ' on CPU 1' : ''}, ` +
      `${high ? `priority nice ${NICE}` : 'normal priority'}`,
  );
  const raw = await rawUdp(receiver, Number(args['raw-ms']));
  const rawUdpCallLimit = raw.perSec / 100;
  say(
    `raw UDP: ${Math.round(raw.unconnectedPerSec)} datagrams/s unconnected, ${Math.round(raw.connectedPerSec)} connected ` +
      `(${raw.cpuUsPerDatagram.toFixed(2)} us CPU each) -> rawUdpCallLimit ${Math.round(rawUdpCallLimit)}`,
  );

  // the floor this machine sets: lateness of the bare shared clock with nothing to send
  const idleClock = new MediaClock();
  const off = idleClock.subscribe(() => {});
  await sleep(2000);
  off();
  const idleClockP99Ms = round(idleClock.stats().p99LatenessMs);
  say(`idle clock: p99 lateness ${idleClockP99Ms} ms (the machine's timer and scheduling floor)`);

  const { ports: farPorts } = await receiver.ask({ type: 'reflect', sockets: 8 }, 'reflect');
  const engine = new MediaEngine({
    bindAddress: '127.0.0.1',
    rtpPortMin: 20000,
    rtpPortMax: 40000,
    clockPhases: args.phases ? Number(args.phases) : undefined,
  });
  engine.start();
  const clock = engine.clock;
  const prompt = ulawEncode(Int16Array.from({ length: 8000 * 10 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000) * Math.sin(i / 4000))));
  const calls: Call[] = [];
  // send lateness of each packet: measured on every 16th call's socket against the clock's deadline
  const packetLateness = new LatencyHistogram();

  const addCall = async (): Promise<void> => {
    const port = await engine.ports.allocate();
    if (calls.length % 16 === 0) {
      const send = port.socket.send.bind(port.socket) as (...a: unknown[]) => void;
      (port.socket as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
        packetLateness.add(performance.now() - clock.deadlineMs);
        send(...a);
      };
    }
    const session = new RtpSession({
      socket: port.socket,
      localAddress: port.address,
      localPort: port.port,
      clock,
      payloadType: 0,
      telephoneEventPt: 101,
      remoteAddress: '127.0.0.1',
      remotePort: farPorts[calls.length % farPorts.length],
      onClose: () => port.release(),
    });
    const call: Call = { session, digits: 0, lastDigit: -1, dtmfErrors: 0, playing: true };
    session.on('dtmf', ({ digit }) => {
      const d = Number(digit);
      if (call.lastDigit >= 0 && d !== (call.lastDigit + 1) % 10) call.dtmfErrors++;
      call.lastDigit = d;
      call.digits++;
    });
    const loop = (): void => {
      void session.play(prompt).then((r) => {
        if (r.completed && call.playing) loop();
      });
    };
    loop();
    calls.push(call);
  };

  const removeCall = (): void => {
    const c = calls.pop();
    if (!c) return;
    c.playing = false;
    c.session.close();
  };

  const measure = async (n: number): Promise<StepResult> => {
    const added = Math.max(0, n - calls.length);
    while (calls.length < n) await addCall();
    while (calls.length > n) removeCall();
    // new sessions settle first (JIT, the old generation growing): a second more per thousand added
    await sleep(WARM_MS + added);
    const s0 = await receiver.ask({ type: 'snapshot' }, 'snapshot');
    const lost0 = calls.reduce((a, c) => a + c.session.stats().lost, 0);
    const digits0 = calls.reduce((a, c) => a + c.digits, 0);
    const dtmfErrors0 = calls.reduce((a, c) => a + c.dtmfErrors, 0);
    clock.resetStats();
    packetLateness.reset();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(MEASURE_MS);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const cs = clock.stats();
    const p99Packet = packetLateness.quantile(0.99);
    const s1 = await receiver.ask({ type: 'snapshot' }, 'snapshot');
    const lostReturn = calls.reduce((a, c) => a + c.session.stats().lost, 0) - lost0;
    const digits = calls.reduce((a, c) => a + c.digits, 0) - digits0;
    const dtmfErrors = calls.reduce((a, c) => a + c.dtmfErrors, 0) - dtmfErrors0;
    const lostForward = s1.lost - s0.lost;
    const packetsForward = s1.received - s0.received;
    const expected = 2 * (packetsForward + lostForward);
    const lossPct = expected > 0 ? (100 * (lostForward + lostReturn)) / expected : 0;
    // packets that left at all, against 50 per call-second: a clock that had to skip ticks sends fewer
    const sentPct = (100 * (packetsForward + lostForward)) / (n * 50 * (wall / 1000));
    const presses = s1.pressesStarted - s0.pressesStarted;
    // every press seen exactly once: each call's digits follow on (1, 2, 3 ...) with none missed or doubled
    const dtmfOk = digits > 0 && dtmfErrors === 0;
    const r: StepResult = {
      calls: n,
      p99LatenessMs: round(p99Packet),
      p99TickLatenessMs: round(cs.p99LatenessMs),
      p99PhaseWorkMs: round(cs.p99WorkMs),
      lossPct: round(lossPct, 4),
      lostForward,
      lostReturn,
      packetsForward,
      cpuPct: round((100 * (cpu.user + cpu.system)) / 1000 / wall, 1),
      cpuUsPerCallSecond: round((cpu.user + cpu.system) / (n * (wall / 1000)), 1),
      receiverCpuPct: round((100 * (s1.cpuMicros - s0.cpuMicros)) / 1000 / (s1.wallMs - s0.wallMs), 1),
      jitterP99Ms: round(s1.jitterP99Ms),
      dtmfOk,
      dtmfDigits: digits,
      dtmfErrors,
      skippedTicks: cs.skippedTicks,
      sentPct: round(sentPct, 2),
      pass: p99Packet <= LATENESS_LIMIT_MS && lostForward + lostReturn === 0 && dtmfOk && cs.skippedTicks === 0,
      // every packet due must have left (short stalls are caught up; only long ones skip ticks)
      zeroLoss: lostForward + lostReturn === 0 && dtmfOk && cpuPctOf(cpu, wall) <= 95 && sentPct >= 99,
    };
    say(
      `${String(n).padStart(5)} calls: p99 send lateness ${r.p99LatenessMs} ms (tick ${r.p99TickLatenessMs}, phase work ${r.p99PhaseWorkMs}), ` +
        `loss ${r.lossPct}% (${lostForward} fwd, ${lostReturn} ret), cpu ${r.cpuPct}% = ${r.cpuUsPerCallSecond} us/call-s (far end ${r.receiverCpuPct}%), ` +
        `dtmf ${digits} digits (${presses} presses sent, ${dtmfErrors} out of turn), jitter p99 ${r.jitterP99Ms} ms -> ${r.pass ? 'pass' : 'FAIL'}`,
    );
    return r;
  };

  // A step that fails is measured again (twice at most): on a shared machine another process can take the
  // core for a moment; the retries are reported. One bisection step between the last pass and the first
  // failure; past it, how many calls still run without loss or DTMF errors (one attempt each).
  const ladder = args.steps ? args.steps.split(',').map(Number) : [250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000];
  const climbed = await climb(ladder.filter((x) => x <= MAX_N), measure, {
    attempts: 3,
    between: (passed, missed) => (missed - passed > 200 ? Math.round((passed + missed) / 200) * 100 : null),
  });
  const { best, steps } = climbed;
  const failedAt = climbed.missedAt;
  const zeroLoss = climbed.zeroLoss ?? best;
  await engine.stop();
  receiver.close();
  // CPU per call at the largest clean scale measured: fixed costs (timers, the clock) are spread thinnest there
  const cpuRef = zeroLoss ?? best;

  const callsPerCore = best?.calls ?? 0;
  const result = {
    bench: 'media',
    engine: 'embedded',
    callsPerCore,
    p99LatenessMs: best?.p99LatenessMs ?? null,
    lossPct: best?.lossPct ?? null,
    rawUdpCallLimit: Math.round(rawUdpCallLimit),
    ratio: round(callsPerCore / rawUdpCallLimit, 3),
    p99TickLatenessMs: best?.p99TickLatenessMs ?? null,
    cpuPct: best?.cpuPct ?? null,
    // CPU-time view, robust to other load on the machine: what a whole core would carry
    rawCpuUsPerDatagram: round(raw.cpuUsPerDatagram, 3),
    zeroLossCalls: zeroLoss?.calls ?? 0,
    zeroLossP99LatenessMs: zeroLoss?.p99LatenessMs ?? null,
    cpuUsPerCallSecond: cpuRef?.cpuUsPerCallSecond ?? null,
    cpuBoundCalls: cpuRef ? Math.round(1e6 / cpuRef.cpuUsPerCallSecond) : null,
    cpuBoundRatio: cpuRef ? round(1e6 / cpuRef.cpuUsPerCallSecond / (1e6 / (raw.cpuUsPerDatagram * 100)), 3) : null,
    idleClockP99Ms,
    rawUdpDatagramsPerSec: Math.round(raw.perSec),
    rawUdpUnconnectedPerSec: Math.round(raw.unconnectedPerSec),
    rawUdpConnectedPerSec: Math.round(raw.connectedPerSec),
    clockPhases: clock.phases,
    pinned,
    priority: high ? `nice ${NICE}` : 'normal',
    measureMs: MEASURE_MS,
    firstLatenessFailure: failedAt,
    steps,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

function cpuPctOf(cpu: NodeJS.CpuUsage, wallMs: number): number {
  return (100 * (cpu.user + cpu.system)) / 1000 / wallMs;
}

// a bench must never outstay its welcome on a shared machine
setTimeout(() => {
  say('media bench: gave up after 3 minutes');
  process.exit(1);
}, 180_000).unref();

main().catch((err) => {
  say(`media bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
