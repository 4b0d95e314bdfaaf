// A call coming in from a configured trunk on the drachtio engine (issue 16): the call port's
// IncomingCall. Until the domain answers it rings (100 Trying sent); answer() gives the trunk's offer to
// a FreeSWITCH endpoint and answers the trunk with FreeSWITCH's SDP (a UAS dialog through
// drachtio-server); reject() sends the final response. Unanswered after `answerTimeoutMs`: 480. Once
// answered it plays, collects, records and bridges like an outgoing call (DrachtioCall's code).
import { outcomeForFailure, q850ForSip, type IncomingCall } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import { dtmfSourceOf } from '../../media/freeswitch/fsmrf.ts';
import { DrachtioCall, type DrachtioCallDeps } from './drachtio-call.ts';
import type { SrfDialog, SrfMessage, SrfResponseOut } from './srf.ts';

/** What drachtio-srf's createUAS needs beyond the typed view (srf.ts). */
export interface UasSignalling {
  createUAS(req: SrfMessage, res: SrfResponseOut, opts: { localSdp: string; headers?: Record<string, string> }): Promise<SrfDialog>;
}

export interface IncomingRequest {
  req: SrfMessage & { on?(event: 'cancel', fn: () => void): unknown };
  res: SrfResponseOut;
  trunk: TrunkProfile;
  from: string;
  to: string;
  /** Refuse with 480 when the domain neither answers nor refuses in this time; default 30 s. */
  answerTimeoutMs?: number;
}

const REASONS: Record<number, string> = {
  403: 'Forbidden', 404: 'Not Found', 480: 'Temporarily Unavailable', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable', 603: 'Decline',
};

export class DrachtioIncomingCall extends DrachtioCall implements IncomingCall {
  readonly from: string;
  readonly to: string;
  readonly trunk: string;
  private readonly inc: IncomingRequest;
  private answering: Promise<void> | null = null;
  private readonly answerTimer: NodeJS.Timeout;

  constructor(deps: DrachtioCallDeps, inc: IncomingRequest) {
    super(deps, { to: inc.to, from: inc.from });
    this.inc = inc;
    this.from = inc.from;
    this.to = inc.to;
    this.trunk = inc.trunk.name;
    this.st = 'ringing';
    this.life.inviteSent();
    this.life.ringing();
    this.answerTimer = setTimeout(() => {
      if (this.st !== 'ringing' || this.answering) return;
      this.log.warn('incoming call neither answered nor refused in time: 480');
      void this.reject(480);
    }, inc.answerTimeoutMs ?? 30_000);
    this.answerTimer.unref();
    inc.req.on?.('cancel', () => {
      if (this.st !== 'ringing') return;
      this.end({ outcome: 'no-answer', sipCode: 487, q850: 16, endedBy: 'remote', reason: 'caller hung up before the answer' });
    });
    void this.done.then(() => clearTimeout(this.answerTimer));
  }

  /** Nothing is placed: the call waits for answer() or reject(). */
  protected override async setup(): Promise<void> {
    this.trunkProfile = this.inc.trunk;
  }

  answer(): Promise<void> {
    this.answering ??= this.doAnswer();
    return this.answering;
  }

  async reject(sipCode: number): Promise<void> {
    if (this.st !== 'ringing' || this.answering) return;
    const code = sipCode >= 300 && sipCode <= 699 ? sipCode : 480;
    this.inc.res.send(code, REASONS[code] ?? 'Declined');
    this.end({ outcome: outcomeForFailure(code, true, null), sipCode: code, q850: q850ForSip(code), endedBy: 'local', reason: `refused ${code}` });
  }

  override async hangup(reason = 'hangup'): Promise<void> {
    if (this.isEnded()) return;
    if (this.st === 'ringing' && !this.answering) return this.reject(480);
    if (this.answering) await this.answering.catch(() => {});
    return super.hangup(reason);
  }

  override forceEnd(reason: string): void {
    if (this.st === 'ringing' && !this.answering) {
      this.inc.res.send(503, 'Service Unavailable');
      this.end({ outcome: 'interrupted', sipCode: null, q850: null, endedBy: 'local', reason });
      return;
    }
    super.forceEnd(reason);
  }

  private async doAnswer(): Promise<void> {
    if (this.st !== 'ringing') throw new AppError('E_REQUEST_INVALID', 'The call is no longer ringing');
    const { req, res } = this.inc;
    const offer = req.body ?? '';
    if (!/^m=audio /m.test(offer)) {
      res.send(488, 'Not Acceptable Here (no SDP offer)');
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'local', reason: 'E_SDP: INVITE without an audio offer' });
      return;
    }
    const ms = this.d.links.mediaServer;
    const down = this.d.links.downReason();
    if (down || !ms) {
      res.send(503, 'Service Unavailable');
      this.end({ outcome: 'trunk-failure', sipCode: 503, q850: 41, endedBy: 'error', reason: `E_TRUNK_DOWN: ${down ?? 'FreeSWITCH not connected'}` });
      return;
    }
    const codecs = this.inc.trunk.codecs.length ? this.inc.trunk.codecs : ['PCMU', 'PCMA'];
    try {
      const ep = await ms.createEndpoint({ remoteSdp: offer, codecs });
      this.ep = ep;
      if (this.isEnded()) {
        void ep.destroy().catch(() => {});
        return;
      }
      ep.on('dtmf', (e: { dtmf?: string; source?: string }) => { if (e.dtmf) this.onDigit(e.dtmf, dtmfSourceOf(e.source)); });
      ep.once('destroy', () => this.onEndpointGone());
      const srf = this.d.links.srf as unknown as UasSignalling;
      const dialog = await srf.createUAS(req, res, { localSdp: ep.local.sdp });
      this.dialog = dialog;
      this.watchDialog(dialog);
    } catch (e) {
      if (this.isEnded()) return;
      this.log.warn({ err: (e as Error).message }, 'incoming call could not be answered');
      if (!this.dialog) res.send(488, 'Not Acceptable Here');
      this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `E_SDP: ${(e as Error).message}` });
      return;
    }
    if (this.isEnded()) return;
    clearTimeout(this.answerTimer);
    this.life.answered();
    this.st = 'answered';
    const dtmf = this.inc.trunk.dtmf ?? 'auto';
    if (dtmf === 'auto' || dtmf === 'inband') void this.ep!.execute('start_dtmf').catch(() => {});
    this.log.info('incoming call answered');
    this.emit('answered');
  }
}
