// The UDP socket of one RTP session. A media worker sends and receives 50 datagrams a second per call,
// and what Node's dgram does around each one in JavaScript was a fifth of the worker's CPU beyond the
// kernel's. So for the two hot paths this socket goes one level down, to the handle dgram itself uses:
//
// - Receiving: dgram hands each datagram to its listeners through EventEmitter's emit (an array for the
//   arguments, a lookup of the event's listeners, a call by apply), after a stop in its own onMessage.
//   Here the handle calls the session's receive handler directly; 'message' listeners that someone else
//   adds (a test's tap, a packet capture) still get every datagram, after it.
// - Sending on a connected socket (sendConnected): dgram's send parses its arguments, allocates an
//   array, a closure and a request object per datagram and runs it under an async-id scope, only to
//   call the handle's send, which sends at once when the kernel takes the datagram (it nearly always
//   does). Here the handle's send is called with one request object that is reused until a send has to
//   wait in the kernel's queue (the native side then owns it, and the next send takes a new one).
//
// Both need Node internals (the handle behind dgram's state symbol, and the request class): they are
// looked up once and checked, and where they are not what this expects (another Node), every path
// falls back to dgram's public API (fastPaths() says which is in use; the test pins it for this Node).
import dgram from 'node:dgram';

export type DatagramHandler = (msg: Buffer, rinfo: dgram.RemoteInfo) => void;

export interface RtpSocket extends dgram.Socket {
  /** Sets (or, with null, clears) the one handler that gets each datagram before any 'message' listener. */
  receive(handler: DatagramHandler | null): void;
  /**
   * Sends one datagram on a connected socket (as `send(buf)`, errors ignored as dgram does without a
   * callback). True when the kernel took the bytes (or refused them) before returning, so `buf` may be
   * written again at once; false when it may still be read (queued, or sent through dgram's public API).
   */
  sendConnected(buf: Buffer): boolean;
}

export function isRtpSocket(socket: dgram.Socket): socket is RtpSocket {
  return typeof (socket as Partial<RtpSocket>).receive === 'function';
}

// ---- Node internals (dgram.js, src/udp_wrap.cc of Node 20) ----

/** The handle dgram keeps in its state: the methods of UDPWrap we call. */
interface UdpHandle {
  onmessage: (nread: number, handle: unknown, buf: Buffer, rinfo: dgram.RemoteInfo) => void;
  /** Connected form: the request, the buffers, their count, whether a callback wants the result. */
  send(req: object, list: Buffer[], count: number, hasCallback: boolean): number;
}
interface DgramState {
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

/** `direct: false` keeps to dgram's public API (tests compare the two). */
export function createRtpSocket(opts: dgram.SocketOptions, { direct = true }: { direct?: boolean } = {}): RtpSocket {
  const socket = dgram.createSocket(opts) as RtpSocket;
  const inner = direct ? lookupInternals(socket) : null;
  const state = inner === null ? null : ((socket as unknown as Record<symbol, DgramState>)[inner.state] ?? null);
  let receiver: DatagramHandler | null = null;
  let listeners = 0; // 'message' listeners besides the receiver
  // 'newListener' comes before a listener is added, 'removeListener' after it is removed
  socket.on('newListener', (event: string | symbol) => {
    if (event === 'message') listeners++;
  });
  socket.on('removeListener', (event: string | symbol) => {
    if (event === 'message') listeners--;
  });
  socket.receive = (handler) => {
    receiver = handler;
  };

  const emit = socket.emit as (this: RtpSocket, event: string | symbol, ...args: unknown[]) => boolean;
  if (state === null) {
    // public API: in front of emit
    socket.emit = function (this: RtpSocket, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message' && receiver !== null) {
        receiver(args[0] as Buffer, args[1] as dgram.RemoteInfo);
        if (listeners === 0) return true;
      }
      return emit.call(this, event, ...args);
    } as RtpSocket['emit'];
    socket.sendConnected = (buf) => {
      socket.send(buf);
      return false;
    };
    return socket;
  }

  // dgram sets the handle's onmessage when it starts receiving, just before 'listening'
  socket.prependListener('listening', () => {
    const handle = state.handle;
    if (handle === null) return;
    const onMessage = handle.onmessage;
    handle.onmessage = (nread, h, buf, rinfo) => {
      if (nread < 0 || receiver === null) return onMessage(nread, h, buf, rinfo); // errors, and no receiver: dgram's way
      receiver(buf, rinfo);
      if (listeners === 0) return;
      (rinfo as dgram.RemoteInfo & { size: number }).size = buf.length; // as dgram sets it
      emit.call(socket, 'message', buf, rinfo);
    };
  });

  const SendWrap = (inner as Internals).SendWrap;
  let req = new SendWrap();
  let list: Buffer[] = [];
  req.list = list;
  socket.sendConnected = (buf) => {
    const handle = state.handle;
    if (handle === null || state.connectState !== CONNECTED) {
      socket.send(buf); // closed (dgram throws, as it would) or not connected yet: dgram's way
      return false;
    }
    list[0] = buf;
    // > 0: sent (bytes + 1); < 0: an error, which dgram drops when there is no callback; 0: queued, and
    // the native request now holds req (and req.list the buffer): the next send takes new ones
    if (handle.send(req, list, 1, false) !== 0) return true;
    req = new SendWrap();
    list = [];
    req.list = list;
    return false;
  };
  return socket;
}

/** Benches: calls `before` as each datagram is handed to the socket, by either send path. */
export function beforeEachSend(socket: dgram.Socket, before: () => void): void {
  const send = socket.send.bind(socket) as (...a: unknown[]) => void;
  (socket as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
    before();
    send(...a);
  };
  if (!isRtpSocket(socket)) return;
  const sendConnected = socket.sendConnected;
  socket.sendConnected = (buf) => {
    before();
    return sendConnected(buf);
  };
}
