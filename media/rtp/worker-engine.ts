// The media engine on every core: one media worker thread per core (media-worker.ts), each with its
// own shared 20 ms clock and the sockets of its calls; a new session goes to the least loaded worker.
// The main thread keeps the port pool (one random draw over the whole range, so workers never pick
// the same port) and the prompt cache, whose bytes live in SharedArrayBuffers every worker reads.
// Sessions here are WorkerSessions: RtpSession's surface, by messages. A stall of the main event
// loop leaves the workers' clocks and sockets alone. A session that is bridged moves to the main
// thread (WorkerSession.hostOnMainThread): bridges relay frame by frame on one clock, and the other
// legs (browsers' WebRTC legs) live on the main thread; its port stays the same.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/log.ts';
import { loadUdpBatch } from './batch-io.ts';
import { MediaClock, type ClockStats } from './clock.ts';
import type { CreateSessionOptions, MediaEngineApi, MediaEngineOptions, MediaEngineStats } from './media-engine.ts';
import { bindSocket, createRtpSocket, RtpPortPool } from './port-pool.ts';
import { PromptCache } from './prompt-cache.ts';
import { RtpSession } from './session.ts';
import type { RtpSessionStats } from './session-types.ts';
import { MEDIA_PRIORITY_BOOST, type ThreadPriority } from './thread-priority.ts';
import { type MovedSession, WorkerSession } from './worker-session.ts';
import type { FromWorker, SessionInit, ToWorker, WorkerBoot, WorkerSummary } from './worker-protocol.ts';

// Workers need the TypeScript loader too; loader flags on the command line do not reach them.
let boot: string | null = null;
function bootCode(): string {
  boot ??= `require(${JSON.stringify(fileURLToPath(import.meta.resolve('tsx/cjs/api')))}).register(); require(${JSON.stringify(fileURLToPath(new URL('./media-worker.ts', import.meta.url)))});`;
  return boot;
}

/**
 * The garbage collector a media worker needs (V8's flags are the process's; set when the engine starts):
 * - Young-generation collections (scavenges) on the thread that needs one, without V8's helper threads
 *   (`--no-parallel-scavenge`, read at each collection, so it holds for every thread). Media workers take
 *   every core, so the helpers a parallel scavenge waits for have to wait for a core: at 1,100 calls on
 *   one core a media worker's scavenges took 1.5-1.8 ms at the median (0.4-0.7 ms serial), every
 *   100-150 ms, and those pauses alone put its p99 send lateness over 2 ms.
 * - No memory reducer (`--no-memory-reducer`, read when an isolate is made: the workers spawned after
 *   it, not the main thread, which keeps its own). The reducer runs a full compacting collection 8 s
 *   after an isolate's last one once its allocation slows: in a media worker (a 10-14 MB heap) that held
 *   the calls' clock 7-17 ms, the largest stall of a bench run (bench/scale, 200 calls beside a 1M start).
 *   A media worker's heap stays at its working size instead (a few MB more).
 * media/rtp/README.md, "Garbage collection", has the figures.
 */
export function mediaGcFlags(): void {
  setFlagsFromString('--no-parallel-scavenge');
  setFlagsFromString('--no-memory-reducer');
}

/** Where media/native/build.mjs puts the native module of batched I/O (batch-io.ts). */
export const UDP_BATCH_MODULE = fileURLToPath(new URL('../native/build/udp-batch.node', import.meta.url));

let batchModule: { path: string; why: null } | { path: null; why: string } | null = null;

/**
 * The native module of batched I/O when it is built and loads in this Node (checked once, here, so a
 * worker is never handed one that fails); otherwise why not. APPLIANCE_MEDIA_BATCH_IO=0 turns it off.
 */
export function udpBatchModule(): { path: string; why: null } | { path: null; why: string } {
  if (process.env.APPLIANCE_MEDIA_BATCH_IO === '0') return { path: null, why: 'turned off (APPLIANCE_MEDIA_BATCH_IO=0)' };
  if (batchModule !== null) return batchModule;
  if (!existsSync(UDP_BATCH_MODULE)) {
    batchModule = { path: null, why: 'its native module is not built (npm install builds it with the C compiler: Debian package gcc)' };
  } else {
    try {
      loadUdpBatch(UDP_BATCH_MODULE);
      batchModule = { path: UDP_BATCH_MODULE, why: null };
    } catch (err) {
      batchModule = { path: null, why: `its native module does not load: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return batchModule;
}

export interface WorkerMediaEngineOptions extends MediaEngineOptions {
  /** Media worker threads (default: one; the embedded engine gives one per core). */
  workers?: number;
  /** bench/media.ts: each worker measures the send lateness of sampled packets. */
  probeSends?: boolean;
  /** Nice steps each worker raises its thread above the main thread (default MEDIA_PRIORITY_BOOST; 0: none). */
  priorityBoost?: number;
  /** Batched UDP I/O in the workers when its native module is built (default true; batch-io.ts). */
  batchIo?: boolean;
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<void>;
  sessions: Map<number, WorkerSession>;
  /** Closed here, until the worker's 'closed' (and the plays it ended) arrive. */
  closing: Map<number, WorkerSession>;
  opening: Map<number, (m: Extract<FromWorker, { t: 'opened' }>) => void>;
  summary: WorkerSummary | null;
  asks: Map<number, (s: WorkerSummary) => void>;
  /** Sessions on their way to the main thread, until the worker's 'detached'. */
  moving: Map<number, { resolve: (m: Extract<FromWorker, { t: 'detached' }>) => void; reject: (e: Error) => void }>;
  /** Sessions placed on it, including those still opening (for spreading). */
  load: number;
  /** Its thread's priority, once it is up. */
  priority: ThreadPriority | null;
  /** Whether its sockets use batched I/O, once it is up. */
  batchIo: boolean | null;
}

export class WorkerMediaEngine implements MediaEngineApi {
  readonly ports: RtpPortPool;
  readonly prompts: PromptCache;
  readonly workers: number;
  private readonly o: WorkerMediaEngineOptions;
  private readonly log: Logger | undefined;
  private slots: Slot[] = [];
  private started = false;
  private nextId = 1;
  private nextAsk = 1;
  /** droppedForeign of workers that died (their counts are gone with them). */
  private deadDropped = 0;
  /** Sessions that moved to the main thread (bridged), and droppedForeign of those closed. */
  private readonly local = new Set<WorkerSession>();
  private localDropped = 0;
  private mainClock: MediaClock | null = null;
  /** The workers' priority is logged once per start() (a worker started again says nothing new). */
  private priorityLogged = false;
  private batchLogged = false;

  constructor(opts: WorkerMediaEngineOptions) {
    this.o = opts;
    this.log = opts.logger;
    this.workers = Math.max(1, Math.floor(opts.workers ?? 1));
    this.ports = new RtpPortPool({ bindAddress: opts.bindAddress, min: opts.rtpPortMin, max: opts.rtpPortMax });
    this.prompts = new PromptCache({ maxBytes: opts.promptCacheBytes, shared: true });
  }

  /** The main thread's clock: browsers' WebRTC legs and the sessions moved here to be bridged tick on it. */
  get clock(): MediaClock {
    this.mainClock ??= new MediaClock({
      phases: this.o.clockPhases,
      onListenerError: (err) => this.log?.error({ err: err instanceof Error ? err.message : String(err) }, 'media clock listener threw'),
    });
    return this.mainClock;
  }

  /** Starts the worker threads (createSession() waits for the one it picks to be ready). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.mainClock?.reopen(); // closed by a stop() before
    this.priorityLogged = false;
    this.batchLogged = false;
    mediaGcFlags();
    for (let i = 0; i < this.workers; i++) this.slots.push(this.spawn(i));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const slots = this.slots;
    this.slots = [];
    for (const s of [...this.local]) s.close();
    this.mainClock?.close();
    for (const slot of slots) {
      for (const s of [...slot.sessions.values()]) s.close();
      for (const m of slot.moving.values()) m.reject(new Error('MediaEngine stopped while a session moved'));
      slot.moving.clear();
      // a session still being opened is refused (createSession() then throws)
      for (const resolve of slot.opening.values()) resolve({ t: 'opened', id: 0, ok: false, code: null, message: 'MediaEngine stopped while a session was being created' });
      slot.opening.clear();
      slot.worker.removeAllListeners('exit');
    }
    this.ports.closeAll();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  async createSession(opts: CreateSessionOptions = {}): Promise<WorkerSession> {
    if (!this.started) throw new Error('WorkerMediaEngine.createSession() before start()');
    const slot = this.slots.reduce((a, b) => (b.load < a.load ? b : a));
    slot.load++;
    try {
      await slot.ready;
      const { mediaSources, continueFrom: _c, ...rest } = opts;
      const init: SessionInit = { ...rest, mediaSources: mediaSources?.source };
      const id = this.nextId++;
      const { port, value: stats, release } = await this.ports.reserve(async (p) => {
        if (!this.started || !this.slots.includes(slot)) throw new Error('MediaEngine stopped while a session was being created');
        const opened = await new Promise<Extract<FromWorker, { t: 'opened' }>>((resolve) => {
          slot.opening.set(id, resolve);
          this.post(slot, { t: 'open', id, port: p, init });
        });
        if (!opened.ok) throw Object.assign(new Error(opened.message), { code: opened.code ?? undefined });
        // the worker closes the socket on 'close'; release only gives the port number back
        return { value: opened.stats, close: () => {} };
      });
      return this.attach(slot, id, port, opts, stats, release);
    } catch (e) {
      slot.load--;
      throw e;
    }
  }

  activeSessions(): WorkerSession[] {
    return [...this.slots.flatMap((s) => [...s.sessions.values()]), ...this.local];
  }

  /** Counters as of each worker's last report (at most a second old); sessions counted here. */
  stats(): MediaEngineStats {
    let sessions = this.local.size;
    let dropped = this.deadDropped + this.localDropped;
    for (const s of this.local) dropped += s.stats().droppedForeign;
    for (const s of this.slots) {
      sessions += s.sessions.size;
      dropped += s.summary?.droppedForeign ?? 0;
    }
    return { sessions, droppedForeign: dropped };
  }

  /** Each worker's figures now (its clock's lateness and work, its sessions). */
  async summaries(): Promise<WorkerSummary[]> {
    return Promise.all(
      this.slots.map(async (slot) => {
        await slot.ready;
        const req = this.nextAsk++;
        return new Promise<WorkerSummary>((resolve) => {
          slot.asks.set(req, resolve);
          this.post(slot, { t: 'summary', req });
        });
      }),
    );
  }

  /** Clock statistics of every worker, freshly asked. */
  async clockStats(): Promise<ClockStats[]> {
    return (await this.summaries()).map((s) => s.clock);
  }

  resetClockStats(): void {
    for (const slot of this.slots) this.post(slot, { t: 'reset-stats' });
  }

  private attach(slot: Slot, id: number, port: number, init: CreateSessionOptions, stats: RtpSessionStats, release: () => void): WorkerSession {
    const session: WorkerSession = new WorkerSession({
      id,
      localAddress: this.o.bindAddress,
      localPort: port,
      payloadType: init.payloadType ?? 0,
      stats,
      init,
      moveHere: (config) => this.moveHere(slot, session, port, config, release),
      post: (m) => this.post(slot, m),
      onClose: () => {
        if (slot.sessions.delete(id)) {
          slot.load--;
          slot.closing.set(id, session);
        }
        release();
      },
    });
    slot.sessions.set(id, session);
    return session;
  }

  /**
   * The worker stops the session and closes its socket; the same port is bound here and a session on
   * the main clock carries the stream on. Datagrams that arrive in between (a few ms) are lost.
   */
  private async moveHere(slot: Slot, session: WorkerSession, port: number, config: CreateSessionOptions, release: () => void): Promise<MovedSession> {
    const id = session.id;
    const detached = await new Promise<Extract<FromWorker, { t: 'detached' }>>((resolve, reject) => {
      slot.moving.set(id, { resolve, reject });
      this.post(slot, { t: 'detach', id });
    });
    if (slot.sessions.delete(id)) slot.load--;
    const address = this.o.bindAddress;
    const socket = createRtpSocket(address);
    try {
      await bindSocket(socket, address, port);
    } catch (err) {
      socket.close();
      release();
      this.log?.error({ rtpPort: port, err: err instanceof Error ? err.message : String(err) }, 'RTP session could not move to the main thread: its port was taken meanwhile');
      throw err;
    }
    // stop() ran while the port was being bound here: it could not close a session it did not know yet,
    // and a socket left open would hold the process (and the port) for good.
    if (!this.started || !this.slots.includes(slot)) {
      socket.close();
      release();
      throw new Error('MediaEngine stopped while a session moved');
    }
    const rtp = new RtpSession({
      ...config,
      continueFrom: detached.from,
      socket,
      localAddress: address,
      localPort: port,
      clock: this.clock,
      logger: this.log,
      onClose: () => {
        if (this.local.delete(session)) this.localDropped += session.stats().droppedForeign;
        try {
          socket.close();
        } catch {
          // closed already
        }
        release();
      },
    });
    this.local.add(session);
    this.log?.debug({ rtpPort: port, worker: slot.index }, 'RTP session moved to the main thread (bridged)');
    return { session: rtp, stats: detached.stats };
  }

  private post(slot: Slot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  private spawn(index: number): Slot {
    const data: WorkerBoot = {
      bindAddress: this.o.bindAddress,
      clockPhases: this.o.clockPhases,
      logLevel: this.log?.level ?? 'silent',
      probeSends: this.o.probeSends,
      priorityBoost: this.o.priorityBoost ?? MEDIA_PRIORITY_BOOST,
      batchIo: this.o.batchIo === false ? null : udpBatchModule().path,
    };
    // A small young generation: each worker costs less memory. Node allocates an ArrayBuffer, a Buffer
    // and an address object for every datagram received (about 15 MB a second at 1,000 calls), so a
    // worker's young generation fills every 100-150 ms; mediaGcFlags() keeps each of those pauses short.
    const worker = new Worker(bootCode(), { eval: true, workerData: data, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 } });
    let readyNow: () => void = () => {};
    let failNow: (e: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      readyNow = resolve;
      failNow = reject;
    });
    ready.catch(() => {}); // a worker that never came up is reported to createSession() and in the log
    const slot: Slot = { index, worker, ready, sessions: new Map(), closing: new Map(), opening: new Map(), summary: null, asks: new Map(), moving: new Map(), load: 0, priority: null, batchIo: null };
    worker.on('message', (batch: FromWorker[]) => {
      for (const m of batch) {
        if (m.t === 'ready') {
          slot.priority = m.priority;
          slot.batchIo = m.batchIo;
          this.logPriority(m.priority);
          this.logBatchIo(m.batchIo, m.batchIoError);
          readyNow();
        } else this.receive(slot, m);
      }
    });
    worker.on('error', (err) => {
      this.log?.error({ worker: index, err: err.message }, 'media worker failed');
      failNow(new Error(`media worker ${index} failed: ${err.message}`, { cause: err }));
    });
    worker.on('exit', (code) => this.died(slot, code));
    return slot;
  }

  /** Each worker thread's priority (null for a worker not up yet): its kernel thread id and nice value. */
  threadPriorities(): Array<ThreadPriority | null> {
    return this.slots.map((s) => s.priority);
  }

  /** Each worker's kernel thread id (null for a worker not up yet, or off Linux): for taskset, chrt, /proc. */
  threadIds(): Array<number | null> {
    return this.slots.map((s) => s.priority?.tid ?? null);
  }

  /** Whether each worker's sockets use batched I/O (null for a worker not up yet). */
  batchedIo(): Array<boolean | null> {
    return this.slots.map((s) => s.batchIo);
  }

  private logBatchIo(on: boolean, error: string | null): void {
    if (this.batchLogged) return;
    this.batchLogged = true;
    if (on) this.log?.info('media workers send and receive in batches (native UDP I/O)');
    else if (this.o.batchIo === false) return;
    else this.log?.warn(`media workers use Node's dgram (a call costs about 40 % more CPU): batched UDP I/O is off, ${error ?? udpBatchModule().why}`);
  }

  private logPriority(p: ThreadPriority): void {
    if (this.priorityLogged) return;
    this.priorityLogged = true;
    if (p.raised) this.log?.info({ nice: p.nice, mainThreadNice: p.from }, 'media workers run at a higher priority than the main thread');
    else if (p.error) this.log?.warn({ nice: p.nice }, `media workers share the CPU with the main thread on equal terms: ${p.error}`);
  }

  private receive(slot: Slot, m: Exclude<FromWorker, { t: 'ready' }>): void {
    switch (m.t) {
      case 'opened': {
        const resolve = slot.opening.get(m.id);
        slot.opening.delete(m.id);
        resolve?.(m);
        return;
      }
      case 'log':
        return this.relayLog(slot.index, m.line);
      case 'summary': {
        slot.summary = m.summary;
        if (m.req !== null) {
          slot.asks.get(m.req)?.(m.summary);
          slot.asks.delete(m.req);
        }
        return;
      }
      case 'detached': {
        const mv = slot.moving.get(m.id);
        slot.moving.delete(m.id);
        mv?.resolve(m);
        return;
      }
      case 'closed': {
        const s = slot.closing.get(m.id);
        slot.closing.delete(m.id);
        s?.deliver(m);
        return;
      }
      default:
        (slot.sessions.get(m.id) ?? slot.closing.get(m.id))?.deliver(m);
    }
  }

  /** A worker that exits on its own took its calls' media with it: they end, and a new worker takes its place. */
  private died(slot: Slot, code: number): void {
    if (!this.started || !this.slots.includes(slot)) return;
    this.log?.error({ worker: slot.index, code, sessions: slot.sessions.size }, 'media worker exited: its calls lose their media; starting a new one');
    this.deadDropped += slot.summary?.droppedForeign ?? 0;
    for (const resolve of slot.opening.values()) resolve({ t: 'opened', id: 0, ok: false, code: null, message: 'media worker exited' });
    for (const s of [...slot.sessions.values(), ...slot.closing.values()]) s.lost();
    for (const m of slot.moving.values()) m.reject(new Error('media worker exited'));
    const fresh = this.spawn(slot.index);
    this.slots[this.slots.indexOf(slot)] = fresh;
  }

  private relayLog(worker: number, line: string): void {
    const log = this.log;
    if (!log) return;
    try {
      const { level, msg, time: _t, ...fields } = JSON.parse(line) as { level: number; msg?: string; time?: unknown } & Record<string, unknown>;
      const method = LEVELS[level] ?? 'info';
      log[method]({ worker, ...fields }, msg ?? '');
    } catch {
      log.warn({ worker }, 'unreadable log line from a media worker');
    }
  }
}
