// The trunk guard applied at the transport edge, before the `sip` package sees anything: a request
// from a refused source creates no transaction and no state, only (perhaps) a stateless 403.
import type dgram from 'node:dgram';
import type net from 'node:net';
import type { TrunkGuard } from '../shared/guard.ts';
import { randomToken } from './net-util.ts';
import { isResponse, sipPackage, tagOf, type SipMessage, type SipRequest } from './sip-types.ts';

export class GuardEdge {
  private readonly guard: TrunkGuard;

  constructor(guard: TrunkGuard) {
    this.guard = guard;
  }

  /** Let a datagram through to the package, or answer/drop a request from a source the guard refuses. */
  screenDatagram(msg: Buffer, rinfo: dgram.RemoteInfo, socket: dgram.Socket): boolean {
    const guard = this.guard;
    if (msg.length < 4 || msg.subarray(0, 4).toString('latin1') === 'SIP/' || guard.isAllowed(rinfo.address)) return true;
    if (msg.length < 16) return false; // keep-alive CRLFs from strangers
    const method = /^([A-Za-z]+) /.exec(msg.subarray(0, 16).toString('latin1'))?.[1]?.toUpperCase() ?? '?';
    if (guard.blocked(rinfo.address, method)) {
      const out = this.forbidden(msg.toString('binary'), rinfo.address);
      if (out) socket.send(Buffer.from(out, 'binary'), rinfo.port, rinfo.address);
    }
    return false;
  }

  /** True when the connection may go to the package; otherwise it is handled (and closed) here. */
  screenStream(s: net.Socket): boolean {
    const guard = this.guard;
    const address = s.remoteAddress ?? '';
    if (guard.isAllowed(address)) return true;
    // A stranger's connection never reaches the package: answer its first request (maybe) and hang up.
    s.on('error', () => {});
    s.setTimeout(5000, () => s.destroy());
    s.setEncoding('binary');
    const parse = sipPackage.makeStreamParser((m) => {
      if (isResponse(m)) return;
      if (guard.blocked(address, m.method)) {
        const out = this.forbiddenFor(m, address);
        if (out) s.write(out, 'binary');
      }
      s.end();
    }, () => s.destroy());
    s.on('data', (d: string) => parse(d));
    return false;
  }

  private forbidden(raw: string, address: string): string | null {
    let m: SipMessage | undefined;
    try {
      m = sipPackage.parse(raw);
    } catch {
      return null;
    }
    return m && !isResponse(m) ? this.forbiddenFor(m, address) : null;
  }

  private forbiddenFor(rq: SipRequest, address: string): string | null {
    const h = rq.headers;
    if (rq.method === 'ACK' || !h.via?.length || !h['call-id'] || !h.from || !h.to || !h.cseq) return null;
    h.via[0]!.params.received = address;
    const rs = sipPackage.makeResponse(rq, 403, 'Forbidden');
    if (rs.headers.to && !tagOf(rs.headers.to)) rs.headers.to = { ...rs.headers.to, params: { ...rs.headers.to.params, tag: randomToken() } };
    try {
      return sipPackage.stringify(rs);
    } catch {
      return null;
    }
  }
}
