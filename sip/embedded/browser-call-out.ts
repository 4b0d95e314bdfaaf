// A browser softphone calling a number through the box (issue 16): the INVITE sip.js sends over its
// logged-in WebSocket (ws-transport.ts), with its WebRTC offer. The engine only hands it to the domain as
// the call port's IncomingCall (the 'staff-call' event, kind 'browser'); the domain refuses it (a final
// response with its reason as the phrase) or answers it once the far end answers. Answering makes the
// WebRTC leg (the engine's factory), answers the browser's offer with it (200 OK with the SDP), and the
// call counts as answered once ICE and DTLS are up. The browser may CANCEL while it rings, BYE after.
import type { Logger } from '../../core/log.ts';
import type { StaffBinding, StaffRegistry } from '../shared/staff-registry.ts';
import { onSoftphoneRequest, type WebRtcLegPort } from './browser-call.ts';
import { sdpOfMessage } from './incoming-dialog.ts';
import { AnswerableCall } from './answerable-call.ts';
import type { CallMediaLeg, PromptSource } from './leg-call.ts';
import { randomToken } from './net-util.ts';
import { q850FromReason, type SipHeaders, type SipRequest } from './sip-types.ts';
import type { StaffSocket } from './ws-transport.ts';

export interface BrowserCallOutDeps {
  socket: StaffSocket;
  /** The browser's INVITE (its offer in the body). */
  invite: SipRequest;
  /** The session's user (the From of the INVITE was checked against it). */
  user: string;
  dialled: string;
  makeLeg: () => WebRtcLegPort | Promise<WebRtcLegPort>;
  prompts: PromptSource;
  logger: Logger;
  /** The softphone's registration: marked busy while the call lasts (the box rings it for nothing else). */
  registry: StaffRegistry;
  /** Refuse with 480 when the domain neither answers nor refuses in this time. */
  answerTimeoutMs: number;
}

export class BrowserCallOut extends AnswerableCall {
  readonly from: string;
  readonly to: string;
  /** Not a trunk: the staff leg of a call out (the domain places the trunk's call itself). */
  readonly trunk = 'browser-softphone';
  private readonly d: BrowserCallOutDeps;
  private readonly toTag = randomToken(8);
  private readonly callId: string;
  private media: WebRtcLegPort | null = null;
  private finalSent = false;
  private cseq = 1;
  private readonly releases: Array<() => void> = [];
  private binding: StaffBinding | undefined;

  constructor(d: BrowserCallOutDeps) {
    super({ logger: d.logger, logFields: { browser: true, callOut: true }, prompts: d.prompts, answerTimeoutMs: d.answerTimeoutMs, what: 'softphone call out' });
    this.d = d;
    this.from = d.user;
    this.to = d.dialled;
    this.callId = d.invite.headers['call-id'] as string;
    this.releases.push(d.socket.adopt(this.callId, (rq) => this.onRequest(rq)));
    this.releases.push(d.socket.whenGone(() => this.end({
      outcome: this.st === 'answered' ? 'human' : 'no-answer', sipCode: null, q850: null, endedBy: 'remote', reason: 'softphone disconnected',
    })));
    this.binding = d.registry.of(d.user).find((b) => b.socketId === d.socket.id);
    if (this.binding) d.registry.setBusy(this.binding, true);
    this.respond(100, 'Trying');
  }

  protected leg(): CallMediaLeg | null {
    return this.media;
  }

  protected refuse(code: number, phrase: string): void {
    this.final(code, phrase);
  }

  forceEnd(reason: string): void {
    if (this.st === 'answered') this.bye();
    else if (!this.finalSent) this.final(503, 'Service Unavailable');
    this.end({ outcome: this.st === 'answered' ? 'human' : 'interrupted', sipCode: null, q850: null, endedBy: 'local', reason });
  }

  protected async doAnswer(): Promise<void> {
    if (this.st !== 'ringing') throw new Error('call is not ringing');
    const offer = sdpOfMessage(this.d.invite);
    if (!offer) {
      this.final(488, 'Not Acceptable Here (no SDP offer)');
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'local', reason: 'INVITE without an SDP offer' });
      return;
    }
    let answer: string;
    try {
      const leg = await this.d.makeLeg();
      if (this.isOver()) return leg.close();
      this.media = leg;
      leg.on('dtmf', (e) => this.key(e.digit, e.source));
      leg.on('close', (e) => {
        if (this.st === 'answered') { this.bye(); this.end({ outcome: 'human', sipCode: 200, q850: null, endedBy: 'error', reason: `WebRTC leg closed (${e.reason})` }); }
      });
      if (!leg.answer) throw new Error('this WebRTC leg cannot answer an offer');
      answer = await leg.answer(offer);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "the softphone's offer could not be answered");
      if (!this.finalSent) this.final(488, 'Not Acceptable Here');
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `media: ${(e as Error).message}` });
      return;
    }
    if (this.isOver()) return;
    this.stopAnswerTimer();
    this.final(200, 'OK', { contact: [{ uri: 'sip:box@box.invalid;transport=ws', params: {} }], 'content-type': 'application/sdp' }, answer);
    try {
      await this.media!.connected;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'softphone media did not connect: hanging up');
      this.bye();
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `media: ${(e as Error).message}` });
      return;
    }
    if (this.isOver()) return;
    this.markAnswered('softphone call out answered', this.media!.codec);
  }

  private onRequest(rq: SipRequest): void {
    onSoftphoneRequest(this.d.socket, rq, {
      cancel: () => {
        if (this.finalSent) return;
        this.final(487, 'Request Terminated');
        this.end({ outcome: 'no-answer', sipCode: 487, q850: 16, endedBy: 'remote', reason: 'softphone hung up before the answer' });
      },
      bye: (bye) => this.end({ outcome: this.st === 'answered' ? 'human' : 'no-answer', sipCode: 200, q850: q850FromReason(bye.headers) ?? 16, endedBy: 'remote', reason: 'softphone hung up' }),
      key: (digit) => this.key(digit, 'info'),
    });
  }

  /** A response to the browser's INVITE, with our To tag (one dialog). */
  private respond(status: number, reason: string, headers: SipHeaders = {}, content?: string): void {
    const to = this.d.invite.headers.to!;
    this.d.socket.respond(this.d.invite, status, reason, { ...headers, to: { ...to, params: { ...to.params, tag: this.toTag } } }, content);
  }

  private final(status: number, reason: string, headers?: SipHeaders, content?: string): void {
    if (this.finalSent) return;
    this.finalSent = true;
    this.respond(status, reason, headers, content);
  }

  /** BYE to the browser: our side of the dialog (its From is our To, with our tag); nothing waits for its answer. */
  protected bye(): void {
    const inv = this.d.invite;
    const c = inv.headers.contact?.[0];
    const target = typeof c === 'string' ? c : c?.uri;
    if (!target) return;
    this.cseq++;
    this.d.socket.send({
      method: 'BYE', uri: target,
      headers: {
        to: inv.headers.from, from: { ...inv.headers.to!, params: { ...inv.headers.to!.params, tag: this.toTag } },
        'call-id': this.callId, cseq: { seq: this.cseq, method: 'BYE' }, 'max-forwards': '70',
      },
    }, () => {});
  }

  protected teardown(): void {
    this.stopAnswerTimer();
    this.media?.close();
    if (this.binding) this.d.registry.setBusy(this.binding, false);
    // A late BYE retransmission still finds the dialog for a moment.
    const releases = this.releases.splice(0);
    setTimeout(() => { for (const r of releases) r(); }, 5000).unref();
  }
}
