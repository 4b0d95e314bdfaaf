// The embedded media side of the call engine, on this thread: owns the shared clock, the RTP port pool
// and the prompt cache, and creates one RtpSession per call. The SIP engine creates a session before
// it sends its SDP offer (it needs the local port) and points it at the far end once the answer
// arrives. worker-engine.ts is the same engine with its sessions in media worker threads (one per core).
import type { Logger } from '../../core/log.ts';
import { MediaClock } from './clock.ts';
import { RtpPortPool } from './port-pool.ts';
import { PromptCache } from './prompt-cache.ts';
import { RtpSession, type RtpSessionOptions } from './session.ts';
import type { MediaSession } from './session-types.ts';

export interface MediaEngineOptions {
  bindAddress: string;
  rtpPortMin: number;
  rtpPortMax: number;
  logger?: Logger;
  /** Byte budget of the prompt cache; default 64 MiB. */
  promptCacheBytes?: number;
  /** Phases of the shared clock that sessions are spread over (see MediaClock); default 10. */
  clockPhases?: number;
}

/** Counters over every session the engine has run (for /api/health and telemetry). */
export interface MediaEngineStats {
  sessions: number;
  /** Datagrams dropped because their source was not the one the far end declared (see RtpSessionStats). */
  droppedForeign: number;
}

/** What a caller chooses per session; the engine supplies socket, ports and clock. */
export type CreateSessionOptions = Omit<RtpSessionOptions, 'socket' | 'localAddress' | 'localPort' | 'clock' | 'onClose' | 'logger'>;

/** What the SIP side uses of a media engine, on this thread (MediaEngine) or in workers (WorkerMediaEngine). */
export interface MediaEngineApi {
  readonly prompts: PromptCache;
  /** The main thread's shared clock (browsers' WebRTC legs tick on it, and any session bridged to them). */
  readonly clock: MediaClock;
  start(): void;
  stop(): Promise<void>;
  createSession(opts?: CreateSessionOptions): Promise<MediaSession>;
  activeSessions(): MediaSession[];
  stats(): MediaEngineStats;
}

export class MediaEngine implements MediaEngineApi {
  readonly clock: MediaClock;
  readonly ports: RtpPortPool;
  readonly prompts: PromptCache;
  private readonly log: Logger | undefined;
  private readonly sessions = new Set<RtpSession>();
  /** droppedForeign of sessions already closed. */
  private closedDropped = 0;
  private started = false;

  constructor(opts: MediaEngineOptions) {
    this.log = opts.logger;
    this.clock = new MediaClock({
      phases: opts.clockPhases,
      onListenerError: (err) => this.log?.error({ err: err instanceof Error ? err.message : String(err) }, 'media clock listener threw'),
    });
    this.ports = new RtpPortPool({ bindAddress: opts.bindAddress, min: opts.rtpPortMin, max: opts.rtpPortMax });
    this.prompts = new PromptCache({ maxBytes: opts.promptCacheBytes });
  }

  /** The clock itself runs only while sessions exist; start() only opens the engine for sessions. */
  start(): void {
    this.started = true;
    this.clock.reopen(); // closed by a stop() before
  }

  /** Closes every session and frees every port. */
  async stop(): Promise<void> {
    this.started = false;
    for (const s of [...this.sessions]) s.close();
    this.sessions.clear();
    this.clock.close();
    this.ports.closeAll();
  }

  /** Binds a port from the range (AppError E_RTP_PORTS when none is free) and starts the session's clock. */
  async createSession(opts: CreateSessionOptions = {}): Promise<RtpSession> {
    if (!this.started) throw new Error('MediaEngine.createSession() before start()');
    const port = await this.ports.allocate();
    if (!this.started) {
      port.release();
      throw new Error('MediaEngine stopped while a session was being created');
    }
    const session = new RtpSession({
      ...opts,
      socket: port.socket,
      localAddress: port.address,
      localPort: port.port,
      clock: this.clock,
      logger: this.log,
      onClose: () => {
        if (this.sessions.delete(session)) this.closedDropped += session.stats().droppedForeign;
        port.release();
      },
    });
    this.sessions.add(session);
    return session;
  }

  activeSessions(): RtpSession[] {
    return [...this.sessions];
  }

  stats(): MediaEngineStats {
    let dropped = this.closedDropped;
    for (const s of this.sessions) dropped += s.stats().droppedForeign;
    return { sessions: this.sessions.size, droppedForeign: dropped };
  }
}
