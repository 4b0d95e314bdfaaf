// One call of the drachtio engine: a FreeSWITCH endpoint (fsmrf) for the media and a UAC dialog through
// drachtio-server to the trunk, joined by handing each side's SDP to the other (3pcc). Same outcomes,
// events and semantics as the embedded engine's EmbeddedCall.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  outcomeForFailure, q850ForSip,
  type Call, type CallEnded, type CallEvents, type DialRequest, type DtmfSource, type Outcome, type PlayResult, type PromptRef,
} from '../../appliance/call-port.ts';
import type { TrunkProfile } from '../../appliance/config/types.ts';
import { AppError, isAppError } from '../../appliance/errors.ts';
import { hashNumber, type Logger } from '../../appliance/log.ts';
import { AudioTap } from '../../media/freeswitch/audio-tap.ts';
import { dtmfSourceOf, type FsEndpoint } from '../../media/freeswitch/fsmrf.ts';
import { playableWav } from '../../media/freeswitch/prompt-file.ts';
import { orderAudioCodecs } from '../../media/freeswitch/sdp-order.ts';
import { AmdFeed } from '../embedded/amd-feed.ts';
import type { ChannelLease } from '../embedded/channel-pool.ts';
import { dtmfFromInfo } from '../embedded/dtmf-info.ts';
import type { ServerLinks } from './links.ts';
import { q850FromReasonText, uacFailure, type SrfDialog, type SrfMessage, type SrfSentRequest } from './srf.ts';
import type { DrachtioTrunks } from './trunks.ts';

export interface DrachtioCallDeps {
  links: ServerLinks;
  trunks: DrachtioTrunks;
  defaultTrunk: string | null;
  logger: Logger;
  /** Folder for the AMD audio tap (shared with FreeSWITCH). */
  tapDir?: string;
}

type State = Call['state'];
const Q850_NO_CIRCUIT = 34;
const PROTECTED = new Set(['via', 'call-id', 'cseq', 'from', 'to', 'contact', 'content-length', 'content-type', 'route']);

export class DrachtioCall extends EventEmitter<CallEvents> implements Call {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  private st: State = 'dialling';
  private readonly d: DrachtioCallDeps;
  private readonly req: DialRequest;
  private readonly log: Logger;
  private resolveDone!: (e: CallEnded) => void;
  private trunk: TrunkProfile | undefined;
  private lease: ChannelLease | null = null;
  private ep: FsEndpoint | null = null;
  private invite: SrfSentRequest | null = null;
  private dialog: SrfDialog | null = null;
  private tap: AudioTap | null = null;
  private feed: AmdFeed | null = null;
  /** Tap audio that landed before 'answered' was emitted; null once handed to the detector. */
  private heldAudio: Int16Array[] | null = null;
  private mediaChain: Promise<unknown> = Promise.resolve();
  private hangupRequested = false;
  private cancelSent = false;
  private ringTimer: NodeJS.Timeout | null = null;
  private rfc4733Seen = false;
  private lastDigit: { digit: string; at: number } | null = null;
  private pending = '';
  private readonly digitWaiters = new Set<(digit: string) => void>();
  private readonly t = { created: Date.now(), invite: 0, progress: 0, ringing: 0, answered: 0 };

  constructor(deps: DrachtioCallDeps, req: DialRequest) {
    super();
    this.d = deps;
    this.req = req;
    this.log = deps.logger.child({ call: this.id, ...(req.tag ? { tag: req.tag } : {}) });
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    setImmediate(() => { this.setup().catch((e: unknown) => this.failSetup(e)); });
  }

  get state(): State { return this.st; }

  /** The FreeSWITCH endpoint (diagnostics and tests: e.g. an AudioTap on what the far end sends). */
  get endpoint(): FsEndpoint | null { return this.ep; }

  /** A method, not a field test: the state changes under awaits, which narrowing cannot see. */
  private isEnded(): boolean { return this.st === 'ended'; }

  async play(prompt: PromptRef, opts: { bargeIn?: boolean } = {}): Promise<PlayResult> {
    const ep = this.ep;
    if (this.st !== 'answered' || !ep) return { completed: false, playedMs: 0 };
    const { file } = playableWav(prompt);
    this.pending = '';
    let interruptedBy: string | undefined;
    const onDigit = (digit: string): void => {
      if (interruptedBy !== undefined) return;
      interruptedBy = digit;
      void ep.api('uuid_break', ep.uuid).catch(() => {});
    };
    if (opts.bargeIn) this.digitWaiters.add(onDigit);
    const started = Date.now();
    try {
      const r = await ep.play(file).catch(() => null);
      // FreeSWITCH's playback_ms says the file's length even when the play was cut short: never
      // report more than the time it actually ran.
      const wall = Date.now() - started;
      const reported = Number(r?.playbackMilliseconds);
      const playedMs = Number.isFinite(reported) && reported > 0 ? Math.min(Math.round(reported), wall) : wall;
      const completed = this.st === 'answered' && interruptedBy === undefined && r !== null;
      return { completed, playedMs, ...(interruptedBy !== undefined ? { interruptedBy } : {}) };
    } finally {
      this.digitWaiters.delete(onDigit);
    }
  }

  collect(opts: { max: number; timeoutMs: number; terminators?: string }): Promise<string> {
    if (this.isEnded() || opts.max <= 0) return Promise.resolve('');
    return new Promise((resolve) => {
      let got = '';
      let finished = false;
      let timer: NodeJS.Timeout | null = null;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        this.digitWaiters.delete(onDigit);
        this.off('ended', finish);
        resolve(got);
      };
      // The timeout runs again after each key: it is the time allowed for the next one.
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(finish, opts.timeoutMs);
      };
      const onDigit = (digit: string): void => {
        if (finished) return;
        if (opts.terminators?.includes(digit)) return finish();
        got += digit;
        if (got.length >= opts.max) return finish();
        arm();
      };
      this.digitWaiters.add(onDigit);
      this.once('ended', finish);
      arm();
      const typed = this.pending;
      this.pending = '';
      for (const digit of typed) onDigit(digit);
    });
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

  private async setup(): Promise<void> {
    const req = this.req;
    let uri: string;
    let proxy: string | undefined;
    if (/^sips?:/i.test(req.to)) {
      uri = req.to;
    } else {
      const name = req.trunk ?? this.d.defaultTrunk;
      if (!name) throw new AppError('E_TRUNK_UNKNOWN', 'No trunk named in the request and no default trunk');
      const target = this.d.trunks.target(name, req.to);
      this.trunk = target.trunk;
      uri = target.uri;
      proxy = target.outboundProxy;
    }
    const down = this.d.links.downReason();
    const ms = this.d.links.mediaServer;
    if (down || !ms) throw new AppError('E_TRUNK_DOWN', down ?? 'FreeSWITCH not connected');
    const codecs = this.trunk?.codecs.length ? this.trunk.codecs : ['PCMU', 'PCMA'];
    // 3pcc: FreeSWITCH makes the offer we send to the trunk, reordered for the trunk's preference.
    const ep = await ms.createEndpoint();
    this.ep = ep;
    if (this.isEnded() || this.hangupRequested) return this.endBeforeDial();
    ep.on('dtmf', (e: { dtmf?: string; source?: string }) => { if (e.dtmf) this.onDigit(e.dtmf, dtmfSourceOf(e.source)); });
    ep.once('destroy', () => this.onEndpointGone());
    if (req.amd) this.prepareAmd();
    if (this.trunk) this.lease = await this.d.trunks.acquire(this.trunk.name);
    if (this.hangupRequested || this.isEnded()) return this.endBeforeDial();
    const srf = this.d.links.srf;
    const hostport = this.d.links.state.sipHostport ?? '127.0.0.1';
    const fromUser = (this.trunk && !this.trunk.keepPlus ? req.from.replace(/^\+/, '') : req.from) || 'anonymous';
    const fromHost = this.trunk?.domain ?? this.trunk?.host ?? hostport.replace(/:\d+$/, '');
    const headers: Record<string, string> = { From: `<sip:${fromUser}@${fromHost}>` };
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      if (!PROTECTED.has(k.toLowerCase()) && /^[A-Za-z0-9-]+$/.test(k) && !/[\r\n]/.test(v)) headers[k] = v;
    }
    const t = this.trunk;
    const auth = t?.username && t.password ? { username: t.authUser ?? t.username, password: t.password } : undefined;
    this.t.invite = Date.now();
    this.log.info({ trunk: t?.name ?? null, to: /^sips?:/i.test(req.to) ? 'sip-uri' : hashNumber(req.to) }, 'dialling');
    this.ringTimer = setTimeout(() => { this.log.debug('ring timeout: cancelling'); this.cancel(); }, req.ringTimeoutMs ?? 30_000);
    let dialog: SrfDialog;
    try {
      dialog = await srf.createUAC(uri, { localSdp: orderAudioCodecs(ep.local.sdp, codecs), headers, ...(proxy ? { proxy } : {}), ...(auth ? { auth } : {}) }, {
        cbRequest: (_err, sent) => {
          if (!sent) return;
          this.invite = sent;
          if (this.hangupRequested) this.cancel();
        },
        cbProvisional: (res) => { void this.onProvisional(res); },
      });
    } catch (e) {
      this.clearRing();
      const f = uacFailure(e);
      if (f.status === null) throw e;
      return this.onFailed(f.status, f.reason, f.q850);
    }
    this.clearRing();
    this.dialog = dialog;
    if (this.hangupRequested || this.isEnded()) {
      // The answer crossed our CANCEL: the call is over for us, so hang up what was answered.
      void dialog.destroy().catch(() => {});
      return this.end({ outcome: 'no-answer', sipCode: 487, q850: null, endedBy: 'local', reason: 'Request Terminated (answer crossed CANCEL)' });
    }
    dialog.on('destroy', (bye?: SrfMessage) => {
      const q850 = q850FromReasonText(bye?.get?.('Reason'));
      this.end({ outcome: 'human', sipCode: 200, q850: q850 ?? 16, endedBy: 'remote', reason: 'far end hung up' });
    });
    dialog.on('info', (rq: SrfMessage, rs: { send(status: number): void }) => {
      rs.send(200);
      const digit = dtmfFromInfo(rq.get('Content-Type'), rq.body);
      if (digit) this.onDigit(digit, 'info');
    });
    await this.onAnswered(dialog.remote.sdp);
  }

  private endBeforeDial(): void {
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
    const code = isAppError(e) ? e.code : null;
    const outcome: Outcome = code === 'E_DIAL_TARGET' ? 'invalid-number' : 'trunk-failure';
    if (!isAppError(e)) this.log.error({ err: e }, 'call setup failed');
    else this.log.warn({ code, msg: e.message }, 'call not placed');
    this.end({
      outcome, sipCode: null, q850: code === 'E_TRUNK_BUSY' ? Q850_NO_CIRCUIT : null, endedBy: 'error',
      reason: e instanceof Error ? `${code ?? 'error'}: ${e.message}` : String(e),
    });
  }

  // ---- signalling events ----

  private async onProvisional(res: SrfMessage): Promise<void> {
    if (this.isEnded()) return;
    const status = res.status ?? 0;
    if (status <= 100) return;
    if (!this.t.progress) this.t.progress = Date.now();
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
    if (!this.t.ringing) this.t.ringing = Date.now();
    this.st = 'ringing';
    this.emit('progress', { kind: early ? 'early-media' : 'ringing', sipCode: status });
  }

  private async onAnswered(sdp: string): Promise<void> {
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
    this.t.answered = Date.now();
    if (!this.t.progress) this.t.progress = this.t.answered;
    this.st = 'answered';
    const dtmf = this.trunk?.dtmf ?? 'auto';
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
    if (this.trunk) this.d.trunks.noteCallResult(this.trunk.name, status, false, reason);
    const endedBy = this.hangupRequested || status === 487 ? 'local' : 'remote';
    this.end({
      outcome: outcomeForFailure(status, this.t.ringing > 0, q850), sipCode: status, q850: q850 ?? q850ForSip(status),
      endedBy, reason: `${status} ${reason}`.trim(),
    });
  }

  /** FreeSWITCH hung up our endpoint (media timeout, server lost): the call cannot go on. */
  private onEndpointGone(): void {
    if (this.isEnded()) return;
    this.log.warn('FreeSWITCH ended the media endpoint: hanging up');
    if (this.dialog) void this.dialog.destroy().catch(() => {});
    else this.cancel();
    this.end({ outcome: this.st === 'answered' ? 'human' : 'trunk-failure', sipCode: this.dialog ? 200 : null, q850: 41, endedBy: 'error', reason: 'media endpoint lost' });
  }

  /** Before dialling: the detector, and the tap's channel variables set while the call rings. */
  private prepareAmd(): void {
    this.feed = new AmdFeed(this.req.amd ?? true, {
      verdict: (v) => {
        this.log.info({ verdict: v.verdict, reason: v.reason, ms: v.ms }, 'answering-machine detection');
        this.emit('amd', { verdict: v.verdict, confidence: v.confidence, ms: v.ms });
      },
      beep: (ms) => this.emit('beep', { ms }),
    });
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
    if (!feed?.active || this.isEnded()) return;
    feed.push(pcm);
    if (!feed.active) void this.tap?.stop();
  }

  // ---- DTMF ----

  private onDigit(digit: string, source: DtmfSource): void {
    if (this.st !== 'answered') return;
    const mode = this.trunk?.dtmf ?? 'auto';
    if (mode !== 'auto' && mode !== source) return;
    if (source === 'rfc4733') this.rfc4733Seen = true;
    // A gateway that sends RFC 4733 may leave the tones in the audio too: count the key once.
    if (source === 'inband' && this.rfc4733Seen) return;
    const now = Date.now();
    if (this.lastDigit && this.lastDigit.digit === digit && now - this.lastDigit.at < 120 && source !== 'rfc4733') return;
    this.lastDigit = { digit, at: now };
    this.emit('dtmf', { digit, source });
    if (this.digitWaiters.size === 0) this.pending += digit;
    for (const w of [...this.digitWaiters]) w(digit);
  }

  // ---- the end ----

  private clearRing(): void {
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
  }

  private end(e: Omit<CallEnded, 'durations'>): void {
    if (this.isEnded()) return;
    this.clearRing();
    const now = Date.now();
    const t = this.t;
    const setupEnd = t.progress || t.answered || now;
    const ended: CallEnded = {
      ...e,
      durations: {
        setupMs: t.invite ? setupEnd - t.invite : 0,
        ringMs: t.ringing ? (t.answered || now) - t.ringing : 0,
        talkMs: t.answered ? now - t.answered : 0,
        totalMs: now - (t.invite || t.created),
      },
    };
    this.st = 'ended';
    void this.tap?.stop();
    const ep = this.ep;
    // fsmrf hangs up with a dialplan application, which would queue behind a prompt being played:
    // break what runs first, so the endpoint stops sending at once.
    if (ep) void ep.api('uuid_break', `${ep.uuid} all`).catch(() => {}).then(() => ep.destroy()).catch(() => {});
    this.lease?.release();
    this.lease = null;
    this.log.info({ outcome: ended.outcome, sipCode: ended.sipCode, q850: ended.q850, endedBy: ended.endedBy }, 'call ended');
    this.resolveDone(ended);
    this.emit('ended', ended);
  }
}
