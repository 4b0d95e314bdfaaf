// The UDP socket of one RTP session. A plain dgram socket hands each datagram to its listeners through
// EventEmitter's emit (an array for the arguments, a lookup of the event's listeners in a table whose
// shape differs from socket to socket, a call by apply): at 50 datagrams a second per call, that was
// 2-3 % of a media worker's CPU. The session's own receive handler is called directly instead;
// 'message' listeners that someone else adds (a test's tap, a packet capture) still get every datagram,
// after it.
import dgram from 'node:dgram';

export type DatagramHandler = (msg: Buffer, rinfo: dgram.RemoteInfo) => void;

export interface RtpSocket extends dgram.Socket {
  /** Sets (or, with null, clears) the one handler that gets each datagram before any 'message' listener. */
  receive(handler: DatagramHandler | null): void;
}

export function isRtpSocket(socket: dgram.Socket): socket is RtpSocket {
  return typeof (socket as Partial<RtpSocket>).receive === 'function';
}

export function createRtpSocket(opts: dgram.SocketOptions): RtpSocket {
  const socket = dgram.createSocket(opts) as RtpSocket;
  let receiver: DatagramHandler | null = null;
  let listeners = 0; // 'message' listeners besides the receiver
  // 'newListener' comes before a listener is added, 'removeListener' after it is removed
  socket.on('newListener', (event: string | symbol) => {
    if (event === 'message') listeners++;
  });
  socket.on('removeListener', (event: string | symbol) => {
    if (event === 'message') listeners--;
  });
  const emit = socket.emit as (this: RtpSocket, event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = function (this: RtpSocket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && receiver !== null) {
      receiver(args[0] as Buffer, args[1] as dgram.RemoteInfo);
      if (listeners === 0) return true;
    }
    return emit.call(this, event, ...args);
  } as RtpSocket['emit'];
  socket.receive = (handler) => {
    receiver = handler;
  };
  return socket;
}
