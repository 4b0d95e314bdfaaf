// Batched UDP I/O for a media worker (issue 19): the sends of a clock phase leave in one call into
// native code, and the datagrams waiting on the worker's RTP sockets come back in a few calls after
// each run of the clock (poll: bounded by the next phase's deadline). The native side (media/native/udp-batch.c, built at install when a C compiler is there)
// only reads and writes the sockets' descriptors: dgram still binds, connects and closes them, and
// libuv stops reading a socket once it is registered here (its handle's recvStop).
//
// What it saves, per datagram, is Node's side of it: a call from libuv into JavaScript, a 64 KiB
// receive buffer and a Buffer over it, an address object whose string inet_ntop prints, a request
// object per send. What stays is the kernel's work and the session's own (media/rtp/README.md, "Batched
// I/O", has the figures). Received datagrams wait for the next run of the clock (a phase, 2 ms, with
// more than 32 calls; a period with fewer): a session learns of them on the clock's step, not the socket's.
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { getSystemErrorName } from 'node:util';

const EMSGSIZE = constants.errno.EMSGSIZE;

/** The native module's functions (media/native/udp-batch.c). */
export interface UdpBatchNative {
  create(): number;
  add(epfd: number, fd: number, slot: number): number;
  remove(epfd: number, fd: number): number;
  recv(epfd: number, data: Uint8Array, meta: Int32Array): number;
  send(fds: Int32Array, data: Uint8Array, spans: Int32Array, n: number): number;
  close(epfd: number): number;
}

/** Loads the native module from `path` (throws when it is missing or does not load in this Node). */
export function loadUdpBatch(path: string): UdpBatchNative {
  const m = createRequire(path)(path) as Partial<UdpBatchNative>;
  for (const fn of ['create', 'add', 'remove', 'recv', 'send', 'close'] as const) {
    if (typeof m[fn] !== 'function') throw new Error(`${path} has no ${fn}()`);
  }
  return m as UdpBatchNative;
}

/** What the batch keeps per socket (rtp-socket.ts joinBatch makes one, over the socket's handle). */
export interface BatchTarget {
  /** The descriptor, read once at registration (the handle's fd is a native accessor). */
  batchFd: number;
  /** A datagram for the socket: the session's receive path (rtp-socket.ts). */
  deliver(msg: Buffer, address: string, port: number): void;
  /** A receive error (a connected socket's ICMP error), as dgram reports it. */
  fail(err: NodeJS.ErrnoException): void;
}

/** Matches the native side's room per received datagram. */
const SLOT_BYTES = 2048;
/** Datagrams per native receive call (the loop calls again while they all came back full): about 0.2 ms. */
const RECV_SLOTS = 128;
/**
 * Receive calls per poll at most (2,048 datagrams): what is left waits in the sockets for the next run.
 * A clock that fell behind sends first; one long poll after it made the next phase late again.
 */
const MAX_RECV_CALLS = 16;
/** Packets (172 bytes each, padded to 8) per send batch before it grows. */
const SEND_SLOTS = 512;
const SEND_STRIDE = 176;

/** IPv4 addresses as dotted strings, cached (a worker talks to a few gateways). */
const dotted = new Map<number, string>();
function ipString(ip: number): string {
  let s = dotted.get(ip);
  if (s === undefined) {
    s = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
    if (dotted.size >= 4096) dotted.clear();
    dotted.set(ip, s);
  }
  return s;
}

export interface BatchIoStats {
  /** Datagrams the kernel took, and those it refused (dropped, as dgram drops them without a callback). */
  sent: number;
  sendDropped: number;
  received: number;
  receiveErrors: number;
  /** Datagrams larger than a receive slot (2 KiB; RTP audio never is): dropped. */
  oversize: number;
  /** Native send calls and receive calls. */
  sendCalls: number;
  receiveCalls: number;
}

export class BatchIo {
  private readonly native: UdpBatchNative;
  private readonly epfd: number;
  private readonly targets: Array<BatchTarget | null> = [];
  private readonly free: number[] = [];
  /** Slots freed while their datagrams may still be dispatched: reused after the poll. */
  private readonly freeLater: number[] = [];
  private polling = false;
  private closed = false;
  // sending
  private sendFds = new Int32Array(SEND_SLOTS);
  private sendSpans = new Int32Array(SEND_SLOTS * 2);
  private sendData = new Uint8Array(SEND_SLOTS * SEND_STRIDE);
  private queued = 0;
  private queuedBytes = 0;
  private readonly afterSend: Array<() => void> = [];
  // receiving
  private readonly recvData = new Uint8Array(RECV_SLOTS * SLOT_BYTES);
  private readonly recvBuffer = Buffer.from(this.recvData.buffer);
  /**
   * The view handed out for the datagram at each offset (offsets are 8-byte aligned), kept while the
   * next datagram there has the same length: RTP packets of a call come in one size, so most reads
   * make no object at all. A view per datagram was three quarters of the bytes a media worker
   * allocated at 2,800 calls (V8's sampling heap profiler), and its collections held the clock up.
   */
  private readonly views: Array<Buffer | undefined> = new Array((RECV_SLOTS * SLOT_BYTES) >> 3);
  private readonly recvMeta = new Int32Array(RECV_SLOTS * 5);
  readonly stats: BatchIoStats = { sent: 0, sendDropped: 0, received: 0, receiveErrors: 0, oversize: 0, sendCalls: 0, receiveCalls: 0 };

  constructor(native: UdpBatchNative) {
    this.native = native;
    const epfd = native.create();
    if (epfd < 0) throw new Error(`batched UDP I/O: epoll_create1 failed (${getSystemErrorName(epfd)})`);
    this.epfd = epfd;
  }

  /** Sockets registered now. */
  get sockets(): number {
    return this.targets.length - this.free.length - this.freeLater.length;
  }

  /**
   * Takes over a socket's receiving (after its handle's recvStop, which the caller does next). Returns
   * the slot, or a negative errno when the descriptor cannot be watched (the socket then stays with libuv).
   */
  register(target: BatchTarget): number {
    if (this.closed) return -9; // EBADF
    const slot = this.free.pop() ?? this.targets.length;
    const rc = this.native.add(this.epfd, target.batchFd, slot);
    if (rc !== 0) {
      if (slot < this.targets.length) this.free.push(slot);
      return rc;
    }
    this.targets[slot] = target;
    return slot;
  }

  /** Before the socket closes (its descriptor number may be reused at once). */
  unregister(target: BatchTarget, slot: number): void {
    if (this.targets[slot] !== target) return;
    this.native.remove(this.epfd, target.batchFd);
    this.targets[slot] = null;
    (this.polling ? this.freeLater : this.free).push(slot);
  }

  /**
   * Queues one datagram for a connected socket; its bytes are copied, so `buf` is free again at once.
   * `after`, given, runs once the batch has gone to the kernel (a bench's lateness probe).
   */
  queue(fd: number, buf: Uint8Array, after: (() => void) | null): void {
    // packets are 172 bytes (the stride's room); a larger one grows the bytes too
    if (this.queued === this.sendFds.length || this.queuedBytes + buf.length > this.sendData.length) this.grow(this.queuedBytes + buf.length);
    const at = this.queuedBytes;
    this.sendData.set(buf, at);
    this.sendFds[this.queued] = fd;
    this.sendSpans[2 * this.queued] = at;
    this.sendSpans[2 * this.queued + 1] = buf.length;
    this.queued++;
    this.queuedBytes = at + ((buf.length + 7) & ~7);
    if (after !== null) this.afterSend.push(after);
  }

  /** Twice the room, or more when `bytes` need it. */
  private grow(bytes: number): void {
    const n = Math.max(this.sendFds.length * 2, Math.ceil(bytes / SEND_STRIDE) + 1);
    const fds = new Int32Array(n);
    fds.set(this.sendFds);
    const spans = new Int32Array(n * 2);
    spans.set(this.sendSpans);
    const data = new Uint8Array(n * SEND_STRIDE);
    data.set(this.sendData);
    this.sendFds = fds;
    this.sendSpans = spans;
    this.sendData = data;
  }

  /** Sends what is queued, in one call. */
  flush(): void {
    const n = this.queued;
    if (n === 0) return;
    const sent = this.native.send(this.sendFds, this.sendData, this.sendSpans, n);
    this.queued = 0;
    this.queuedBytes = 0;
    this.stats.sendCalls++;
    this.stats.sent += sent;
    this.stats.sendDropped += n - sent;
    if (this.afterSend.length > 0) {
      for (const fn of this.afterSend) fn();
      this.afterSend.length = 0;
    }
  }

  /**
   * Hands the datagrams waiting on the registered sockets to their targets; returns how many. With
   * `until` (a performance.now() time: the clock's next deadline, less a margin), it stops reading once
   * that time has come and it has read `atLeast` (one read at least): the rest waits in the sockets, and
   * the next phase's sends leave on time. `atLeast` is what comes in while the clock runs two phases:
   * below it, a worker near a full core would read less than arrives, until its sockets overflowed.
   */
  poll(until = Number.POSITIVE_INFINITY, atLeast = 0): number {
    if (this.closed) return 0;
    const meta = this.recvMeta;
    const buf = this.recvBuffer;
    let total = 0;
    this.polling = true;
    try {
      for (let calls = 0; calls < MAX_RECV_CALLS; calls++) {
        const n = this.native.recv(this.epfd, this.recvData, meta);
        this.stats.receiveCalls++;
        for (let i = 0; i < n; i++) {
          const k = 5 * i;
          const target = this.targets[meta[k]];
          if (target === null || target === undefined) continue; // unregistered since the datagram was read
          const length = meta[k + 2];
          if (length === -EMSGSIZE) {
            this.stats.oversize++;
            continue;
          }
          if (length < 0) {
            this.stats.receiveErrors++;
            const code = getSystemErrorName(length);
            const err = new Error(`recvmsg ${code}`) as NodeJS.ErrnoException;
            err.errno = length;
            err.code = code;
            err.syscall = 'recvmsg';
            target.fail(err);
            continue;
          }
          const at = meta[k + 1];
          let view = this.views[at >> 3];
          if (view === undefined || view.length !== length) {
            view = buf.subarray(at, at + length);
            this.views[at >> 3] = view;
          }
          target.deliver(view, ipString(meta[k + 3] >>> 0), meta[k + 4]);
        }
        total += n;
        if (n < RECV_SLOTS || (total >= atLeast && performance.now() >= until)) break;
      }
    } finally {
      this.polling = false;
      if (this.freeLater.length > 0) {
        for (const s of this.freeLater) this.free.push(s);
        this.freeLater.length = 0;
      }
    }
    this.stats.received += total;
    return total;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close(this.epfd);
  }
}
