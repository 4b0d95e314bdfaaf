// The main thread's side of an RTP session that runs in a media worker thread: the same surface as
// RtpSession (MediaSession), each call turned into a message and each event of the worker's session
// emitted here. Decoded audio crosses only while someone listens to 'audio' (answering-machine
// detection, call-progress tones, recording).
import { EventEmitter } from 'node:events';
import { lawForPayloadType, type G711Law } from '../dsp/g711.ts';
import type { DtmfSendOptions } from './dtmf-sender.ts';
import type { PlayOptions, SessionPlayResult } from './playout.ts';
import type { MediaSession, RtpSessionEvents, RtpSessionStats } from './session-types.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

export interface WorkerSessionOptions {
  id: number;
  localAddress: string;
  localPort: number;
  payloadType: 0 | 8;
  stats: RtpSessionStats;
  post: (m: ToWorker) => void;
  /** Called once when the session closes (frees the port, forgets the session). */
  onClose: () => void;
}

type WorkerEvent = Exclude<FromWorker, { t: 'ready' | 'log' | 'summary' | 'opened' }>;

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

  constructor(o: WorkerSessionOptions) {
    super();
    this.id = o.id;
    this.localAddress = o.localAddress;
    this.localPort = o.localPort;
    this.post = o.post;
    this.onClose = o.onClose;
    this.pt = o.payloadType;
    this.law = lawForPayloadType(o.payloadType) ?? 'pcmu';
    this.last = o.stats;
    const untyped = this as unknown as EventEmitter; // the typed map does not list Node's own events
    untyped.on('newListener', (e: string | symbol) => {
      if (e === 'audio' && this.listenerCount('audio') === 0 && !this.closed) this.post({ t: 'audio', id: this.id, on: true });
    });
    untyped.on('removeListener', (e: string | symbol) => {
      if (e === 'audio' && this.listenerCount('audio') === 0 && !this.closed) this.post({ t: 'audio', id: this.id, on: false });
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

  play(encoded: Buffer, opts: PlayOptions = {}): Promise<SessionPlayResult> {
    if (this.closed || opts.signal?.aborted) return Promise.resolve({ completed: false, playedMs: 0 });
    const play = this.nextReq++;
    return new Promise((resolve) => {
      const onAbort = (): void => this.post({ t: 'stop-play', id: this.id, play });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.plays.set(play, (r) => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      });
      this.post({ t: 'play', id: this.id, play, bytes: encoded });
    });
  }

  stopPlayback(): void {
    if (!this.closed) this.post({ t: 'stop-play', id: this.id });
  }

  sendDtmf(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.dtmfs.set(req, { resolve, reject });
      this.post({ t: 'dtmf', id: this.id, req, digits, opts });
    });
  }

  setRemote(address: string, port: number): void {
    if (this.closed) return;
    this.last = { ...this.last, remoteAddress: address, remotePort: port, latched: false };
    this.post({ t: 'remote', id: this.id, address, port });
  }

  setPayloadType(pt: 0 | 8): void {
    const law = lawForPayloadType(pt);
    if (!law || pt === this.pt || this.closed) return;
    this.pt = pt;
    this.law = law;
    this.post({ t: 'pt', id: this.id, pt });
  }

  setTelephoneEventPt(pt: number | null): void {
    if (!this.closed) this.post({ t: 'event-pt', id: this.id, pt });
  }

  hold(on: boolean): void {
    if (!this.closed) this.post({ t: 'hold', id: this.id, on });
  }

  stats(): RtpSessionStats {
    return { ...this.last };
  }

  /** Plays still under way resolve with what the worker had played (its 'played' follow its 'closed'). */
  close(): void {
    if (this.closed) return;
    this.post({ t: 'close', id: this.id });
    this.settle(false);
  }

  /** The worker thread died: the session is gone without a word from it. */
  lost(): void {
    if (this.closed) return this.settlePlays();
    this.safeEmit('rtp-timeout', { silentMs: 0 });
    this.settle(true);
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

  private settle(plays: boolean): void {
    this.closed = true;
    if (plays) this.settlePlays();
    for (const d of this.dtmfs.values()) d.resolve();
    this.dtmfs.clear();
    try {
      this.onClose();
    } finally {
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
