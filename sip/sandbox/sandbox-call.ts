// The SIP side of one call into the sandbox, as a UAS: provisional and final responses by behaviour,
// the answer with SDP and RTP, 2xx retransmission until the ACK, CANCEL, BYE both ways, re-INVITE.
import type { Logger } from '../../core/log.ts';
import type { MediaEngine } from '../../media/rtp/media-engine.ts';
import type { RtpSession } from '../../media/rtp/session.ts';
import { Dialog } from '../../sip/embedded/dialog.ts';
import { LocalSdp, parseRemoteSdp, type Codec, type RemoteMedia } from '../../sip/embedded/sdp.ts';
import { randomToken, type SipStack } from '../../sip/embedded/sip-stack.ts';
import { type NameAddr, type RemoteInfo, type SipHeaders, type SipRequest, type SipResponse } from '../../sip/embedded/sip-types.ts';
import type { Transport } from '../../core/settings-types.ts';
import { Person } from './person.ts';
import type { CallPlan, Timings } from './plan.ts';
import type { EndedBy, SandboxCallRecord } from './records.ts';

const T1 = 500;
const T2 = 4000;
const CODECS: Codec[] = ['PCMU', 'PCMA'];
export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REGISTER';

/** Q.850 causes in the Reason header of our rejections, as a real network sends them. */
const Q850: Record<number, [number, string]> = {
  404: [1, 'Unallocated number'],
  480: [18, 'No user responding'],
  484: [28, 'Invalid number format'],
  486: [17, 'User busy'],
  487: [16, 'Normal call clearing'],
  488: [88, 'Incompatible destination'],
  603: [21, 'Call rejected'],
};

export interface CallContext {
  stack: SipStack;
  media: MediaEngine;
  timings: Timings;
  logger: Logger;
  now: () => number;
  clip: (id: string | null, law: 'pcmu' | 'pcma') => Buffer | null;
  onEnded: (call: SandboxCall) => void;
}

type State = 'ringing' | 'answering' | 'answered' | 'ended';

function transportOf(remote: RemoteInfo): Transport {
  const p = remote.protocol.toLowerCase();
  return p === 'tcp' || p === 'tls' ? p : 'udp';
}

export class SandboxCall {
  readonly record: SandboxCallRecord;
  private readonly ctx: CallContext;
  private readonly invite: SipRequest;
  private readonly remote: RemoteInfo;
  private readonly plan: CallPlan | null;
  private readonly toTag = randomToken(6);
  private readonly contact: NameAddr[];
  private state: State = 'ringing';
  private timers = new Set<NodeJS.Timeout>();
  private retrans = new Map<number, NodeJS.Timeout>();
  private offer: RemoteMedia | null = null;
  private localSdp: LocalSdp | null = null;
  private dialog: Dialog | null = null;
  private session: RtpSession | null = null;
  private person: Person | null = null;
  private acked = false;

  constructor(ctx: CallContext, invite: SipRequest, remote: RemoteInfo, plan: CallPlan | null, record: SandboxCallRecord) {
    this.ctx = ctx;
    this.invite = invite;
    this.remote = remote;
    this.plan = plan;
    this.record = record;
    this.contact = [{ uri: ctx.stack.contactUri('sandbox', { host: remote.address, transport: transportOf(remote) }), params: {} }];
  }

  get callId(): string { return this.record.callId; }
  get ended(): boolean { return this.state === 'ended'; }

  /** Decide and start: reject now, or ring and answer / decline later. */
  begin(): void {
    this.ctx.stack.reply(this.invite, 100, 'Trying');
    const plan = this.plan;
    if (!plan) return this.reject(484, 'Address Incomplete', 'network', 'not-a-number');
    const sdp = this.invite.content;
    if (sdp && sdp.trim()) {
      try {
        this.offer = parseRemoteSdp(sdp, CODECS);
      } catch (e) {
        return this.reject(488, 'Not Acceptable Here', 'network', `sdp: ${(e as Error).message}`);
      }
    }
    switch (plan.behaviour) {
      case 'busy': return this.reject(486, 'Busy Here', 'callee', 'busy');
      case 'invalid': return this.reject(404, 'Not Found', 'network', 'invalid-number');
      case 'no-answer':
        this.ring();
        this.after(this.ctx.timings.noAnswerCapMs, () => this.reject(480, 'Temporarily Unavailable', 'network', 'no-answer-timeout'));
        return;
      case 'decline':
        this.ring();
        this.after(plan.ringMs, () => this.reject(603, 'Decline', 'callee', 'declined'));
        return;
      default:
        this.ring();
        this.after(plan.ringMs, () => void this.answer());
    }
  }

  /** CANCEL from the caller: 200 for the CANCEL, 487 for the INVITE while it is still pending. */
  onCancel(rq: SipRequest): void {
    this.ctx.stack.reply(rq, 200, 'OK');
    if (this.state === 'ringing' || this.state === 'answering') this.reject(487, 'Request Terminated', 'caller', 'cancel');
  }

  onAck(rq: SipRequest): void {
    const seq = rq.headers.cseq?.seq ?? -1;
    const t = this.retrans.get(seq);
    if (t) { clearTimeout(t); this.retrans.delete(seq); }
    if (this.acked || this.state !== 'answered' || seq !== this.invite.headers.cseq?.seq) return;
    this.acked = true;
    // Late offer: the caller's answer comes in the ACK.
    if (!this.offer && rq.content && this.session) {
      try {
        this.useRemote(parseRemoteSdp(rq.content, CODECS));
      } catch (e) {
        return this.hangup(`sdp: ${(e as Error).message}`);
      }
    }
    this.person?.start();
  }

  onBye(rq: SipRequest): void {
    this.ctx.stack.reply(rq, 200, 'OK');
    if (this.state !== 'ended') this.finish('caller', 'bye');
  }

  /** In-dialog requests other than ACK, BYE and CANCEL. */
  onInDialog(rq: SipRequest): void {
    const stack = this.ctx.stack;
    if (this.dialog && !this.dialog.acceptRemoteCseq(rq)) return void stack.reply(rq, 500, 'Server Internal Error', { headers: { 'retry-after': '1' } });
    if ((rq.method === 'INVITE' || rq.method === 'UPDATE') && this.localSdp && this.session) {
      this.dialog?.refreshTarget(rq);
      let body: string;
      if (rq.content && rq.content.trim()) {
        try {
          const a = this.localSdp.answer(rq.content, this.session.codec === 'pcma' ? 'PCMA' : 'PCMU');
          this.useRemote(a.remote);
          body = a.sdp;
        } catch {
          return void stack.reply(rq, 488, 'Not Acceptable Here');
        }
      } else body = this.localSdp.current();
      const rs = stack.reply(rq, 200, 'OK', { toTag: this.toTag, headers: { contact: this.contact, 'content-type': 'application/sdp' }, content: body });
      if (rq.method === 'INVITE') this.retransmit2xx(rs);
      return;
    }
    if (rq.method === 'INVITE' || rq.method === 'UPDATE' || rq.method === 'INFO' || rq.method === 'OPTIONS' || rq.method === 'NOTIFY') {
      return void stack.reply(rq, 200, 'OK', { headers: { allow: ALLOW } });
    }
    stack.reply(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } });
  }

  /** The callee hangs up: BYE, and the call is over for us at once. */
  hangup(reason: string, by: EndedBy = 'callee'): void {
    if (this.state === 'ended') return;
    if (this.state === 'ringing' || this.state === 'answering') return this.reject(480, 'Temporarily Unavailable', by, reason);
    if (this.dialog) {
      const bye = this.dialog.request('BYE');
      const [cause, text] = by === 'callee' ? [16, 'Normal call clearing'] : [41, 'Temporary failure'];
      bye.headers.reason = `Q.850;cause=${cause};text="${text}"`;
      this.ctx.stack.send(bye, () => {});
    }
    this.finish(by, reason);
  }

  // ---- internals ----

  private ring(): void {
    this.ctx.stack.reply(this.invite, 180, 'Ringing', { toTag: this.toTag, headers: { contact: this.contact } });
  }

  private reject(status: number, reason: string, by: EndedBy, why: string): void {
    if (this.state === 'ended' || this.state === 'answered') return;
    const q = Q850[status];
    const headers: SipHeaders = q ? { reason: `Q.850;cause=${q[0]};text="${q[1]}"` } : {};
    this.ctx.stack.reply(this.invite, status, reason, { toTag: this.toTag, headers });
    this.setFinal(status);
    this.finish(by, why);
  }

  private setFinal(status: number): void {
    this.record.finalCode = status;
    this.record.finalMonoMs = Math.round(this.ctx.now());
  }

  private async answer(): Promise<void> {
    if (this.state !== 'ringing') return;
    this.state = 'answering';
    let session: RtpSession;
    try {
      session = await this.ctx.media.createSession({
        payloadType: this.offer?.codec === 'PCMA' ? 8 : 0,
        telephoneEventPt: this.offer ? this.offer.telephoneEventPt : 101,
        rtpTimeoutMs: 30_000,
      });
    } catch (e) {
      this.ctx.logger.warn({ err: (e as Error).message, callId: this.callId }, 'sandbox: no RTP port for an answer');
      return this.reject(503, 'Service Unavailable', 'network', 'no-rtp-port');
    }
    if (this.state !== 'answering') return void session.close();
    this.session = session;
    session.on('dtmf', (d) => { this.record.dtmfReceived += d.digit; });
    session.on('rtp-timeout', () => this.hangup('rtp-timeout', 'network'));
    const local = new LocalSdp({ address: this.ctx.stack.publicAddress, port: session.localPort, codecs: CODECS });
    this.localSdp = local;
    let body: string;
    if (this.invite.content && this.invite.content.trim() && this.offer) {
      const a = local.answer(this.invite.content);
      this.useRemote(a.remote);
      body = a.sdp;
    } else body = local.offer();
    const h = this.invite.headers;
    this.dialog = new Dialog({
      callId: this.callId,
      local: { ...h.to!, params: { ...h.to!.params, tag: this.toTag } },
      remote: { ...h.from!, params: { ...h.from!.params } },
      remoteTarget: (Array.isArray(h.contact) ? h.contact[0]?.uri : undefined) ?? String(this.invite.uri),
      routeSet: [...(h['record-route'] ?? [])],
      localCseq: 1 + Math.floor(Math.random() * 10_000),
      contact: this.contact[0]!,
    });
    this.dialog.acceptRemoteCseq(this.invite);
    this.state = 'answered';
    const rs = this.ctx.stack.reply(this.invite, 200, 'OK', { toTag: this.toTag, headers: { contact: this.contact, allow: ALLOW, 'content-type': 'application/sdp' }, content: body });
    this.setFinal(200);
    this.record.answeredMonoMs = this.record.finalMonoMs;
    this.record.codec = session.codec === 'pcma' ? 'PCMA' : 'PCMU';
    this.person = new Person({
      plan: this.plan!,
      timings: this.ctx.timings,
      session,
      clock: this.ctx.media.clock,
      clip: (id) => this.ctx.clip(id, session.codec),
      now: this.ctx.now,
      telephoneEvent: this.offer ? this.offer.telephoneEventPt !== null : true,
      hangup: (why) => this.hangup(why),
    });
    this.retransmit2xx(rs);
    // No ACK within 64*T1: the caller is gone (RFC 3261 §13.3.1.4).
    this.after(64 * T1, () => { if (!this.acked) this.hangup('no-ack', 'network'); });
  }

  private useRemote(r: RemoteMedia): void {
    const s = this.session;
    if (!s) return;
    s.setRemote(r.address, r.port);
    s.setPayloadType(r.codec === 'PCMA' ? 8 : 0);
    s.setTelephoneEventPt(r.telephoneEventPt);
    s.hold(r.hold);
  }

  /** RFC 3261 §13.3.1.4: over UDP the UAS core repeats its 2xx until the ACK arrives. */
  private retransmit2xx(rs: SipResponse): void {
    if (transportOf(this.remote) !== 'udp') return;
    const seq = rs.headers.cseq?.seq ?? 0;
    let waited = 0;
    const arm = (interval: number): void => {
      const t = setTimeout(() => {
        this.retrans.delete(seq);
        waited += interval;
        if (this.state === 'ended' || waited >= 64 * T1) return;
        this.ctx.stack.sendResponse(rs);
        arm(Math.min(interval * 2, T2));
      }, interval);
      this.retrans.set(seq, t);
    };
    arm(T1);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.state !== 'ended') fn();
    }, ms);
    this.timers.add(t);
  }

  private finish(by: EndedBy, reason: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const t of this.retrans.values()) clearTimeout(t);
    this.retrans.clear();
    const r = this.record;
    if (this.person) {
      this.person.stop();
      r.heard = this.person.heard();
      r.dtmfSent = this.person.dtmfSent;
      r.dtmfMode = this.person.dtmfMode;
      r.turnsTaken = this.person.turnsTaken;
      r.spokeMs = Math.round(this.person.spokeMs);
    }
    if (this.session) {
      const st = this.session.stats();
      r.rtp = { sent: st.packetsSent, received: st.packetsReceived };
      this.session.close();
    }
    r.endedBy = by;
    r.endReason = reason;
    r.endedMonoMs = Math.round(this.ctx.now());
    r.endedAt = new Date().toISOString();
    this.ctx.onEnded(this);
  }
}

