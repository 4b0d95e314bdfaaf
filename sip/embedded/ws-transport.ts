// SIP over WebSocket (RFC 7118) for browser softphones (issue 16). The HTTP side has checked the web
// session before the upgrade; each connection speaks for that one user. WebSocket is reliable, so
// there are no retransmissions: a request gets one answer written back on the same connection.
// Taken: REGISTER (for the session's user only), OPTIONS and keep-alives, and the softphone's own call
// out (an INVITE from the session's user) when the engine hands those to the domain (`callOut`; else 403:
// no relay). Anything else: 405. Requests the box sends to the browser (INVITE to
// ring it) and their responses go through `send()` and `onResponse` once the WebRTC leg joins.
import { randomUUID } from 'node:crypto';
import type { SipWebSocket } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import type { RefusalLog } from '../shared/refusal-log.ts';
import type { StaffRegistry } from '../shared/staff-registry.ts';
import { randomToken } from './net-util.ts';
import type { StaffRegistrar } from './staff-registrar.ts';
import { isResponse, sipPackage, tagOf, type SipHeaders, type SipMessage, type SipRequest, type SipResponse } from './sip-types.ts';

/** Largest SIP message taken from a browser (a REGISTER or an answer with SDP is a few kB). */
const MAX_MESSAGE_BYTES = 64 * 1024;
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';

export interface StaffSocketDeps {
  registrar: StaffRegistrar;
  registry: StaffRegistry;
  refusals: RefusalLog;
  logger: Logger;
  userAgent: string;
  /**
   * The softphone's own INVITE (a call out): true when taken (browser-call-out.ts answers it from then
   * on); false or absent: refused with 403, the box relays nothing.
   */
  callOut?: (rq: SipRequest, socket: StaffSocket) => boolean;
}

export class StaffSocket {
  readonly id = `ws-${randomUUID()}`;
  private readonly socket: SipWebSocket;
  private readonly user: string;
  private readonly d: StaffSocketDeps;
  private readonly log: Logger;
  private readonly pending = new Map<string, (rs: SipResponse) => void>();
  private readonly dialogs = new Map<string, (rq: SipRequest) => void>();
  private closed = false;
  private readonly gone = new Set<() => void>();

  constructor(socket: SipWebSocket, user: string, d: StaffSocketDeps) {
    this.socket = socket;
    this.user = user;
    this.d = d;
    this.log = d.logger.child({ ws: this.id, user });
    socket.on('message', (data) => this.onData(data));
    socket.on('close', () => this.onClose());
    this.log.info('softphone connected');
  }

  get isOpen(): boolean { return !this.closed; }

  /** The web session's user this connection speaks for. */
  get sessionUser(): string { return this.user; }

  /**
   * Send a request to the browser; responses to it go to `onResponse` (matched by Via branch). Returns
   * the branch; a CANCEL passes its INVITE's branch (RFC 3261 §9.1).
   */
  send(rq: SipRequest, onResponse?: (rs: SipResponse) => void, branch = `z9hG4bK${randomToken(10)}`): string {
    rq.headers.via = [{ version: '2.0', protocol: 'WSS', host: 'box.invalid', params: { branch } }];
    if (onResponse) this.pending.set(`${branch}|${rq.method}`, onResponse);
    this.write(rq);
    return branch;
  }

  /** Route the browser's requests with this Call-ID (BYE, INFO, ACK...) to `handler` until the returned function is called. */
  adopt(callId: string, handler: (rq: SipRequest) => void): () => void {
    this.dialogs.set(callId, handler);
    return () => { if (this.dialogs.get(callId) === handler) this.dialogs.delete(callId); };
  }

  /** Answer a request the browser sent. */
  respond(rq: SipRequest, status: number, reason: string, headers?: SipHeaders, content?: string): void {
    this.reply(rq, status, reason, headers, content);
  }

  /** Call `fn` when the connection goes (the browser's calls end with it); returns the way to stop listening. */
  whenGone(fn: () => void): () => void {
    this.gone.add(fn);
    return () => { this.gone.delete(fn); };
  }

  close(code = 1000, reason = 'closing'): void {
    if (this.closed) return;
    try { this.socket.close(code, reason); } catch { /* already gone */ }
    this.onClose();
  }

  private onData(data: Buffer | string): void {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    if (text.length > MAX_MESSAGE_BYTES) return this.close(1009, 'message too big');
    if (text.trim() === '') return; // a keep-alive (CRLF)
    let m: SipMessage | undefined;
    try {
      m = sipPackage.parse(text);
    } catch {
      m = undefined;
    }
    if (!m) {
      this.log.debug('unparsable SIP message on the softphone socket: ignored');
      return;
    }
    if (isResponse(m)) {
      // A CANCEL shares its INVITE's branch: the method in CSeq tells their responses apart.
      const key = `${m.headers.via?.[0]?.params.branch ?? ''}|${m.headers.cseq?.method ?? ''}`;
      const cb = this.pending.get(key);
      if (cb && m.status >= 200) this.pending.delete(key);
      cb?.(m);
      return;
    }
    this.onRequest(m);
  }

  private onRequest(rq: SipRequest): void {
    const h = rq.headers;
    if (!h.via?.length || !h['call-id'] || !h.from || !h.to || !h.cseq) return;
    const dialog = this.dialogs.get(h['call-id']);
    // A CANCEL has no To tag yet: it goes to the call its Call-ID names (a call out still ringing).
    if (dialog && (tagOf(h.to) || rq.method === 'ACK' || rq.method === 'CANCEL')) {
      dialog(rq);
      return;
    }
    switch (rq.method) {
      case 'REGISTER':
        this.d.registrar.handle(rq, {
          kind: 'browser', address: 'wss', source: 'wss', socketId: this.id, sessionUser: this.user,
          reply: (status, reason, headers) => this.reply(rq, status, reason, headers),
        });
        return;
      case 'OPTIONS':
        this.reply(rq, 200, 'OK', { allow: ALLOW, accept: 'application/sdp' });
        return;
      case 'ACK':
        return;
      case 'INVITE':
        if (!tagOf(h.to)) {
          // The softphone calling out: the domain decides, if the engine hands such calls over.
          if (this.d.callOut?.(rq, this)) return;
          // Otherwise a staff endpoint takes the calls the box hands it; it never calls out through the box.
          this.reply(rq, 403, 'Forbidden (no calls out through the box)');
          this.d.refusals.note(`wss:${this.user}`, { method: 'INVITE', reason: 'staff-call-out', status: 403 });
          return;
        }
        this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        return;
      default:
        if (tagOf(h.to)) this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        else this.reply(rq, 405, 'Method Not Allowed', { allow: ALLOW });
    }
  }

  private reply(rq: SipRequest, status: number, reason: string, headers?: SipHeaders, content?: string): void {
    const rs = sipPackage.makeResponse(rq, status, reason, { headers, content });
    if (status > 100 && rs.headers.to && !tagOf(rs.headers.to)) rs.headers.to = { ...rs.headers.to, params: { ...rs.headers.to.params, tag: randomToken() } };
    rs.headers.server = this.d.userAgent;
    this.write(rs);
  }

  private write(m: SipMessage): void {
    if (this.closed) return;
    try {
      this.socket.send(sipPackage.stringify(m));
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'softphone socket send failed');
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.dialogs.clear();
    this.d.registry.dropSocket(this.id);
    for (const fn of [...this.gone]) fn();
    this.gone.clear();
    this.log.info('softphone disconnected');
  }
}
