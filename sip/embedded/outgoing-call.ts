// One outgoing INVITE and the dialog it creates: provisional responses, answer and ACK, CANCEL at
// ring timeout, digest retry, BYE from either side, and the far end's mid-call requests.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import type { TrunkProfile, Transport } from '../../core/settings-types.ts';
import { Dialog } from './dialog.ts';
import { DigestClient } from './digest.ts';
import { dtmfFromInfo } from '../shared/dtmf-info.ts';
import type { SipStack } from './sip-stack.ts';
import { randomToken } from './net-util.ts';
import {
  headerText, parseUri, q850FromReason, tagOf,
  type RouteEntry, type SipHeaders, type SipRequest, type SipResponse,
} from './sip-types.ts';

export interface InviteOptions {
  /** Request-URI (sip:number@trunk or a bare sip: URI). */
  uri: string;
  fromUser: string;
  fromDisplay?: string;
  /** Host of our From URI; defaults to the trunk's domain or host, else our address. */
  fromHost?: string;
  trunk?: TrunkProfile;
  /** Outbound proxy (sip:ip:port;lr), sent as a pre-loaded Route. */
  outboundProxy?: string;
  sdpOffer: string;
  headers?: Record<string, string>;
  ringTimeoutMs: number;
  /** Correlates logs with the caller (attempt id). */
  tag?: string;
}

export interface ProvisionalEvent { status: number; reason: string; sdp?: string }
export interface AnsweredEvent { sdp: string }
export interface FailedEvent { status: number; reason: string; q850: number | null; /** Made up by our stack (timeout, transport). */ local: boolean }
export interface ByeEvent { q850: number | null }
export interface ReofferEvent {
  /** The far end's offer; '' for an offerless re-INVITE (our 200 then carries an offer). */
  sdp: string;
  method: 'INVITE' | 'UPDATE';
  respond: (answerSdp: string | null) => void;
  reject: (status: number, reason: string) => void;
}
export interface InfoEvent { digit: string }
export interface Termination {
  by: 'local' | 'remote' | 'error';
  status: number;
  reason: string;
  q850: number | null;
  answered: boolean;
}

export interface OutgoingCallEvents {
  provisional: [ProvisionalEvent];
  answered: [AnsweredEvent];
  failed: [FailedEvent];
  bye: [ByeEvent];
  reoffer: [ReofferEvent];
  info: [InfoEvent];
  terminated: [Termination];
}

export type OutgoingCallState = 'calling' | 'early' | 'confirmed' | 'terminated';

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';
const PROTECTED = new Set(['via', 'call-id', 'cseq', 'from', 'to', 'contact', 'content-length', 'content-type', 'route']);
const T1 = 500;
const T2 = 4000;

function sdpOf(m: { headers: SipHeaders; content?: string }): string | undefined {
  const ct = headerText(m.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  return ct === 'application/sdp' && m.content ? m.content : undefined;
}

function transportOf(uri: string): Transport {
  const u = parseUri(uri);
  const t = typeof u?.params.transport === 'string' ? u.params.transport.toLowerCase() : '';
  if (t === 'tcp' || t === 'tls') return t;
  return u?.schema === 'sips' ? 'tls' : 'udp';
}

export class OutgoingCall extends EventEmitter<OutgoingCallEvents> {
  readonly callId = `${randomToken(12)}`;
  readonly fromTag = randomToken(6);
  private readonly stack: SipStack;
  private readonly log: Logger;
  private readonly opts: InviteOptions;
  private readonly digest: DigestClient | null;
  private st: OutgoingCallState = 'calling';
  private cseq = 1;
  private invite: SipRequest | null = null;
  private inviteRoute: RouteEntry[] | undefined;
  private authRetried = false;
  private provisionalSeen = false;
  private cancelRequested = false;
  private cancelSent = false;
  private ringTimer: NodeJS.Timeout | null = null;
  private dialog: Dialog | null = null;
  private ackRq: SipRequest | null = null;
  private localSdp: string;
  private everAnswered = false;
  private hadRinging = false;
  private finalStatus: number | null = null;
  private readonly releases: Array<() => void> = [];
  private readonly retrans = new Map<number, NodeJS.Timeout>();
  private resolveDone!: (t: Termination) => void;
  /** Resolves once the call is over, whichever way. */
  readonly done: Promise<Termination>;

  constructor(stack: SipStack, opts: InviteOptions, logger: Logger) {
    super();
    this.stack = stack;
    this.opts = opts;
    this.log = logger.child({ callId: this.callId, ...(opts.tag ? { tag: opts.tag } : {}) });
    this.localSdp = opts.sdpOffer;
    const t = opts.trunk;
    this.digest = t?.username && t.password ? new DigestClient({ username: t.authUser ?? t.username, password: t.password }) : null;
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
  }

  get state(): OutgoingCallState { return this.st; }
  get ringing(): boolean { return this.hadRinging; }
  get answered(): boolean { return this.everAnswered; }
  get sipCode(): number | null { return this.finalStatus; }
  get trunk(): TrunkProfile | undefined { return this.opts.trunk; }

  /** Send the INVITE (called by the user agent once the call is registered for in-dialog routing). */
  start(): void {
    this.ringTimer = setTimeout(() => {
      this.log.debug({ ringTimeoutMs: this.opts.ringTimeoutMs }, 'ring timeout: cancelling');
      this.cancel();
    }, this.opts.ringTimeoutMs);
    this.sendInvite();
  }

  /** Give up on a call that is not answered yet: CANCEL (sent once the far end has answered 1xx). */
  cancel(): void {
    if (this.st !== 'calling' && this.st !== 'early') return;
    this.cancelRequested = true;
    if (this.provisionalSeen && !this.cancelSent) this.sendCancel();
  }

  /** Hang up: BYE when answered, CANCEL before. Resolves when the call is over. */
  async bye(): Promise<void> {
    if (this.st === 'calling' || this.st === 'early') {
      this.cancel();
      await this.done;
      return;
    }
    if (this.st !== 'confirmed' || !this.dialog) return;
    this.clearTimers();
    const rq = this.dialog.request('BYE');
    this.finish({ by: 'local', status: this.finalStatus ?? 200, reason: 'BYE', q850: 16, answered: true });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 4000).unref();
      this.stack.send(rq, (rs) => { if (rs.status >= 200) { clearTimeout(t); resolve(); } });
    });
  }

  /** Forget the call without a word to the far end (shutdown after a grace period); stops every timer. */
  abandon(): void {
    this.finish({ by: 'local', status: this.finalStatus ?? 487, reason: 'abandoned', q850: null, answered: this.everAnswered });
  }

  /** Send a request inside the dialog (e.g. INFO); resolves with the final response. */
  request(method: string, extra: { headers?: SipHeaders; content?: string } = {}): Promise<SipResponse> {
    const d = this.dialog;
    if (!d || this.st !== 'confirmed') return Promise.reject(new Error(`no confirmed dialog for ${method}`));
    const rq = d.request(method, extra);
    return new Promise((resolve) => this.stack.send(rq, (rs) => { if (rs.status >= 200) resolve(rs); }));
  }

  /** Does an in-dialog request from the far end belong to this call? */
  matches(rq: SipRequest): boolean {
    return this.dialog?.matches(rq) ?? false;
  }

  /** A request inside our dialog (the user agent has matched Call-ID and tags). */
  handleRequest(rq: SipRequest): void {
    const d = this.dialog!;
    if (rq.method === 'ACK') {
      const seq = rq.headers.cseq?.seq ?? -1;
      const t = this.retrans.get(seq);
      if (t) { clearTimeout(t); this.retrans.delete(seq); }
      return;
    }
    if (rq.method === 'CANCEL') { this.stack.reply(rq, 200, 'OK'); return; }
    if (!d.acceptRemoteCseq(rq)) { this.stack.reply(rq, 500, 'CSeq Out of Order'); return; }
    switch (rq.method) {
      case 'BYE':
        this.stack.reply(rq, 200, 'OK');
        if (this.st === 'confirmed') {
          const q850 = q850FromReason(rq.headers);
          this.log.debug({ q850 }, 'far end hung up');
          this.clearTimers();
          this.emit('bye', { q850 });
          this.finish({ by: 'remote', status: this.finalStatus ?? 200, reason: 'BYE', q850, answered: true });
        }
        return;
      case 'INVITE':
      case 'UPDATE':
        this.handleOffer(rq, rq.method);
        return;
      case 'INFO': {
        const digit = dtmfFromInfo(headerText(rq.headers, 'content-type'), rq.content);
        this.stack.reply(rq, 200, 'OK');
        if (digit) this.emit('info', { digit });
        return;
      }
      case 'OPTIONS':
        this.stack.reply(rq, 200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } });
        return;
      case 'NOTIFY':
        this.stack.reply(rq, 200, 'OK');
        return;
      default:
        this.stack.reply(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } });
    }
  }

  private handleOffer(rq: SipRequest, method: 'INVITE' | 'UPDATE'): void {
    const d = this.dialog!;
    d.refreshTarget(rq);
    const offer = sdpOf(rq);
    let settled = false;
    const contact = [{ uri: this.stack.contactUri(this.opts.fromUser, { host: this.hopHost(), transport: transportOf(d.remoteTarget) }), params: {} }];
    const respond = (answer: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(fallback);
      if (method === 'UPDATE' && !offer) {
        this.stack.reply(rq, 200, 'OK', { headers: { contact } });
        return;
      }
      const body = answer ?? this.localSdp;
      this.localSdp = body;
      const rs = this.stack.reply(rq, 200, 'OK', { headers: { contact, 'content-type': 'application/sdp' }, content: body });
      if (method === 'INVITE') this.retransmit2xx(rs);
    };
    const reject = (status: number, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(fallback);
      this.stack.reply(rq, status, reason);
    };
    // Never leave a refresh unanswered: the far end would tear the call down.
    const fallback = setTimeout(() => respond(null), 2000);
    this.log.debug({ method, hasOffer: !!offer }, 'far end sent a new offer');
    if (this.listenerCount('reoffer') === 0) respond(null);
    else this.emit('reoffer', { sdp: offer ?? '', method, respond, reject });
  }

  /** RFC 3261 §13.3.1.4: the UAS core retransmits its 2xx until the ACK arrives. */
  private retransmit2xx(rs: SipResponse): void {
    const seq = rs.headers.cseq?.seq ?? 0;
    const started = Date.now();
    const tick = (interval: number): void => {
      const t = setTimeout(() => {
        if (this.st === 'terminated' || Date.now() - started > 64 * T1) { this.retrans.delete(seq); return; }
        this.stack.sendResponse(rs);
        tick(Math.min(interval * 2, T2));
      }, interval);
      this.retrans.set(seq, t);
    };
    tick(T1);
  }

  private hopHost(): string {
    const u = parseUri(this.opts.outboundProxy ?? this.opts.uri);
    return u?.host ?? this.stack.publicAddress;
  }

  private buildInvite(): SipRequest {
    const o = this.opts;
    const t = o.trunk;
    const target = parseUri(o.uri);
    const fromHost = o.fromHost ?? t?.domain ?? t?.host ?? this.stack.publicAddress;
    const transport = transportOf(o.outboundProxy ?? o.uri);
    const headers: SipHeaders = {
      to: { uri: target ? `sip:${target.user ? `${target.user}@` : ''}${target.host}` : o.uri, params: {} },
      from: { ...(o.fromDisplay ? { name: `"${o.fromDisplay.replace(/["\\]/g, '')}"` } : {}), uri: `sip:${o.fromUser}@${fromHost}`, params: { tag: this.fromTag } },
      'call-id': this.callId,
      cseq: { seq: this.cseq, method: 'INVITE' },
      contact: [{ uri: this.stack.contactUri(o.fromUser, { host: this.hopHost(), transport }), params: {} }],
      'max-forwards': '70',
      allow: ALLOW,
      'content-type': 'application/sdp',
    };
    if (o.outboundProxy) {
      const p = parseUri(o.outboundProxy);
      if (p) headers.route = [{ uri: { ...p, params: { ...p.params, lr: null } }, params: {} }];
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      const name = k.toLowerCase();
      if (!PROTECTED.has(name) && /^[A-Za-z0-9-]+$/.test(k) && !/[\r\n]/.test(v)) headers[name] = v;
    }
    const rq: SipRequest = { method: 'INVITE', uri: o.uri, headers, content: this.localSdp };
    this.digest?.sign(rq);
    return rq;
  }

  private sendInvite(): void {
    const rq = this.buildInvite();
    this.invite = rq;
    this.inviteRoute = rq.headers.route?.map((r) => ({ ...r }));
    const target = parseUri(this.opts.outboundProxy ?? this.opts.uri);
    if (target) {
      const release = this.stack.guard?.allowPeer(target.host);
      if (release) this.releases.push(release);
    }
    this.stack.send(rq, (rs) => this.onInviteResponse(rq, rs));
  }

  private sendCancel(): void {
    const inv = this.invite;
    const via = inv?.headers.via?.[0];
    if (!inv || !via) return;
    this.cancelSent = true;
    const rq: SipRequest = {
      method: 'CANCEL',
      uri: inv.uri,
      headers: {
        via: [{ ...via, params: { ...via.params } }],
        to: inv.headers.to,
        from: inv.headers.from,
        'call-id': this.callId,
        cseq: { seq: inv.headers.cseq!.seq, method: 'CANCEL' },
        'max-forwards': '70',
        ...(this.inviteRoute ? { route: this.inviteRoute.map((r) => ({ ...r })) } : {}),
      },
    };
    this.log.debug('sending CANCEL');
    this.stack.send(rq, () => {});
  }

  private onInviteResponse(rq: SipRequest, rs: SipResponse): void {
    if (rq !== this.invite) return; // a late answer to the INVITE we replaced after a challenge
    if (rs.status < 200) {
      this.provisionalSeen = true;
      if (rs.status > 100 && this.st !== 'terminated') {
        if (this.st === 'calling' && tagOf(rs.headers.to)) this.st = 'early';
        if (rs.status === 180 || rs.status === 183) this.hadRinging = true;
        const sdp = sdpOf(rs);
        this.emit('provisional', { status: rs.status, reason: rs.reason, ...(sdp ? { sdp } : {}) });
      }
      if (this.cancelRequested && !this.cancelSent) this.sendCancel();
      return;
    }
    if (rs.status < 300) this.onSuccess(rq, rs);
    else this.onFailure(rs);
  }

  private onSuccess(rq: SipRequest, rs: SipResponse): void {
    const toTag = tagOf(rs.headers.to);
    if (this.dialog) {
      if (toTag === this.dialog.remoteTag) {
        if (this.ackRq) this.stack.send(this.ackRq); // the far end did not see our ACK
        return;
      }
      // A second branch of a forked INVITE answered too: accept it only to hang it up.
      const extra = Dialog.fromResponse(rq, rs);
      this.stack.send(extra.ack(rq.headers.cseq!.seq));
      this.stack.send(extra.request('BYE'));
      return;
    }
    if (this.st === 'terminated') return;
    const d = Dialog.fromResponse(rq, rs);
    this.dialog = d;
    this.ackRq = d.ack(rq.headers.cseq!.seq);
    this.stack.send(this.ackRq);
    this.finalStatus = rs.status;
    this.clearRingTimer();
    for (const host of [parseUri(d.remoteTarget)?.host, ...d.routeSet.slice(0, 1).map((r) => parseUri(r.uri)?.host)]) {
      if (host) { const release = this.stack.guard?.allowPeer(host); if (release) this.releases.push(release); }
    }
    if (this.cancelRequested) {
      // The answer crossed our CANCEL: the call is over for us, so hang up what was answered.
      this.log.debug('2xx crossed CANCEL: ACK then BYE');
      this.st = 'confirmed';
      this.stack.send(d.request('BYE'));
      this.emit('failed', { status: 487, reason: 'Request Terminated (answer crossed CANCEL)', q850: null, local: true });
      this.finish({ by: 'local', status: 487, reason: 'cancelled', q850: null, answered: false });
      return;
    }
    this.st = 'confirmed';
    this.everAnswered = true;
    this.log.debug({ status: rs.status }, 'answered');
    this.emit('answered', { sdp: sdpOf(rs) ?? '' });
  }

  private onFailure(rs: SipResponse): void {
    if (this.st === 'terminated') return;
    if ((rs.status === 401 || rs.status === 407) && !this.authRetried && !this.cancelRequested && this.digest?.accept(rs)) {
      this.authRetried = true;
      this.cseq++;
      this.provisionalSeen = false;
      this.cancelSent = false;
      this.log.debug({ status: rs.status }, 'challenged: retrying with credentials');
      this.sendInvite();
      return;
    }
    this.clearRingTimer();
    this.finalStatus = rs.status;
    const q850 = q850FromReason(rs.headers);
    const local = this.stack.isLocal(rs);
    this.log.debug({ status: rs.status, q850, local }, 'call failed');
    this.emit('failed', { status: rs.status, reason: rs.reason, q850, local });
    this.finish({ by: local ? 'error' : 'remote', status: rs.status, reason: rs.reason, q850, answered: false });
  }

  private clearRingTimer(): void {
    if (this.ringTimer) { clearTimeout(this.ringTimer); this.ringTimer = null; }
  }

  private clearTimers(): void {
    this.clearRingTimer();
    for (const t of this.retrans.values()) clearTimeout(t);
    this.retrans.clear();
  }

  private finish(t: Termination): void {
    if (this.st === 'terminated') return;
    this.st = 'terminated';
    this.clearTimers();
    for (const r of this.releases.splice(0)) r();
    this.resolveDone(t);
    this.emit('terminated', t);
  }
}
