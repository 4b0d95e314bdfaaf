// Ringing a browser softphone (issue 16): an INVITE over its WebSocket (ws-transport.ts) whose SDP
// offer comes from a WebRTC leg (ICE, DTLS-SRTP: media/webrtc, given to the engine as a factory).
// The call answers once the browser's 200 OK is acknowledged and the leg is connected; then it plays,
// collects, records and bridges through the leg. A ring timeout or hang-up before the answer CANCELs.
import type { StaffDialRequest } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { inviteFailureEnd, type CallEnd } from '../shared/call-life.ts';
import type { StaffBinding } from '../shared/staff-registry.ts';
import type { RingStart } from '../shared/ring-all.ts';
import { LegCall, type CallMediaLeg, type PromptSource } from './leg-call.ts';
import { sdpOfMessage } from './incoming-dialog.ts';
import { randomToken } from './net-util.ts';
import { headerText, q850FromReason, tagOf, type SipHeaders, type SipRequest, type SipResponse } from './sip-types.ts';
import type { StaffSocket } from './ws-transport.ts';
import { dtmfFromInfo } from '../shared/dtmf-info.ts';

/** What the engine needs of a WebRTC leg (media/webrtc's WebRtcLeg fits): a call's media leg that connects by SDP. */
export interface WebRtcLegPort extends CallMediaLeg {
  offer(): Promise<string>;
  accept(answerSdp: string): Promise<void>;
  /**
   * Answers the browser's offer (a softphone calling out: browser-call-out.ts); returns the answer SDP.
   * media/webrtc's WebRtcLeg has it; a leg without it cannot take a softphone's call out (488).
   */
  answer?(offerSdp: string): Promise<string>;
  readonly connected: Promise<void>;
  on(event: 'audio', fn: (pcm: Int16Array) => void): unknown;
  on(event: 'dtmf', fn: (e: { digit: string; source: 'rfc4733' }) => void): unknown;
  on(event: 'close', fn: (e: { reason: string }) => void): unknown;
  close(): void;
}

/** What a softphone's call does with a request of its dialog; the other methods are answered here. */
export interface SoftphoneDialogHandlers {
  bye(rq: SipRequest): void;
  key(digit: string): void;
  /** Absent: CANCEL is refused like any other method (the box sent the INVITE, so CANCEL is its own). */
  cancel?(): void;
}

/**
 * A request in a softphone's dialog, whichever side sent the INVITE (browser-call.ts, browser-call-out.ts):
 * ACK taken, BYE and CANCEL answered 200 and passed on, a keypress in SIP INFO passed on, a re-INVITE or
 * UPDATE refused 488 (the WebRTC leg does not renegotiate), anything else 405.
 */
export function onSoftphoneRequest(socket: StaffSocket, rq: SipRequest, on: SoftphoneDialogHandlers): void {
  switch (rq.method) {
    case 'ACK':
      return;
    case 'CANCEL':
      if (!on.cancel) break;
      socket.respond(rq, 200, 'OK');
      on.cancel();
      return;
    case 'BYE':
      socket.respond(rq, 200, 'OK');
      on.bye(rq);
      return;
    case 'INFO': {
      socket.respond(rq, 200, 'OK');
      const digit = dtmfFromInfo(headerText(rq.headers, 'content-type'), rq.content);
      if (digit) on.key(digit);
      return;
    }
  }
  const renegotiation = rq.method === 'INVITE' || rq.method === 'UPDATE';
  socket.respond(rq, renegotiation ? 488 : 405, renegotiation ? 'Not Acceptable Here' : 'Method Not Allowed');
}

export interface BrowserCallDeps {
  socket: StaffSocket;
  binding: StaffBinding;
  /** Makes the call's WebRTC leg when the call starts (the WebRTC library is loaded on first use). */
  makeLeg: () => WebRtcLegPort | Promise<WebRtcLegPort>;
  prompts: PromptSource;
  logger: Logger;
  /** A ring-all's start line: the INVITE waits there once the WebRTC offer is ready (see RingTogether). */
  ringStart?: RingStart;
}

const PROTECTED = new Set(['via', 'call-id', 'cseq', 'from', 'to', 'contact', 'content-length', 'content-type', 'route']);

export class BrowserCall extends LegCall {
  private readonly d: BrowserCallDeps;
  private readonly req: StaffDialRequest;
  private readonly callId = `b${randomToken(12)}`;
  private readonly fromTag = randomToken(6);
  private media: WebRtcLegPort | null = null;
  private invite: SipRequest | null = null;
  private branch = '';
  private remoteTag: string | undefined;
  private cseq = 1;
  private ringTimer: NodeJS.Timeout | null = null;
  private hangupRequested = false;
  private finalStatus: number | null = null;
  private readonly releases: Array<() => void> = [];

  constructor(d: BrowserCallDeps, req: StaffDialRequest) {
    super({ logger: d.logger, logFields: { browser: true, ...(req.tag ? { tag: req.tag } : {}) }, prompts: d.prompts, state: 'dialling' });
    this.d = d;
    this.req = req;
    this.releases.push(d.socket.whenGone(() => this.end({ outcome: this.st === 'answered' ? 'human' : 'no-answer', sipCode: this.finalStatus, q850: null, endedBy: 'remote', reason: 'softphone disconnected' })));
    setImmediate(() => { this.setup().catch((e: unknown) => this.end({ outcome: 'trunk-failure', sipCode: null, q850: null, endedBy: 'error', reason: (e as Error).message })); });
  }

  protected leg(): CallMediaLeg | null {
    return this.media;
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.st === 'ended') return;
    this.hangupRequested = true;
    if (this.st === 'answered') this.byeAndEnd({ outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local', reason });
    else this.cancel();
    await this.done;
  }

  forceEnd(reason: string): void {
    if (this.st === 'answered') this.sendInDialog('BYE');
    else this.cancel();
    this.end({ outcome: this.st === 'answered' ? 'human' : 'interrupted', sipCode: this.finalStatus, q850: null, endedBy: 'local', reason });
  }

  private async setup(): Promise<void> {
    const b = this.d.binding;
    const leg = await this.d.makeLeg();
    if (this.isOver()) return leg.close();
    this.media = leg;
    leg.on('dtmf', (e) => this.key(e.digit, e.source));
    leg.on('close', (e) => { if (this.st === 'answered') this.byeAndEnd({ outcome: 'human', sipCode: 200, q850: null, endedBy: 'error', reason: `WebRTC leg closed (${e.reason})` }); });
    const offer = await leg.offer();
    await this.d.ringStart?.ready();
    if (this.hangupRequested || this.st === 'ended') return this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before ringing' });
    const headers: SipHeaders = {
      to: { uri: `sip:${b.user}@box.invalid`, params: {} },
      from: { name: `"${this.req.display.replace(/["\\\r\n]/g, '')}"`, uri: 'sip:box@box.invalid', params: { tag: this.fromTag } },
      'call-id': this.callId,
      cseq: { seq: this.cseq, method: 'INVITE' },
      contact: [{ uri: 'sip:box@box.invalid;transport=ws', params: {} }],
      'max-forwards': '70',
      'content-type': 'application/sdp',
    };
    for (const [k, v] of Object.entries(this.req.headers ?? {})) {
      if (!PROTECTED.has(k.toLowerCase()) && /^[A-Za-z0-9-]+$/.test(k) && !/[\r\n]/.test(v)) headers[k.toLowerCase()] = v;
    }
    const rq: SipRequest = { method: 'INVITE', uri: b.contact, headers, content: offer };
    this.invite = rq;
    this.releases.push(this.d.socket.adopt(this.callId, (r) => this.onRequest(r)));
    this.life.inviteSent();
    this.branch = this.d.socket.send(rq, (rs) => this.onResponse(rs));
    this.ringTimer = setTimeout(() => { this.log.debug('ring timeout: cancelling'); this.cancel(); }, this.req.ringTimeoutMs ?? 30_000);
    if (this.hangupRequested) this.cancel();
  }

  private onResponse(rs: SipResponse): void {
    if (this.st === 'ended') {
      if (rs.status >= 200 && rs.status < 300) { this.remoteTag = tagOf(rs.headers.to); this.ack(); this.sendInDialog('BYE'); }
      return;
    }
    if (rs.status < 200) {
      if (rs.status === 180 || rs.status === 183) {
        this.life.progressed();
        this.life.ringing();
        if (this.st === 'dialling') { this.st = 'ringing'; this.emit('progress', { kind: 'ringing', sipCode: rs.status }); }
      }
      return;
    }
    this.clearRing();
    this.finalStatus = rs.status;
    if (rs.status >= 300) {
      this.end(inviteFailureEnd({ status: rs.status, reason: rs.reason, q850: q850FromReason(rs.headers), local: false }, { rang: this.life.rang, hangupRequested: this.hangupRequested }));
      return;
    }
    this.remoteTag = tagOf(rs.headers.to);
    this.ack();
    if (this.hangupRequested) { this.byeAndEnd({ outcome: 'no-answer', sipCode: 487, q850: null, endedBy: 'local', reason: 'answer crossed the hang-up' }); return; }
    void this.connect(sdpOfMessage(rs));
  }

  private async connect(answer: string | undefined): Promise<void> {
    try {
      if (!answer) throw new Error('200 OK without SDP');
      await this.media!.accept(answer);
      await this.media!.connected;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'browser media did not connect: hanging up');
      this.byeAndEnd({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `media: ${(e as Error).message}` });
      return;
    }
    if (this.st === 'ended') return;
    this.markAnswered('browser softphone answered', this.media!.codec);
  }

  private onRequest(rq: SipRequest): void {
    onSoftphoneRequest(this.d.socket, rq, {
      bye: (bye) => this.end({ outcome: this.st === 'answered' ? 'human' : 'no-answer', sipCode: this.finalStatus, q850: q850FromReason(bye.headers) ?? 16, endedBy: 'remote', reason: 'softphone hung up' }),
      key: (digit) => this.key(digit, 'info'),
    });
  }

  private cancel(): void {
    const inv = this.invite;
    if (!inv || this.finalStatus !== null || this.st === 'ended') {
      if (!inv && this.st !== 'ended') this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before ringing' });
      return;
    }
    this.clearRing();
    const rq: SipRequest = {
      method: 'CANCEL', uri: inv.uri,
      headers: { to: inv.headers.to, from: inv.headers.from, 'call-id': this.callId, cseq: { seq: inv.headers.cseq!.seq, method: 'CANCEL' }, 'max-forwards': '70' },
    };
    this.d.socket.send(rq, () => {}, this.branch);
  }

  private ack(): void {
    const inv = this.invite!;
    this.d.socket.send({
      method: 'ACK', uri: this.d.binding.contact,
      headers: { to: { ...inv.headers.to!, params: { tag: this.remoteTag } }, from: inv.headers.from, 'call-id': this.callId, cseq: { seq: inv.headers.cseq!.seq, method: 'ACK' }, 'max-forwards': '70' },
    });
  }

  private sendInDialog(method: string): void {
    const inv = this.invite;
    if (!inv) return;
    this.cseq++;
    this.d.socket.send({
      method, uri: this.d.binding.contact,
      headers: { to: { ...inv.headers.to!, params: { tag: this.remoteTag } }, from: inv.headers.from, 'call-id': this.callId, cseq: { seq: this.cseq, method }, 'max-forwards': '70' },
    }, () => {});
  }

  private byeAndEnd(e: CallEnd): void {
    this.sendInDialog('BYE');
    this.end(e);
  }

  private clearRing(): void {
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
  }

  protected teardown(): void {
    this.clearRing();
    this.media?.close();
    // A late BYE retransmission still finds the dialog for a moment.
    const releases = this.releases.splice(0);
    setTimeout(() => { for (const r of releases) r(); }, 5000).unref();
  }
}
