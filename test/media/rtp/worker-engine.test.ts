// The media engine on worker threads (issue 19): live calls' packets leave on their workers' clocks
// whatever the main thread does, calls spread over the workers, prompts play bit-exact from shared
// memory, and a worker that dies ends its calls instead of leaving them silent.
import test from 'ava';
import { Worker } from 'node:worker_threads';
import { rtpRange } from '../../peers/ports.ts';
import { MediaEngine } from '../../../media/rtp/media-engine.ts';
import { WorkerMediaEngine } from '../../../media/rtp/worker-engine.ts';
import type { MediaSession } from '../../../media/rtp/session-types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The main thread busy for `ms` (what a large campaign start or report did before issue 19). */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/** The main event loop blocked for `ms` without taking a core (a synchronous wait). */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const fmt = (c: { p50LatenessMs: number; p99LatenessMs: number; maxLatenessMs: number }): string =>
  [c.p50LatenessMs, c.p99LatenessMs, c.maxLatenessMs].map((v) => v.toFixed(2)).join('/');

/** A prompt of recognisable bytes that never contain silence. */
function prompt(frames: number): Buffer {
  const b = Buffer.alloc(frames * 160);
  for (let i = 0; i < b.length; i++) b[i] = 0x10 + ((i * 7 + (i >> 5)) % 0x60);
  return b;
}

interface FarStats {
  received: number;
  lost: number;
  /** Payload bytes received from the recorded source port, in order. */
  recorded: number[];
}

/**
 * The far ends, in a thread of their own (so the main thread's stall cannot hold them up): sockets
 * that send every RTP packet back where it came from and count gaps in each source's sequence.
 */
class FarEnd {
  private readonly worker: Worker;
  readonly ready: Promise<number[]>;
  constructor(sockets: number) {
    this.worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
      const dgram = require('node:dgram');
      const next = new Map(); let received = 0, lost = 0, record = -1; const recorded = [];
      const socks = [];
      (async () => {
        for (let i = 0; i < workerData; i++) {
          const s = dgram.createSocket('udp4');
          await new Promise((r) => s.bind(0, '127.0.0.1', r));
          s.on('message', (m, r) => {
            const seq = (m[2] << 8) | m[3];
            const want = next.get(r.port);
            if (want !== undefined) { const gap = (seq - want) & 0xffff; if (gap !== 0 && gap < 0x8000) lost += gap; }
            next.set(r.port, (seq + 1) & 0xffff);
            received++;
            if (r.port === record && (m[1] & 0x7f) === 0) for (let k = 12; k < m.length; k++) recorded.push(m[k]);
            s.send(m, r.port, r.address);
          });
          socks.push(s);
        }
        parentPort.postMessage({ ports: socks.map((s) => s.address().port) });
      })();
      parentPort.on('message', (m) => {
        if (m.record !== undefined) record = m.record;
        if (m.stats) parentPort.postMessage({ received, lost, recorded: recorded.splice(0) });
      });`,
      { eval: true, workerData: sockets },
    );
    this.ready = new Promise((resolve) => this.worker.once('message', (m: { ports: number[] }) => resolve(m.ports)));
  }
  record(port: number): void {
    this.worker.postMessage({ record: port });
  }
  stats(): Promise<FarStats> {
    return new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage({ stats: true });
    });
  }
  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Sessions that play a prompt over and over to the far ends. */
async function liveCalls(engine: { createSession: WorkerMediaEngine['createSession'] | MediaEngine['createSession'] }, far: number[], n: number): Promise<MediaSession[]> {
  const bytes = prompt(100);
  const out: MediaSession[] = [];
  for (let i = 0; i < n; i++) {
    const s: MediaSession = await engine.createSession({ payloadType: 0, remoteAddress: '127.0.0.1', remotePort: far[i % far.length] });
    const loop = (): void => void s.play(bytes).then((r) => { if (r.completed) loop(); });
    loop();
    out.push(s);
  }
  return out;
}

test('a 300 ms stall of the main thread (blocked, or busy on a core) leaves live calls\' media clocks on time, with no tick skipped and no packet lost', async (t) => {
  // 60 calls: enough to keep both workers busy every tick, few enough that the test's own load (the
  // far ends share the two cores) stays small on a shared machine; bench scale runs 200
  const CALLS = 60;
  const range = rtpRange(2 * CALLS + 2);
  const engine = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.min + 2 * CALLS + 2, workers: 2 });
  engine.start();
  // one far-end socket per call: each socket's receive buffer then holds seconds of its call
  const farEnd = new FarEnd(CALLS);
  t.teardown(async () => { await engine.stop(); await farEnd.close(); });
  const calls = await liveCalls(engine, await farEnd.ready, CALLS);
  await sleep(1500); // every session latched and sending

  engine.resetClockStats();
  const before0 = await farEnd.stats();
  await sleep(1000);
  const calm = await engine.clockStats();

  // the event loop blocked (no core taken): the clocks' lateness is what it was
  engine.resetClockStats();
  await sleep(50);
  const lost0 = (await engine.summaries()).reduce((n, s) => n + s.lostReceived, 0);
  const far0 = await farEnd.stats();
  for (let i = 0; i < 3; i++) {
    block(300);
    await sleep(100);
  }
  const blocked = await engine.clockStats();
  // the main thread busy on a core (as a campaign start is): on two cores it competes with the
  // workers for CPU, so only the stall itself must not reach them
  engine.resetClockStats();
  await sleep(50);
  for (let i = 0; i < 3; i++) {
    stall(300);
    await sleep(100);
  }
  const busy = await engine.clockStats();
  await sleep(200); // the far end's last echoes
  const far1 = await farEnd.stats();
  const lost1 = (await engine.summaries()).reduce((n, s) => n + s.lostReceived, 0);

  for (const [i, b] of blocked.entries()) {
    const base = calm[i]!;
    const s = busy[i]!;
    t.log(`worker ${i}: lateness p50/p99/max ${fmt(base)} ms calm, ${fmt(b)} ms beside the blocked loop, ${fmt(s)} ms beside the busy one`);
    // 3 x 300 ms of stall: about 60 periods; a clock on the main thread would have been 250-300 ms
    // late each time, or skipped ticks (the next test). Beside the blocked loop no tick is skipped and
    // no tick comes anywhere near the stall's lateness. How close to on time they come is the
    // machine's scheduling of the moment (another test's load on CI), so the bounds here only tell
    // a clock that ran from one that waited for the stall; bench scale measures the lateness itself.
    t.is(b.skippedTicks, 0, `worker ${i} skipped ticks beside the blocked loop`);
    t.true(b.ticks >= 40, `worker ${i} ran ${b.ticks} periods beside the blocked loop`);
    t.true(b.maxLatenessMs < 250, `worker ${i}: max lateness ${b.maxLatenessMs} ms beside the blocked loop`);
    t.true(b.p50LatenessMs < 20, `worker ${i}: p50 ${b.p50LatenessMs} ms beside the blocked loop, ${base.p50LatenessMs} ms calm`);
    // A busy loop takes one of two cores from the workers and the far ends (so how late a tick is
    // then is the machine's sharing): its stall must not stop the clocks, and no packet is lost.
    t.true(s.ticks >= 40, `worker ${i} ran ${s.ticks} periods beside the busy loop`);
  }
  t.true(far1.received - far0.received >= CALLS * 50 * 1.5, `the far ends heard ${far1.received - far0.received} packets`);
  t.is(far1.lost - far0.lost, 0, 'packets lost on the way out');
  t.is(far0.lost - before0.lost, 0);
  t.is(lost1 - lost0, 0, 'packets lost on the way back');
  t.is(calls.length, CALLS);
});

test('the same stall on a media engine on the main thread is heard on every call (what the workers prevent)', async (t) => {
  const range = rtpRange(42);
  const engine = new MediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.min + 42 });
  engine.start();
  const farEnd = new FarEnd(2);
  t.teardown(async () => { await engine.stop(); await farEnd.close(); });
  await liveCalls(engine, await farEnd.ready, 20);
  await sleep(500);
  engine.clock.resetStats();
  stall(300);
  await sleep(100);
  const s = engine.clock.stats();
  t.true(s.maxLatenessMs >= 250 || s.skippedTicks > 0, `max lateness ${s.maxLatenessMs} ms, ${s.skippedTicks} ticks skipped`);
});

test('sessions spread over the workers, a prompt from the shared cache plays bit-exact, and closing gives every port back', async (t) => {
  const range = rtpRange(42);
  const engine = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.min + 42, workers: 2 });
  engine.start();
  const farEnd = new FarEnd(1);
  t.teardown(async () => { await engine.stop(); await farEnd.close(); });
  const [farPort] = await farEnd.ready;
  const sessions: MediaSession[] = [];
  for (let i = 0; i < 6; i++) sessions.push(await engine.createSession({ payloadType: 0, remoteAddress: '127.0.0.1', remotePort: farPort! }));
  t.deepEqual((await engine.summaries()).map((s) => s.sessions), [3, 3]);
  t.is(engine.stats().sessions, 6);
  t.is(engine.ports.allocated, 6);

  const bytes = prompt(25);
  const shared = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(shared);
  farEnd.record(sessions[0]!.localPort);
  await farEnd.stats(); // the far end took the order (its messages are handled in turn)
  const played = await sessions[0]!.play(shared);
  t.deepEqual(played, { completed: true, playedMs: 500 });
  await sleep(200);
  const heard = Buffer.from((await farEnd.stats()).recorded);
  t.true(heard.indexOf(bytes) >= 0, `the far end heard ${heard.length} bytes, the prompt whole among them`);

  // a play stopped by its signal resolves at once with what was played
  const abort = new AbortController();
  const long = sessions[1]!.play(prompt(500), { signal: abort.signal });
  await sleep(200);
  abort.abort();
  const r = await long;
  t.false(r.completed);
  t.true(r.playedMs > 0 && r.playedMs < 1000, `played ${r.playedMs} ms`);

  // a session closed mid-play: the play ends, the port is free again
  const cut = sessions[2]!.play(prompt(500));
  await sleep(100);
  sessions[2]!.close();
  t.false((await cut).completed);
  for (const s of sessions) s.close();
  t.is(engine.stats().sessions, 0);
  t.is(engine.ports.allocated, 0);
});

test('DTMF a session sends is heard by another session, through the workers, as events on the main thread', async (t) => {
  const range = rtpRange(12);
  const engine = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.min + 12, workers: 2 });
  engine.start();
  t.teardown(() => engine.stop());
  const a = await engine.createSession({ payloadType: 8 });
  const b = await engine.createSession({ payloadType: 8, inbandDtmf: true });
  a.setRemote('127.0.0.1', b.localPort);
  b.setRemote('127.0.0.1', a.localPort);
  const got: string[] = [];
  b.on('dtmf', (d) => got.push(`${d.digit}/${d.source}`));
  const frames: Int16Array[] = [];
  b.on('audio', (f) => frames.push(f));
  await a.sendDtmf('15#');
  await a.sendDtmf('9', { mode: 'inband' });
  await sleep(300);
  t.deepEqual(got, ['1/rfc4733', '5/rfc4733', '#/rfc4733', '9/inband']);
  t.true(frames.length > 10 && frames.every((f) => f.length === 160), `${frames.length} frames of decoded audio`);
  await t.throwsAsync(a.sendDtmf('x'), { message: /not a DTMF digit/ });

  // the workers' summaries count the packets their sessions sent and received, closed sessions included
  const packets = async () => {
    const all = await engine.summaries();
    return { sent: all.reduce((n, s) => n + s.packetsSent, 0), received: all.reduce((n, s) => n + s.packetsReceived, 0) };
  };
  const live = await packets();
  t.true(live.sent >= 40, `${live.sent} packets sent`);
  // each worker answers at its own moment: a packet sent after one summary may be received before the other
  t.true(live.received > live.sent - 10 && live.received <= live.sent + 2, `${live.received} of ${live.sent} received`);
  a.close();
  b.close();
  await sleep(50);
  const after = await packets();
  t.true(after.sent >= live.sent && after.received >= live.received, `after closing: ${after.sent} sent, ${after.received} received`);
});

test('a media worker that dies ends its calls (rtp-timeout) and a new worker takes the next ones', async (t) => {
  const range = rtpRange(12);
  const engine = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: range.min, rtpPortMax: range.min + 12, workers: 1 });
  engine.start();
  t.teardown(() => engine.stop());
  const s = await engine.createSession({ payloadType: 0, remoteAddress: '127.0.0.1', remotePort: 9 });
  const ended = new Promise<void>((resolve) => s.once('rtp-timeout', () => resolve()));
  const play = s.play(prompt(500));
  const slots = (engine as unknown as { slots: Array<{ worker: Worker }> }).slots;
  await slots[0]!.worker.terminate();
  await ended;
  t.false((await play).completed);
  t.true(s.isClosed);
  const next = await engine.createSession({ payloadType: 0 });
  t.true(next.localPort >= range.min);
  t.is(engine.stats().sessions, 1);
});
