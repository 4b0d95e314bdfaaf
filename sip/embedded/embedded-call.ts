// One call of the embedded engine: the call port's Call over an OutgoingCall (signalling) and an
// RtpSession (media). It owns the call's trunk channel and RTP port and gives both back at the end.
import { isIP } from 'node:net';
import type { DialRequest, DtmfSource, InbandSignal } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import type { MediaEngineApi } from '../../media/rtp/media-engine.ts';
import type { MediaSession } from '../../media/rtp/session-types.ts';
import { MediaSourceSet } from '../../media/rtp/source-filter.ts';
import { inviteFailureEnd, setupFailureEnd } from '../shared/call-life.ts';
import { fromUserOn, logDialling, planDial } from '../shared/dial-plan.ts';
import { callAmdFeed } from '../shared/amd-feed.ts';
import { callProgressFeed, HeldAudio, type ProgressFeed } from '../shared/progress-feed.ts';
import type { ChannelLease } from '../shared/channel-pool.ts';
import type { RingStart } from '../shared/ring-all.ts';
import type { OutgoingCall, ReofferEvent } from './outgoing-call.ts';
import { LegCall, type CallMediaLeg } from './leg-call.ts';
import { LocalSdp, parseRemoteSdp, type Codec, type RemoteMedia } from './sdp.ts';
import { parseUri } from './sip-types.ts';
import type { TrunkManager } from './trunks.ts';
import type { UserAgent } from './user-agent.ts';

export interface CallDeps {
  ua: UserAgent;
  trunks: TrunkManager;
  media: MediaEngineApi;
  /** Address we put in SDP. */
  sdpAddress: string;
  defaultTrunk: string | null;
  logger: Logger;
  /** Hang up an answered call after this long without RTP; 0 turns it off. */
  rtpTimeoutMs: number;
}

export class EmbeddedCall extends LegCall {
  private readonly d: CallDeps;
  private readonly req: DialRequest;
  private trunk: TrunkProfile | undefined;
  private lease: ChannelLease | null = null;
  private session: MediaSession | null = null;
  private sdp: LocalSdp | null = null;
  private out: OutgoingCall | null = null;
  private codec: Codec = 'PCMU';
  private hangupRequested = false;
  private progressFeed: ProgressFeed | null = null;
  /** The last provisional status (183 for early media), kept for an attempt a network tone ends before any answer. */
  private provisional: number | null = null;

  /**
   * `fromDisplay`: the display name in From (a staff call shows who is waiting); `mediaSources`: more
   * addresses media may come from (a desk phone's LAN ranges: a phone may send RTP from another of its addresses);
   * `ringStart`: a ring-all's start line (the INVITE waits there once the media is ready).
   */
  constructor(deps: CallDeps, req: DialRequest, private readonly extra: { fromDisplay?: string; mediaSources?: string[]; ringStart?: RingStart } = {}) {
    super({ logger: deps.logger, logFields: req.tag ? { tag: req.tag } : {}, prompts: deps.media.prompts, state: 'dialling' });
    this.d = deps;
    this.req = req;
    // Set up on the next turn so the caller can attach its listeners first.
    setImmediate(() => { this.setup().catch((e: unknown) => this.failSetup(e)); });
  }

  protected leg(): CallMediaLeg | null {
    return this.session;
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
    const { trunk, uri, outboundProxy } = planDial(req, this.d.defaultTrunk, trunks);
    // Media is taken from the address the far end's SDP declares, from the trunk's mediaSources, and
    // from the addresses its signalling comes from (trusted already; a far end with several
    // addresses may declare one and send from another): never from anyone else on the network.
    const signalling = trunk ? trunks.signallingSources(trunk.name) : [parseUri(outboundProxy ?? uri)?.host ?? ''].filter((h) => isIP(h) !== 0);
    const own = trunk?.mediaSources ?? this.extra.mediaSources ?? [];
    const mediaSources = MediaSourceSet.fromSettings([...signalling, ...own], (entry, why) => {
      if (own.includes(entry)) this.log.warn({ trunk: trunk?.name, entry, why }, 'invalid trunk media source ignored');
    });
    this.trunk = trunk;
    const codecs: Codec[] = this.trunk?.codecs.length ? this.trunk.codecs : ['PCMU', 'PCMA'];
    this.codec = codecs[0] ?? 'PCMU';
    const dtmf = this.trunk?.dtmf ?? 'auto';
    const session = await media.createSession({
      payloadType: this.codec === 'PCMA' ? 8 : 0,
      telephoneEventPt: 101,
      inbandDtmf: dtmf === 'auto' || dtmf === 'inband',
      rtpTimeoutMs: this.d.rtpTimeoutMs,
      mediaSources,
    });
    this.session = session;
    session.on('dtmf', (e) => this.onDigit(e.digit, e.source));
    session.on('rtp-timeout', (e) => {
      if (this.st !== 'answered') return;
      const st = session.stats();
      // RTP that came from elsewhere than the far end declared says where to look (trunks[].mediaSources)
      this.log.warn({ silentMs: e.silentMs, droppedForeign: st.droppedForeign, firstForeignSource: st.firstForeignSource }, 'no RTP from the far end: hanging up');
      void this.hangup('rtp-timeout');
    });
    // Ringing staff: every endpoint's INVITE leaves at once (see RingTogether).
    await this.extra.ringStart?.ready();
    // The channel last: the INVITE leaves as soon as the trunk's calls-per-second slot opens, so the
    // pacing the trunk sees is the pacing we planned (no RTP set-up time in between).
    if (this.trunk) this.lease = await trunks.acquire(this.trunk.name);
    if (this.hangupRequested) return this.end({ outcome: 'no-answer', sipCode: null, q850: null, endedBy: 'local', reason: 'hung up before dialling' });
    this.sdp = new LocalSdp({ address: this.d.sdpAddress, port: session.localPort, codecs });
    this.life.inviteSent();
    logDialling(this.log, this.trunk, req.to);
    const out = ua.invite({
      uri, outboundProxy, fromUser: fromUserOn(this.trunk, req.from), fromDisplay: this.extra.fromDisplay, trunk: this.trunk, sdpOffer: this.sdp.offer(),
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
    this.end(setupFailureEnd(e, this.log));
  }

  // ---- signalling events ----

  private onProvisional(status: number, sdp: string | undefined): void {
    if (this.st === 'ended') return;
    this.life.progressed();
    this.provisional = status;
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
    if (early) this.listenForNetworkTones();
    this.life.ringing();
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
    this.life.answered();
    this.st = 'answered';
    this.listenForNetworkTones();
    this.progressFeed?.answered();
    if (this.req.amd) this.startAmd();
    this.log.info({ codec: this.codec }, 'answered');
    this.emit('answered');
  }

  private onFailed(status: number, reason: string, q850: number | null, local: boolean): void {
    if (this.trunk) this.d.trunks.noteCallResult(this.trunk.name, status, local, reason);
    this.end(inviteFailureEnd({ status, reason, q850, local }, { rang: this.life.rang, hangupRequested: this.hangupRequested }));
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
    const feed = callAmdFeed(this.req.amd ?? true, this.log, this);
    // Behind the network-tone listener (added first): a SIT's first tone must not pass for a beep.
    const held = this.progressFeed ? new HeldAudio(this.progressFeed, (pcm) => feed.push(pcm)) : null;
    const onAudio = (pcm: Int16Array): void => {
      if (held) held.push(pcm);
      else feed.push(pcm);
      if (!feed.active) s.off('audio', onAudio);
    };
    s.on('audio', onAudio);
  }

  // A SIT and its announcement, or a gateway's in-band busy tone, in early media or just after the answer.
  private listenForNetworkTones(): void {
    if (this.progressFeed) return;
    const s = this.session!;
    const feed = callProgressFeed(this.log, (signal) => this.networkTone(signal));
    this.progressFeed = feed;
    const onAudio = (pcm: Int16Array): void => {
      feed.push(pcm);
      if (!feed.active) s.off('audio', onAudio);
    };
    s.on('audio', onAudio);
  }

  private networkTone(signal: InbandSignal): void {
    if (this.st === 'ended') return;
    this.emit('inband', signal);
    const what = signal.kind === 'sit' ? `SIT (${signal.variant})` : `${signal.kind} tone`;
    const end = { outcome: signal.outcome, sipCode: this.out?.sipCode ?? this.provisional, q850: null, endedBy: 'local' as const, reason: `${what} heard in ${signal.phase === 'answered' ? 'the first seconds after the answer' : 'early media'}`, inband: signal };
    this.hangupRequested = true;
    if (this.st === 'answered') {
      void this.out?.bye();
    } else {
      this.out?.cancel();
    }
    this.end(end);
  }

  // ---- DTMF ----

  private onDigit(digit: string, source: DtmfSource): void {
    this.key(digit, source, this.trunk?.dtmf);
  }

  // ---- the end ----

  protected teardown(): void {
    this.session?.close();
    this.lease?.release();
    this.lease = null;
  }
}
