// The UDP socket of one RTP session. A media worker sends and receives 50 datagrams a second per call,
// and at a thousand calls what matters is how many objects each datagram brings into the CPU's cache.
// So for the two hot paths this socket goes one level down, to the handle dgram itself uses (figures:
// media/rtp/README.md, "The per-packet path"):
//
// - Receiving: dgram hands each datagram to its listeners through EventEmitter's emit (an array for the
//   arguments, a lookup of the event's listeners, a call by apply), after a stop in its own onMessage.
//   Here the handle calls the session's onDatagram directly, through one function for every socket
//   that finds the session on the handle (no closure per socket or per session to bring into the
//   cache per datagram); 'message' listeners that someone else adds (a test's tap, a packet capture)
//   still get every datagram, after it.
// - Sending on a connected socket (sendDirect, sendConnected): dgram's send parses its arguments,
//   allocates an array, a closure and a request object per datagram and runs it under an async-id
//   scope, only to call the handle's send, which sends at once when the kernel takes the datagram (it
//   nearly always does). Here the handle's send is called with one request object per thread, reused
//   until a send has to wait in the kernel's queue (the native side then owns it, and the next send
//   takes a new one); and the caller learns whether its buffer is free again at once.
//
// Both need Node internals (the handle behind dgram's state symbol, and the request class): they are
// looked up once and checked, and where they are not what this expects (another Node), every path
// falls back to dgram's public API (fastPaths() says which is in use; the test pins it for this Node).
//
// A media worker goes one level further when the native module is built (batch-io.ts): given a BatchIo,
// an IPv4 socket's receiving moves from libuv to the batch once it is bound (the handle's recvStop),
// and connected sends are queued there and leave with the rest of the clock phase's packets.
import dgram from 'node:dgram';
import type { BatchIo, BatchTarget } from './batch-io.ts';

/** What gets each datagram first (a session): called as a method, like the clock's TickReceiver. */
export interface DatagramReceiver {
  /** `msg` and `rinfo` are valid during the call only (a batch reuses both): copy what is kept. */
  onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void;
}

export interface RtpSocket extends dgram.Socket {
  /** Sets (or, with null, clears) the one receiver that gets each datagram before any 'message' listener. */
  receive(receiver: DatagramReceiver | null): void;
  /**
   * Sends one datagram on a connected socket (as `send(buf)`, errors ignored as dgram does without a
   * callback). True when the kernel took the bytes (or refused them) before returning, so `buf` may be
   * written again at once; false when it may still be read (queued, or sent through dgram's public API).
   */
  sendConnected(buf: Buffer): boolean;
  /** For sendDirect(): dgram's state and handle, or null where this Node does not let us at them. */
  readonly direct: { readonly state: DgramState; readonly handle: UdpHandle } | null;
}

export function isRtpSocket(socket: dgram.Socket): socket is RtpSocket {
  return typeof (socket as Partial<RtpSocket>).receive === 'function';
}

// ---- Node internals (dgram.js, src/udp_wrap.cc of Node 20) ----

const RECEIVER = Symbol('rtp receiver');
const LISTENERS = Symbol('rtp message listeners');
const SOCKET = Symbol('rtp socket');
const BEFORE_SEND = Symbol('rtp before send');
const BATCH = Symbol('rtp batch');
const BATCH_FD = Symbol('rtp batch fd');

/** The handle dgram keeps in its state: the methods of UDPWrap we call, and what we keep on it. */
export interface UdpHandle {
  onmessage: OnMessage;
  /** Connected form: the request, the buffers, their count, whether a callback wants the result. */
  send(req: object, list: Buffer[], count: number, hasCallback: boolean): number;
  /** Unconnected form: also the port and the address (an IP literal). */
  send(req: object, list: Buffer[], count: number, port: number, address: string, hasCallback: boolean): number;
  [RECEIVER]: DatagramReceiver | null;
  /** 'message' listeners besides the receiver. */
  [LISTENERS]: number;
  [SOCKET]: RtpSocket;
  /** Benches (beforeEachSend): called as each datagram goes out through sendDirect. */
  [BEFORE_SEND]: (() => void) | null;
  /** The batch this socket's connected sends and its receiving go through (batch-io.ts), or null. */
  [BATCH]: BatchIo | null;
  /** Its descriptor, while in a batch (read once: the handle's fd is a native accessor). */
  [BATCH_FD]: number;
  recvStop(): number;
  readonly fd: number;
}
type OnMessage = (nread: number, handle: UdpHandle, buf: Buffer, rinfo: dgram.RemoteInfo) => void;
export interface DgramState {
  handle: UdpHandle | null;
  connectState: number;
}
const CONNECTED = 2; // dgram.js CONNECT_STATE_CONNECTED

interface Internals {
  state: symbol;
  SendWrap: new () => { list?: Buffer[] };
}
let internals: Internals | null | undefined;

function lookupInternals(socket: dgram.Socket): Internals | null {
  if (internals !== undefined) return internals;
  internals = null;
  try {
    const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('udp_wrap');
    const SendWrap = binding.SendWrap as Internals['SendWrap'] | undefined;
    const st = state === undefined ? undefined : ((socket as unknown as Record<symbol, unknown>)[state] as Partial<DgramState> | undefined);
    if (state !== undefined && typeof SendWrap === 'function' && st !== undefined && typeof st.connectState === 'number' && typeof st.handle?.send === 'function') {
      internals = { state, SendWrap };
    }
  } catch {
    // process.binding gone or udp_wrap not allowed: the public API only
  }
  return internals;
}

/** Whether this Node lets RTP sockets use the direct paths (false: dgram's public API throughout). */
export function fastPaths(): boolean {
  if (internals === undefined) lookupInternals(dgram.createSocket('udp4'));
  return internals !== null;
}

// ---- the socket ----

/** dgram's own onmessage (one function for every socket), for errors and sockets with no receiver. */
let dgramOnMessage: OnMessage | null = null;

/** The handle's onmessage, the same for every RTP socket: the receiver first, then any listener. */
function onHandleMessage(nread: number, handle: UdpHandle, buf: Buffer, rinfo: dgram.RemoteInfo): void {
  const receiver = handle[RECEIVER];
  if (nread < 0 || receiver === null) return (dgramOnMessage as OnMessage)(nread, handle, buf, rinfo);
  receiver.onDatagram(buf, rinfo);
  if (handle[LISTENERS] === 0) return;
  (rinfo as dgram.RemoteInfo & { size: number }).size = buf.length; // as dgram sets it
  handle[SOCKET].emit('message', buf, rinfo);
}

/** The one request object and buffer list of this thread's direct sends (see sendDirect). */
let sendReq: { list?: Buffer[] } | null = null;
let sendList: Buffer[] = [];

/**
 * Sends one datagram on a connected RTP socket, given the socket's `direct` (a session keeps its state
 * and handle in its own fields, so a send reads no object of the socket's but those two). True when the
 * kernel took the bytes (or refused them) before returning: `buf` may be written again at once.
 */
export function sendDirect(state: DgramState, handle: UdpHandle, buf: Buffer): boolean {
  if (state.handle !== handle || state.connectState !== CONNECTED) {
    handle[SOCKET].send(buf); // closed (dgram throws, as it would) or not connected yet: dgram's way
    return false;
  }
  const batch = handle[BATCH];
  if (batch !== null) {
    batch.queue(handle[BATCH_FD], buf, handle[BEFORE_SEND]);
    return true; // copied
  }
  const before = handle[BEFORE_SEND];
  if (before !== null) before();
  sendList[0] = buf;
  // > 0: sent (bytes + 1); < 0: an error, which dgram drops when there is no callback; 0: queued, and
  // the native request now holds the request (and its list the buffer): the next send takes new ones
  return handle.send(sendReq as object, sendList, 1, false) !== 0 || queued();
}

/** A send was queued: the native side now holds the request (and its list the buffer), the next send takes new ones. */
function queued(): false {
  sendReq = new (internals as Internals).SendWrap();
  sendList = [];
  sendReq.list = sendList;
  return false;
}

/**
 * The unconnected form of sendDirect, to `port` at `address` (an IP literal): one socket answering many
 * peers (bench/media-lib/receiver.ts, the far ends of a media bench, which must not be what limits it).
 */
export function sendDirectTo(state: DgramState, handle: UdpHandle, buf: Buffer, port: number, address: string): boolean {
  if (state.handle !== handle || state.connectState === CONNECTED) {
    handle[SOCKET].send(buf, port, address); // closed or connected: dgram's way (and its errors)
    return false;
  }
  const before = handle[BEFORE_SEND];
  if (before !== null) before();
  sendList[0] = buf;
  return handle.send(sendReq as object, sendList, 1, port, address, false) !== 0 || queued();
}

/**
 * `direct: false` keeps to dgram's public API (tests compare the two); `batch` (a media worker's, with
 * the native module built) takes over an IPv4 socket's receiving and connected sends once it is bound.
 */
export function createRtpSocket(opts: dgram.SocketOptions, { direct = true, batch = null }: { direct?: boolean; batch?: BatchIo | null } = {}): RtpSocket {
  const socket = dgram.createSocket(opts) as RtpSocket;
  const inner = direct ? lookupInternals(socket) : null;
  const state = inner === null ? null : ((socket as unknown as Record<symbol, DgramState>)[inner.state] ?? null);
  const handle = state?.handle ?? null;
  if (state === null || handle === null) return publicApiSocket(socket);

  handle[RECEIVER] = null;
  handle[LISTENERS] = 0;
  handle[SOCKET] = socket;
  handle[BEFORE_SEND] = null;
  handle[BATCH] = null;
  handle[BATCH_FD] = -1;
  // 'newListener' comes before a listener is added, 'removeListener' after it is removed
  socket.on('newListener', (event: string | symbol) => {
    if (event === 'message') handle[LISTENERS]++;
  });
  socket.on('removeListener', (event: string | symbol) => {
    if (event === 'message') handle[LISTENERS]--;
  });
  socket.receive = (receiver) => {
    handle[RECEIVER] = receiver;
  };
  // dgram sets the handle's onmessage when it starts receiving, just before 'listening'
  socket.prependListener('listening', () => {
    if (batch !== null && opts.type === 'udp4') joinBatch(socket, handle, batch);
    if (handle.onmessage === onHandleMessage) return;
    dgramOnMessage ??= handle.onmessage;
    handle.onmessage = onHandleMessage;
  });

  if (sendReq === null) {
    sendReq = new (inner as Internals).SendWrap();
    sendReq.list = sendList;
  }
  (socket as { direct: RtpSocket['direct'] }).direct = { state, handle };
  socket.sendConnected = (buf) => sendDirect(state, handle, buf);
  return socket;
}

/**
 * Moves a bound socket's receiving to `batch`: libuv stops reading it, and the batch hands its datagrams
 * to the same receiver (then to any 'message' listener, with a copy: the batch's buffer is reused). It
 * leaves the batch just before it closes (its descriptor number may be reused at once).
 */
function joinBatch(socket: RtpSocket, handle: UdpHandle, batch: BatchIo): void {
  const fd = handle.fd;
  if (typeof fd !== 'number' || fd < 0 || typeof handle.recvStop !== 'function') return; // another Node: libuv keeps it
  // one per socket, filled in for each datagram: a receiver reads it during the call only (with an
  // object per datagram, a media worker at 2,800 calls collected its young generation 14.8 times a
  // second; 10.3 with this one)
  const rinfo: dgram.RemoteInfo = { address: '', family: 'IPv4', port: 0, size: 0 };
  const target: BatchTarget = {
    batchFd: fd,
    deliver(msg, address, port) {
      rinfo.address = address;
      rinfo.port = port;
      rinfo.size = msg.length;
      const receiver = handle[RECEIVER];
      if (receiver !== null) receiver.onDatagram(msg, rinfo);
      if (handle[LISTENERS] > 0) socket.emit('message', Buffer.from(msg), { ...rinfo });
    },
    fail(err) {
      if (socket.listenerCount('error') > 0) socket.emit('error', err); // else dropped, as a closing socket's
    },
  };
  const slot = batch.register(target);
  if (slot < 0) return; // the socket stays with libuv
  handle.recvStop();
  handle[BATCH] = batch;
  handle[BATCH_FD] = fd;
  const close = socket.close;
  socket.close = function (this: RtpSocket, ...args: Parameters<dgram.Socket['close']>) {
    if (handle[BATCH] !== null) {
      handle[BATCH] = null;
      batch.unregister(target, slot);
    }
    return close.apply(this, args);
  } as RtpSocket['close'];
}

/** Whether a socket's receiving and connected sends go through a batch (batch-io.ts). */
export function inBatch(socket: dgram.Socket): boolean {
  return isRtpSocket(socket) && socket.direct !== null && socket.direct.handle[BATCH] !== null;
}

/** The same socket through dgram's public API: the receiver in front of emit. */
function publicApiSocket(socket: RtpSocket): RtpSocket {
  let receiver: DatagramReceiver | null = null;
  let listeners = 0; // 'message' listeners besides the receiver
  socket.on('newListener', (event: string | symbol) => {
    if (event === 'message') listeners++;
  });
  socket.on('removeListener', (event: string | symbol) => {
    if (event === 'message') listeners--;
  });
  socket.receive = (r) => {
    receiver = r;
  };
  const emit = socket.emit as (this: RtpSocket, event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = function (this: RtpSocket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && receiver !== null) {
      receiver.onDatagram(args[0] as Buffer, args[1] as dgram.RemoteInfo);
      if (listeners === 0) return true;
    }
    return emit.call(this, event, ...args);
  } as RtpSocket['emit'];
  socket.sendConnected = (buf) => {
    socket.send(buf);
    return false;
  };
  (socket as { direct: RtpSocket['direct'] }).direct = null;
  return socket;
}

/** Benches: calls `before` as each datagram is handed to the socket, by either send path. */
export function beforeEachSend(socket: dgram.Socket, before: () => void): void {
  const send = socket.send.bind(socket) as (...a: unknown[]) => void;
  (socket as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
    before();
    send(...a);
  };
  // dgram's public API sends everything through send(); sendDirect calls the handle's hook
  if (isRtpSocket(socket) && socket.direct !== null) socket.direct.handle[BEFORE_SEND] = before;
}
