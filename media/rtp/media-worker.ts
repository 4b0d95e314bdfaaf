// A media worker thread: its own event loop, its own shared 20 ms clock, and the RTP sessions (and
// their sockets) of the calls the main thread placed on it. The main thread drives each session by
// messages (worker-protocol.ts) and hears its events the same way, so a main event loop busy for a
// while (a large campaign starting, a long report) delays no packet: the sockets and the clock live here.
import type dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { BatchIo, loadUdpBatch } from './batch-io.ts';
import { LatencyHistogram, MediaClock } from './clock.ts';
import { bindSocket, createRtpSocket } from './port-pool.ts';
import { beforeEachSend } from './rtp-socket.ts';
import { RtpSession } from './session.ts';
import type { RtpSessionStats } from './session-types.ts';
import { MediaSourceSet } from './source-filter.ts';
import { raiseOwnPriority } from './thread-priority.ts';
import type { FromWorker, ToWorker, WorkerBoot, WorkerSummary } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('media-worker.ts runs as a worker thread');
const boot = workerData as WorkerBoot;
// First of all: this thread's clock goes before the main thread's work when both want a CPU.
const priority = raiseOwnPriority(boot.priorityBoost);

// Everything for the main thread leaves in one message per turn of this loop.
let outbox: FromWorker[] = [];
let flushing = false;
function out(m: FromWorker): void {
  outbox.push(m);
  if (flushing) return;
  flushing = true;
  setImmediate(flush);
}
function flush(): void {
  flushing = false;
  const batch = outbox;
  outbox = [];
  port?.postMessage(batch);
}

// The main thread's logger writes the lines (with the session's own fields).
const log = pino({ level: boot.logLevel, base: undefined }, { write: (line: string) => out({ t: 'log', line }) });

// Batched I/O (batch-io.ts) when the main thread found the native module: each phase's packets leave
// in one call after the phase's sessions, and what came in meanwhile is taken in one after the run.
let batch: BatchIo | null = null;
let batchError: string | null = null;
if (boot.batchIo !== null) {
  try {
    batch = new BatchIo(loadUdpBatch(boot.batchIo));
  } catch (err) {
    batchError = err instanceof Error ? err.message : String(err);
  }
}
const io = batch;
/** How long before the next phase's deadline reading received datagrams stops (one read is about 0.2 ms). */
const RECEIVE_MARGIN_MS = 0.3;

// The last stretch before each of the clock's deadlines is slept on this thread (it serves nothing else).
const nap = new Int32Array(new SharedArrayBuffer(4));
const clock = new MediaClock({
  phases: boot.clockPhases,
  preciseWait: (ms) => { Atomics.wait(nap, 0, 0, ms); },
  afterPhase: io === null ? undefined : () => io.flush(),
  // what came in is read until shortly before the next phase is due (the rest waits for the run after),
  // and at least what arrives in two phases (each call's far end sends a packet every period)
  afterRun: io === null ? undefined : () => {
    io.poll(clock.deadlineMs - RECEIVE_MARGIN_MS, Math.ceil((2 * io.sockets) / clock.phases));
  },
  onListenerError: (err) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'media clock listener threw'),
});

interface Entry {
  session: RtpSession;
  socket: dgram.Socket;
  plays: Map<number, AbortController>;
  /** Called once the socket is closed (a session moving to the main thread waits for its port). */
  afterClose: (() => void) | null;
}
const sessions = new Map<number, Entry>();
/** The counters of the sessions this worker has closed (summary() adds the live ones). */
const closed = { droppedForeign: 0, lost: 0, packetsSent: 0, packetsReceived: 0 };
function addCounts(to: typeof closed, stats: RtpSessionStats): void {
  to.droppedForeign += stats.droppedForeign;
  to.lost += stats.lost;
  to.packetsSent += stats.packetsSent;
  to.packetsReceived += stats.packetsReceived;
}
const sendLateness = new LatencyHistogram();
let probed = 0;

async function open(id: number, localPort: number, m: Extract<ToWorker, { t: 'open' }>): Promise<void> {
  const socket = createRtpSocket(boot.bindAddress, batch);
  try {
    await bindSocket(socket, boot.bindAddress, localPort);
  } catch (err) {
    socket.close();
    const e = err as NodeJS.ErrnoException;
    out({ t: 'opened', id, ok: false, code: e.code ?? null, message: e.message });
    return;
  }
  if (boot.probeSends && probed++ % 16 === 0) probe(socket);
  const { mediaSources, ...init } = m.init;
  const session = new RtpSession({
    ...init,
    mediaSources: mediaSources && mediaSources.length > 0 ? new MediaSourceSet(mediaSources) : undefined,
    socket,
    localAddress: boot.bindAddress,
    localPort,
    clock,
    logger: log.child({ rtpSession: id }),
    onClose: () => {
      try {
        socket.close(() => entry.afterClose?.());
      } catch {
        entry.afterClose?.(); // closed already
      }
    },
  });
  const entry: Entry = { session, socket, plays: new Map(), afterClose: null };
  sessions.set(id, entry);
  session.on('dtmf', (e) => out({ t: 'dtmf', id, digit: e.digit, source: e.source }));
  session.on('rtp-timeout', (e) => out({ t: 'timeout', id, silentMs: e.silentMs, stats: session.stats() }));
  session.on('latched', (e) => out({ t: 'latched', id, address: e.address, port: e.port, stats: session.stats() }));
  out({ t: 'opened', id, ok: true, stats: session.stats() });
}

const onAudio = new Map<number, (pcm: Int16Array) => void>();

function handle(m: ToWorker): void {
  if (m.t === 'summary') return out({ t: 'summary', req: m.req, summary: summary() });
  if (m.t === 'reset-stats') {
    clock.resetStats();
    sendLateness.reset();
    return;
  }
  if (m.t === 'open') {
    void open(m.id, m.port, m);
    return;
  }
  const e = sessions.get(m.id);
  if (!e) return; // closed meanwhile: the main thread has settled its side already
  const s = e.session;
  switch (m.t) {
    case 'close': {
      sessions.delete(m.id);
      onAudio.delete(m.id);
      s.close();
      const stats = s.stats();
      addCounts(closed, stats);
      out({ t: 'closed', id: m.id, stats });
      return;
    }
    case 'detach': {
      sessions.delete(m.id);
      onAudio.delete(m.id);
      const from = s.continuation();
      e.afterClose = () => out({ t: 'detached', id: m.id, stats: s.stats(), from });
      s.close(); // its plays end ('played' go out before 'detached') and its port is bound again on the main thread
      addCounts(closed, s.stats());
      return;
    }
    case 'play': {
      const abort = new AbortController();
      e.plays.set(m.play, abort);
      const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      void s.play(bytes, { signal: abort.signal }).then((r) => {
        e.plays.delete(m.play);
        out({ t: 'played', id: m.id, play: m.play, completed: r.completed, playedMs: r.playedMs });
      });
      return;
    }
    case 'stop-play':
      if (m.play === undefined) s.stopPlayback();
      else e.plays.get(m.play)?.abort();
      return;
    case 'dtmf':
      s.sendDtmf(m.digits, m.opts).then(
        () => out({ t: 'dtmf-sent', id: m.id, req: m.req, error: null }),
        (err: unknown) => out({ t: 'dtmf-sent', id: m.id, req: m.req, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    case 'remote':
      s.setRemote(m.address, m.port);
      return;
    case 'pt':
      s.setPayloadType(m.pt);
      return;
    case 'event-pt':
      s.setTelephoneEventPt(m.pt);
      return;
    case 'hold':
      s.hold(m.on);
      return;
    case 'audio': {
      const had = onAudio.get(m.id);
      if (m.on && !had) {
        const fn = (pcm: Int16Array): void => out({ t: 'audio', id: m.id, pcm });
        onAudio.set(m.id, fn);
        s.on('audio', fn);
      } else if (!m.on && had) {
        onAudio.delete(m.id);
        s.off('audio', had);
      }
      return;
    }
  }
}

function summary(): WorkerSummary {
  const t = { ...closed };
  for (const { session } of sessions.values()) addCounts(t, session.stats());
  return {
    sessions: sessions.size,
    droppedForeign: t.droppedForeign,
    clock: clock.stats(),
    p99SendLatenessMs: boot.probeSends ? sendLateness.quantile(0.99) : null,
    lostReceived: t.lost,
    packetsSent: t.packetsSent,
    packetsReceived: t.packetsReceived,
  };
}

/** bench/media.ts: the lateness of each packet this socket sends, against the clock's deadline. */
function probe(socket: dgram.Socket): void {
  beforeEachSend(socket, () => sendLateness.add(performance.now() - clock.deadlineMs));
}

port.on('message', (m: ToWorker) => {
  try {
    handle(m);
  } catch (err) {
    log.error({ op: m.t, err: err instanceof Error ? err.message : String(err) }, 'media worker message failed');
  }
});
// the main thread's counters (/api/health) follow within a second
setInterval(() => out({ t: 'summary', req: null, summary: summary() }), 1000);
out({ t: 'ready', priority, batchIo: batch !== null, batchIoError: batchError });
