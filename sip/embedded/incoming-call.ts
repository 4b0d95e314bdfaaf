// A call coming in from a configured trunk (issue 16): the call port's IncomingCall over an
// IncomingDialog (signalling) and an RtpSession (media, created on answer). The domain answers or
// refuses it; unanswered after `answerTimeoutMs` it is refused with 480. Once answered it plays,
// collects, records and bridges like an outgoing call.
import type { DtmfSource } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { MediaEngineApi } from '../../media/rtp/media-engine.ts';
import type { MediaSession } from '../../media/rtp/session-types.ts';
import { MediaSourceSet } from '../../media/rtp/source-filter.ts';
import type { IncomingDialog } from './incoming-dialog.ts';
import { AnswerableCall } from './answerable-call.ts';
import type { CallMediaLeg } from './leg-call.ts';
import { LocalSdp, parseRemoteSdp, type Codec, type RemoteMedia } from './sdp.ts';

export interface IncomingCallDeps {
  dialog: IncomingDialog;
  trunk: TrunkProfile;
  /** The trunk's signalling addresses (media may come from them too). */
  signallingSources: string[];
  media: MediaEngineApi;
  sdpAddress: string;
  logger: Logger;
  rtpTimeoutMs: number;
  /** Refuse with 480 when the domain neither answers nor refuses in this time; default 30 s. */
  answerTimeoutMs?: number;
  from: string;
  to: string;
}

export class EmbeddedIncomingCall extends AnswerableCall {
  readonly from: string;
  readonly to: string;
  readonly trunk: string;
  private readonly d: IncomingCallDeps;
  private session: MediaSession | null = null;
  private sdp: LocalSdp | null = null;
  private codec: Codec = 'PCMU';

  constructor(d: IncomingCallDeps) {
    super({ logger: d.logger, logFields: { inbound: true, trunk: d.trunk.name }, prompts: d.media.prompts, answerTimeoutMs: d.answerTimeoutMs ?? 30_000, what: 'incoming call' });
    this.d = d;
    this.from = d.from;
    this.to = d.to;
    this.trunk = d.trunk.name;
    const dl = d.dialog;
    dl.on('cancel', () => this.end({ outcome: 'no-answer', sipCode: 487, q850: 16, endedBy: 'remote', reason: 'caller hung up before the answer' }));
    dl.on('bye', (e) => this.end({ outcome: 'human', sipCode: 200, q850: e.q850 ?? 16, endedBy: 'remote', reason: 'caller hung up' }));
    dl.on('ack-timeout', () => this.end({ outcome: 'human', sipCode: 200, q850: null, endedBy: 'error', reason: 'no ACK for our answer' }));
    dl.on('info', (e) => this.onDigit(e.digit, 'info'));
    dl.onOffer = (offer) => this.onReoffer(offer);
  }

  protected leg(): CallMediaLeg | null {
    return this.session;
  }

  protected refuse(code: number, phrase: string): void {
    this.d.dialog.reject(code, phrase);
  }

  protected bye(): Promise<void> {
    return this.d.dialog.bye();
  }

  forceEnd(reason: string): void {
    if (this.st === 'ringing') this.d.dialog.reject(503, 'Service Unavailable');
    this.d.dialog.terminate();
    this.end({ outcome: this.st === 'answered' ? 'human' : 'interrupted', sipCode: null, q850: null, endedBy: 'local', reason });
  }

  protected async doAnswer(): Promise<void> {
    if (this.st !== 'ringing') throw new Error('call is not ringing');
    const d = this.d;
    const offer = d.dialog.offer;
    if (!offer) {
      d.dialog.reject(488, 'Not Acceptable Here (no SDP offer)');
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'local', reason: 'INVITE without an SDP offer' });
      return;
    }
    const codecs: Codec[] = d.trunk.codecs.length ? d.trunk.codecs : ['PCMU', 'PCMA'];
    let remote: RemoteMedia;
    try {
      remote = parseRemoteSdp(offer, codecs);
    } catch (e) {
      d.dialog.reject(488, 'Not Acceptable Here');
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'local', reason: `E_SDP: ${(e as Error).message}` });
      return;
    }
    const mediaSources = MediaSourceSet.fromSettings([...d.signallingSources, ...(d.trunk.mediaSources ?? [])], () => {});
    const dtmf = d.trunk.dtmf ?? 'auto';
    const session = await d.media.createSession({
      payloadType: remote.codec === 'PCMA' ? 8 : 0, telephoneEventPt: remote.telephoneEventPt,
      inbandDtmf: dtmf === 'auto' || dtmf === 'inband', rtpTimeoutMs: d.rtpTimeoutMs, mediaSources,
    });
    if (this.st !== 'ringing') { session.close(); return; } // the caller gave up meanwhile
    this.session = session;
    session.on('dtmf', (e) => this.onDigit(e.digit, e.source));
    session.on('rtp-timeout', () => {
      if (this.st !== 'answered') return;
      this.log.warn('no RTP from the caller: hanging up');
      void this.hangup('rtp-timeout');
    });
    this.sdp = new LocalSdp({ address: d.sdpAddress, port: session.localPort, codecs });
    const { sdp: answer, remote: agreed } = this.sdp.answer(offer);
    this.apply(agreed);
    this.stopAnswerTimer();
    d.dialog.accept(answer);
    this.markAnswered('incoming call answered', this.codec);
  }

  private onReoffer(offer: string): string | null {
    if (!this.sdp) return null;
    try {
      const { sdp, remote } = this.sdp.answer(offer, this.codec);
      this.apply(remote);
      return sdp;
    } catch {
      return null;
    }
  }

  private apply(m: RemoteMedia): void {
    const s = this.session!;
    if (m.address !== '0.0.0.0' && m.address !== '::') s.setRemote(m.address, m.port);
    this.codec = m.codec;
    s.setPayloadType(m.payloadType === 8 ? 8 : 0);
    s.setTelephoneEventPt(m.telephoneEventPt);
    s.hold(m.hold || m.direction === 'recvonly');
  }

  private onDigit(digit: string, source: DtmfSource): void {
    this.key(digit, source, this.d.trunk.dtmf);
  }

  protected teardown(): void {
    this.stopAnswerTimer();
    this.d.dialog.terminate();
    this.session?.close();
  }
}
