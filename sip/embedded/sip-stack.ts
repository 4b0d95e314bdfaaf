// A typed wrapper around one instance of the `sip` package (transports + RFC 3261 transactions).
// Several stacks can live in one process: we use sip.create() (per instance), never sip.start()
// (which stores the instance in the module's exports).
//
// Work-arounds for the package, each needed and each narrow:
// - it turns port 0 into 5060 and has no error handler on its sockets, so we pick a free port
//   ourselves and catch the listening sockets as the package creates them (synchronously in create());
// - it treats any URI whose host equals its "hostname" as one of its own flow tokens, which breaks
//   calls between two processes on 127.0.0.1, so it gets a private hostname and Via gets the real one;
// - it never closes outgoing TCP/TLS connections on destroy(), so we note them as they are opened.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { SipSettings, Transport } from '../../core/settings-types.ts';
import type { TrunkGuard } from '../shared/guard.ts';
import { GuardEdge } from './guard-edge.ts';
import {
  canListen, capturingConnects, closeQuietly, firstLanAddress, pickFreePort, randomToken, waitListening, type Closable,
} from './net-util.ts';
import {
  isResponse, parseUri, setPackageNoiseSink, sipPackage, tagOf, uriPort,
  type RemoteInfo, type SipCreateOptions, type SipHeaders, type SipInstance, type SipMessage, type SipRequest, type SipResponse,
} from './sip-types.ts';

export interface SipStackOptions {
  bindAddress: string;
  /** 0 picks a free port (the same number for UDP and TCP). */
  port: number;
  publicAddress?: string;
  transports: Transport[];
  tls?: SipSettings['tls'];
  userAgent: string;
  logger: Logger;
  guard?: TrunkGuard;
}

export interface SipStackEvents {
  request: [SipRequest, RemoteInfo];
}

function transactionKey(m: SipMessage): string {
  const h = m.headers;
  return `${h['call-id']}|${h.cseq?.seq}|${h.cseq?.method}|${h.via?.[0]?.params.branch}`;
}

export { pickFreePort, randomToken };

export class SipStack extends EventEmitter<SipStackEvents> {
  private readonly opts: SipStackOptions;
  private instance: SipInstance | null = null;
  private boundPort = 0;
  private boundTlsPort: number | null = null;
  private readonly advertised: string;
  private readonly servers: Closable[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly learned = new Map<string, { address: string; port: number | null }>();
  private readonly localResponses = new WeakSet<SipResponse>();
  /** Real 503s seen on the wire; the package replaces them with a bare 503 of its own (RFC 3263 failover). */
  private readonly seen503 = new Map<string, SipResponse>();
  private stopped = false;
  private readonly edge: GuardEdge | null;

  constructor(opts: SipStackOptions) {
    super();
    this.opts = opts;
    this.edge = opts.guard ? new GuardEdge(opts.guard) : null;
    setPackageNoiseSink((message, err) => opts.logger.debug({ err: err instanceof Error ? err.message : undefined }, message));
    const bind = opts.bindAddress;
    this.advertised = opts.publicAddress ?? (bind === '0.0.0.0' || bind === '::' ? firstLanAddress() : bind);
  }

  get port(): number { return this.boundPort; }
  get tlsPort(): number | null { return this.boundTlsPort; }
  get publicAddress(): string { return this.advertised; }
  get userAgent(): string { return this.opts.userAgent; }
  get logger(): Logger { return this.opts.logger; }
  get guard(): TrunkGuard | undefined { return this.opts.guard; }

  async start(): Promise<void> {
    const fixed = this.opts.port !== 0;
    const tlsOptions = this.wantsTls() ? this.tlsOptions() : undefined;
    for (let attempt = 0; ; attempt++) {
      const port = fixed ? this.opts.port : await pickFreePort(this.opts.bindAddress);
      const tlsPort = this.wantsTls() ? (fixed ? port + 1 : await this.freeTcpPort()) : null;
      try {
        await this.listen(port, tlsPort, tlsOptions);
        this.boundPort = port;
        this.boundTlsPort = tlsPort;
        this.opts.logger.info({ address: this.opts.bindAddress, port, tlsPort, advertised: this.advertised }, 'SIP stack listening');
        return;
      } catch (e) {
        await this.teardown();
        if (fixed || attempt >= 4) {
          throw new AppError('E_SIP_TRANSPORT', `Cannot listen for SIP on ${this.opts.bindAddress}:${port}: ${(e as Error).message}`, { key: 'sip.port' }, { cause: e });
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.teardown();
  }

  /** Send a request; responses (provisional and final) arrive in onResponse. */
  send(rq: SipRequest, onResponse?: (rs: SipResponse) => void): void {
    const inst = this.instance;
    if (!inst || this.stopped) {
      if (onResponse) setImmediate(() => onResponse(this.localResponse(rq, 503, 'SIP stack stopped')));
      return;
    }
    const hop = this.hopOf(rq);
    if (!hop) throw new AppError('E_DIAL_TARGET', 'Unusable SIP URI', { uri: String(rq.uri) });
    rq.headers['user-agent'] ??= this.opts.userAgent;
    const cb = onResponse ? (rs: SipResponse) => onResponse(this.inspectResponse(rs, hop)) : undefined;
    try {
      capturingConnects((s) => this.track(s), () => inst.send(rq, cb));
    } catch (e) {
      this.opts.logger.error({ err: e, method: rq.method }, 'SIP send failed');
      if (onResponse) setImmediate(() => onResponse(this.localResponse(rq, 503, 'Transport failure')));
    }
  }

  /** Answer a request (through its server transaction); a To tag is added to non-100 responses. */
  reply(rq: SipRequest, status: number, reason: string, extra: { headers?: SipHeaders; content?: string; toTag?: string } = {}): SipResponse {
    const rs = sipPackage.makeResponse(rq, status, reason, { headers: extra.headers, content: extra.content });
    if (status > 100 && rs.headers.to && !tagOf(rs.headers.to)) {
      rs.headers.to = { ...rs.headers.to, params: { ...rs.headers.to.params, tag: extra.toTag ?? randomToken() } };
    }
    rs.headers.server ??= this.opts.userAgent;
    this.sendResponse(rs);
    return rs;
  }

  /** (Re)send a response through its server transaction, e.g. a 2xx retransmission. */
  sendResponse(rs: SipResponse): void {
    if (!this.instance || this.stopped) return;
    try {
      this.instance.send(rs);
    } catch (e) {
      this.opts.logger.error({ err: e, status: rs.status }, 'SIP reply failed');
    }
  }

  /** True when a response was made up locally (timeout, transport error, unresolvable host). */
  isLocal(rs: SipResponse): boolean {
    return this.localResponses.has(rs);
  }

  /** Our Contact URI for requests towards a host: the NAT address learned from received/rport, else ours. */
  contactUri(user: string | undefined, towards: { host: string; transport: Transport }): string {
    const l = this.learned.get(`${towards.transport}:${towards.host}`);
    const address = l?.address ?? this.advertised;
    const port = towards.transport === 'tls' ? (this.boundTlsPort ?? this.boundPort)
      : towards.transport === 'udp' && l?.port ? l.port : this.boundPort;
    const tp = towards.transport === 'udp' ? '' : `;transport=${towards.transport}`;
    return `sip:${user ? `${user}@` : ''}${address}:${port}${tp}`;
  }

  /** The address the far end saw for us, when a response told us (received/rport). */
  learnedAddress(host: string, transport: Transport = 'udp'): { address: string; port: number | null } | undefined {
    return this.learned.get(`${transport}:${host}`);
  }

  /** Next hop host of a request: the first Route entry, else the Request-URI. */
  hopOf(rq: SipRequest): { host: string; port: number | undefined; transport: string } | undefined {
    const first = rq.headers.route?.[0];
    const u = parseUri(first ? first.uri : rq.uri);
    if (!u) return undefined;
    const t = u.params.transport;
    return { host: u.host, port: uriPort(u), transport: typeof t === 'string' ? t.toLowerCase() : u.schema === 'sips' ? 'tls' : 'udp' };
  }

  localResponse(rq: SipRequest, status: number, reason: string): SipResponse {
    const rs = sipPackage.makeResponse(rq, status, reason);
    this.localResponses.add(rs);
    return rs;
  }

  private inspectResponse(rs: SipResponse, hop: { host: string; transport: string }): SipResponse {
    const via = rs.headers.via?.[0];
    const local = rs.reason === '' && !tagOf(rs.headers.to) && rs.status >= 400;
    if (local && rs.status === 503) {
      const real = this.seen503.get(transactionKey(rs));
      if (real) {
        this.seen503.delete(transactionKey(rs));
        return real;
      }
    }
    if (local) {
      this.localResponses.add(rs);
      // The package answers an unresolvable host with 404; that is a trunk problem, not a wrong number.
      if (rs.status === 404 || rs.status === 430) { rs.status = 503; rs.reason = 'Destination not resolvable'; }
      else if (rs.status === 408) rs.reason = 'No response (timeout)';
      else if (rs.status === 503) rs.reason = 'Transport failure';
      return rs;
    }
    const received = via?.params.received;
    if (typeof received === 'string' && net.isIP(received)) {
      const rport = Number(via?.params.rport);
      const port = (via?.protocol ?? '').toUpperCase() === 'UDP' && Number.isInteger(rport) && rport > 0 ? rport : null;
      const key = `${hop.transport}:${hop.host}`;
      const prev = this.learned.get(key);
      if (!prev || prev.address !== received || prev.port !== port) {
        this.learned.set(key, { address: received, port });
        if (received !== this.advertised || (port !== null && port !== this.boundPort)) {
          this.opts.logger.info({ towards: hop.host, transport: hop.transport, address: received, port }, 'SIP: learned our public address from received/rport');
        }
      }
    }
    return rs;
  }

  private wantsTls(): boolean {
    return this.opts.transports.includes('tls');
  }

  /** TLS options for the package: our certificate when we have one; without, TLS works as a client only. */
  private tlsOptions(): Record<string, unknown> {
    const t = this.opts.tls;
    if (!t) return { rejectUnauthorized: true };
    const read = (file: string, key: string): Buffer => {
      try {
        return fs.readFileSync(file);
      } catch (e) {
        throw new AppError('E_CONFIG_INVALID', `Cannot read the TLS file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { key }, { cause: e });
      }
    };
    return {
      cert: read(t.cert, 'sip.tls.cert'),
      key: read(t.key, 'sip.tls.key'),
      ...(t.ca ? { ca: read(t.ca, 'sip.tls.ca') } : {}),
      rejectUnauthorized: t.rejectUnauthorized ?? true,
    };
  }

  private async freeTcpPort(): Promise<number> {
    const p = await canListen('tcp', this.opts.bindAddress, 0);
    if (p === null) throw new AppError('E_SIP_TRANSPORT', 'No free TLS port');
    return p;
  }

  private async listen(port: number, tlsPort: number | null, tlsOptions: Record<string, unknown> | undefined): Promise<void> {
    const waits: Promise<void>[] = [];
    const o: SipCreateOptions = {
      address: this.opts.bindAddress,
      port,
      // A private name so the package never mistakes a peer on our own IP for one of its flow tokens.
      publicAddress: `stack-${randomToken(6)}.invalid`,
      udp: this.opts.transports.includes('udp'),
      tcp: this.opts.transports.includes('tcp'),
      logger: this.packageLogger(),
    };
    if (tlsPort !== null) {
      o.tls = tlsOptions;
      o.tls_port = tlsPort;
    }
    const createSocket = dgram.createSocket;
    const createServer = net.createServer;
    const createTlsServer = tls.createServer;
    dgram.createSocket = ((type: dgram.SocketType, listener?: (msg: Buffer, rinfo: dgram.RemoteInfo) => void) => {
      let socket: dgram.Socket | null = null;
      const filtered = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
        if (socket && (!this.edge || this.edge.screenDatagram(msg, rinfo, socket))) listener?.(msg, rinfo);
      };
      socket = createSocket(type, filtered);
      const bound = socket;
      // Answers to hundreds of calls in flight arrive in bursts; the default 208 KiB receive buffer holds
      // about a hundred datagrams and the kernel drops the rest (each loss costs a 500 ms retransmission).
      // Linux caps these at net.core.rmem_max / wmem_max.
      waits.push(waitListening(bound).then(() => {
        try {
          bound.setRecvBufferSize(4 << 20);
          bound.setSendBufferSize(1 << 20);
        } catch { /* refused by the kernel's limits: keep the defaults */ }
      }));
      socket.on('error', (e) => this.opts.logger.error({ err: e }, 'SIP UDP socket error'));
      this.servers.push(socket);
      return socket;
    }) as typeof dgram.createSocket;
    const wrapStream = (create: (cb: (s: net.Socket) => void) => net.Server) => (cb: (s: net.Socket) => void) => {
      const server = create((s) => this.acceptStream(s, cb));
      waits.push(waitListening(server));
      server.on('error', (e) => this.opts.logger.error({ err: e }, 'SIP stream listener error'));
      this.servers.push(server);
      return server;
    };
    net.createServer = wrapStream((cb) => createServer(cb)) as unknown as typeof net.createServer;
    tls.createServer = ((tlsOptions: tls.TlsOptions, cb: (s: net.Socket) => void) =>
      wrapStream((c) => createTlsServer(tlsOptions, c))(cb)) as unknown as typeof tls.createServer;
    try {
      this.instance = sipPackage.create(o, (rq, remote) => this.onRequest(rq, remote));
    } finally {
      dgram.createSocket = createSocket;
      net.createServer = createServer;
      tls.createServer = createTlsServer;
    }
    // From here on Via carries our real address (the package reads this field on every send).
    o.publicAddress = this.advertised;
    await Promise.all(waits);
  }

  private onRequest(rq: SipRequest, remote: RemoteInfo): void {
    if (this.listenerCount('request') === 0) {
      if (rq.method !== 'ACK') this.reply(rq, 503, 'Service Unavailable');
      return;
    }
    this.emit('request', rq, remote);
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private acceptStream(s: net.Socket, accept: (s: net.Socket) => void): void {
    this.track(s);
    if (!this.edge || this.edge.screenStream(s)) accept(s);
  }

  private packageLogger(): SipCreateOptions['logger'] {
    const log = this.opts.logger;
    const summary = (m: SipMessage): Record<string, unknown> => ({
      first: isResponse(m) ? `${m.status} ${m.reason}` : `${m.method}`,
      callId: m.headers['call-id'],
      cseq: m.headers.cseq ? `${m.headers.cseq.seq} ${m.headers.cseq.method}` : undefined,
    });
    return {
      send: (m) => { if (log.isLevelEnabled('trace')) log.trace(summary(m), 'SIP >>'); },
      recv: (m, remote) => {
        if (isResponse(m) && m.status === 503) this.keep503(m);
        if (log.isLevelEnabled('trace')) log.trace({ ...summary(m), from: `${remote.address}:${remote.port}` }, 'SIP <<');
      },
      error: (e) => log.warn({ err: e }, 'SIP package error'),
    };
  }

  private keep503(rs: SipResponse): void {
    const key = transactionKey(rs);
    if (this.seen503.size >= 1000) {
      const oldest = this.seen503.keys().next().value;
      if (oldest !== undefined) this.seen503.delete(oldest);
    }
    this.seen503.set(key, rs);
    setTimeout(() => this.seen503.delete(key), 5000).unref();
  }

  private async teardown(): Promise<void> {
    const inst = this.instance;
    this.instance = null;
    if (inst) {
      try { inst.destroy(); } catch (e) { this.opts.logger.debug({ err: e }, 'SIP destroy'); }
    }
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const listeners = this.servers.splice(0);
    await Promise.all(listeners.map((l) => closeQuietly(l)));
  }
}
