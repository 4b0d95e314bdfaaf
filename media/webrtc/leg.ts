// One browser's audio leg (issue 16): ICE with host candidates on one address, DTLS-SRTP (werift checks
// the far end's certificate against its SDP fingerprint), G.711 only. Frames go out one per tick of the
// box's shared clock, like an RtpSession: a prompt, DTMF events, a bridge's frames, else silence.
// Received packets arrive decrypted: G.711 goes to the bridge (and decoded to 'audio' listeners), RFC 4733
// events become 'dtmf'.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { RTCPeerConnection, RtpHeader, type RtpPacket, type RTCRtpTransceiver, type RTCDtlsTransport } from 'werift';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { decodeG711, SILENCE_BYTE, type G711Law } from '../dsp/g711.ts';
import type { MediaClock } from '../rtp/clock.ts';
import { DtmfSender, type DtmfSendOptions } from '../rtp/dtmf-sender.ts';
import { Playout, type PlayOptions, type SessionPlayResult } from '../rtp/playout.ts';
import { ReceiveStats } from '../rtp/receive-stats.ts';
import type { FrameRelay, RelayLeg } from '../rtp/relay-leg.ts';
import { Rfc4733Receiver, TELEPHONE_EVENT_BYTES, writeTelephoneEvent } from '../rtp/rfc4733.ts';
import { checkRemoteSdp, keepCandidatesOn, keepG711Formats, lawOfMime, legCodecs, TELEPHONE_EVENT_MIME } from './sdp.ts';

const FRAME_BYTES = 160;
const FRAME_MS = 20;
const GATHER_TIMEOUT_MS = 3000;

export type WebRtcCloseReason = 'local' | 'remote' | 'failed' | 'timeout';

export interface WebRtcLegOptions {
  /** The engine's shared clock: one frame per tick. */
  clock: MediaClock;
  /** The one address host candidates are gathered on: where the browser reaches the box (127.0.0.1 in tests). */
  address: string;
  /** UDP ports ICE may bind (min < max); default an ephemeral port. */
  portRange?: [number, number];
  /** G.711 laws accepted, in order of preference; default PCMU then PCMA. */
  laws?: G711Law[];
  /** Advertise ICE-lite (the box only answers checks); default false: full ICE on host candidates. */
  iceLite?: boolean;
  /** ICE and DTLS must be up by then, else the leg fails; default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Close the leg ('remote') after this long without a packet from the browser once connected; default
   * 0 (off: a browser that closes sends DTLS close_notify, and ICE consent expires after 30 s otherwise).
   */
  silenceTimeoutMs?: number;
  logger?: Logger;
}

export interface WebRtcLegEvents {
  connected: [];
  dtmf: [{ digit: string; source: 'rfc4733' }];
  /** Decoded received frames (decoded only while someone listens). */
  audio: [Int16Array];
  close: [{ reason: WebRtcCloseReason }];
}

export interface WebRtcLegStats {
  connected: boolean;
  law: G711Law;
  telephoneEventPt: number | null;
  packetsSent: number;
  packetsReceived: number;
  lost: number;
  dtmfReceived: number;
  /** Local and remote address:port of the ICE pair carrying media, once connected. */
  localAddress: string | null;
  remoteAddress: string | null;
}

export class WebRtcLeg extends EventEmitter<WebRtcLegEvents> implements RelayLeg {
  /** Resolves once ICE and DTLS are up; rejects with E_WEBRTC_CONNECT when the leg fails or closes first. */
  readonly connected: Promise<void>;
  private readonly pc: RTCPeerConnection;
  private readonly opts: WebRtcLegOptions;
  private readonly laws: G711Law[];
  private readonly log: Logger | undefined;
  private transceiver: RTCRtpTransceiver | null = null;
  private dtls: RTCDtlsTransport | null = null;
  private law: G711Law;
  private eventPt: number | null = null;
  private pt: number;
  private isConnected = false;
  private closed = false;
  /**
   * The local description being set and its candidates gathered (offer() or answer() in flight). werift
   * binds its ICE sockets meanwhile: a peer connection closed before that is over keeps one of them
   * bound for good (the port is lost until the process ends, and the process cannot end). close()
   * waits for it to settle, a few milliseconds, before it closes the peer connection.
   */
  private settingUp: Promise<void> | null = null;
  private resolveConnected!: () => void;
  private rejectConnected!: (err: Error) => void;
  private connectTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private relay: FrameRelay | null = null;
  // sending
  private readonly header: RtpHeader;
  private readonly frame = Buffer.alloc(FRAME_BYTES);
  private readonly eventPayload = Buffer.alloc(TELEPHONE_EVENT_BYTES);
  private readonly tsBase: number;
  private firstTick = -1;
  private eventTs = 0;
  private markNext = true;
  private readonly playout = new Playout(FRAME_BYTES, FRAME_MS);
  private readonly dtmfOut = new DtmfSender(FRAME_BYTES);
  private sent = 0;
  // receiving
  private readonly rxStats = new ReceiveStats();
  private readonly rfc4733 = new Rfc4733Receiver();
  private rxSsrc = -1;
  private dtmfIn = 0;
  private lastRxTick = -1;

  constructor(opts: WebRtcLegOptions) {
    super();
    const v4 = isIPv4(opts.address);
    if (!v4 && !isIPv6(opts.address)) throw new Error(`WebRtcLeg: address must be an IP address, not ${JSON.stringify(opts.address)}`);
    this.opts = opts;
    this.log = opts.logger;
    this.laws = opts.laws && opts.laws.length > 0 ? [...new Set(opts.laws)] : ['pcmu', 'pcma'];
    this.law = this.laws[0];
    this.pt = this.law === 'pcmu' ? 0 : 8;
    const rnd = randomBytes(6);
    this.header = new RtpHeader({ payloadType: this.pt, sequenceNumber: rnd.readUInt16BE(0), timestamp: 0, ssrc: 0, marker: false, extensions: [] });
    this.tsBase = rnd.readUInt32BE(2);
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {}); // a leg nobody awaits must not raise an unhandled rejection
    const address = opts.address;
    this.pc = new RTCPeerConnection({
      codecs: { audio: legCodecs(this.laws), video: [] },
      headerExtensions: { audio: [], video: [] },
      iceLite: opts.iceLite ?? false,
      iceUseIpv4: v4,
      iceUseIpv6: !v4,
      iceInterfaceAddresses: v4 ? { udp4: address } : { udp6: address },
      iceAdditionalHostAddresses: [address],
      icePortRange: opts.portRange,
      iceFilterCandidatePair: (pair) => pair.localCandidate.host === address,
      bundlePolicy: 'max-bundle',
    });
    this.pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(this.onRtp));
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') this.onConnected();
      // once up, any end of the transport (DTLS close_notify, ICE consent lost) means the far end went away
      else if (this.isConnected && (state === 'failed' || state === 'disconnected' || state === 'closed')) this.close('remote');
      else if (state === 'failed') this.fail('failed', 'ICE or DTLS failed (a certificate that does not match the SDP fingerprint fails here)');
    });
  }

  /** The law negotiated (what play() expects and the frames carry). */
  get codec(): G711Law {
    return this.law;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Answers a browser's offer; returns the answer SDP (complete: host candidates included, no trickle). */
  async answer(offerSdp: string): Promise<string> {
    this.assertOpen();
    checkRemoteSdp(offerSdp, this.laws, 'offer');
    this.armTimeout();
    await this.pc.setRemoteDescription({ type: 'offer', sdp: keepG711Formats(offerSdp, this.laws) });
    const t = this.pc.getTransceivers().find((x) => x.kind === 'audio');
    if (!t) throw new AppError('E_WEBRTC_SDP', "the browser's offer has no audio section the box can use", { field: 'sdp' });
    t.setDirection('sendrecv');
    this.transceiver = t;
    return this.describeLocal(async () => {
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      this.learnCodecs();
    });
  }

  /** Makes an offer (the box calls a browser); apply the browser's answer with accept(). */
  async offer(): Promise<string> {
    this.assertOpen();
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    return this.describeLocal(async () => {
      await this.pc.setLocalDescription(await this.pc.createOffer());
    });
  }

  /** Applies the browser's answer to offer(). */
  async accept(answerSdp: string): Promise<void> {
    this.assertOpen();
    if (this.transceiver === null) throw new Error('WebRtcLeg.accept() before offer()');
    checkRemoteSdp(answerSdp, this.laws, 'answer');
    this.armTimeout();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: keepG711Formats(answerSdp, this.laws) });
    this.learnCodecs();
  }

  play(encoded: Buffer, opts: PlayOptions = {}): Promise<SessionPlayResult> {
    if (this.closed) return Promise.resolve({ completed: false, playedMs: 0 });
    return this.playout.enqueue(encoded, opts);
  }

  stopPlayback(): void {
    this.playout.stop();
  }

  /** RFC 4733 events to the browser (in-band tones when it negotiated no telephone-event). */
  sendDtmf(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.dtmfOut.enqueue(digits, this.eventPt === null ? 'inband' : (opts.mode ?? 'rfc4733'), this.law, opts);
  }

  setRelay(relay: FrameRelay | null): void {
    this.relay = this.closed ? null : relay;
  }

  stats(): WebRtcLegStats {
    const pair = this.isConnected ? this.dtls?.iceTransport.connection.nominated : undefined;
    return {
      connected: this.isConnected,
      law: this.law,
      telephoneEventPt: this.eventPt,
      packetsSent: this.sent,
      packetsReceived: this.rxStats.received + this.rxStats.duplicates,
      lost: this.rxStats.lost,
      dtmfReceived: this.dtmfIn,
      localAddress: pair ? `${pair.localCandidate.host}:${pair.localCandidate.port}` : null,
      remoteAddress: pair ? `${pair.remoteCandidate.host}:${pair.remoteCandidate.port}` : null,
    };
  }

  /** Idempotent: stops the media, ICE and DTLS, and frees the port. */
  close(reason: WebRtcCloseReason = 'local'): void {
    if (this.closed) return;
    this.closed = true;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.playout.stop();
    this.dtmfOut.cancelAll();
    if (!this.isConnected) this.rejectConnected(new AppError('E_WEBRTC_CONNECT', `the WebRTC leg closed before its media connected (${reason})`, { reason }));
    const relay = this.relay;
    this.relay = null;
    const shut = (): void => {
      this.pc.close().catch((err: unknown) => this.log?.debug({ err: err instanceof Error ? err.message : String(err) }, 'WebRTC close'));
    };
    if (this.settingUp) void this.settingUp.then(shut);
    else shut();
    relay?.closed();
    try {
      this.emit('close', { reason });
    } catch (err) {
      this.log?.error({ err: err instanceof Error ? err.message : String(err) }, 'WebRTC leg close listener threw');
    }
  }

  // ---- set-up ----

  private assertOpen(): void {
    if (this.closed) throw new AppError('E_WEBRTC_CONNECT', 'the WebRTC leg is closed');
  }

  private armTimeout(): void {
    if (this.connectTimer || this.isConnected) return;
    const ms = this.opts.connectTimeoutMs ?? 10_000;
    this.connectTimer = setTimeout(() => this.fail('timeout', `ICE and DTLS not up after ${ms} ms`), ms);
  }

  /** Sets the local description with `set`, then gives the SDP once gathered (see settingUp). */
  private async describeLocal(set: () => Promise<void>): Promise<string> {
    const run = (async () => {
      await set();
      return this.localSdp();
    })();
    const settled = run.then(
      () => {},
      () => {},
    );
    this.settingUp = settled;
    void settled.then(() => {
      if (this.settingUp === settled) this.settingUp = null;
    });
    return run;
  }

  /** The local SDP once gathering is complete, with host candidates on our one address only. */
  private async localSdp(): Promise<string> {
    if (this.pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, GATHER_TIMEOUT_MS);
        const sub = this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done());
        function done() {
          clearTimeout(timer);
          sub.unSubscribe();
          resolve();
        }
        if (this.pc.iceGatheringState === 'complete') done();
      });
    }
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new AppError('E_WEBRTC_CONNECT', 'the WebRTC leg has no local description');
    return keepCandidatesOn(sdp, this.opts.address);
  }

  /** What was negotiated: the first G.711 codec, and telephone-event's payload type if any. */
  private learnCodecs(): void {
    const codecs = this.transceiver?.codecs ?? [];
    const main = codecs.find((c) => lawOfMime(c.mimeType) !== null);
    if (main) {
      this.law = lawOfMime(main.mimeType) as G711Law;
      this.pt = main.payloadType;
    }
    const ev = codecs.find((c) => c.mimeType.toLowerCase() === TELEPHONE_EVENT_MIME && c.clockRate === 8000);
    this.eventPt = ev ? ev.payloadType : null;
  }

  private onConnected(): void {
    if (this.isConnected || this.closed) return;
    this.isConnected = true;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.dtls = this.transceiver?.sender.dtlsTransport ?? null;
    if (this.dtls) {
      // Received media straight from the DTLS transport (decrypted RTP): werift's receiver pipeline (routing,
      // per-packet statistics and RTCP reports, a copy of every packet, two more events) cost more CPU than
      // the decryption and gives a G.711 relay nothing. One audio stream per leg (max-bundle): nothing to route.
      this.dtls.onRtp.allUnsubscribe();
      this.dtls.onRtp.subscribe(this.onRtp);
    }
    this.header.ssrc = this.transceiver?.sender.ssrc ?? 0;
    this.learnCodecs();
    this.unsubscribe = this.opts.clock.subscribe(this.onTick);
    this.log?.debug({ law: this.law, eventPt: this.eventPt }, 'WebRTC leg connected');
    this.resolveConnected();
    this.emit('connected');
  }

  private fail(reason: WebRtcCloseReason, why: string): void {
    if (this.closed) return;
    this.log?.warn({ reason, why }, 'WebRTC leg failed');
    if (!this.isConnected) this.rejectConnected(new AppError('E_WEBRTC_CONNECT', `WebRTC media could not connect: ${why}`, { reason }));
    this.close(reason);
  }

  // ---- sending: one packet per tick ----

  private readonly onTick = (tick: number): void => {
    if (this.firstTick < 0) this.firstTick = tick;
    if (this.closed) return;
    if (this.lastRxTick < 0) this.lastRxTick = tick;
    const silence = this.opts.silenceTimeoutMs ?? 0;
    if (silence > 0 && (tick - this.lastRxTick) * this.opts.clock.periodMs >= silence) return this.close('remote');
    const ts = (this.tsBase + (tick - this.firstTick) * FRAME_BYTES) >>> 0;
    if (this.dtmfOut.active) {
      this.relay?.next(); // a key press replaces the bridged audio of its ticks: the queue must not pile up
      const a = this.dtmfOut.step();
      if (a.kind === 'event') {
        if (a.first) this.eventTs = ts;
        writeTelephoneEvent(this.eventPayload, 0, { event: a.event, end: a.packet.end, volume: 10, duration: a.packet.duration });
        return this.send(this.eventPt ?? 101, a.first, this.eventTs, this.eventPayload);
      }
      return this.sendFrame(ts, a.kind === 'audio' ? a.audio : null, a.offset);
    }
    const data = this.playout.current();
    if (data !== null) {
      this.relay?.next(); // a prompt played during a bridge (a whisper) covers the bridged audio
      this.sendFrame(ts, data, this.playout.offset);
      this.playout.advance();
      return;
    }
    const relayed = this.relay?.next() ?? null;
    if (relayed === null) return this.sendFrame(ts, null, 0);
    this.frame.set(relayed.length > FRAME_BYTES ? relayed.subarray(0, FRAME_BYTES) : relayed);
    if (relayed.length < FRAME_BYTES) this.frame.fill(SILENCE_BYTE[this.law], relayed.length);
    this.send(this.pt, false, ts, this.frame);
  };

  private sendFrame(ts: number, src: Uint8Array | null, offset: number): void {
    const f = this.frame;
    if (src === null) f.fill(SILENCE_BYTE[this.law]);
    else {
      const n = Math.min(FRAME_BYTES, Math.max(0, src.length - offset));
      f.set(src.subarray(offset, offset + n));
      if (n < FRAME_BYTES) f.fill(SILENCE_BYTE[this.law], n);
    }
    this.send(this.pt, false, ts, f);
  }

  private send(pt: number, marker: boolean, ts: number, payload: Buffer): void {
    const dtls = this.dtls;
    if (dtls === null || dtls.state !== 'connected') return;
    const h = this.header;
    h.payloadType = pt;
    h.marker = marker || this.markNext;
    this.markNext = false;
    h.timestamp = ts;
    // werift encrypts synchronously before its first await: header and payload can be reused next tick
    void dtls.sendRtp(payload, h);
    h.sequenceNumber = (h.sequenceNumber + 1) & 0xffff;
    this.sent++;
  }

  // ---- receiving ----

  private readonly onRtp = (packet: RtpPacket): void => {
    if (this.closed) return;
    this.lastRxTick = this.opts.clock.tick;
    const h = packet.header;
    const isEvent = this.eventPt !== null && h.payloadType === this.eventPt;
    const law = isEvent ? null : h.payloadType === 0 ? 'pcmu' : h.payloadType === 8 ? 'pcma' : h.payloadType === this.pt ? this.law : null;
    if (!isEvent && law === null) return; // comfort noise, or a codec we did not negotiate
    if (h.ssrc !== this.rxSsrc) {
      if (this.rxSsrc !== -1) {
        this.rxStats.newStream();
        this.rfc4733.reset();
      }
      this.rxSsrc = h.ssrc;
    }
    const verdict = this.rxStats.update(h.sequenceNumber);
    if (verdict === 'duplicate' || verdict === 'stale') return;
    if (isEvent) {
      const digit = this.rfc4733.push(h.timestamp, packet.payload);
      if (digit === null) return;
      this.dtmfIn++;
      this.safeEmit('dtmf', { digit, source: 'rfc4733' });
      this.relay?.digit(digit);
      return;
    }
    this.relay?.received(packet.payload);
    if (this.listenerCount('audio') > 0) this.safeEmit('audio', decodeG711(law as G711Law, packet.payload));
  };

  private safeEmit<K extends 'dtmf' | 'audio'>(event: K, ...args: WebRtcLegEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: WebRtcLegEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log?.error({ event, err: err instanceof Error ? err.message : String(err) }, 'WebRTC leg listener threw');
    }
  }
}
