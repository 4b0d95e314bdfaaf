// RTP ports from a configured range: even numbers only (the odd neighbour stays free for RTCP, which
// we neither send nor read), drawn at random (crypto) among the free ones so nobody on the network
// can tell which port a call will use from the last one. A port just released waits behind others
// before it can be drawn again (late packets of the previous call would land in the next one).
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { AppError } from '../../core/errors.ts';
import type { BatchIo } from './batch-io.ts';
import { createRtpSocket as createSocket, type RtpSocket } from './rtp-socket.ts';

export interface RtpPort {
  readonly socket: dgram.Socket;
  readonly address: string;
  readonly port: number;
  /** Closes the socket and frees the port; safe to call twice. */
  release(): void;
}

export interface RtpPortPoolOptions {
  bindAddress: string;
  min: number;
  max: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the destination of every send through `lookup`; the default defers even an IP
 * literal to the next tick. Answering literals synchronously keeps each send a direct syscall.
 */
export function literalLookup(hostname: string, options: dns.LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dns.lookup(hostname, options, callback);
}

/** `batch`: a media worker's batched I/O (batch-io.ts), which an IPv4 socket joins once bound. */
export function createRtpSocket(bindAddress: string, batch: BatchIo | null = null): RtpSocket {
  return createSocket({ type: isIP(bindAddress) === 6 ? 'udp6' : 'udp4', lookup: literalLookup }, { batch });
}

export function bindSocket(socket: dgram.Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      socket.off('error', onError);
      resolve();
    };
    // listeners first: with a synchronous lookup, bind() may report before it returns
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ port, address, exclusive: true });
  });
}

export class RtpPortPool {
  readonly bindAddress: string;
  readonly min: number;
  readonly max: number;
  // null marks a port being bound; a port is in exactly one of inUse, free and cooling
  private readonly inUse = new Map<number, (() => void) | null>();
  /** Ports that may be drawn (order irrelevant: a draw is uniform over the array). */
  private readonly free: number[] = [];
  /** Released ports, oldest first, back in `free` once `coolLength` others were released after them. */
  private readonly cooling: number[] = [];
  private readonly coolLength: number;

  constructor(opts: RtpPortPoolOptions) {
    this.bindAddress = opts.bindAddress;
    this.min = opts.min % 2 === 0 ? opts.min : opts.min + 1;
    this.max = opts.max;
    if (!(this.min > 0 && this.max <= 65535 && this.min <= this.max)) {
      throw new AppError('E_CONFIG_INVALID', `RTP port range ${opts.min}-${opts.max} is not a valid range of UDP ports`, { key: 'media.rtpPortMin' });
    }
    for (let p = this.min; p <= this.max; p += 2) this.free.push(p);
    // a quarter of the range, at most 256: short enough that a busy pool still draws from many ports
    this.coolLength = Math.min(256, Math.floor(this.free.length / 4));
  }

  /** Even ports in the range. */
  get capacity(): number {
    return Math.floor((this.max - this.min) / 2) + 1;
  }

  get allocated(): number {
    return this.inUse.size;
  }

  /** Binds a free even port drawn at random; E_RTP_PORTS when none is free. */
  async allocate(): Promise<RtpPort> {
    const { port, value: socket, release } = await this.reserve(async (p) => {
      const socket = createRtpSocket(this.bindAddress);
      try {
        await bindSocket(socket, this.bindAddress, p);
      } catch (err) {
        socket.close();
        throw err;
      }
      return { value: socket, close: () => closeQuietly(socket) };
    });
    return { socket, address: this.bindAddress, port, release };
  }

  /**
   * Draws a free even port and has `bind` bind it (a media worker thread may own the socket): a
   * `bind` that fails with EADDRINUSE or EACCES sends the draw on to another port. `release()` calls
   * the returned `close` and frees the port; safe to call twice. E_RTP_PORTS when none is free.
   */
  async reserve<T>(bind: (port: number) => Promise<{ value: T; close: () => void }>): Promise<{ port: number; value: T; release: () => void }> {
    const capacity = this.capacity;
    let lastError: unknown = null;
    for (let tried = 0; tried < capacity; tried++) {
      const port = this.draw();
      if (port === null) break;
      this.inUse.set(port, null);
      let bound: { value: T; close: () => void };
      try {
        bound = await bind(port);
      } catch (err) {
        this.inUse.delete(port);
        lastError = err;
        const code = (err as NodeJS.ErrnoException).code;
        // someone else holds it: it goes to the back of the cooling queue and is tried again later
        this.cooling.push(port);
        if (code === 'EADDRINUSE' || code === 'EACCES') continue;
        throw new AppError('E_RTP_PORTS', `Cannot bind RTP port ${port} on ${this.bindAddress}: ${String(code ?? err)}`, { port }, { cause: err });
      }
      const close = bound.close;
      this.inUse.set(port, close);
      let released = false;
      return {
        port,
        value: bound.value,
        release: () => {
          if (released) return;
          released = true;
          if (this.inUse.get(port) === close) {
            this.inUse.delete(port);
            this.cooling.push(port);
          }
          close();
        },
      };
    }
    throw new AppError(
      'E_RTP_PORTS',
      `All ${capacity} RTP ports from ${this.min} to ${this.max} are in use; widen media.rtpPortMin/rtpPortMax or lower concurrent calls`,
      { key: 'media.rtpPortMax' },
      { cause: lastError ?? undefined },
    );
  }

  /** Closes every socket still allocated (engine stop). */
  closeAll(): void {
    for (const [port, close] of this.inUse) {
      if (!close) continue; // being bound: reserve() settles it
      close();
      this.inUse.delete(port);
      this.cooling.push(port);
    }
  }

  /** A uniformly random free port; the oldest cooling one when none is free; null when all are in use. */
  private draw(): number | null {
    while (this.cooling.length > this.coolLength) this.free.push(this.cooling.shift() as number);
    if (this.free.length > 0) {
      const i = randomInt(this.free.length);
      const port = this.free[i] as number;
      this.free[i] = this.free[this.free.length - 1] as number;
      this.free.pop();
      return port;
    }
    return this.cooling.shift() ?? null;
  }
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
