// One call of the embedded engine: the call port's Call over an OutgoingCall (signalling) and an
// RtpSession (media). It owns the call's trunk channel and RTP port and gives both back at the end.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  outcomeForFailure, q850ForSip,
  type Call, type CallEnded, type CallEvents, type DialRequest, type DtmfSource, type Outcome, type PlayResult, type PromptRef,
} from '../../appliance/call-port.ts';
import type { TrunkProfile } from '../../appliance/config/types.ts';
import { AppError, isAppError } from '../../appliance/errors.ts';
import { hashNumber, type Logger } from '../../appliance/log.ts';
import type { MediaEngine } from '../../media/rtp/media-engine.ts';
import type { RtpSession } from '../../media/rtp/session.ts';
import { AmdFeed } from './amd-feed.ts';
import type { ChannelLease } from './channel-pool.ts';
import type { OutgoingCall, ReofferEvent } from './outgoing-call.ts';
import { LocalSdp, parseRemoteSdp, type Codec, type RemoteMedia } from './sdp.ts';
import type { TrunkManager } from './trunks.ts';
import type { UserAgent } from './user-agent.ts';

export interface CallDeps {
  ua: UserAgent;
  trunks: TrunkManager;
  media: MediaEngine;
  /** Address we put in SDP. */
  sdpAddress: string;
  defaultTrunk: string | null;
  logger: Logger;
  /** Hang up an answered call after this long without RTP; 0 turns it off. */
  rtpTimeoutMs: number;
}

type State = Call['state'];

/** Q.850 34: no circuit/channel available (our own trunk is full). */
const Q850_NO_CIRCUIT = 34;

export class EmbeddedCall extends EventEmitter<CallEvents> implements Call {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  private st: State = 'dialling';
  private readonly d: CallDeps;
  private readonly req: DialRequest;
  private readonly log: Logger;
  private resolveDone!: (e: CallEnded) => void;
  private trunk: TrunkProfile | undefined;
  private lease: ChannelLease | null = null;
  private session: RtpSession | null = null;
  private sdp: LocalSdp | null = null;
  private out: OutgoingCall | null = null;
  private codec: Codec = 'PCMU';
  private hangupRequested = false;
  private rfc4733Seen = false;
  private lastDigit: { digit: string; at: number } | null = null;
  private pending = '';
  private readonly digitWaiters = new Set<(digit: string) => void>();
  private readonly t = { created: Date.now(), invite: 0, progress: 0, ringing: 0, answered: 0 };

  constructor(deps: CallDeps, req: DialRequest) {
    super();
    this.d = deps;
    this.req = req;
    this.log = deps.logger.child({ call: this.id, ...(req.tag ? { tag: req.tag } : {}) });
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    // Set up on the next turn so the caller can attach its listeners first.
    setImmediate(() => { this.setup().catch((e: unknown) => this.failSetup(e)); });
  }

  get state(): State { return this.st; }

  async play(prompt: PromptRef, opts: { bargeIn?: boolean } = {}): Promise<PlayResult> {
    const s = this.session;
    if (this.st !== 'answered' || !s) return { completed: false, playedMs: 0 };
    const bytes = await this.d.media.prompts.forPrompt(prompt, s.codec);
    if (this.st !== 'answered') return { completed: false, playedMs: 0 };
    this.pending = '';
    const abort = new AbortController();
    let interruptedBy: string | undefined;
    const onDigit = (digit: string): void => {
      if (interruptedBy !== undefined) return;
      interruptedBy = digit;
      abort.abort();
    };
    if (opts.bargeIn) this.digitWaiters.add(onDigit);
    try {
      const r = await s.play(bytes, { signal: abort.signal });
      return { completed: r.completed, playedMs: r.playedMs, ...(interruptedBy !== undefined ? { interruptedBy } : {}) };
    } finally {
      this.digitWaiters.delete(onDigit);
    }
  }

  collect(opts: { max: number; timeoutMs: number; terminators?: string }): Promise<string> {
    if (this.st === 'ended' || opts.max <= 0) return Promise.resolve('');
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
      // Keys typed ahead since the last prompt ended count.
      const typed = this.pending;
      this.pending = '';
      for (const digit of typed) onDigit(digit);
    });
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.st === 'ended') return;
    this.hangupRequested = true;
    this.log.debug({ reason }, 'hangup requested');
    if (this.out && this.st === 'answered') {
      const bye = this.out.bye();
      this.end({ outcome: 'human', sipCode: this.out.sipCode, q850: 16, endedBy: 'local', reason });
      await bye;
    } else if (this.out) {
      this.out.cancel();
    }
    await this.done;
  }

  /** End at once without waiting for the far end (engine shutdown after its grace period). */
  forceEnd(reason: string): void {
    this.out?.cancel();
    this.end({
      outcome: this.st === 'answered' ? 'human' : 'interrupted', sipCode: this.out?.sipCode ?? null, q850: null,
      endedBy: 'local', reason,
    });
  }

  // ---- setup ----

  private async setup(): Promise<void> {
    const { trunks, media, ua } = this.d;
    const req = this.req;
    let uri: string;
    let outboundProxy: string | undefined;
    if (/^sips?:/i.test(req.to)) {
      uri = req.to;
    } else {
      const name = req.trunk ?? this.d.defaultTrunk;
      if (!name) throw new AppError('E_TRUNK_UNKNOWN', 'No trunk named in the request and no default trunk');
      const target = trunks.target(name, req.to);
      this.trunk = target.trunk;
      uri = target.uri;
      outboundProxy = target.outboundProxy;
    }
    const codecs: Codec[] = this.trunk?.codecs.length ? this.trunk.codecs : ['PCMU', 'PCMA'];
    this.codec = codecs[0] ?? 'PCMU';
    const dtmf = this.trunk?.dtmf ?? 'auto';
    const session = await media.createSession({
      payloadType: this.codec === 'PCMA' ? 8 : 0,
      telephoneEventPt: 101,
      inbandDtmf: dtmf === 'auto' || dtmf === 'inband',
      rtpTimeoutMs: this.d.rtpTimeoutMs,
    });
    this.session = session;
    session.on('dtmf', (e) => this.onDigit(e.digit, e.source));
    session.on('rtp-timeout', (e) => {
      if (this.st !== 'answered') return;
      this.log.warn({ silentMs: e.silentMs }, 'no RTP from the far end: hanging up');
      void this.hangup('rtp-timeout');
    });
    // The channel last: the INVITE leaves as soon as the trunk's calls-per-second slot opens, so the
    // pacing the trunk sees is the pacing we planned (no RTP set-up time in between).
    if (this.trunk) this.lease = await trunks.acquire(this.trunk.name);
    if (this.hangupRequested) return this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before dialling' });
    this.sdp = new LocalSdp({ address: this.d.sdpAddress, port: session.localPort, codecs });
    const from = this.trunk && !this.trunk.keepPlus ? req.from.replace(/^\+/, '') : req.from;
    this.t.invite = Date.now();
    this.log.info({ trunk: this.trunk?.name ?? null, to: /^sips?:/i.test(req.to) ? 'sip-uri' : hashNumber(req.to) }, 'dialling');
    const out = ua.invite({
      uri, outboundProxy, fromUser: from || 'anonymous', trunk: this.trunk, sdpOffer: this.sdp.offer(),
      headers: req.headers, ringTimeoutMs: req.ringTimeoutMs ?? 30_000, tag: req.tag,
    });
    this.out = out;
    out.on('provisional', (e) => this.onProvisional(e.status, e.sdp));
    out.on('answered', (e) => this.onAnswered(e.sdp));
    out.on('failed', (e) => this.onFailed(e.status, e.reason, e.q850, e.local));
    out.on('bye', (e) => this.end({ outcome: 'human', sipCode: out.sipCode, q850: e.q850 ?? 16, endedBy: 'remote', reason: 'far end hung up' }));
    out.on('reoffer', (e) => this.onReoffer(e));
    out.on('info', (e) => this.onDigit(e.digit, 'info'));
    if (this.hangupRequested) out.cancel();
  }

  private failSetup(e: unknown): void {
    if (this.st === 'ended') return;
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

  private onProvisional(status: number, sdp: string | undefined): void {
    if (this.st === 'ended') return;
    if (!this.t.progress) this.t.progress = Date.now();
    let early = false;
    if (sdp) {
      try {
        this.applyRemote(parseRemoteSdp(sdp, this.sdp!.codecs));
        early = true;
      } catch (e) {
        this.log.debug({ err: (e as Error).message }, 'unusable early-media SDP ignored');
      }
    }
    if (status !== 180 && status !== 183 && !early) return;
    if (!this.t.ringing) this.t.ringing = Date.now();
    if (this.st === 'dialling') this.st = 'ringing';
    this.emit('progress', { kind: early ? 'early-media' : 'ringing', sipCode: status });
  }

  private onAnswered(sdp: string): void {
    if (this.st === 'ended') return;
    try {
      this.applyRemote(parseRemoteSdp(sdp, this.sdp!.codecs));
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'answer with unusable SDP: hanging up');
      void this.out?.bye();
      return this.end({ outcome: 'trunk-failure', sipCode: 488, q850: 65, endedBy: 'error', reason: `E_SDP: ${(e as Error).message}` });
    }
    this.t.answered = Date.now();
    if (!this.t.progress) this.t.progress = this.t.answered;
    this.st = 'answered';
    if (this.req.amd) this.startAmd();
    this.log.info({ codec: this.codec }, 'answered');
    this.emit('answered');
  }

  private onFailed(status: number, reason: string, q850: number | null, local: boolean): void {
    if (this.trunk) this.d.trunks.noteCallResult(this.trunk.name, status, local, reason);
    const endedBy = this.hangupRequested || status === 487 ? 'local' : local ? 'error' : 'remote';
    this.end({
      outcome: outcomeForFailure(status, this.t.ringing > 0, q850), sipCode: status, q850: q850 ?? q850ForSip(status),
      endedBy, reason: `${status} ${reason}`.trim(),
    });
  }

  private onReoffer(e: ReofferEvent): void {
    const sdp = this.sdp!;
    if (!e.sdp) return e.respond(sdp.current());
    try {
      const { sdp: answer, remote } = sdp.answer(e.sdp, this.codec);
      this.applyRemote(remote);
      e.respond(answer);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'mid-call offer refused');
      e.reject(488, 'Not Acceptable Here');
    }
  }

  private applyRemote(m: RemoteMedia): void {
    const s = this.session!;
    const nullAddress = m.address === '0.0.0.0' || m.address === '::';
    if (!nullAddress) {
      const cur = s.stats();
      if (cur.remoteAddress !== m.address || cur.remotePort !== m.port) s.setRemote(m.address, m.port);
    }
    this.codec = m.codec;
    s.setPayloadType(m.payloadType === 8 ? 8 : 0);
    s.setTelephoneEventPt(m.telephoneEventPt);
    s.hold(m.hold || m.direction === 'recvonly');
  }

  private startAmd(): void {
    const s = this.session!;
    const feed = new AmdFeed(this.req.amd ?? true, {
      verdict: (v) => {
        this.log.info({ verdict: v.verdict, reason: v.reason, ms: v.ms }, 'answering-machine detection');
        this.emit('amd', { verdict: v.verdict, confidence: v.confidence, ms: v.ms });
      },
      beep: (ms) => this.emit('beep', { ms }),
    });
    const onAudio = (pcm: Int16Array): void => {
      feed.push(pcm);
      if (!feed.active) s.off('audio', onAudio);
    };
    s.on('audio', onAudio);
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

  private end(e: Omit<CallEnded, 'durations'>): void {
    if (this.st === 'ended') return;
    const now = Date.now();
    const t = this.t;
    const start = t.invite || t.created;
    const setupEnd = t.progress || t.answered || now;
    const ended: CallEnded = {
      ...e,
      durations: {
        setupMs: t.invite ? setupEnd - t.invite : 0,
        ringMs: t.ringing ? (t.answered || now) - t.ringing : 0,
        talkMs: t.answered ? now - t.answered : 0,
        totalMs: now - start,
      },
    };
    this.st = 'ended';
    this.session?.close();
    this.lease?.release();
    this.lease = null;
    this.log.info({ outcome: ended.outcome, sipCode: ended.sipCode, q850: ended.q850, endedBy: ended.endedBy }, 'call ended');
    this.resolveDone(ended);
    this.emit('ended', ended);
  }
}
