// One RTP session per call. Sends one packet per tick of the shared clock (prompt audio, DTMF, or
// comfort silence so the far end's timers and NAT bindings stay alive), and receives with symmetric
// RTP, loss/reorder accounting and RFC 4733 events. Media is taken only from where the far end said
// it would come from (its SDP's address, or its trunk's configured media sources): anyone else on
// the network could otherwise take the call's audio by latching first, and press its keys.
import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from '../../core/log.ts';
import { lawForPayloadType, SILENCE_BYTE, type G711Law } from '../dsp/g711.ts';
import type { MediaClock } from './clock.ts';
import { DtmfSender, type DtmfMode, type DtmfSendOptions } from './dtmf-sender.ts';
import { InboundAudio } from './inbound-audio.ts';
import { Playout, type PlayOptions, type SessionPlayResult } from './playout.ts';
import type { FrameRelay, RelayLeg } from './relay-leg.ts';
import { ReceiveStats } from './receive-stats.ts';
import { Rfc4733Receiver, TELEPHONE_EVENT_BYTES, writeTelephoneEvent } from './rfc4733.ts';
import { type DgramState, isRtpSocket, sendDirect, type UdpHandle } from './rtp-socket.ts';
import { emptyRtpHeader, parseRtpInto, RTP_HEADER_BYTES, RTP_VERSION, writeMarkerAndType, writeRtpHeader, writeSequence, writeTimestamp } from './rtp-packet.ts';
import type { RtpContinuation, RtpSessionEvents, RtpSessionOptions, RtpSessionStats } from './session-types.ts';
import { SourceGate } from './source-gate.ts';
import { MediaSourceSet } from './source-filter.ts';

export type { DtmfMode, DtmfSendOptions, PlayOptions, RtpSessionEvents, RtpSessionOptions, RtpSessionStats, SessionPlayResult };

const FRAME_BYTES = 160; // 20 ms of 8 kHz G.711
const RING = 4; // packet buffers per session: a send the kernel had to queue is not overwritten for 60 ms
const PACKET_BYTES = RTP_HEADER_BYTES + FRAME_BYTES; // 172: a multiple of 4, so every slot's payload is word-aligned
const PACKET_WORDS = PACKET_BYTES / 4;
const HEADER_WORDS = RTP_HEADER_BYTES / 4;
const FRAME_WORDS = FRAME_BYTES / 4;
const FRAME_MS = 20;

// The per-packet functions call these through module constants. A media worker loads its modules as
// CommonJS (tsx's require hook: worker-engine.ts bootCode), where each use of an imported binding goes
// through two getters of esbuild's interop and a megamorphic keyed load; a constant is read directly.
const sendDirectNow = sendDirect;
const parseRtp = parseRtpInto;
const writeSeq = writeSequence;
const writeTs = writeTimestamp;

/**
 * The packet every session of this thread builds its next send in, when its socket can say the kernel
 * took the bytes as it sent them (rtp-socket.ts sendDirect): a thousand calls then write into one
 * buffer that stays in the CPU's cache, where a buffer per call is a cache miss per packet. When a send
 * had to be queued, its buffer stays with the kernel and the next send takes a new one.
 */
interface SendBuffer {
  buf: Buffer;
  words: Int32Array;
}
function newSendBuffer(): SendBuffer {
  const packet = new ArrayBuffer(PACKET_BYTES);
  const buf = Buffer.from(packet);
  buf[0] = RTP_VERSION << 6; // no padding, extension or CSRC: the same in every session's packets
  return { buf, words: new Int32Array(packet) };
}
let shared = newSendBuffer();

/** The header of the datagram being received, for every session of the thread (read before anything is called out). */
const rx = emptyRtpHeader();

/** A 32-bit word whose bytes in memory are `value` in network order (an SSRC, a silence pattern). */
function networkWord(value: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return new Int32Array(b.buffer, b.byteOffset, 1)[0];
}

export class RtpSession extends EventEmitter<RtpSessionEvents> implements RelayLeg {
  readonly localAddress: string;
  readonly localPort: number;
  readonly ssrc: number;
  private readonly socket: dgram.Socket;
  private readonly clock: MediaClock;
  private readonly log: Logger | undefined;
  private readonly onClose: (() => void) | undefined;
  private readonly symmetric: boolean;
  private readonly timeoutTicks: number;
  private pt: number;
  private law: G711Law;
  private eventPt: number | null;
  private remoteAddress: string | null;
  private remotePort: number | null;
  /** Who may send us media (see source-gate.ts). */
  private readonly gate: SourceGate;
  private connected = false;
  /** The socket is ours (rtp-socket.ts) and this Node lets us at its handle (else null): connected sends go to it directly. */
  private readonly udpState: DgramState | null;
  private readonly udpHandle: UdpHandle | null;
  private socketErrors = 0;
  private holding = false;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  // sending
  private seq: number;
  private readonly tsBase: number;
  private firstTick = -1;
  private markNext = true;
  /** The packets, one per slot of a single buffer per session (one allocation, few objects touched per tick). */
  private readonly ring: Buffer[] = [];
  /** The same buffer as 32-bit words: a frame is copied in word by word. */
  private readonly ringWords: Int32Array;
  /** Bit i set: slot i's payload is this session's silence already. */
  private ringSilent = 0;
  /** The prompt bytes last sent from, and the same bytes as 32-bit words (null when not aligned). */
  private wordsOf: Buffer | null = null;
  private words: Int32Array | null = null;
  private ringAt = 0;
  /** Word 0 (version, marker, payload type, sequence) is written byte by byte; the SSRC word and a silent word are kept ready. */
  private readonly ssrcWord: number;
  private silenceWord: number;
  private readonly eventBuf = Buffer.alloc(RTP_HEADER_BYTES + TELEPHONE_EVENT_BYTES);
  private eventTs = 0;
  private readonly playout = new Playout(FRAME_BYTES, FRAME_MS);
  private readonly dtmfOut = new DtmfSender(FRAME_BYTES);
  private sent = 0;
  private sentBytes = 0;
  // receiving
  private readonly rxStats = new ReceiveStats();
  private readonly rfc4733 = new Rfc4733Receiver();
  private readonly inbound: InboundAudio;
  private rxSsrc = -1;
  private rxBytes = 0;
  private ignored = 0;
  private dtmfIn = 0;
  private lastRxTick = -1;
  private timedOut = false;
  /** Decoding costs CPU: only while in-band detection is on or someone listens to 'audio'. */
  private decodeAudio = false;
  /** A bridge (media/rtp/bridge.ts): gets what we receive, gives what we send between prompts. */
  private relay: FrameRelay | null = null;
  /** Listen-in taps: each gets every G.711 payload this session sends (issue 16, media/rtp/listen-mix.ts). */
  private readonly sentTaps = new Set<(payload: Buffer) => void>();
  /** sentTaps.size > 0, and DTMF queued, kept on the session: the tick reads them without reaching into other objects. */
  private tapped = false;
  private dtmfQueued = false;

  constructor(opts: RtpSessionOptions) {
    super();
    this.socket = opts.socket;
    this.localAddress = opts.localAddress;
    this.localPort = opts.localPort;
    this.clock = opts.clock;
    this.log = opts.logger;
    this.onClose = opts.onClose;
    this.symmetric = opts.symmetric ?? true;
    this.pt = opts.payloadType ?? 0;
    this.law = lawForPayloadType(this.pt) ?? 'pcmu';
    this.eventPt = opts.telephoneEventPt === undefined ? 101 : opts.telephoneEventPt;
    this.remoteAddress = null;
    this.remotePort = null;
    this.gate = new SourceGate(opts.mediaSources ?? MediaSourceSet.EMPTY);
    if (opts.remoteAddress !== undefined && opts.remotePort !== undefined) this.declare(opts.remoteAddress, opts.remotePort);
    this.timeoutTicks = opts.rtpTimeoutMs ? Math.ceil(opts.rtpTimeoutMs / this.clock.periodMs) : 0;
    this.inbound = new InboundAudio(opts.reorderPackets ?? 3, opts.inbandDtmf ?? false, FRAME_BYTES, {
      audio: (pcm) => this.safeEmit('audio', pcm),
      digit: (digit) => {
        this.dtmfIn++;
        this.safeEmit('dtmf', { digit, source: 'inband' });
        this.relay?.digit(digit);
      },
    });
    const rnd = randomBytes(10);
    const from = opts.continueFrom;
    this.ssrc = from ? from.ssrc >>> 0 : rnd.readUInt32BE(0);
    this.ssrcWord = networkWord(this.ssrc);
    this.silenceWord = networkWord(SILENCE_BYTE[this.law] * 0x01010101);
    this.seq = from ? from.seq & 0xffff : rnd.readUInt16BE(4);
    // the stream carries on: the timestamp advances by the time the session spent moving
    this.tsBase = from ? (from.timestamp + Math.max(0, Math.round((performance.timeOrigin + performance.now() - from.atMs) / FRAME_MS)) * FRAME_BYTES) >>> 0 : rnd.readUInt32BE(6);
    const packets = new ArrayBuffer(RING * PACKET_BYTES);
    this.ringWords = new Int32Array(packets);
    for (let i = 0; i < RING; i++) {
      const buf = Buffer.from(packets, i * PACKET_BYTES, PACKET_BYTES).fill(SILENCE_BYTE[this.law], RTP_HEADER_BYTES);
      writeRtpHeader(buf, { marker: false, payloadType: this.pt, sequence: 0, timestamp: 0, ssrc: this.ssrc });
      this.ring.push(buf);
    }
    this.ringSilent = (1 << RING) - 1;
    writeRtpHeader(this.eventBuf, { marker: false, payloadType: this.eventPt ?? 101, sequence: 0, timestamp: 0, ssrc: this.ssrc });
    this.decodeAudio = this.inbound.detecting;
    const audioListeners = (event: string | symbol, delta: number) => {
      if (event === 'audio') this.decodeAudio = this.inbound.detecting || this.listenerCount('audio') + delta > 0;
    };
    const untyped = this as unknown as EventEmitter; // the typed map does not list Node's own events
    untyped.on('newListener', (e: string | symbol) => audioListeners(e, 1)); // before the listener is added
    untyped.on('removeListener', (e: string | symbol) => audioListeners(e, 0)); // after it is removed
    const direct = isRtpSocket(this.socket) ? this.socket.direct : null;
    this.udpState = direct?.state ?? null;
    this.udpHandle = direct?.handle ?? null;
    if (isRtpSocket(this.socket)) this.socket.receive(this);
    else this.socket.on('message', this.onMessage);
    this.socket.on('error', this.onSocketError);
    this.unsubscribe = this.clock.subscribe(this);
  }

  /** The G.711 law this session sends (what `play()` expects). */
  get codec(): G711Law {
    return this.law;
  }

  get payloadType(): number {
    return this.pt;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Plays pre-encoded bytes of this session's law, after anything already queued. */
  play(encoded: Buffer, opts: PlayOptions = {}): Promise<SessionPlayResult> {
    if (this.closed) return Promise.resolve({ completed: false, playedMs: 0 });
    return this.playout.enqueue(encoded, opts);
  }

  /** Bridging: received payloads and digits go to `relay`, which gives the frames to send when no prompt or DTMF plays. */
  setRelay(relay: FrameRelay | null): void {
    this.relay = this.closed ? null : relay;
  }

  /** Already on the thread of the box's other legs (see MediaSession.hostOnMainThread). */
  hostOnMainThread(): Promise<void> {
    return Promise.resolve();
  }

  /** Where the outgoing stream stands (a worker hands the session over to the main thread with it). */
  continuation(): RtpContinuation {
    const next = this.firstTick < 0 ? 0 : this.clock.tick + 1 - this.firstTick;
    // the next tick is due within a period: the receiver's jitter buffer absorbs that much
    return { ssrc: this.ssrc, seq: this.seq, timestamp: (this.tsBase + next * FRAME_BYTES) >>> 0, atMs: performance.timeOrigin + performance.now() };
  }

  /** Listen-in: `fn` gets each 20 ms payload sent (prompts, bridged audio, silence); returns the unsubscribe. */
  tapSent(fn: (payload: Buffer) => void): () => void {
    this.sentTaps.add(fn);
    this.tapped = true;
    return () => {
      this.sentTaps.delete(fn);
      this.tapped = this.sentTaps.size > 0;
    };
  }

  /** Stops the current prompt and drops the queued ones (each resolves with completed: false). */
  stopPlayback(): void {
    this.playout.stop();
  }

  /** Sends digits; RFC 4733 by default, in-band when asked or when the peer negotiated no telephone-event. */
  sendDtmf(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    let mode: DtmfMode = opts.mode ?? (this.eventPt === null ? 'inband' : 'rfc4733');
    if (mode === 'rfc4733' && this.eventPt === null) {
      this.log?.debug({ rtpPort: this.localPort }, 'peer offered no telephone-event: sending DTMF in-band');
      mode = 'inband';
    }
    const sent = this.dtmfOut.enqueue(digits, mode, this.law, opts);
    this.dtmfQueued = this.dtmfOut.active;
    return sent;
  }

  /**
   * Where the far end's SDP says its media is: where to send, and the one address media is taken
   * from (besides the trunk's media sources). Latching may move the port we send to, never the address.
   */
  setRemote(address: string, port: number): void {
    this.disconnect();
    this.declare(address, port);
  }

  private declare(address: string, port: number): void {
    this.remoteAddress = address;
    this.remotePort = port;
    this.gate.declare(address, port);
  }

  setPayloadType(pt: 0 | 8): void {
    const law = lawForPayloadType(pt);
    if (!law || pt === this.pt) return;
    this.pt = pt;
    this.law = law;
    this.ringSilent = 0; // refilled with the new law's silence
    this.silenceWord = networkWord(SILENCE_BYTE[law] * 0x01010101);
  }

  setTelephoneEventPt(pt: number | null): void {
    this.eventPt = pt;
    if (pt !== null) writeMarkerAndType(this.eventBuf, false, pt);
  }

  /** On hold (sendonly/inactive from our side) nothing is sent and playback waits. */
  hold(on: boolean): void {
    if (on === this.holding) return;
    this.holding = on;
    if (!on) {
      this.markNext = true;
      this.lastRxTick = this.clock.tick;
    }
  }

  stats(): RtpSessionStats {
    const s = this.rxStats;
    return {
      packetsSent: this.sent,
      bytesSent: this.sentBytes,
      packetsReceived: s.received + s.duplicates,
      bytesReceived: this.rxBytes,
      lost: s.lost,
      reordered: s.reordered,
      duplicates: s.duplicates,
      late: s.stale + this.inbound.late,
      ignored: this.ignored,
      droppedForeign: this.gate.dropped,
      firstForeignSource: this.gate.firstDropped,
      dtmfReceived: this.dtmfIn,
      ssrc: this.ssrc,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      latched: this.gate.latched,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (isRtpSocket(this.socket)) this.socket.receive(null);
    else this.socket.off('message', this.onMessage);
    this.stopPlayback();
    this.dtmfOut.cancelAll();
    this.inbound.flush();
    const relay = this.relay;
    this.relay = null;
    try {
      this.onClose?.();
    } finally {
      relay?.closed();
      this.safeEmit('close');
    }
  }

  // ---- sending (hot path: one call per session per tick) ----

  /** The clock's call, once per period (a TickReceiver: clock.ts). */
  clockTick(tick: number): void {
    if (this.firstTick < 0) {
      this.firstTick = tick;
      this.lastRxTick = tick;
    }
    if (this.decodeAudio) this.inbound.tick(tick); // frames are held there only while they are decoded
    if (this.holding || this.remotePort === null || this.closed) {
      this.lastRxTick = tick; // media has not started (or is paused): the timeout does not run
      return;
    }
    if (this.timeoutTicks > 0 && !this.timedOut && tick - this.lastRxTick >= this.timeoutTicks) {
      this.timedOut = true;
      this.safeEmit('rtp-timeout', { silentMs: (tick - this.lastRxTick) * this.clock.periodMs });
    }
    const ts = (this.tsBase + (tick - this.firstTick) * FRAME_BYTES) >>> 0;
    if (this.dtmfQueued) this.dtmfQueued = this.dtmfOut.active;
    if (this.dtmfQueued) {
      this.relay?.next(); // a key press replaces the bridged audio of its ticks: the queue must not pile up
      const a = this.dtmfOut.step();
      if (a.kind === 'event') return this.sendEvent(ts, a.event, a.first, a.packet.end, a.packet.duration);
      if (a.kind === 'audio') return this.sendFrame(ts, a.audio, a.offset);
      return this.sendFrame(ts, null, 0);
    }
    const data = this.playout.current();
    if (data === null) return this.sendFrame(ts, this.relay === null ? null : this.relayFrame(), 0);
    this.relay?.next(); // a prompt played during a bridge (a whisper) covers the bridged audio
    this.sendFrame(ts, data, this.playout.offset);
    this.playout.advance();
  }

  private relayFrame(): Buffer | null {
    const frame = (this.relay as FrameRelay).next();
    return frame === null ? null : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  }

  private sendFrame(ts: number, src: Buffer | null, offset: number): void {
    let buf: Buffer;
    let to: Int32Array;
    let base: number; // the payload's first word in `to`
    const direct = this.udpHandle !== null && this.connected;
    const sb = shared;
    if (direct) {
      buf = sb.buf;
      to = sb.words;
      base = HEADER_WORDS;
      to[2] = this.ssrcWord; // another session's packet was built here last
      if (src === null) this.silence(to, base);
    } else {
      const i = this.ringAt;
      this.ringAt = (i + 1) % RING;
      buf = this.ring[i];
      to = this.ringWords;
      base = i * PACKET_WORDS + HEADER_WORDS;
      const bit = 1 << i;
      if (src !== null) this.ringSilent &= ~bit;
      else if ((this.ringSilent & bit) === 0) {
        this.silence(to, base);
        this.ringSilent |= bit;
      }
    }
    if (src !== null) {
      // (the bounds from the word view: the Buffer object itself is not read when its view is cached)
      const from = (offset & 3) === 0 ? this.wordsFor(src) : null;
      if (from !== null && offset + FRAME_BYTES <= from.length << 2) {
        // word by word: Buffer#copy makes a view per call, and copies from shared memory (the
        // prompt cache's) on a slower path; this is 3-4 % of a media worker's CPU at 800 calls
        const at = offset >> 2;
        for (let w = 0; w < FRAME_WORDS; w++) to[base + w] = from[at + w];
      } else {
        const n = src.copy(buf, RTP_HEADER_BYTES, offset, offset + FRAME_BYTES);
        if (n < FRAME_BYTES) buf.fill(SILENCE_BYTE[this.law], RTP_HEADER_BYTES + n);
      }
    }
    buf[1] = (this.markNext ? 0x80 : 0) | this.pt;
    this.markNext = false;
    writeSeq(buf, this.seq);
    writeTs(buf, ts);
    this.seq = (this.seq + 1) & 0xffff;
    if (this.tapped) for (const tap of this.sentTaps) tap(buf.subarray(RTP_HEADER_BYTES));
    if (!direct) this.transmit(buf);
    else if (!sendDirectNow(this.udpState as DgramState, this.udpHandle as UdpHandle, buf) && shared === sb) shared = newSendBuffer(); // the kernel still has it
    this.sent++;
    this.sentBytes += PACKET_BYTES;
  }

  private silence(to: Int32Array, base: number): void {
    const w = this.silenceWord;
    for (let k = 0; k < FRAME_WORDS; k++) to[base + k] = w;
  }

  private wordsFor(src: Buffer): Int32Array | null {
    if (src !== this.wordsOf) {
      this.wordsOf = src;
      this.words = src.byteOffset % 4 === 0 ? new Int32Array(src.buffer, src.byteOffset, src.length >> 2) : null;
    }
    return this.words;
  }

  private sendEvent(ts: number, event: number, first: boolean, end: boolean, duration: number): void {
    if (first) this.eventTs = ts;
    // a fresh buffer per event packet: they are rare, and a queued send keeps its own bytes
    const buf = Buffer.from(this.eventBuf);
    writeMarkerAndType(buf, first, this.eventPt ?? 101);
    writeSequence(buf, this.seq);
    writeTimestamp(buf, this.eventTs);
    writeTelephoneEvent(buf, RTP_HEADER_BYTES, { event, end, volume: 10, duration });
    this.seq = (this.seq + 1) & 0xffff;
    this.transmit(buf);
    this.sent++;
    this.sentBytes += buf.length;
  }

  private transmit(buf: Buffer): void {
    if (this.connected) this.socket.send(buf);
    else this.socket.send(buf, this.remotePort as number, this.remoteAddress as string);
  }

  // ---- receiving ----

  /** A plain dgram socket's listener (ours call onDatagram themselves: rtp-socket.ts). */
  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => this.onDatagram(msg, rinfo);

  /** Each datagram that reaches the session's port (a DatagramReceiver: rtp-socket.ts). */
  onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.clock.poll(); // a phase due now sends before this packet is handled (see MediaClock.poll)
    // Connected, the kernel passes only the far end's datagrams (but for any queued before connect()):
    // from it, the gate (another object to bring into the cache) has nothing to add
    const known = this.connected && rinfo.port === this.remotePort && rinfo.address === this.remoteAddress;
    if (!known && !this.gate.admits(rinfo.address, rinfo.port)) {
      if (this.gate.drop(rinfo.address, rinfo.port)) {
        this.log?.debug({ rtpPort: this.localPort, source: this.gate.firstDropped, declared: this.gate.declared }, 'RTP from a source the far end did not declare: dropped');
      }
      return;
    }
    const h = rx;
    if (!parseRtp(msg, h)) {
      this.ignored++;
      return;
    }
    const pt = h.payloadType;
    const isEvent = pt === this.eventPt;
    const law = isEvent ? null : pt === this.pt ? this.law : lawForPayloadType(pt);
    if (!isEvent && law === null) {
      this.ignored++; // comfort noise, RTCP on the RTP port, codecs we did not offer
      return;
    }
    if (!known && this.symmetric && this.gate.wantsLatch(rinfo.address, rinfo.port)) this.latch(rinfo);
    this.lastRxTick = this.clock.tick;
    this.timedOut = false;
    this.rxBytes += msg.length;
    if (h.ssrc !== this.rxSsrc) {
      if (this.rxSsrc !== -1) {
        this.rxStats.newStream();
        this.inbound.restart();
        this.rfc4733.reset();
      }
      this.rxSsrc = h.ssrc;
    }
    const verdict = this.rxStats.update(h.sequence);
    if (verdict === 'duplicate' || verdict === 'stale') return;
    if (verdict === 'restart') this.inbound.restart();
    if (isEvent) {
      const digit = this.rfc4733.push(h.timestamp, msg, h.payloadOffset, h.payloadLength);
      if (digit !== null) {
        this.dtmfIn++;
        this.safeEmit('dtmf', { digit, source: 'rfc4733' });
        this.relay?.digit(digit);
      }
      return;
    }
    if (this.relay !== null) this.relay.received(msg.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength));
    if (this.decodeAudio) {
      this.inbound.push(this.rxStats.lastExt, law as G711Law, msg.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength), this.clock.tick);
    }
  }

  private latch(rinfo: dgram.RemoteInfo): void {
    this.gate.latch(rinfo.address, rinfo.port);
    if (rinfo.address !== this.remoteAddress || rinfo.port !== this.remotePort) {
      this.remoteAddress = rinfo.address;
      this.remotePort = rinfo.port;
      this.log?.debug({ rtpPort: this.localPort, remotePort: rinfo.port }, 'RTP latched to the source of received packets');
      this.safeEmit('latched', { address: rinfo.address, port: rinfo.port });
    }
    // Only the declared pair is pinned in the kernel: latched to a mapped port, the far end's own
    // port must still be able to reach us (and take over).
    if (this.gate.exact) this.connect();
  }

  /**
   * Once the far end is known for sure (packets from the very address and port it declared), the
   * socket is connected to it: the kernel then keeps the route (sends cost about a quarter less) and
   * drops datagrams from anyone else before they reach us (those are not counted in droppedForeign).
   * setRemote() (a new SDP) disconnects until the next latch.
   */
  private connect(): void {
    if (this.connected || this.remotePort === null || this.remoteAddress === null || this.closed) return;
    if (isIP(this.remoteAddress) === 0) return; // a host name would connect asynchronously: stay unconnected
    try {
      this.socket.connect(this.remotePort, this.remoteAddress);
      this.connected = true;
    } catch (err) {
      this.log?.debug({ rtpPort: this.localPort, err: err instanceof Error ? err.message : String(err) }, 'RTP socket connect failed; staying unconnected');
    }
  }

  private disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    try {
      this.socket.disconnect();
    } catch {
      // not connected after all
    }
  }

  /** A throwing listener is logged; it must not take the socket handler or the clock down. */
  private safeEmit<K extends keyof RtpSessionEvents>(event: K, ...args: RtpSessionEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: RtpSessionEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log?.error({ rtpPort: this.localPort, event, err: err instanceof Error ? err.message : String(err) }, 'RTP session listener threw');
    }
  }

  private readonly onSocketError = (err: Error): void => {
    // a connected socket reports ICMP port-unreachable on every packet once the far end is gone: log once
    if (this.socketErrors++ === 0) this.log?.warn({ rtpPort: this.localPort, err: err.message }, 'RTP socket error');
  };
}
