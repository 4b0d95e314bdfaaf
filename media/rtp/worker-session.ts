// The main thread's side of an RTP session that runs in a media worker thread: the same surface as
// RtpSession (MediaSession), each call turned into a message and each event of the worker's session
// emitted here. Decoded audio crosses only while someone listens to 'audio' (answering-machine
// detection, call-progress tones, recording).
// A session that is bridged (setRelay, or hostOnMainThread) moves to the main thread, where the box's
// other legs (browsers' WebRTC legs, other bridged calls) relay frame by frame on the same clock: the
// worker closes its socket and hands over its stream (SSRC, next sequence and timestamp), the engine
// binds the same port here, and this object goes on driving that RtpSession directly.
import { EventEmitter } from 'node:events';
import { lawForPayloadType, type G711Law } from '../dsp/g711.ts';
import type { DtmfSendOptions } from './dtmf-sender.ts';
import type { CreateSessionOptions } from './media-engine.ts';
import type { PlayOptions, SessionPlayResult } from './playout.ts';
import type { FrameRelay } from './relay-leg.ts';
import type { RtpSession } from './session.ts';
import type { MediaSession, RtpSessionEvents, RtpSessionStats } from './session-types.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

/** One 20 ms G.711 frame. */
const FRAME_BYTES = 160;

/** What the engine gives back when a session has moved to the main thread. */
export interface MovedSession {
  session: RtpSession;
  /** The worker's figures at the hand-over (the new session counts from zero). */
  stats: RtpSessionStats;
}

export interface WorkerSessionOptions {
  id: number;
  localAddress: string;
  localPort: number;
  payloadType: 0 | 8;
  stats: RtpSessionStats;
  post: (m: ToWorker) => void;
  /** Called once when the session closes in its worker (frees the port, forgets the session). */
  onClose: () => void;
  /** What it was created with (a move to the main thread builds the new session from it). */
  init: CreateSessionOptions;
  /** Moves the session to the main thread (the engine's side; `config` is what to build it from). */
  moveHere: (config: CreateSessionOptions) => Promise<MovedSession>;
}

type WorkerEvent = Exclude<FromWorker, { t: 'ready' | 'log' | 'summary' | 'opened' | 'detached' }>;

const SUMMED: (keyof RtpSessionStats)[] = ['packetsSent', 'bytesSent', 'packetsReceived', 'bytesReceived', 'lost', 'reordered', 'duplicates', 'late', 'ignored', 'droppedForeign', 'dtmfReceived'];

export class WorkerSession extends EventEmitter<RtpSessionEvents> implements MediaSession {
  readonly id: number;
  readonly localAddress: string;
  readonly localPort: number;
  private readonly post: (m: ToWorker) => void;
  private readonly onClose: () => void;
  private pt: 0 | 8;
  private law: G711Law;
  private last: RtpSessionStats;
  private closed = false;
  private nextReq = 1;
  private readonly plays = new Map<number, (r: SessionPlayResult) => void>();
  private readonly dtmfs = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly moveHere: WorkerSessionOptions['moveHere'];
  /** The session's settings as they stand (a move rebuilds it from them). */
  private readonly config: CreateSessionOptions;
  /** Once moved: the RtpSession on the main thread, and the worker's figures at the hand-over. */
  private local: RtpSession | null = null;
  private base: RtpSessionStats | null = null;
  private moving: Promise<void> | null = null;
  /** stopPlayback() calls so far: a play waiting for a move ends if one came after it. */
  private stops = 0;
  private relay: FrameRelay | null = null;
  /** On hold (a move keeps it on hold). */
  private holding = false;
  private readonly forwardAudio = (pcm: Int16Array): void => this.safeEmit('audio', pcm);
  /** Listen-in taps of the frames sent: attached to the main-thread session once the session is there. */
  private readonly sentTaps = new Map<(payload: Buffer) => void, () => void>();

  constructor(o: WorkerSessionOptions) {
    super();
    this.id = o.id;
    this.moveHere = o.moveHere;
    this.config = { ...o.init, payloadType: o.payloadType };
    this.localAddress = o.localAddress;
    this.localPort = o.localPort;
    this.post = o.post;
    this.onClose = o.onClose;
    this.pt = o.payloadType;
    this.law = lawForPayloadType(o.payloadType) ?? 'pcmu';
    this.last = o.stats;
    const untyped = this as unknown as EventEmitter; // the typed map does not list Node's own events
    untyped.on('newListener', (e: string | symbol) => {
      if (e !== 'audio' || this.listenerCount('audio') !== 0 || this.closed) return;
      if (this.local) this.local.on('audio', this.forwardAudio);
      else if (!this.moving) this.post({ t: 'audio', id: this.id, on: true });
    });
    untyped.on('removeListener', (e: string | symbol) => {
      if (e !== 'audio' || this.listenerCount('audio') !== 0 || this.closed) return;
      if (this.local) this.local.off('audio', this.forwardAudio);
      else if (!this.moving) this.post({ t: 'audio', id: this.id, on: false });
    });
  }

  get codec(): G711Law {
    return this.law;
  }

  get payloadType(): number {
    return this.pt;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the session runs on the main thread now (it moved there to be bridged). */
  get onMainThread(): boolean {
    return this.local !== null;
  }

  hostOnMainThread(): Promise<void> {
    if (this.closed || this.local) return Promise.resolve();
    this.moving ??= this.move();
    return this.moving;
  }

  tapSent(fn: (payload: Buffer) => void): () => void {
    if (this.closed) return () => {};
    this.sentTaps.set(fn, this.local ? this.local.tapSent(fn) : () => {});
    if (!this.local) void this.hostOnMainThread();
    return () => {
      this.sentTaps.get(fn)?.();
      this.sentTaps.delete(fn);
    };
  }

  setRelay(relay: FrameRelay | null): void {
    this.relay = this.closed ? null : relay;
    if (this.local) this.local.setRelay(this.relay);
    else if (this.relay) void this.hostOnMainThread();
  }

  private async move(): Promise<void> {
    let moved: MovedSession;
    try {
      moved = await this.moveHere({ ...this.config });
    } catch {
      // the worker died (lost() ended the session) or the port could not be bound again here
      if (!this.closed) {
        this.safeEmit('rtp-timeout', { silentMs: 0 });
        this.settle(true, false);
      }
      return;
    } finally {
      this.moving = null;
    }
    const s = moved.session;
    this.base = moved.stats;
    this.last = moved.stats;
    if (this.closed) {
      s.close(); // closed while it moved: the new socket goes at once
      return;
    }
    this.local = s;
    s.on('dtmf', (e) => this.safeEmit('dtmf', e));
    s.on('rtp-timeout', (e) => this.safeEmit('rtp-timeout', e));
    s.on('latched', (e) => this.safeEmit('latched', e));
    s.on('close', () => {
      if (!this.closed) this.settle(true, false);
    });
    if (this.holding) s.hold(true);
    if (this.listenerCount('audio') > 0) s.on('audio', this.forwardAudio);
    for (const fn of this.sentTaps.keys()) this.sentTaps.set(fn, s.tapSent(fn));
    s.setRelay(this.relay);
  }

  play(encoded: Buffer, opts: PlayOptions = {}): Promise<SessionPlayResult> {
    if (this.closed || opts.signal?.aborted) return Promise.resolve({ completed: false, playedMs: 0 });
    if (this.local) return this.local.play(encoded, opts);
    if (this.moving) {
      const stops = this.stops;
      return this.moving.then(() => (this.local && this.stops === stops && !opts.signal?.aborted ? this.local.play(encoded, opts) : { completed: false, playedMs: 0 }));
    }
    const play = this.nextReq++;
    const stops = this.stops;
    return new Promise((resolve) => {
      const onAbort = (): void => this.post({ t: 'stop-play', id: this.id, play });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.plays.set(play, (r) => {
        opts.signal?.removeEventListener('abort', onAbort);
        // Cut by a move to the main thread (a bridge, a listen-in), not by its caller: the rest of the
        // prompt plays there, so that what the far end hears goes on where it was.
        const moving = this.moving;
        if (!r.completed && moving && this.stops === stops && !opts.signal?.aborted) {
          const rest = encoded.subarray(Math.min(encoded.length, Math.floor(r.playedMs / 20) * FRAME_BYTES));
          void moving.then(() => {
            if (!this.local || this.stops !== stops || opts.signal?.aborted || rest.length === 0) return resolve(r);
            void this.local.play(rest, opts).then((more) => resolve({ completed: more.completed, playedMs: r.playedMs + more.playedMs }));
          });
          return;
        }
        resolve(r);
      });
      this.post({ t: 'play', id: this.id, play, bytes: encoded });
    });
  }

  stopPlayback(): void {
    this.stops++;
    if (this.local) this.local.stopPlayback();
    else if (!this.closed) this.post({ t: 'stop-play', id: this.id });
  }

  sendDtmf(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.local) return this.local.sendDtmf(digits, opts);
    if (this.moving) return this.moving.then(() => this.local?.sendDtmf(digits, opts));
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.dtmfs.set(req, { resolve, reject });
      this.post({ t: 'dtmf', id: this.id, req, digits, opts });
    });
  }

  // Settings: kept for a move, and passed on to wherever the session runs (a move under way picks
  // them up from `config` when it builds the new session).
  setRemote(address: string, port: number): void {
    if (this.closed) return;
    this.config.remoteAddress = address;
    this.config.remotePort = port;
    if (this.local) return this.local.setRemote(address, port);
    this.last = { ...this.last, remoteAddress: address, remotePort: port, latched: false };
    if (!this.moving) this.post({ t: 'remote', id: this.id, address, port });
  }

  setPayloadType(pt: 0 | 8): void {
    const law = lawForPayloadType(pt);
    if (!law || pt === this.pt || this.closed) return;
    this.pt = pt;
    this.law = law;
    this.config.payloadType = pt;
    if (this.local) this.local.setPayloadType(pt);
    else if (!this.moving) this.post({ t: 'pt', id: this.id, pt });
  }

  setTelephoneEventPt(pt: number | null): void {
    if (this.closed) return;
    this.config.telephoneEventPt = pt;
    if (this.local) this.local.setTelephoneEventPt(pt);
    else if (!this.moving) this.post({ t: 'event-pt', id: this.id, pt });
  }

  hold(on: boolean): void {
    if (this.closed) return;
    this.holding = on;
    if (this.local) this.local.hold(on);
    else if (!this.moving) this.post({ t: 'hold', id: this.id, on });
  }

  stats(): RtpSessionStats {
    if (!this.local || !this.base) return { ...this.last };
    const now = this.local.stats();
    const sum = { ...now };
    for (const k of SUMMED) (sum[k] as number) = (now[k] as number) + (this.base[k] as number);
    sum.firstForeignSource = this.base.firstForeignSource ?? now.firstForeignSource;
    return sum;
  }

  /** Plays still under way resolve with what the worker had played (its 'played' follow its 'closed'). */
  close(): void {
    if (this.closed) return;
    if (this.local) {
      this.local.close(); // its 'close' settles this side
      return;
    }
    if (this.moving) {
      // the move finishes and closes the new session; the port is given back then
      this.settle(true, false);
      return;
    }
    this.post({ t: 'close', id: this.id });
    this.settle(false, true);
  }

  /** The worker thread died: the session is gone without a word from it. */
  lost(): void {
    if (this.closed || this.local) return this.settlePlays();
    this.safeEmit('rtp-timeout', { silentMs: 0 });
    this.settle(true, true);
  }

  /** One event of the worker's session. */
  deliver(m: WorkerEvent): void {
    switch (m.t) {
      case 'audio':
        if (!this.closed) this.safeEmit('audio', m.pcm);
        return;
      case 'dtmf':
        if (!this.closed) this.safeEmit('dtmf', { digit: m.digit, source: m.source });
        return;
      case 'played':
        this.plays.get(m.play)?.({ completed: m.completed, playedMs: m.playedMs });
        this.plays.delete(m.play);
        return;
      case 'dtmf-sent': {
        const d = this.dtmfs.get(m.req);
        this.dtmfs.delete(m.req);
        if (m.error === null) d?.resolve();
        else d?.reject(new RangeError(m.error));
        return;
      }
      case 'timeout':
        this.last = m.stats;
        if (!this.closed) this.safeEmit('rtp-timeout', { silentMs: m.silentMs });
        return;
      case 'latched':
        this.last = m.stats;
        if (!this.closed) this.safeEmit('latched', { address: m.address, port: m.port });
        return;
      case 'closed':
        this.last = m.stats;
        // the worker's 'played' for them came in the same batch; anything left is settled now
        setImmediate(() => this.settlePlays());
        return;
    }
  }

  private settlePlays(): void {
    for (const resolve of this.plays.values()) resolve({ completed: false, playedMs: 0 });
    this.plays.clear();
  }

  /** `inWorker`: the session ends in its worker (the engine frees its port); else it ended here. */
  private settle(plays: boolean, inWorker: boolean): void {
    this.closed = true;
    if (plays) this.settlePlays();
    for (const d of this.dtmfs.values()) d.resolve();
    this.dtmfs.clear();
    const relay = this.local ? null : this.relay; // a local session told its relay itself
    this.relay = null;
    try {
      if (inWorker) this.onClose();
    } finally {
      try {
        relay?.closed();
      } catch {
        // the bridge's fault; the session is closed all the same
      }
      this.safeEmit('close');
    }
  }

  private safeEmit<K extends keyof RtpSessionEvents>(event: K, ...args: RtpSessionEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: RtpSessionEvents[K]) => boolean)(event, ...args);
    } catch {
      // a listener's fault: it must not take the message handler down (the engine logs its own)
    }
  }
}
