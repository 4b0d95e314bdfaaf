// Socket helpers for the SIP stack: free ports, waiting for listeners, closing, and noting the
// outgoing TCP/TLS connections the `sip` package opens (it never closes them on destroy()).
import dgram from 'node:dgram';
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.ts';

export type Closable = { close(cb?: () => void): unknown };

let capture: ((s: net.Socket) => void) | null = null;
let connectPatched = false;

/** Run fn (a synchronous package send) and hand every stream socket it opens to onSocket. */
export function capturingConnects<T>(onSocket: (s: net.Socket) => void, fn: () => T): T {
  patchConnect();
  capture = onSocket;
  try {
    return fn();
  } finally {
    capture = null;
  }
}

/** Outgoing stream sockets are noted while one of our stacks is inside a synchronous package send(). */
function patchConnect(): void {
  if (connectPatched) return;
  connectPatched = true;
  const netConnect = net.connect;
  const tlsConnect = tls.connect;
  const wrappedNet = ((...args: unknown[]) => {
    const s = (netConnect as (...a: unknown[]) => net.Socket)(...args);
    capture?.(s);
    return s;
  }) as typeof net.connect;
  const wrappedTls = ((...args: unknown[]) => {
    const s = (tlsConnect as (...a: unknown[]) => tls.TLSSocket)(...args);
    capture?.(s);
    return s;
  }) as typeof tls.connect;
  net.connect = wrappedNet;
  tls.connect = wrappedTls;
}

export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

export function firstLanAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function canListen(kind: 'udp' | 'tcp', address: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (kind === 'udp') {
      const s = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
      s.once('error', () => { s.close(); resolve(null); });
      s.bind(port, address, () => { const p = s.address().port; s.close(() => resolve(p)); });
    } else {
      const srv = net.createServer();
      srv.once('error', () => resolve(null));
      srv.listen(port, address, () => {
        const a = srv.address();
        const p = typeof a === 'object' && a ? a.port : null;
        srv.close(() => resolve(p));
      });
    }
  });
}

/** A port free for both UDP and TCP on the address. */
export async function pickFreePort(address: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await canListen('udp', address, 0);
    if (p !== null && (await canListen('tcp', address, p)) !== null) return p;
  }
  throw new AppError('E_SIP_TRANSPORT', `No free SIP port on ${address}`);
}

export function waitListening(emitter: EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    emitter.once('listening', () => resolve());
    emitter.once('error', reject);
  });
}

export function closeQuietly(c: Closable, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    try {
      c.close(() => { clearTimeout(t); resolve(); });
    } catch {
      clearTimeout(t);
      resolve();
    }
  });
}
