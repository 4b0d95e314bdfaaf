// The signalling of one call coming in (UAS, RFC 3261 §13.3 and §12.1.1): provisional and final
// responses to the INVITE, the 2xx retransmitted until its ACK, CANCEL before the answer, and the
// caller's in-dialog requests (BYE, INFO keys, refreshes). Hang-up sends BYE from our side.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import type { Transport } from '../../core/settings-types.ts';
import { dtmfFromInfo } from '../shared/dtmf-info.ts';
import { Dialog } from './dialog.ts';
import { randomToken } from './net-util.ts';
import type { SipStack } from './sip-stack.ts';
import { headerText, parseUri, q850FromReason, tagOf, type RemoteInfo, type SipHeaders, type SipRequest, type SipResponse } from './sip-types.ts';

export interface IncomingDialogEvents {
  /** The caller gave up before the answer (CANCEL): we have answered 487. */
  cancel: [];
  /** The caller hung up after the answer. */
  bye: [{ q850: number | null }];
  info: [{ digit: string }];
  /** The 2xx was never acknowledged (the caller is gone). */
  'ack-timeout': [];
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';
const T1 = 500;
const T2 = 4000;

export function sdpOfMessage(m: { headers: SipHeaders; content?: string }): string | undefined {
  const ct = headerText(m.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  return ct === 'application/sdp' && m.content ? m.content : undefined;
}

export class IncomingDialog extends EventEmitter<IncomingDialogEvents> {
  readonly callId: string;
  readonly localTag = randomToken(6);
  private readonly stack: SipStack;
  private readonly invite: SipRequest;
  private readonly remote: RemoteInfo;
  private readonly log: Logger;
  private st: 'early' | 'confirmed' | 'terminated' = 'early';
  private dialog: Dialog | null = null;
  private localSdp = '';
  private ok: SipResponse | null = null;
  private retransTimer: NodeJS.Timeout | null = null;
  /** Answers a mid-call offer (re-INVITE/UPDATE); without it, our current SDP. */
  onOffer: ((sdp: string) => string | null) | null = null;

  constructor(stack: SipStack, invite: SipRequest, remote: RemoteInfo, log: Logger) {
    super();
    this.stack = stack;
    this.invite = invite;
    this.remote = remote;
    this.log = log;
    this.callId = invite.headers['call-id'] ?? '';
  }

  get state(): 'early' | 'confirmed' | 'terminated' { return this.st; }
  get offer(): string | undefined { return sdpOfMessage(this.invite); }

  /** 180 Ringing (or 183) before the domain decides. */
  provisional(status: number, reason: string): void {
    if (this.st !== 'early') return;
    this.stack.reply(this.invite, status, reason, { toTag: this.localTag, headers: { contact: this.contact() } });
  }

  /** 200 OK with our SDP; retransmitted until the ACK comes (RFC 3261 §13.3.1.4). */
  accept(sdp: string): void {
    if (this.st !== 'early') return;
    this.localSdp = sdp;
    const rs = this.stack.reply(this.invite, 200, 'OK', {
      toTag: this.localTag, content: sdp, headers: { contact: this.contact(), allow: ALLOW, 'content-type': 'application/sdp' },
    });
    this.ok = rs;
    this.st = 'confirmed';
    const h = this.invite.headers;
    const contact = Array.isArray(h.contact) ? h.contact[0] : undefined;
    this.dialog = new Dialog({
      callId: this.callId,
      local: { name: h.to?.name, uri: h.to?.uri ?? '', params: { tag: this.localTag } },
      remote: { name: h.from?.name, uri: h.from?.uri ?? '', params: { tag: tagOf(h.from) } },
      remoteTarget: contact && parseUri(contact.uri) ? contact.uri : `sip:${this.remote.address}:${this.remote.port}`,
      // The UAS keeps Record-Route in the order received (RFC 3261 §12.1.1).
      routeSet: [...(h['record-route'] ?? [])],
      localCseq: Math.floor(Math.random() * 10_000) + 1,
      contact: this.contact()[0]!,
    });
    const started = Date.now();
    const tick = (interval: number): void => {
      this.retransTimer = setTimeout(() => {
        if (this.st !== 'confirmed' || !this.ok) return;
        if (Date.now() - started > 64 * T1) {
          this.log.warn('no ACK for our 200 OK: hanging up');
          this.emit('ack-timeout');
          void this.bye();
          return;
        }
        this.stack.sendResponse(rs);
        tick(Math.min(interval * 2, T2));
      }, interval);
    };
    tick(T1);
  }

  /** A final refusal before the answer. */
  reject(status: number, reason: string): void {
    if (this.st !== 'early') return;
    this.st = 'terminated';
    this.stack.reply(this.invite, status, reason, { toTag: this.localTag });
  }

  /** Hang up an answered call. */
  async bye(): Promise<void> {
    const d = this.dialog;
    if (this.st !== 'confirmed' || !d) return;
    this.terminate();
    await new Promise<void>((resolve) => this.stack.send(d.request('BYE'), (rs) => { if (rs.status >= 200) resolve(); }));
  }

  /** Does a request belong to this call: the CANCEL of our INVITE, or an in-dialog request? */
  matches(rq: SipRequest): boolean {
    if (rq.headers['call-id'] !== this.callId) return false;
    if (rq.method === 'CANCEL') return rq.headers.via?.[0]?.params.branch === this.invite.headers.via?.[0]?.params.branch;
    if (rq.method === 'INVITE' && !tagOf(rq.headers.to)) return rq.headers.cseq?.seq === this.invite.headers.cseq?.seq; // a retransmission
    return tagOf(rq.headers.to) === this.localTag && tagOf(rq.headers.from) === tagOf(this.invite.headers.from);
  }

  handleRequest(rq: SipRequest): void {
    switch (rq.method) {
      case 'ACK':
        this.stopRetransmitting();
        return;
      case 'CANCEL':
        this.stack.reply(rq, 200, 'OK');
        if (this.st === 'early') {
          this.reject(487, 'Request Terminated');
          this.emit('cancel');
        }
        return;
      case 'INVITE':
        if (!tagOf(rq.headers.to)) return; // the transaction layer answers retransmissions
        this.answerOffer(rq);
        return;
      case 'UPDATE':
        this.answerOffer(rq);
        return;
      case 'BYE':
        this.stack.reply(rq, 200, 'OK');
        if (this.st === 'confirmed') {
          this.terminate();
          this.emit('bye', { q850: q850FromReason(rq.headers) });
        }
        return;
      case 'INFO': {
        this.stack.reply(rq, 200, 'OK');
        const digit = dtmfFromInfo(headerText(rq.headers, 'content-type'), rq.content);
        if (digit) this.emit('info', { digit });
        return;
      }
      case 'OPTIONS':
      case 'NOTIFY':
        this.stack.reply(rq, 200, 'OK', { headers: { allow: ALLOW } });
        return;
      default:
        this.stack.reply(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } });
    }
  }

  /** The call is over for us (answers and retransmissions stop). */
  terminate(): void {
    this.st = 'terminated';
    this.stopRetransmitting();
  }

  private answerOffer(rq: SipRequest): void {
    if (this.st !== 'confirmed') { this.stack.reply(rq, 491, 'Request Pending'); return; }
    const offer = sdpOfMessage(rq);
    const answer = offer && this.onOffer ? this.onOffer(offer) : null;
    if (offer && this.onOffer && answer === null) { this.stack.reply(rq, 488, 'Not Acceptable Here'); return; }
    if (answer) this.localSdp = answer;
    this.stack.reply(rq, 200, 'OK', { headers: { contact: this.contact(), 'content-type': 'application/sdp' }, content: this.localSdp });
  }

  private stopRetransmitting(): void {
    if (this.retransTimer) clearTimeout(this.retransTimer);
    this.retransTimer = null;
    this.ok = null;
  }

  private contact(): Array<{ uri: string; params: Record<string, string> }> {
    const t = (this.remote.protocol ?? 'udp').toLowerCase();
    const transport: Transport = t === 'tcp' || t === 'tls' ? t : 'udp';
    const user = parseUri(typeof this.invite.uri === 'string' ? this.invite.uri : '')?.user ?? (typeof this.invite.uri === 'object' ? this.invite.uri.user : undefined);
    return [{ uri: this.stack.contactUri(user, { host: this.remote.address, transport }), params: {} }];
  }
}
