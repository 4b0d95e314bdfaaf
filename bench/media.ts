// Media bench: how many concurrent calls one core carries, each playing a prompt over RTP while
// detecting RFC 4733 DTMF, with p99 packet send lateness <= 2 ms and zero loss; against the raw UDP
// baseline measured in the same run (before and after the per-core ladder; the higher limit counts):
// Node's dgram sending AND receiving the same 172-byte datagrams on
// 256 connected sockets, one datagram per socket at a time as calls get them (a call sends 50 and
// receives 50 a second), as the calls a whole core carries at that CPU cost per datagram
// (bench/media-lib/harness.ts). Before, the baseline only sent, from one socket in bursts, and counted
// a receive as costing what a send costs, by wall clock; rawSendOnlyCallLimit keeps that figure.
// The calls run as the embedded engine runs them, in a media worker thread (--workers 0: on the main
// thread, as before issue 19); the far ends run in a child process pinned to the other core, with the
// bench's main thread (the media core is the worker's). Then calls per box as the cores given to it
// grow: the whole box on CPU 0 with one media worker, then on CPUs 0-1 with one per core
// (--box-workers, default 2), its calls talking to each other in pairs (no far-end process on the
// cores being given). Final line: one JSON object.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ulawEncode } from '../media/dsp/g711.ts';
import { MediaClock } from '../media/rtp/clock.ts';
import type { MediaSession } from '../media/rtp/session-types.ts';
import { inOwnSession, NICE, threadSchedMicros, pin, raisePriority, type RawResult, rawUdp, Receiver, threadPlacement } from './media-lib/harness.ts';
import { mediaGcFlags } from '../media/rtp/worker-engine.ts';
import { mainThreadRig, type Rig, type RigFigures, workerRig } from './media-lib/rigs.ts';
import { freeswitchAvailable, freeswitchMediaBench } from './media-lib/freeswitch.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'embedded' },
    max: { type: 'string', default: '6000' },
    'warm-ms': { type: 'string', default: '1500' },
    'measure-ms': { type: 'string', default: '4000' },
    'raw-ms': { type: 'string', default: '3000' },
    'retry-gap-ms': { type: 'string', default: '20000' },
    // the run's hard time limit, in minutes (the soft one is a fifth earlier)
    'limit-min': { type: 'string', default: '15' },
    steps: { type: 'string' },
    phases: { type: 'string' },
    // media worker threads of the per-core ladder (0: the calls on the main thread)
    workers: { type: 'string', default: '1' },
    // the media workers' batched UDP I/O (media/rtp/batch-io.ts) when its module is built; 'no': dgram
    'batch-io': { type: 'string', default: 'yes' },
    // the far ends' reads, in batches as the media workers' ('no': one datagram per read; media-lib/receiver.ts)
    'far-batch': { type: 'string', default: 'yes' },
    // media workers of the per-box ladder (0 skips it)
    'box-workers': { type: 'string', default: '2' },
    // 'high' (nice -10, still the fair scheduler) keeps other work on a shared machine from
    // preempting the measurement much; 'normal' to compare. Never SCHED_FIFO: Node's helper
    // threads (and the tsx loader thread) then starve each other and the process spins.
    priority: { type: 'string', default: 'high' },
    // pin the sender to CPU 0 and the far end to CPU 1 ('no' lets the kernel place them)
    pin: { type: 'string', default: 'yes' },
    // per-core ladder, pinned: the bench's main thread on the other CPU ('other') or on the media core ('same')
    'main-thread': { type: 'string', default: 'other' },
    // per-core ladder, pinned: the media worker thread alone on CPU 0, every other thread of the process
    // (the main thread, V8's helper threads) on CPU 1 ('alone'), or V8's helpers on CPU 0 with it ('shared')
    'media-core': { type: 'string', default: 'alone' },
  },
});

/**
 * The far ends' sockets: the calls take them in turn. A batched read takes one datagram per ready socket,
 * so with many sockets a millisecond's datagrams come in a read or two (with 8, and one read a
 * millisecond before it read again, the far end lost nine packets in ten at 2,500 calls).
 */
const FAR_SOCKETS = args['far-batch'] === 'no' ? 8 : 256;

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
/**
 * The wait before a failed step is measured again. This VM's speed drops by a quarter to a third for a
 * minute or so at a time: in one run, 500 calls cost 1,134-1,201 µs of CPU per call-second in three
 * back-to-back attempts (and failed on lateness at 57-60 % of the core), then 912 µs a minute later.
 */
const RETRY_GAP_MS = Number(args['retry-gap-ms']);
/**
 * The run's time limits. Past SOFT_LIMIT_MS a failed step is not measured again and a ladder starts no new
 * step (the result says which were cut short); at HARD_LIMIT_MS the bench prints what it has measured, its
 * line marked `complete: false`, and stops. In a slow minute of this VM the retries above alone made a run
 * pass 15 minutes and end with no line at all.
 */
const HARD_LIMIT_MS = Number(args['limit-min']) * 60_000;
const SOFT_LIMIT_MS = 0.8 * HARD_LIMIT_MS;
const BENCH_START = Date.now();
const pastSoftLimit = (): boolean => Date.now() - BENCH_START > SOFT_LIMIT_MS;
/** CPU share of one core above which the calls have taken the core themselves. */
const SATURATED_PCT = 95;

if (args.priority === 'high') await inOwnSession(fileURLToPath(import.meta.url));

interface Call {
  session: MediaSession;
  digits: number;
  /** Presses come 1, 2, ... 9, 0, 1 ... per call: a digit out of turn is a press missed or seen twice. */
  lastDigit: number;
  dtmfErrors: number;
  playing: boolean;
  /** The digit this call presses next (paired calls only). */
  nextPress: number;
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
  /**
   * CPU time this process spent per call-second's worth of packets it handled (50 sent and 50
   * received): per packet, not per second of wall clock, so that a process starved by other load
   * (sending fewer packets than due) does not look cheaper.
   */
  cpuUsPerCallSecond: number;
  receiverCpuPct: number;
  /** Each media worker thread's own CPU over the measure (of one core), without the main thread and V8's helper threads. */
  workerCpuPct: Array<number | null>;
  /**
   * Each media worker thread's time ready to run but waiting for its CPU (run-queue delay, against the
   * measure's wall time): what other threads on its core took from it.
   */
  workerWaitPct: Array<number | null>;
  jitterP99Ms: number;
  dtmfOk: boolean;
  dtmfDigits: number;
  dtmfErrors: number;
  skippedTicks: number;
  /** Packets sent against the 50 per call-second due (below 100 when the clock skipped ticks). */
  sentPct: number;
  /** The packets' window: MEASURE_MS and the snapshots' round trips around it (longer when a snapshot was slow). */
  windowMs: number;
  /** The step's calls could not all be opened in time (the calls already open took the whole core): how many were. */
  openStalled?: number;
  pass: boolean;
}

type Attempted = StepResult & { attempts: number };

interface LadderResult {
  best: StepResult | null;
  zeroLoss: StepResult | null;
  failedAt: number | null;
  steps: Attempted[];
  /** The ladder stopped at the soft time limit before it had found its figures: they are lower bounds. */
  cutShort: boolean;
  /** Whether each media worker used batched I/O (batch-io.ts), read before the rig stops. */
  batchIo?: Array<boolean | null> | null;
}

const newLadder = (): LadderResult => ({ best: null, zeroLoss: null, failedAt: null, steps: [], cutShort: false });

const encoded = ulawEncode(Int16Array.from({ length: 8000 * 10 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000) * Math.sin(i / 4000))));
// in shared memory, as the box's prompt cache holds prompts (media/rtp/prompt-cache.ts): a play hands the
// worker a view, where an ordinary Buffer would be copied into every play message (80 kB per play)
const prompt = Buffer.from(new SharedArrayBuffer(encoded.length));
encoded.copy(prompt);

/**
 * Whom the calls talk to. `reflector`: the far-end child process returns each call's packets and turns a
 * run of them into a key press every two seconds (bench/media-lib/receiver.ts). `paired`: the calls talk
 * to each other two by two, each pressing a key every two seconds (sendDtmf), so no far end shares the
 * cores; a call still sends 50 and receives 50 packets a second, and the calls' own sessions count the loss.
 */
type FarEnd = { kind: 'reflector'; receiver: Receiver; ports: number[] } | { kind: 'paired' };

/** How often a paired call presses a key (every 2 s, as the reflector makes them) and how long a press lasts. */
const PAIRED_PRESS_EVERY_MS = 2000;
const PAIRED_PRESS_MS = 100;

/** Climbs `ladder` on `rig` until a step fails its targets; then the zero-loss capacity beyond (when `probe`). */
/** `cores`: the cores the calls may use (a process using SATURATED_PCT of each has taken them). */
/** `out` holds the figures as they come, so that a run stopped at its time limit still reports them. */
async function climb(rig: Rig, far: FarEnd, ladder: number[], probe: boolean, out: LadderResult, cores = 1, retrySaturated = false): Promise<void> {
  const calls: Call[] = [];
  const start = (session: MediaSession): Call => {
    const call: Call = { session, digits: 0, lastDigit: -1, dtmfErrors: 0, playing: true, nextPress: 1 };
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
    return call;
  };
  const addCall = async (): Promise<void> => {
    if (far.kind === 'reflector') {
      calls.push(start(await rig.open(far.ports[calls.length % far.ports.length]!)));
      return;
    }
    const [a, b] = await Promise.all([rig.open(), rig.open()]);
    a.setRemote('127.0.0.1', b.localPort);
    b.setRemote('127.0.0.1', a.localPort);
    calls.push(start(a), start(b));
  };
  const removeCall = (): void => {
    for (const c of calls.splice(far.kind === 'paired' ? -2 : -1)) {
      c.playing = false;
      c.session.close();
    }
  };
  // paired calls press their keys themselves: each call once every 2 s, spread over the 2 s
  let presses = 0;
  let pressRound = 0;
  const presser =
    far.kind === 'paired'
      ? setInterval(() => {
          const slots = PAIRED_PRESS_EVERY_MS / 20;
          const slot = pressRound++ % slots;
          for (let i = slot; i < calls.length; i += slots) {
            const c = calls[i]!;
            const digit = String(c.nextPress);
            c.nextPress = (c.nextPress + 1) % 10;
            presses++;
            c.session.sendDtmf(digit, { mode: 'rfc4733', durationMs: PAIRED_PRESS_MS }).catch(() => {}); // a call closed meanwhile
          }
        }, 20)
      : null;
  // what the far end saw: the reflector's own counts, or (paired) the calls' packets as the calls counted them
  const farSnapshot = async (f: RigFigures) => {
    if (far.kind === 'reflector') return far.receiver.ask({ type: 'snapshot' }, 'snapshot');
    return { received: f.packetsSent, lost: 0, pressesStarted: presses, jitterP99Ms: 0, cpuMicros: 0, wallMs: performance.now() };
  };

  const measure = async (n: number): Promise<StepResult> => {
    const added = Math.max(0, n - calls.length);
    while (calls.length > n) removeCall();
    // A worker past its core answers session opens ever more slowly (here, at 1,000 calls on one core
    // the next 100 took 7 s and the 100 after never came): such a step fails as it is, unmeasured. A
    // call still opening joins `calls` when it opens, and is closed with the rest.
    const openMs = 10_000 + 10 * added;
    const timeUp = sleep(openMs).then(() => false);
    while (calls.length < n) {
      if (!(await Promise.race([addCall().then(() => true), timeUp]))) {
        say(`${rig.label}: ${String(n).padStart(5)} calls: only ${calls.length} opened in ${(openMs / 1000).toFixed(1)} s -> FAIL`);
        return {
          calls: n, p99LatenessMs: 0, p99TickLatenessMs: 0, p99PhaseWorkMs: 0, lossPct: 0, lostForward: 0, lostReturn: 0, packetsForward: 0,
          cpuPct: 0, cpuUsPerCallSecond: 0, receiverCpuPct: 0, workerCpuPct: [], workerWaitPct: [], jitterP99Ms: 0, dtmfOk: false, dtmfDigits: 0, dtmfErrors: 0, skippedTicks: 0,
          sentPct: 0, windowMs: 0, openStalled: calls.length, pass: false,
        };
      }
    }
    // new sessions settle first (JIT, the old generation growing): a second more per thousand added
    await sleep(WARM_MS + added);
    while (calls.length > n) removeCall(); // one that was still opening when the step before gave up
    const f0 = await rig.figures();
    const s0 = await farSnapshot(f0);
    const lost0 = f0.lostReturn;
    const digits0 = calls.reduce((a, c) => a + c.digits, 0);
    const dtmfErrors0 = calls.reduce((a, c) => a + c.dtmfErrors, 0);
    await rig.resetStats();
    const cpu0 = process.cpuUsage();
    const tids = (rig.threadIds?.() ?? []).filter((x): x is number => x !== null);
    const threads0 = tids.map(threadSchedMicros);
    const t0 = performance.now();
    await sleep(MEASURE_MS);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const perThread = tids.map((tid, i) => {
      const [a, b] = [threads0[i], threadSchedMicros(tid)];
      const pct = (us: number) => round((100 * us) / 1000 / wall, 1);
      return a && b ? { cpu: pct(b.run - a.run), wait: pct(b.wait - a.wait) } : null;
    });
    const f = await rig.figures();
    const s1 = await farSnapshot(f);
    // Rates, each over its own window: the CPU over the measure's sleep, the packets between the far
    // end's two counts (which also span the snapshots' round trips: a slow one stretches that window).
    const packetWindowMs = s1.wallMs - s0.wallMs;
    const lostReturn = f.lostReturn - lost0;
    const digits = calls.reduce((a, c) => a + c.digits, 0) - digits0;
    const dtmfErrors = calls.reduce((a, c) => a + c.dtmfErrors, 0) - dtmfErrors0;
    const lostForward = s1.lost - s0.lost;
    const packetsForward = s1.received - s0.received;
    const expected = 2 * (packetsForward + lostForward);
    // paired calls: every packet sent is one a call of the pair should receive
    const atRisk = far.kind === 'paired' ? packetsForward : expected;
    const lossPct = atRisk > 0 ? (100 * (lostForward + lostReturn)) / atRisk : 0;
    // packets that left at all, against 50 per call-second: a clock that had to skip ticks sends fewer
    const sentPct = (100 * (packetsForward + lostForward)) / (n * 50 * (packetWindowMs / 1000));
    const presses = s1.pressesStarted - s0.pressesStarted;
    // every press seen exactly once: each call's digits follow on (1, 2, 3 ...) with none missed or doubled
    const dtmfOk = digits > 0 && dtmfErrors === 0;
    const r: StepResult = {
      calls: n,
      p99LatenessMs: round(f.p99PacketMs),
      p99TickLatenessMs: round(f.p99TickMs),
      p99PhaseWorkMs: round(f.p99WorkMs),
      lossPct: round(lossPct, 4),
      lostForward,
      lostReturn,
      packetsForward,
      cpuPct: round((100 * (cpu.user + cpu.system)) / 1000 / wall, 1),
      // CPU µs per ms, over packets (both directions) per ms, times the 100 packets of a call-second
      cpuUsPerCallSecond: round(expected > 0 ? (((cpu.user + cpu.system) / wall) * 100) / (expected / packetWindowMs) : 0, 1),
      receiverCpuPct: round((100 * (s1.cpuMicros - s0.cpuMicros)) / 1000 / packetWindowMs, 1),
      workerCpuPct: perThread.map((x) => x?.cpu ?? null),
      workerWaitPct: perThread.map((x) => x?.wait ?? null),
      jitterP99Ms: round(s1.jitterP99Ms),
      dtmfOk,
      dtmfDigits: digits,
      dtmfErrors,
      skippedTicks: f.skippedTicks,
      sentPct: round(sentPct, 2),
      windowMs: Math.round(packetWindowMs),
      pass: f.p99PacketMs <= LATENESS_LIMIT_MS && lostForward + lostReturn === 0 && dtmfOk && f.skippedTicks === 0,
    };
    say(
      `${rig.label}: ${String(n).padStart(5)} calls: p99 send lateness ${r.p99LatenessMs} ms (tick ${r.p99TickLatenessMs}, phase work ${r.p99PhaseWorkMs}), ` +
        `loss ${r.lossPct}% (${lostForward} fwd, ${lostReturn} ret), cpu ${r.cpuPct}% = ${r.cpuUsPerCallSecond} us/call-s (${far.kind === 'paired' ? 'calls in pairs' : `far end ${r.receiverCpuPct}%`}), media thread${r.workerCpuPct.length > 1 ? 's' : ''} ${r.workerCpuPct.map((x, i) => `${x ?? '?'}% (waiting ${r.workerWaitPct[i] ?? '?'}%)`).join(' ')}, ` +
        `dtmf ${digits} digits (${presses} presses sent, ${dtmfErrors} out of turn), jitter p99 ${r.jitterP99Ms} ms` +
        `${packetWindowMs > 1.5 * MEASURE_MS ? ` (packets over ${(packetWindowMs / 1000).toFixed(1)} s: a snapshot was slow)` : ''} -> ${r.pass ? 'pass' : 'FAIL'}`,
    );
    return r;
  };

  // past the soft time limit a ladder takes no new step or attempt: its figures so far stand as lower bounds
  const outOfTime = (): boolean => {
    if (pastSoftLimit()) out.cutShort = true;
    return out.cutShort;
  };

  // A step that fails is measured again (twice at most), RETRY_GAP_MS later with its calls running: on a
  // shared machine another process can take the core for a while; the retries are reported. On the
  // box's ladders, not when the calls took the whole core themselves: an overloaded worker only makes
  // the run longer. The per-core ladder (`retrySaturated`) retries those too: in a slow minute of this
  // VM the same calls cost a fifth more CPU (1,000 calls: 1,001 µs per call-second at 100 % of the
  // core, then 852 µs at 85 % in the same run), so a full core there says little about the calls.
  const attempt = async (n: number): Promise<Attempted> => {
    let r = await measure(n);
    let attempts = 1;
    while (!r.pass && attempts < 3 && (retrySaturated || r.cpuPct < SATURATED_PCT * cores) && r.openStalled === undefined && !outOfTime()) {
      attempts++;
      await sleep(RETRY_GAP_MS);
      r = await measure(n);
    }
    return { ...r, attempts };
  };
  const { steps } = out;
  for (const n of ladder) {
    if (outOfTime()) break;
    const r = await attempt(n);
    steps.push(r);
    if (!r.pass) {
      out.failedAt = n;
      break;
    }
    out.best = r;
  }
  // A first step that fails (a box given one core that its signalling side and V8's helpers share with
  // the worker, in a slow minute) is halved until one passes, so the ladder says what the box holds
  // rather than 0; then the bisection below.
  let high = out.failedAt;
  while (out.best === null && high !== null && high >= 100 && !outOfTime()) {
    const down = Math.round(high / 100) * 50;
    const r = await attempt(down);
    steps.push(r);
    if (r.pass) out.best = r;
    else high = down;
  }
  // bisection between the last pass and the first failure, down to 50 calls
  while (high !== null && out.best !== null && high - out.best.calls > 50 && !outOfTime()) {
    const mid = Math.round((out.best.calls + high) / 100) * 50;
    if (mid <= out.best.calls || mid >= high) break;
    const r = await attempt(mid);
    steps.push(r);
    if (r.pass) out.best = r;
    else high = mid;
  }
  // Capacity beyond the lateness target: how many calls still run without loss or DTMF errors
  // (one attempt each), and what the CPU costs per call at that scale.
  out.zeroLoss = out.best;
  if (probe) {
    for (const n of ladder.filter((x) => x > (out.best?.calls ?? 0))) {
      if (outOfTime()) break;
      const r = await measure(n);
      steps.push({ ...r, attempts: 1 });
      // every packet due must have left (short stalls are caught up; only long ones skip ticks)
      if (r.openStalled !== undefined || r.lostForward + r.lostReturn > 0 || !r.dtmfOk || r.cpuPct > SATURATED_PCT * cores || r.sentPct < 99) break;
      out.zeroLoss = r;
    }
  }
  if (presser) clearInterval(presser);
  while (calls.length > 0) removeCall();
  out.batchIo = rig.batchedIo?.() ?? null;
  await rig.stop();
}

async function main(): Promise<void> {
  const pinned = args.pin === 'yes' && pin(process.pid, 0);
  const high = args.priority === 'high' && raisePriority();
  if (args['far-batch'] === 'no') process.env.BENCH_FAR_BATCH = '0'; // the far-end child inherits it
  const receiver = new Receiver(pinned, high);
  const workers = Number(args.workers);
  const boxWorkers = Number(args['box-workers']);
  say(
    `media bench: calls ${workers > 0 ? `in ${workers} media worker thread(s)` : 'on the main thread'}, sender ${pinned ? 'pinned to CPU 0' : 'not pinned (no taskset)'}, ` +
      `receivers in a child process${pinned ? ' on CPU 1' : ''}, ${high ? `priority nice ${NICE}` : 'normal priority'}`,
  );
  // The raw path is measured before the per-core ladder and again after it: a shared machine's speed
  // drifts (on this VM the same loop's cost moved by a third between runs). The ratio is taken against
  // the cheaper of the two, the higher limit, so a slow moment never flatters the calls.
  const rawRun = async (when: string): Promise<RawResult> => {
    const r = await rawUdp(receiver, Number(args['raw-ms']));
    say(
      `raw UDP (${when}): ${Math.round(r.unconnectedPerSec)} datagrams/s unconnected, ${Math.round(r.connectedPerSec)} connected; ` +
        `CPU ${r.sendUs.toFixed(2)} us a send, ${r.receiveUs.toFixed(2)} us a receive (${r.echoReceived} of ${r.echoSent} echoed back) ` +
        `-> rawUdpCallLimit ${Math.round(r.callLimit)} (send-only ${Math.round(r.perSec / 100)})`,
    );
    return r;
  };
  run.pinned = pinned;
  run.priority = high ? `nice ${NICE}` : 'normal';
  run.workers = workers;
  run.boxWorkers = boxWorkers;
  // the baseline under the garbage collector the calls get (the media engine sets it when it starts)
  mediaGcFlags();
  run.stage = 'the raw baseline before the ladder';
  run.rawBefore = await rawRun('before the ladder');

  // the floor this machine sets: lateness of the bare shared clock with nothing to send
  const idleClock = new MediaClock();
  const off = idleClock.subscribe(() => {});
  await sleep(2000);
  off();
  run.idleClockP99Ms = round(idleClock.stats().p99LatenessMs);
  say(`idle clock: p99 lateness ${run.idleClockP99Ms} ms (the machine's timer and scheduling floor)`);

  const { ports: farPorts, batched: farBatched } = await receiver.ask({ type: 'reflect', sockets: FAR_SOCKETS }, 'reflect');
  run.farEndBatched = farBatched;
  say(`far ends: ${farPorts.length} sockets, ${farBatched ? 'read in batches every millisecond' : 'read one datagram at a time'}`);
  const phases = args.phases ? Number(args.phases) : undefined;
  const ladder = (args.steps ? args.steps.split(',').map(Number) : [250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000, 4000, 5000, 6000]).filter((x) => x <= MAX_N);
  // the media worker thread starts here, on CPU 0 with the rest of the process
  const batchIo = args['batch-io'] !== 'no';
  const rig = workers > 0 ? workerRig(workers, phases, batchIo) : mainThreadRig(phases);
  run.rig = rig;
  // Per core means per media core: the worker's. The bench's main thread (opening calls, starting plays,
  // counting digits: the box's signalling side) goes to CPU 1 beside the far ends, as the raw baseline's
  // one thread has its core to itself (--main-thread same: it stays on the media core).
  //
  // So do V8's helper threads ('alone', the default): they collect and compile for the main thread's heap
  // as well as the worker's, and a worker that waits for a helper sharing its core waits for the helper's
  // whole task. Pinned with the worker, at 2,800 calls its clock stood still 8-9 ms while two of them ran
  // 4 ms each (perf sched; its own run-queue wait 2-3 % of the measure), and p99 lateness went from
  // 1.7 to 10-20 ms. On a box nothing is pinned and the kernel moves them to a core with room. Their
  // CPU still counts in cpuUsPerCallSecond (the whole process's); --media-core shared keeps them on CPU 0.
  const mediaAlone = pinned && workers > 0 && args['media-core'] === 'alone' && (await isolateMediaThreads(rig));
  const mainMoved = mediaAlone || (pinned && workers > 0 && args['main-thread'] === 'other' && pin(process.pid, 1, true));
  run.mainMoved = mainMoved;
  if (pinned && workers > 0) run.mediaCore = mediaAlone ? 'alone' : 'shared';
  if (pinned) say(`threads: ${threadPlacement()}`);
  run.stage = 'the per-core ladder';
  await climb(rig, { kind: 'reflector', receiver, ports: farPorts }, ladder, true, run.core, 1, true);
  run.batchIo = run.core.batchIo ?? null;
  if (mainMoved) pin(process.pid, 0);
  run.stage = 'the raw baseline after the ladder';
  run.rawAfter = await rawRun('after the ladder');
  const boxBase = run.core.best?.calls || run.core.zeroLoss?.calls || 0;

  // Calls per box, as the cores given to it grow: the whole box (main thread and media workers) on CPU
  // 0 with one media worker, then on CPUs 0-1 with one worker per core (--box-workers). The calls talk
  // to each other in pairs: a far-end process would take the very cores being given (on this 2-core
  // machine, most of one), where the network's far ends have CPUs of their own. Both climb from half the
  // per-core figure (from the zero-loss figure when no step met the lateness target: a machine whose idle
  // clock is already late still tells how the box grows with its cores).
  if (boxWorkers > 0 && boxBase > 0) {
    const boxLadder = (cores: number) =>
      [...new Set([0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4].slice(0, 3 + 2 * cores).map((k) => Math.round((k * boxBase) / 50) * 50).filter((x) => x <= MAX_N * cores))];
    const giveCores = (cores: number): void => {
      if (pinned) pin(process.pid, cores === 1 ? '0' : `0-${cores - 1}`);
    };
    if (boxWorkers > 1) {
      giveCores(1);
      run.stage = 'the box ladder on 1 core';
      run.box1 = newLadder();
      await climb(workerRig(1, phases, batchIo), { kind: 'paired' }, boxLadder(1), false, run.box1, 1);
    }
    giveCores(boxWorkers);
    run.stage = `the box ladder on ${boxWorkers} cores`;
    run.box = newLadder();
    await climb(workerRig(boxWorkers, phases, batchIo), { kind: 'paired' }, boxLadder(boxWorkers), true, run.box, boxWorkers);
  }
  receiver.close();
  process.stdout.write(`${JSON.stringify(resultOf(run, true))}\n`, () => process.exit(0));
}

/**
 * Pins every thread of this process to CPU 1 but the rig's media worker threads, to CPU 0 (a thread
 * started later takes its creator's CPUs). False where a thread id is unknown or taskset refuses.
 */
async function isolateMediaThreads(rig: Rig): Promise<boolean> {
  (await rig.open()).close(); // the workers are up: their thread ids are known
  const tids = rig.threadIds?.() ?? [];
  if (tids.length === 0 || tids.some((t) => t === null) || !pin(process.pid, 1)) return false;
  return tids.every((tid) => pin(tid as number, 0, true));
}

/** What the run has measured so far: its line is built from it, at the end or at the hard time limit. */
interface Run {
  stage: string;
  pinned: boolean;
  priority: string;
  workers: number;
  boxWorkers: number;
  mainMoved: boolean;
  /** Whether the far ends read in batches (media-lib/receiver.ts). */
  farEndBatched?: boolean;
  /** The per-core ladder's media core: the worker's alone, or shared with V8's helper threads (--media-core). */
  mediaCore?: 'alone' | 'shared';
  /** Whether each media worker of the per-core ladder used batched I/O (null: calls on the main thread). */
  batchIo?: Array<boolean | null> | null;
  rawBefore?: RawResult;
  rawAfter?: RawResult;
  idleClockP99Ms?: number;
  rig?: Rig;
  core: LadderResult;
  box1: LadderResult | null;
  box: LadderResult | null;
}

const run: Run = { stage: 'setting up', pinned: false, priority: 'normal', workers: 0, boxWorkers: 0, mainMoved: false, core: newLadder(), box1: null, box: null };

/** A box ladder's calls (its best, or zero-loss, step); null when the time limits left it without a step. */
const ladderCalls = (l: LadderResult, which: 'best' | 'zeroLoss'): number | null => (l.steps.length === 0 ? null : (l[which]?.calls ?? 0));

/** The bench's line. `complete` false: stopped at the hard time limit, during `run.stage`. */
function resultOf(r: Run, complete: boolean) {
  const { core, box1, box } = r;
  const { best, zeroLoss, failedAt } = core;
  // the ratio is taken against the cheaper raw measure of the two, the higher limit
  const raws = [r.rawBefore, r.rawAfter].filter((x): x is RawResult => x !== undefined);
  const raw = raws.length === 0 ? null : raws.reduce((a, b) => (b.cpuUsPerDatagram < a.cpuUsPerDatagram ? b : a));
  const rawUdpCallLimit = raw ? raw.callLimit : null;
  // CPU per call at the largest clean scale measured: fixed costs (timers, the clock) are spread thinnest there
  const cpuRef = zeroLoss ?? best;
  const callsPerCore = best?.calls ?? 0;
  return {
    bench: 'media',
    engine: 'embedded',
    callsPerCore,
    p99LatenessMs: best?.p99LatenessMs ?? null,
    lossPct: best?.lossPct ?? null,
    rawUdpCallLimit: rawUdpCallLimit === null ? null : Math.round(rawUdpCallLimit),
    // before and after the per-core ladder; rawUdpCallLimit is the higher
    rawUdpCallLimits: raws.map((x) => Math.round(x.callLimit)),
    ratio: rawUdpCallLimit === null ? null : round(callsPerCore / rawUdpCallLimit, 3),
    // false: the run stopped at its hard time limit (HARD_LIMIT_MS) during `stoppedDuring`, and its figures are what it had
    complete,
    ...(complete ? {} : { stoppedDuring: r.stage }),
    // ladders stopped at the soft time limit: their figures are lower bounds
    cutShort: [...(core.cutShort ? ['core'] : []), ...(box1?.cutShort ? ['box1'] : []), ...(box?.cutShort ? ['box'] : [])],
    elapsedS: Math.round((Date.now() - BENCH_START) / 1000),
    // the embedded engine's own way: calls in media worker threads, one per core
    mediaWorkers: r.workers,
    // each worker's sockets through batched UDP I/O (media/rtp/batch-io.ts), or through Node's dgram
    batchIo: r.batchIo ?? null,
    // the box on 1 core with 1 media worker, and on --box-workers cores with one per core; calls in pairs
    // (null: a ladder the time limits left without a step)
    callsPerBox: { ...(box1 ? { 1: ladderCalls(box1, 'best') } : {}), ...(box ? { [String(r.boxWorkers)]: ladderCalls(box, 'best') } : {}) },
    // without the lateness target: calls carried with no loss, no DTMF error and no tick skipped
    zeroLossCalls1Core: zeroLoss?.calls ?? 0,
    zeroLossCallsPerBox: box ? { [String(r.boxWorkers)]: ladderCalls(box, 'zeroLoss') } : {},
    boxP99LatenessMs: box?.best?.p99LatenessMs ?? null,
    boxFarEnd: 'paired',
    // the per-core ladder's main thread: on CPU 1 ('other'), or on the media core with the worker ('same')
    mainThread: r.mainMoved ? 'other' : 'same',
    farEndBatched: r.farEndBatched ?? null,
    mediaCore: r.mediaCore ?? null,
    boxFirstLatenessFailure: box?.failedAt ?? null,
    p99TickLatenessMs: best?.p99TickLatenessMs ?? null,
    cpuPct: best?.cpuPct ?? null,
    // CPU-time view, robust to other load on the machine: what a whole core would carry
    rawCpuUsPerDatagram: raw ? round(raw.cpuUsPerDatagram, 3) : null,
    rawSendUs: raw ? round(raw.sendUs, 3) : null,
    rawReceiveUs: raw ? round(raw.receiveUs, 3) : null,
    rawSendOnlyCallLimit: raw ? Math.round(raw.perSec / 100) : null,
    zeroLossCalls: zeroLoss?.calls ?? 0,
    zeroLossP99LatenessMs: zeroLoss?.p99LatenessMs ?? null,
    cpuUsPerCallSecond: cpuRef?.cpuUsPerCallSecond ?? null,
    cpuBoundCalls: cpuRef ? Math.round(1e6 / cpuRef.cpuUsPerCallSecond) : null,
    cpuBoundRatio: cpuRef && raw ? round(1e6 / cpuRef.cpuUsPerCallSecond / (1e6 / (raw.cpuUsPerDatagram * 100)), 3) : null,
    idleClockP99Ms: r.idleClockP99Ms ?? null,
    rawUdpDatagramsPerSec: raw ? Math.round(raw.perSec) : null,
    rawUdpUnconnectedPerSec: raw ? Math.round(raw.unconnectedPerSec) : null,
    rawUdpConnectedPerSec: raw ? Math.round(raw.connectedPerSec) : null,
    clockPhases: r.rig?.phases ?? null,
    pinned: r.pinned,
    priority: r.priority,
    measureMs: MEASURE_MS,
    retryGapMs: RETRY_GAP_MS,
    firstLatenessFailure: failedAt,
    steps: core.steps,
    box1Steps: box1?.steps ?? [],
    boxSteps: box?.steps ?? [],
  };
}

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// A bench must never outstay its welcome on a shared machine: at the hard limit it prints what it has
// measured (marked incomplete) and stops, with exit status 1.
setTimeout(() => {
  say(`media bench: stopped at its ${HARD_LIMIT_MS / 60_000}-minute limit during ${run.stage}; its line has what was measured`);
  process.stdout.write(`${JSON.stringify(resultOf(run, false))}\n`, () => process.exit(1));
}, HARD_LIMIT_MS).unref();

main().catch((err) => {
  say(`media bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
