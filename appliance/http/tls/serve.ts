// One port, both schemes: the first byte of a connection tells a TLS handshake (0x16) from a plain
// HTTP request. TLS goes to the HTTPS server; plain HTTP goes to the same request handler, where the
// redirect hook (below) sends it to HTTPS unless it came in on the box's own loopback (the CLI, tests,
// a tunnel). So `http://box:8080/` typed on the LAN lands on `https://box:8080/`, and tools on the box
// keep `http://127.0.0.1:8080/`. No HSTS: a LAN box changes addresses, and its certificate with them.
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const TLS_HANDSHAKE = 0x16;
/** A connection that says nothing for this long is closed before either server sees it. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;

/** The box's own loopback: 127.0.0.0/8, ::1, and 127.x written as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/**
 * An HTTPS server whose connections may also be plain HTTP. Plain ones are handed to the same HTTP
 * machinery (the server's `secureConnection` listener), so requests, upgrades (the live feed) and
 * close() treat them alike; `req.socket.encrypted` tells them apart.
 */
export function dualProtocolServer(handler: RequestListener, tls: { key: string; cert: string }): HttpsServer {
  const server = createHttpsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, handler);
  const tlsListeners = server.listeners('connection') as Array<(s: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const fail = (): void => { socket.destroy(); };
    socket.on('error', fail);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, fail);
    socket.once('readable', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      const first = socket.read(1) as Buffer | null;
      if (first === null) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) for (const l of tlsListeners) l.call(server, socket);
      else server.emit('secureConnection', socket);
    });
  });
  return server;
}

/** A plain HTTP server on the redirect port: the same handler, so the redirect hook decides. */
export function redirectServer(handler: RequestListener, upgradeTo: HttpsServer | HttpServer): HttpServer {
  const server = createHttpServer(handler);
  // The live feed over plain HTTP on loopback: handed to the main server's upgrade listeners.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => upgradeTo.emit('upgrade', req, socket, head));
  return server;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The host of the HTTPS URL: the one the browser asked for when it reads as a host, else the address it reached. */
export function redirectHost(hostHeader: string | undefined, localAddress: string | undefined): string {
  const raw = (hostHeader ?? '').trim();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(raw);
  if (bracketed && isIP(bracketed[1]!) === 6) return `[${bracketed[1]}]`;
  const name = raw.replace(/:\d+$/, '');
  if (isIP(name) === 4 || HOST_NAME.test(name)) return name;
  const local = (localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  return isIP(local) === 6 ? `[${local}]` : local;
}

/**
 * Plain HTTP from anywhere but the box's own loopback is answered 308 with the same path on HTTPS
 * (308 keeps the method and body). Installed before the guard, so it applies to every route.
 */
export function installHttpsRedirect(app: FastifyInstance, httpsPort: () => number): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    const socket = req.raw.socket as Socket & { encrypted?: boolean };
    if (socket.encrypted || isLoopback(socket.localAddress)) return;
    const location = `https://${redirectHost(req.headers.host, socket.localAddress)}:${httpsPort()}${req.raw.url ?? '/'}`;
    reply.header('cache-control', 'no-store');
    return reply.code(308).header('location', location).type('text/plain; charset=utf-8').send(`This box answers on HTTPS: ${location}\n`);
  });
}
