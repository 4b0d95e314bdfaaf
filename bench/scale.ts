// Scale benchmark (issue 19): lists of 10k, 100k and 1M contacts on the sandbox. For each size, in a
// fresh box (in this process, embedded engine, sandbox trunk in its own process): the import, the
// campaign start (its answer, and until the whole list is in the campaign), the longest single block of
// the event loop and its delay p99 while the campaign starts and runs (perf_hooks.monitorEventLoopDelay),
// the p99 of GET /api/campaigns/:id and of its report, and RSS. Then, with the largest list, that
// campaign paused, 200 RTP sessions of media/rtp (in media worker threads, as the box runs them) play while a
// second campaign on the same list starts and runs (--run-ms), reflected by bench/media-lib's receiver in a
// child process: the clock's p99 lateness and the loss while it starts and runs (and over the start's first
// second alone), beside the same figure measured just before for as long with the same sessions and no
// start (the machine's own load: on a shared 2-core machine it is often above what the start adds).
// The longest block is measured over the whole start and run (the stricter figure), and also over the
// start's window alone (its answer and the first START_WINDOW_MS of dialling: the first chunk of the list,
// the first due contacts and calls), beside the longest GC pause of the run.
// The baseline is the smallest list, measured in the same run: the JSON line carries largest/smallest ratios.
// Each size runs in a process of its own (as a box would: one box per process), so that what a size
// measures, its RSS above all, does not carry what the boxes of the sizes before it left in the heap;
// that process runs with the box's own V8 flags and environment (appliance/system/runtime.ts), as the box does.
//   npm run bench -- scale [--sizes 10000,100000,1000000] [--run-ms 6000] [--media-calls 200] [--priority high|normal]
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Appliance } from '../appliance/main.ts';
import { BOX_ENV, BOX_NODE_FLAGS } from '../appliance/system/runtime.ts';
import { importContacts } from '../appliance/contacts/import.ts';
import { silentLogger } from '../core/log.ts';
import { trunkDefaults } from '../core/trunk-defaults.ts';
import { ulawEncode } from '../media/dsp/g711.ts';
import { availableParallelism } from 'node:os';
import type { MediaSession } from '../media/rtp/session-types.ts';
import { WorkerMediaEngine } from '../media/rtp/worker-engine.ts';
import { runAppliance } from '../test/support/processes.ts';
import { freePort } from '../test/peers/ports.ts';
import { inOwnSession, NICE, raisePriority, Receiver } from './media-lib/harness.ts';

const { values } = parseArgs({ options: {
  sizes: { type: 'string', default: '10000,100000,1000000' },
  'run-ms': { type: 'string', default: '6000' },
  'media-calls': { type: 'string', default: '200' },
  // As bench/media does: the bench in its own session at a raised priority, so that on a machine shared
  // with other work the figures say what the box does rather than how long it waited for a CPU.
  priority: { type: 'string', default: 'high' },
  // Internal: the process of one size, given the sandbox the bench started (and whether to add the media half).
  size: { type: 'string' },
  'sandbox-port': { type: 'string' },
  media: { type: 'boolean', default: false },
} });
if (values.priority === 'high') await inOwnSession(fileURLToPath(import.meta.url));
const high = values.priority === 'high' && raisePriority();
const SIZES = values.sizes.split(',').map(Number).sort((a, b) => a - b);
const RUN_MS = Number(values['run-ms']);
const MEDIA_CALLS = Number(values['media-calls']);
const CHANNELS = 30;
const CPS = 20;
/** The start's window: from the start's call until this long after it (its first chunk, due contacts and calls). */
const START_WINDOW_MS = 1000;
const say = (m: string): void => { process.stderr.write(`[scale] ${m}\n`); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Number(x.toFixed(d));
const p99 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! : 0; };

const dir = mkdtempSync(join(tmpdir(), 'vba-bench-scale-'));
const one = values.size === undefined ? null : Number(values.size);
const sandboxPort = one === null ? await freePort() : Number(values['sandbox-port']);
const sandbox = one === null ? runAppliance(['sandbox', '--port', String(sandboxPort), '--time-scale', '0.1', '--seed', '7',
  '--mix', 'listener=80,busy=10,no-answer=10', '--data', join(dir, 'sandbox')]) : null;
await sandbox?.waitFor(/listening on/, 60_000);
const wav = join(dir, 'msg.wav');
execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.5', 'sine', '300-900', 'vol', '0.5']);

/** A CSV of n contacts, written as a stream (the 1M-row file is never in memory, and never committed). */
async function writeList(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('name;phone\n');
  for (let i = 0; i < n; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(n, i + 10_000); j++) chunk += `Contact ${j};+336${String(10_000_000 + j)}\n`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

/** This thread's time on a CPU and waiting for one, in ms (Linux; NaN elsewhere). */
function schedstat(): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { run: run! / 1e6, wait: wait! / 1e6 };
  } catch {
    return { run: Number.NaN, wait: Number.NaN };
  }
}

interface Media { engine: WorkerMediaEngine; sessions: MediaSession[]; receiver: Receiver }

async function startMedia(calls: number): Promise<Media> {
  const receiver = new Receiver(false, false);
  const { ports } = await receiver.ask({ type: 'reflect', sockets: 8 }, 'reflect');
  // one media worker per core, each with its own clock, as the embedded engine runs them
  const engine = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 44000, workers: availableParallelism() });
  engine.start();
  const prompt = ulawEncode(Int16Array.from({ length: 8000 * 10 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
  const sessions: MediaSession[] = [];
  for (let i = 0; i < calls; i++) {
    const session = await engine.createSession({ payloadType: 0, telephoneEventPt: 101, remoteAddress: '127.0.0.1', remotePort: ports[i % ports.length]! });
    let playing = true;
    const loop = (): void => { void session.play(prompt).then((r) => { if (r.completed && playing) loop(); }); };
    session.once('close', () => { playing = false; });
    loop();
    sessions.push(session);
  }
  return { engine, sessions, receiver };
}

interface SizeResult {
  contacts: number;
  importMs: number;
  startAnswerMs: number;
  startMs: number;
  /** The start's own blocks: its synchronous answer, and the longest chunk of the background copy. */
  longestChunkMs: number;
  longestChunkCpuMs: number;
  startAnswerCpuMs: number;
  chunks: number;
  /** Longest block of the event loop over the whole start and run, and over the start's window alone. */
  longestBlockMs: number;
  longestBlockStartWindowMs: number;
  loopDelayP99StartWindowMs: number;
  /**
   * The longest gap a 1 ms timer saw in the start's window, split by the kernel's count for the box's
   * thread (/proc/thread-self/schedstat): ms on a CPU (the box's own work, GC included), and ms runnable
   * but waiting for a CPU (the machine's other load); the rest is the thread asleep (I/O, page faults).
   */
  longestGapStartWindow: { ms: number; onCpuMs: number; runQueueMs: number } | null;
  /** Longest GC pause during the start and run, and the GC time in all (perf_hooks 'gc' entries). */
  longestGcMs: number;
  gcMs: number;
  loopDelayP99Ms: number;
  getP99Ms: number;
  reportP99Ms: number;
  rssMB: number;
  /** RSS once the list is imported, before the start: what the start and the run add is the difference. */
  rssBeforeStartMB: number;
  requests: number;
  /**
   * The media clock beside the start (the worst worker's), and its baseline measured just before for as
   * long with the same sessions and no start (quiet*): what the machine's other load costs on its own.
   */
  media?: {
    calls: number; p99LatenessMs: number; maxLatenessMs: number; lossPct: number; packets: number; startMs: number; loopDelayP99Ms: number; quietP99LatenessMs: number; quietMaxLatenessMs: number;
    /** The same clocks over the start's window alone (its first START_WINDOW_MS), and the whole window measured (start and run). */
    startWindowP99LatenessMs: number; startWindowMaxLatenessMs: number; windowMs: number;
    /** The quiet baseline's first START_WINDOW_MS alone. */
    quietStartWindowP99LatenessMs: number; quietStartWindowMaxLatenessMs: number;
  };
}

async function runSize(n: number, withMedia: boolean): Promise<SizeResult> {
  const data = join(dir, `box-${n}`);
  let password = '';
  const rtp = 20000 + 2 * Math.floor(Math.random() * 4000);
  const app = new Appliance({
    dataDir: data, env: {}, logger: silentLogger(),
    out: (line: string) => { const m = /login admin \/ (\S+)/.exec(line); if (m) password = m[1]!; },
    overrides: [(s) => {
      s.http.port = 0;
      s.http.bindAddress = '127.0.0.1';
      s.sip.port = 0;
      s.sip.bindAddress = '127.0.0.1';
      s.media.rtpPortMin = rtp;
      s.media.rtpPortMax = rtp + 4 * CHANNELS + 100;
      s.trunks = [trunkDefaults({ name: 'sandbox', kind: 'sandbox', host: '127.0.0.1', port: sandboxPort, allowedSources: ['127.0.0.1'], channels: CHANNELS, cps: CPS, codecs: ['PCMU'], optionsIntervalSec: 0, keepPlus: true })];
      s.defaultTrunk = 'sandbox';
      s.compliance.pack = 'none';
    }],
  });
  await app.start();
  const base = `http://127.0.0.1:${app.http.port}`;
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  // A warm-up, alike for every size: a small campaign started, run and stopped first, so that the
  // measured start is not the first this process ever compiles (a box pays that once in its life).
  const warmCsv = join(dir, `warm-${n}.csv`);
  await writeList(warmCsv, 200);
  const warmList = await importContacts(app.db, warmCsv, { list: `warm-${n}`, country: 'FR' });
  rmSync(warmCsv, { force: true });

  const csv = join(dir, `list-${n}.csv`);
  await writeList(csv, n);
  const t0 = performance.now();
  const imported = await importContacts(app.db, csv, { list: `list-${n}`, country: 'FR' });
  const importMs = performance.now() - t0;
  rmSync(csv, { force: true });
  if (imported.accepted !== n) throw new Error(`import accepted ${imported.accepted} of ${n}`);
  const rec = await app.recordings.importFile(wav, { name: 'scale' });
  const campaign = (name: string, listId = imported.list.id) => app.campaigns.create({
    name, listId,
    config: {
      message: rec.id, callerId: '+33123456789', trunks: ['sandbox'], menu: {}, amd: false,
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: CHANNELS, cps: CPS, ringTimeoutMs: 5000, maxAttempts: 1,
    },
  });
  const warm = campaign(`warm-up ${n}`, warmList.list.id);
  app.campaigns.start(warm.id);
  await sleep(1500);
  app.campaigns.stop(warm.id);
  for (let i = 0; i < 200 && (app.campaigns.lists.busy.length > 0 || app.campaigns.view(warm.id).counters.active > 0); i++) await sleep(50);
  const c = campaign(`scale ${n}`);
  global.gc?.();
  await sleep(500);

  // Requests from a client in this process, one after the other, for as long as the campaign starts and runs.
  const gets: number[] = [];
  const reports: number[] = [];
  let measuring = true;
  const client = (async () => {
    while (measuring) {
      for (const [path, into] of [[`/api/campaigns/${c.id}`, gets], [`/api/campaigns/${c.id}/report`, reports]] as const) {
        const s = performance.now();
        const r = await fetch(base + path, { headers: { cookie } });
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
        into.push(performance.now() - s);
      }
      await sleep(20);
    }
  })();
  const rssBefore = process.memoryUsage().rss;
  let rss = rssBefore;
  const rssTimer = setInterval(() => { rss = Math.max(rss, process.memoryUsage().rss); }, 100);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const startDelay = monitorEventLoopDelay({ resolution: 1 });
  startDelay.enable();
  const gcs: number[] = [];
  const gcObserver = new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push(e.duration); });
  gcObserver.observe({ entryTypes: ['gc'] });

  const gap = { ms: 0, onCpuMs: 0, runQueueMs: 0 };
  let watching = true;
  let seen = { at: performance.now(), ...schedstat() };
  const watch = (): void => {
    const now = { at: performance.now(), ...schedstat() };
    if (now.at - seen.at > gap.ms) Object.assign(gap, { ms: now.at - seen.at, onCpuMs: now.run - seen.run, runQueueMs: now.wait - seen.wait });
    seen = now;
    if (watching) setTimeout(watch, 1);
  };
  const canWatch = !Number.isNaN(seen.run);
  if (canWatch) setTimeout(watch, 1);

  const s0 = performance.now();
  const startWindow = sleep(START_WINDOW_MS).then(() => { startDelay.disable(); watching = false; });
  const cpu0 = process.cpuUsage();
  app.campaigns.start(c.id);
  const startAnswerMs = performance.now() - s0;
  const answerCpu = process.cpuUsage(cpu0);
  while (app.campaigns.lists.busy.length > 0) await sleep(5);
  const startMs = performance.now() - s0;
  const runUntil = s0 + Math.max(RUN_MS, startMs + 2000);
  while (performance.now() < runUntil) await sleep(50);

  await startWindow;
  delay.disable();
  gcObserver.disconnect();
  measuring = false;
  await client;
  clearInterval(rssTimer);
  const stats = { ...app.campaigns.lists.stats };

  // The media half: the first campaign paused, a second one on the same list starts while 200 RTP
  // sessions play in this process (beside the box's event loop; their clocks run in the media workers).
  let mediaOut: SizeResult['media'];
  if (withMedia) {
    app.campaigns.pause(c.id);
    const media = await startMedia(MEDIA_CALLS);
    await sleep(2000); // the sessions settle (JIT) before the measure
    // The baseline, in the same run: the same sessions for as long, with the paused campaign and no start.
    const worst = async () => {
      const clocks = await media.engine.clockStats();
      return { p99LatenessMs: Math.max(...clocks.map((c) => c.p99LatenessMs)), maxLatenessMs: Math.max(...clocks.map((c) => c.maxLatenessMs)) };
    };
    // As long as the start and run are measured (RUN_MS), with the same sessions and no start.
    media.engine.resetClockStats();
    const q0 = performance.now();
    const quietFirst = sleep(START_WINDOW_MS).then(worst);
    await sleep(RUN_MS);
    const quiet = await worst();
    const quietStartWindow = await quietFirst;
    const quietMs = performance.now() - q0;
    const b = campaign(`scale ${n} beside media`);
    const m0 = await media.receiver.ask({ type: 'snapshot' }, 'snapshot');
    const lostReturned = async () => (await media.engine.summaries()).reduce((a, s) => a + s.lostReceived, 0);
    const lost0 = await lostReturned();
    const mdelay = monitorEventLoopDelay({ resolution: 1 });
    mdelay.enable();
    media.engine.resetClockStats();
    const t1 = performance.now();
    app.campaigns.start(b.id);
    // The clocks' figures over the start's window alone (START_WINDOW_MS from the start's call), then
    // over the whole start and run (as long as the quiet baseline): the measure is the whole.
    const startWindowStats = sleep(START_WINDOW_MS).then(worst);
    while (app.campaigns.lists.busy.length > 0) await sleep(5);
    const mStartMs = performance.now() - t1;
    const inStartWindow = await startWindowStats;
    await sleep(Math.max(0, quietMs - (performance.now() - t1)));
    // the worst worker's figures
    const cs = await worst();
    const mRunMs = performance.now() - t1;
    mdelay.disable();
    const m1 = await media.receiver.ask({ type: 'snapshot' }, 'snapshot');
    const lostForward = m1.lost - m0.lost;
    const lostReturn = (await lostReturned()) - lost0;
    const packets = m1.received - m0.received;
    const expected = 2 * (packets + lostForward);
    mediaOut = {
      calls: MEDIA_CALLS, p99LatenessMs: round(cs.p99LatenessMs, 2), maxLatenessMs: round(cs.maxLatenessMs, 2),
      lossPct: expected ? round((100 * (lostForward + lostReturn)) / expected, 4) : 0, packets,
      startMs: Math.round(mStartMs), loopDelayP99Ms: round(mdelay.percentile(99) / 1e6),
      quietP99LatenessMs: round(quiet.p99LatenessMs, 2), quietMaxLatenessMs: round(quiet.maxLatenessMs, 2),
      startWindowP99LatenessMs: round(inStartWindow.p99LatenessMs, 2), startWindowMaxLatenessMs: round(inStartWindow.maxLatenessMs, 2),
      quietStartWindowP99LatenessMs: round(quietStartWindow.p99LatenessMs, 2), quietStartWindowMaxLatenessMs: round(quietStartWindow.maxLatenessMs, 2),
      windowMs: Math.round(mRunMs),
    };
    for (const s of media.sessions) s.close();
    media.receiver.close();
    await media.engine.stop();
  }
  const view = app.campaigns.view(c.id);
  if (view.counters.contacts !== n) throw new Error(`campaign has ${view.counters.contacts} contacts, not ${n}`);
  const out: SizeResult = {
    contacts: n,
    importMs: Math.round(importMs),
    startAnswerMs: round(startAnswerMs),
    startMs: Math.round(startMs),
    longestChunkMs: round(stats.maxChunkMs, 2),
    longestChunkCpuMs: round(stats.maxChunkCpuMs, 2),
    startAnswerCpuMs: round((answerCpu.user + answerCpu.system) / 1000, 2),
    chunks: stats.chunks,
    longestBlockMs: round(delay.max / 1e6),
    longestBlockStartWindowMs: round(startDelay.max / 1e6),
    loopDelayP99StartWindowMs: round(startDelay.percentile(99) / 1e6),
    longestGapStartWindow: canWatch ? { ms: round(gap.ms), onCpuMs: round(gap.onCpuMs), runQueueMs: round(gap.runQueueMs) } : null,
    longestGcMs: round(Math.max(0, ...gcs), 1),
    gcMs: Math.round(gcs.reduce((a, b) => a + b, 0)),
    loopDelayP99Ms: round(delay.percentile(99) / 1e6),
    getP99Ms: round(p99(gets)),
    reportP99Ms: round(p99(reports)),
    rssMB: Math.round(rss / 1e6),
    rssBeforeStartMB: Math.round(rssBefore / 1e6),
    requests: gets.length + reports.length,
    ...(mediaOut ? { media: mediaOut } : {}),
  };
  say(JSON.stringify(out));
  await app.stop();
  rmSync(data, { recursive: true, force: true });
  return out;
}

if (one !== null) {
  // The process of one size: its result on stdout, for the bench's own process.
  const r = await runSize(one, values.media);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

/** Runs one size in a process of its own (same priority and flags), against this bench's sandbox. */
function runInOwnProcess(n: number, withMedia: boolean): Promise<SizeResult> {
  const args = [...BOX_NODE_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), '--size', String(n), '--sandbox-port', String(sandboxPort),
    '--run-ms', String(RUN_MS), '--media-calls', String(MEDIA_CALLS), '--priority', values.priority, ...(withMedia ? ['--media'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...BOX_ENV, MEDIA_BENCH_SESSION: '1' } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  return new Promise((resolve, reject) => child.once('exit', (code) => {
    const last = out.trim().split('\n').at(-1) ?? '';
    if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as SizeResult);
    else reject(new Error(`size ${n}: exit ${code}`));
  }));
}

const results: SizeResult[] = [];
for (const n of SIZES) results.push(await runInOwnProcess(n, n === SIZES.at(-1) && MEDIA_CALLS > 0));
await sandbox?.kill();
rmSync(dir, { recursive: true, force: true });

const small = results[0]!;
const big = results.at(-1)!;
const ratio = (k: 'startMs' | 'longestChunkMs' | 'longestBlockMs' | 'longestBlockStartWindowMs' | 'loopDelayP99Ms' | 'getP99Ms' | 'reportP99Ms' | 'rssMB' | 'importMs') => round(big[k] / Math.max(small[k], 0.1), 2);
const targets = {
  loopDelayP99: big.loopDelayP99Ms <= 20,
  start: big.startMs <= 2000,
  longestBlock: big.longestBlockMs <= 20,
  longestBlockStartWindow: big.longestBlockStartWindowMs <= 20,
  longestChunk: big.longestChunkMs <= 20 && big.startAnswerMs <= 20,
  getP99: big.getP99Ms <= 50,
  rss: big.rssMB <= 350,
  requestRatio: ratio('getP99Ms') <= 2,
  // over the whole start and run, and over the start's first second alone
  ...(big.media ? { mediaP99: big.media.p99LatenessMs <= 2, mediaP99StartWindow: big.media.startWindowP99LatenessMs <= 2, mediaLoss: big.media.lossPct === 0 } : {}),
};
process.stdout.write(JSON.stringify({
  bench: 'scale',
  sizes: results,
  ratio: { of: `${big.contacts}/${small.contacts}`, start: ratio('startMs'), longestChunk: ratio('longestChunkMs'), longestBlock: ratio('longestBlockMs'), longestBlockStartWindow: ratio('longestBlockStartWindowMs'), loopDelayP99: ratio('loopDelayP99Ms'), getP99: ratio('getP99Ms'), reportP99: ratio('reportP99Ms'), rss: ratio('rssMB'), import: ratio('importMs') },
  baseline: { contacts: small.contacts, getP99Ms: small.getP99Ms, reportP99Ms: small.reportP99Ms, loopDelayP99Ms: small.loopDelayP99Ms, rssMB: small.rssMB },
  media: big.media ?? null,
  targets,
  // What the box of each size ran with (the box's own runtime, appliance/system/runtime.ts).
  runtime: { nodeFlags: BOX_NODE_FLAGS, env: BOX_ENV },
  startWindowMs: START_WINDOW_MS,
  priority: high ? `nice ${NICE}` : 'normal',
  loadAverage: loadavg().map((x) => round(x, 2)),
  cpus: (await import('node:os')).cpus().length,
}) + '\n');
process.exit(0);
