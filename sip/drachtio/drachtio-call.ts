// One call of the drachtio engine: a FreeSWITCH endpoint (fsmrf) for the media and a UAC dialog through
// drachtio-server to the trunk, joined by handing each side's SDP to the other (3pcc). Same outcomes,
// events and semantics as the embedded engine's EmbeddedCall.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Bridge, Call, CallEnded, CallEvents, DialRequest, DtmfSource, InbandSignal, PlayResult, PromptRef, RecordOptions, RecordResult } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { AudioTap } from '../../media/freeswitch/audio-tap.ts';
import { connectDtlsOffer, dtmfSourceOf, type FsEndpoint } from '../../media/freeswitch/fsmrf.ts';
import { bridgeEndpoints } from './bridge.ts';
import { playableWav } from '../../media/freeswitch/prompt-file.ts';
import { orderAudioCodecs } from '../../media/freeswitch/sdp-order.ts';
import { callAmdFeed, type AmdFeed } from '../shared/amd-feed.ts';
import { callProgressFeed, HeldAudio, type ProgressFeed } from '../shared/progress-feed.ts';
import type { ChannelLease } from '../shared/channel-pool.ts';
import type { RingStart } from '../shared/ring-all.ts';
import { dtmfFromInfo } from '../shared/dtmf-info.ts';
import { CallKeys, type CollectOptions } from '../shared/call-keys.ts';
import { CallLife, inviteFailureEnd, setupFailureEnd, type CallEnd } from '../shared/call-life.ts';
import { fromUserOn, logDialling, planDial } from '../shared/dial-plan.ts';
import type { ServerLinks } from './links.ts';
import { recordFromTap } from './tap-record.ts';
import { q850FromReasonText, uacFailure, type LateOffer, type SrfDialog, type SrfMessage, type SrfSentRequest } from './srf.ts';
import type { DrachtioTrunks } from './trunks.ts';

export interface DrachtioCallDeps {
  links: ServerLinks;
  trunks: DrachtioTrunks;
  defaultTrunk: string | null;
  logger: Logger;
  /** Folder for the AMD audio tap (shared with FreeSWITCH). */
  tapDir: string;
  /** Folder for the WAVs made from prompts' G.711 copies (read by FreeSWITCH). */
  promptDir: string;
}

/** How a call is placed when it rings one of the office's staff endpoints (issue 16's dialStaff). */
export interface StaffTarget {
  /** Shown to the staff member as who is calling (the From display name). */
  display: string;
  /**
   * A browser softphone: the INVITE goes without SDP (over drachtio-server's WebSocket transport), the
   * browser's WebRTC offer comes in its 200 and FreeSWITCH answers it (ICE, DTLS-SRTP) in our ACK.
   */
  browser: boolean;
  /** The ring-all's start line: the INVITE waits there once the endpoint is made (see RingTogether). */
  ringStart?: RingStart;
}

type State = Call['state'];
const PROTECTED = new Set(['via', 'call-id', 'cseq', 'from', 'to', 'contact', 'content-length', 'content-type', 'route']);

export class DrachtioCall extends EventEmitter<CallEvents> implements Call {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  protected st: State = 'dialling';
  protected readonly d: DrachtioCallDeps;
  private readonly req: DialRequest;
  protected readonly log: Logger;
  protected readonly life: CallLife;
  protected readonly keys = new CallKeys((digit, source) => this.emit('dtmf', { digit, source }));
  protected trunkProfile: TrunkProfile | undefined;
  private lease: ChannelLease | null = null;
  protected ep: FsEndpoint | null = null;
  private invite: SrfSentRequest | null = null;
  protected dialog: SrfDialog | null = null;
  private tap: AudioTap | null = null;
  private feed: AmdFeed | null = null;
  /** Network tones (SIT, in-band busy) in the first seconds after the answer, heard through the same tap. */
  private progress: ProgressFeed | null = null;
  private amdBehindProgress: HeldAudio | null = null;
  /** Tap audio that landed before 'answered' was emitted; null once handed to the detector. */
  private heldAudio: Int16Array[] | null = null;
  private mediaChain: Promise<unknown> = Promise.resolve();
  protected hangupRequested = false;
  private cancelSent = false;
  private ringTimer: NodeJS.Timeout | null = null;

  protected readonly staff: StaffTarget | null;

  constructor(deps: DrachtioCallDeps, req: DialRequest, staff: StaffTarget | null = null) {
    super();
    this.d = deps;
    this.req = req;
    this.staff = staff;
    this.log = deps.logger.child({ call: this.id, ...(req.tag ? { tag: req.tag } : {}) });
    this.life = new CallLife(this.log, this);
    this.done = this.life.done;
    setImmediate(() => { this.setup().catch((e: unknown) => this.failSetup(e)); });
  }

  get state(): State { return this.st; }

  /** The FreeSWITCH endpoint (diagnostics and tests: e.g. an AudioTap on what the far end sends). */
  get endpoint(): FsEndpoint | null { return this.ep; }

  /** A method, not a field test: the state changes under awaits, which narrowing cannot see. */
  protected isEnded(): boolean { return this.st === 'ended'; }

  async play(prompt: PromptRef, opts: { bargeIn?: boolean; signal?: AbortSignal } = {}): Promise<PlayResult> {
    const ep = this.ep;
    if (this.st !== 'answered' || !ep || opts.signal?.aborted) return { completed: false, playedMs: 0 };
    const { file } = playableWav(prompt, this.d.promptDir);
    this.keys.clearTypeAhead();
    let interruptedBy: string | undefined;
    const onDigit = (digit: string): void => {
      if (interruptedBy !== undefined) return;
      interruptedBy = digit;
      void ep.api('uuid_break', ep.uuid).catch(() => {});
    };
    const unlisten = opts.bargeIn ? this.keys.listen(onDigit) : null;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      void ep.api('uuid_break', ep.uuid).catch(() => {});
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    const started = Date.now();
    try {
      const r = await ep.play(file).catch(() => null);
      // FreeSWITCH's playback_ms says the file's length even when the play was cut short: never
      // report more than the time it actually ran.
      const wall = Date.now() - started;
      const reported = Number(r?.playbackMilliseconds);
      const playedMs = Number.isFinite(reported) && reported > 0 ? Math.min(Math.round(reported), wall) : wall;
      const completed = this.st === 'answered' && interruptedBy === undefined && !stopped && r !== null;
      return { completed, playedMs, ...(interruptedBy !== undefined ? { interruptedBy } : {}) };
    } finally {
      unlisten?.();
      opts.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * Join this answered call to another answered call of this engine: FreeSWITCH bridges the two
   * endpoints (audio both ways, RFC 4733 keypad presses passed by FreeSWITCH, SIP INFO ones by us).
   */
  bridge(other: Call): Bridge {
    return bridgeEndpoints(this, other, this.log);
  }

  collect(opts: CollectOptions): Promise<string> {
    return this.keys.collect(opts, this);
  }

  /** The callee's spoken answer, through a FreeSWITCH tap and the shared recorder (tap-record.ts). */
  async record(opts: RecordOptions): Promise<RecordResult> {
    const ep = this.ep;
    if (this.st !== 'answered' || !ep) return { ms: 0, endedBy: 'hangup', spoke: false };
    this.keys.clearTypeAhead();
    return recordFromTap(ep, this.d.tapDir, { keys: (fn) => this.keys.listen(fn), ended: this.done, isEnded: () => this.isEnded() }, opts, this.log);
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.isEnded()) return;
    this.hangupRequested = true;
    // A dialog exists from the 200 on, even while FreeSWITCH is still taking the answer's SDP.
    if (this.dialog) {
      const dlg = this.dialog;
      this.end({ outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local', reason });
      await dlg.destroy().catch(() => {});
      return;
    }
    this.cancel();
    await this.done;
  }

  /** End at once without waiting for the far end (engine shutdown after its grace period). */
  forceEnd(reason: string): void {
    this.cancel();
    this.end({ outcome: this.st === 'answered' ? 'human' : 'interrupted', sipCode: this.dialog ? 200 : null, q850: null, endedBy: 'local', reason });
  }

  // ---- setup ----

  protected async setup(): Promise<void> {
    if (this.staff?.browser) return this.setupBrowser();
    const req = this.req;
    const { trunk, uri, outboundProxy: proxy } = planDial(req, this.d.defaultTrunk, this.d.trunks);
    this.trunkProfile = trunk;
    const down = this.d.links.downReason();
    const ms = this.d.links.mediaServer;
    if (down || !ms) throw new AppError('E_TRUNK_DOWN', down ?? 'FreeSWITCH not connected');
    const codecs = this.trunkProfile?.codecs.length ? this.trunkProfile.codecs : ['PCMU', 'PCMA'];
    // 3pcc: FreeSWITCH makes the offer we send to the trunk, reordered for the trunk's preference.
    const ep = await ms.createEndpoint();
    this.ep = ep;
    if (this.isEnded() || this.hangupRequested) return this.endBeforeDial();
    await this.staff?.ringStart?.ready();
    if (this.isEnded() || this.hangupRequested) return this.endBeforeDial();
    ep.on('dtmf', (e: { dtmf?: string; source?: string }) => { if (e.dtmf) this.onDigit(e.dtmf, dtmfSourceOf(e.source)); });
    ep.once('destroy', () => this.onEndpointGone());
    if (req.amd) this.prepareAmd();
    if (this.trunkProfile) this.lease = await this.d.trunks.acquire(this.trunkProfile.name);
    if (this.hangupRequested || this.isEnded()) return this.endBeforeDial();
    const srf = this.d.links.srf;
    const hostport = this.d.links.state.sipHostport ?? '127.0.0.1';
    const fromUser = fromUserOn(this.trunkProfile, req.from);
    const fromHost = this.trunkProfile?.domain ?? this.trunkProfile?.host ?? hostport.replace(/:\d+$/, '');
    const headers = this.inviteHeaders(`<sip:${fromUser}@${fromHost}>`);
    const t = this.trunkProfile;
    const auth = t?.username && t.password ? { username: t.authUser ?? t.username, password: t.password } : undefined;
    this.life.inviteSent();
    logDialling(this.log, t, req.to);
    this.ringTimer = setTimeout(() => { this.log.debug('ring timeout: cancelling'); this.cancel(); }, req.ringTimeoutMs ?? 30_000);
    let dialog: SrfDialog;
    try {
      dialog = await srf.createUAC(uri, { localSdp: orderAudioCodecs(ep.local.sdp, codecs), headers, ...(proxy ? { proxy } : {}), ...(auth ? { auth } : {}) }, {
        ...this.uacCallbacks(),
      });
    } catch (e) {
      return this.uacFailed(e);
    }
    this.clearRing();
    this.dialog = dialog;
    if (this.hangupRequested || this.isEnded()) {
      // The answer crossed our CANCEL: the call is over for us, so hang up what was answered.
      void dialog.destroy().catch(() => {});
      return this.end({ outcome: 'no-answer', sipCode: 487, q850: null, endedBy: 'local', reason: 'Request Terminated (answer crossed CANCEL)' });
    }
    this.watchDialog(dialog);
    await this.onAnswered(dialog.remote.sdp);
  }

  /** The INVITE's From (with the staff display name) and the request's extra headers, screened. */
  private inviteHeaders(from: string): Record<string, string> {
    const display = this.staff?.display.replace(/["\\\r\n]/g, '').slice(0, 64);
    const headers: Record<string, string> = { From: display ? `"${display}" ${from}` : from };
    for (const [k, v] of Object.entries(this.req.headers ?? {})) {
      if (!PROTECTED.has(k.toLowerCase()) && /^[A-Za-z0-9-]+$/.test(k) && !/[\r\n]/.test(v)) headers[k] = v;
    }
    return headers;
  }

  protected watchDialog(dialog: SrfDialog): void {
    dialog.on('destroy', (bye?: SrfMessage) => {
      const q850 = q850FromReasonText(bye?.get?.('Reason'));
      this.end({ outcome: 'human', sipCode: 200, q850: q850 ?? 16, endedBy: 'remote', reason: 'far end hung up' });
    });
    dialog.on('info', (rq: SrfMessage, rs: { send(status: number): void }) => {
      rs.send(200);
      const digit = dtmfFromInfo(rq.get('Content-Type'), rq.body);
      if (digit) this.onDigit(digit, 'info');
    });
  }

  /**
   * A browser softphone (issue 16): INVITE without SDP over drachtio-server's WebSocket transport; the
   * browser offers in its 200 (ICE, DTLS-SRTP, G.711), FreeSWITCH answers that offer and the answer goes
   * back in our ACK, which lets the DTLS handshake run; the endpoint exists once it has.
   */
  private async setupBrowser(): Promise<void> {
    const down = this.d.links.downReason();
    const ms = this.d.links.mediaServer;
    if (down || !ms) throw new AppError('E_TRUNK_DOWN', down ?? 'FreeSWITCH not connected');
    const srf = this.d.links.srf;
    const hostport = this.d.links.state.sipHostport ?? '127.0.0.1';
    const headers = this.inviteHeaders(`<sip:box@${hostport.replace(/:\d+$/, '')}>`);
    await this.staff?.ringStart?.ready();
    if (this.isEnded() || this.hangupRequested) return this.endBeforeDial();
    this.life.inviteSent();
    this.log.info({ to: 'staff-browser' }, 'dialling');
    this.ringTimer = setTimeout(() => { this.log.debug('ring timeout: cancelling'); this.cancel(); }, this.req.ringTimeoutMs ?? 30_000);
    let offer: LateOffer;
    try {
      offer = await srf.createUAC(this.req.to, { noAck: true, headers }, {
        ...this.uacCallbacks(),
      }) as unknown as LateOffer;
    } catch (e) {
      return this.uacFailed(e);
    }
    this.clearRing();
    let dialog: SrfDialog | null = null;
    let ep: FsEndpoint;
    try {
      ep = await connectDtlsOffer(ms, offer.sdp, async (answer) => { dialog = await offer.ack(answer); });
    } catch (e) {
      // Answered but no media (FreeSWITCH refused the offer, or the DTLS handshake never completed): hang up.
      const dlg = dialog as SrfDialog | null;
      void (dlg ? dlg.destroy() : offer.destroy()).catch(() => {});
      this.log.warn({ err: (e as Error).message }, 'softphone answered but its media could not be set up: hanging up');
      return this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `E_SDP: ${(e as Error).message}` });
    }
    this.ep = ep;
    this.dialog = dialog;
    ep.on('dtmf', (e: { dtmf?: string; source?: string }) => { if (e.dtmf) this.onDigit(e.dtmf, dtmfSourceOf(e.source)); });
    ep.once('destroy', () => this.onEndpointGone());
    if (!dialog) throw new AppError('E_SIP_TRANSPORT', 'the browser answered without a dialog');
    if (this.hangupRequested || this.isEnded()) {
      void (dialog as SrfDialog).destroy().catch(() => {});
      return this.end({ outcome: 'no-answer', sipCode: 487, q850: null, endedBy: 'local', reason: 'Request Terminated (answer crossed CANCEL)' });
    }
    this.watchDialog(dialog);
    this.life.answered();
    this.st = 'answered';
    this.log.info('staff softphone answered');
    this.emit('answered');
  }

  protected endBeforeDial(): void {
    this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before dialling' });
  }

  private cancel(): void {
    if (this.dialog || this.cancelSent) return;
    this.hangupRequested = true;
    if (!this.invite) return; // sent as soon as drachtio-server tells us about the INVITE
    this.cancelSent = true;
    try { this.invite.cancel(() => {}); } catch (e) { this.log.debug({ err: (e as Error).message }, 'CANCEL failed'); }
  }

  private failSetup(e: unknown): void {
    if (this.isEnded()) return;
    this.end(setupFailureEnd(e, this.log));
  }

  /** What both ways of sending the INVITE (SDP offer, late offer) hear back while it is pending. */
  private uacCallbacks(): { cbRequest: (err: unknown, sent: SrfSentRequest) => void; cbProvisional: (res: SrfMessage) => void } {
    return {
      cbRequest: (_err, sent) => {
        if (!sent) return;
        this.invite = sent;
        if (this.hangupRequested) this.cancel();
      },
      cbProvisional: (res) => { void this.onProvisional(res); },
    };
  }

  /** The INVITE failed: a final response ends the call with it; anything else is the caller's to handle. */
  private uacFailed(e: unknown): void {
    this.clearRing();
    const f = uacFailure(e);
    if (f.status === null) throw e;
    this.onFailed(f.status, f.reason, f.q850);
  }

  // ---- signalling events ----

  private async onProvisional(res: SrfMessage): Promise<void> {
    if (this.isEnded()) return;
    const status = res.status ?? 0;
    if (status <= 100) return;
    this.life.progressed();
    let early = false;
    if (res.body && /^m=audio /m.test(res.body) && this.ep) {
      try {
        await this.modifyEndpoint(res.body);
        early = true;
      } catch (e) {
        this.log.debug({ err: (e as Error).message }, 'unusable early-media SDP ignored');
      }
    }
    if (this.isEnded() || this.state === 'answered') return;
    if (status !== 180 && status !== 183 && !early) return;
    this.life.ringing();
    this.st = 'ringing';
    this.emit('progress', { kind: early ? 'early-media' : 'ringing', sipCode: status });
  }

  protected async onAnswered(sdp: string): Promise<void> {
    // The recording is asked for together with the answer's SDP, not once FreeSWITCH has taken it: under
    // load those round trips took 300-700 ms, and a short "Allô ?" was over before the tap heard it.
    const recording = this.tap?.start();
    recording?.catch(() => {});
    try {
      await this.modifyEndpoint(sdp);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'answer with unusable SDP: hanging up');
      void this.dialog?.destroy().catch(() => {});
      return this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `E_SDP: ${(e as Error).message}` });
    }
    if (this.isEnded()) return;
    this.life.answered();
    this.st = 'answered';
    const dtmf = this.trunkProfile?.dtmf ?? 'auto';
    // In-band tones need a detector on the endpoint; nothing else is queued on it yet at this point.
    if (dtmf === 'auto' || dtmf === 'inband') void this.ep!.execute('start_dtmf').catch(() => {});
    this.log.info('answered');
    this.emit('answered');
    if (recording) this.releaseAmd(recording);
  }

  /** One re-INVITE to FreeSWITCH at a time: an answer arriving while early media is being set up waits. */
  private modifyEndpoint(sdp: string): Promise<unknown> {
    const next = this.mediaChain.catch(() => {}).then(() => this.ep!.modify(sdp));
    this.mediaChain = next;
    return next;
  }

  private onFailed(status: number, reason: string, q850: number | null): void {
    if (this.trunkProfile) this.d.trunks.noteCallResult(this.trunkProfile.name, status, false, reason);
    this.end(inviteFailureEnd({ status, reason, q850, local: false }, { rang: this.life.rang, hangupRequested: this.hangupRequested }));
  }

  /** FreeSWITCH hung up our endpoint (media timeout, server lost): the call cannot go on. */
  protected onEndpointGone(): void {
    if (this.isEnded()) return;
    this.log.warn('FreeSWITCH ended the media endpoint: hanging up');
    if (this.dialog) void this.dialog.destroy().catch(() => {});
    else this.cancel();
    this.end({ outcome: this.st === 'answered' ? 'human' : 'trunk-failure', sipCode: this.dialog ? 200 : null, q850: 41, endedBy: 'error', reason: 'media endpoint lost' });
  }

  /** Before dialling: the detector, and the tap's channel variables set while the call rings. */
  private prepareAmd(): void {
    const feed = callAmdFeed(this.req.amd ?? true, this.log, this);
    this.feed = feed;
    // The tap starts at the answer: what it hears is the answered phase. AMD waits behind it while a
    // SIT may be under way (a SIT's first tone is a beep to AMD).
    this.progress = callProgressFeed(this.log, (signal) => this.networkTone(signal));
    this.progress.answered();
    this.amdBehindProgress = new HeldAudio(this.progress, (pcm) => feed.push(pcm));
    this.heldAudio = [];
    this.tap = new AudioTap(this.ep!, (pcm) => this.onTapAudio(pcm), { dir: this.d.tapDir });
    this.tap.prepare().catch(() => {});
  }

  /** After 'answered' went out: feed what was held, and start the recording again if it was too early. */
  private releaseAmd(recording: Promise<void>): void {
    const tap = this.tap!;
    // Without media up yet, FreeSWITCH refuses the recording: ask again now that it has the SDP.
    recording.catch(() => tap.start())
      .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'answering-machine detection could not start'));
    // A turn later, so a verdict never reaches listeners before the 'answered' they subscribe from.
    setImmediate(() => {
      const held = this.heldAudio ?? [];
      this.heldAudio = null;
      for (const pcm of held) this.onTapAudio(pcm);
    });
  }

  private onTapAudio(pcm: Int16Array): void {
    if (this.heldAudio) { this.heldAudio.push(pcm); return; }
    const feed = this.feed;
    const progress = this.progress;
    if (this.isEnded() || (!feed?.active && !progress?.active)) return;
    if (progress?.active) progress.push(pcm);
    if (feed?.active) {
      if (this.amdBehindProgress) this.amdBehindProgress.push(pcm);
      else feed.push(pcm);
    }
    if (!feed?.active && !progress?.active) void this.tap?.stop();
  }

  /** A SIT and announcement, or an in-band busy tone, right after the answer: the network, not the callee. */
  private networkTone(signal: InbandSignal): void {
    if (this.isEnded()) return;
    this.emit('inband', signal);
    const what = signal.kind === 'sit' ? `SIT (${signal.variant})` : `${signal.kind} tone`;
    this.hangupRequested = true;
    if (this.dialog) void this.dialog.destroy().catch(() => {});
    this.end({ outcome: signal.outcome, sipCode: 200, q850: null, endedBy: 'local', reason: `${what} heard in the first seconds after the answer`, inband: signal });
  }

  // ---- DTMF ----

  protected onDigit(digit: string, source: DtmfSource): void {
    if (this.st === 'answered') this.keys.receive(digit, source, this.trunkProfile?.dtmf ?? 'auto');
  }

  // ---- the end ----

  private clearRing(): void {
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
  }

  protected end(e: CallEnd): void {
    this.life.end(e, () => {
      this.st = 'ended';
      this.clearRing();
      void this.tap?.stop();
      const ep = this.ep;
      // fsmrf hangs up with a dialplan application, which would queue behind a prompt being played:
      // break what runs first, so the endpoint stops sending at once.
      if (ep) void ep.api('uuid_break', `${ep.uuid} all`).catch(() => {}).then(() => ep.destroy()).catch(() => {});
      this.lease?.release();
      this.lease = null;
    });
  }
}
