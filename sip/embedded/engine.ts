// The embedded call engine: SIP stack + trunk guard + user agent + trunk manager (sip/embedded) and
// the RTP media engine (media/rtp), behind the call port. Built by appliance/main.ts from settings.
import { EventEmitter } from 'node:events';
import type {
  Bridge, Call, CallEngine, CallEngineEvents, DialRequest, EngineMediaStats, SipWebSocket, StaffDialRequest, StaffEndpoint, TrunkStatus,
} from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { availableParallelism } from 'node:os';
import { MediaEngine, type MediaEngineApi } from '../../media/rtp/media-engine.ts';
import { WorkerMediaEngine } from '../../media/rtp/worker-engine.ts';
import { LiveCalls } from '../shared/live-calls.ts';
import { RefusalLog } from '../shared/refusal-log.ts';
import { EmbeddedCall, type CallDeps } from './embedded-call.ts';
import type { EmbeddedIncomingCall } from './incoming-call.ts';
import type { StaffCall } from './staff-dial.ts';
import type { BrowserCallOut } from './browser-call-out.ts';
import { listenCalls } from './listen-in.ts';
import { StaffSide, type StaffOptions, type WebRtcLegFactory } from './staff-side.ts';
import { TrunkGuard } from '../shared/guard.ts';
import { SipStack } from './sip-stack.ts';
import { TrunkManager } from './trunks.ts';
import { UserAgent } from './user-agent.ts';

export interface EmbeddedEngineOptions {
  settings: Pick<Settings, 'sip' | 'media' | 'trunks' | 'defaultTrunk'>;
  logger: Logger;
  /** Hang up an answered call after this long without RTP (default 60 s; 0 turns it off). */
  rtpTimeoutMs?: number;
  /** Refused requests are logged once per source per interval, then summed (default 60 s). */
  refusalLogIntervalMs?: number;
  /** Staff endpoints (issue 16): who may register, and the digest realm. Absent: REGISTER is refused. */
  staff?: StaffOptions;
  /** Browser softphone calls' media (media/webrtc's WebRtcLeg); absent: browsers register but are not rung. */
  webrtc?: WebRtcLegFactory;
  /** Time the domain has to answer or refuse a call coming in before the engine refuses it (480); default 30 s. */
  incomingAnswerTimeoutMs?: number;
  /**
   * Media worker threads, each with its own 20 ms clock (default: one per core); 0 runs the media on
   * the main thread, where any stall of the event loop is heard on every call.
   */
  mediaWorkers?: number;
}

interface Parts {
  refusals: RefusalLog;
  guard: TrunkGuard;
  stack: SipStack;
  ua: UserAgent;
  trunks: TrunkManager;
  media: MediaEngineApi;
  staff: StaffSide;
}

export class EmbeddedEngine extends EventEmitter<CallEngineEvents> implements CallEngine {
  readonly name = 'embedded' as const;
  private readonly o: EmbeddedEngineOptions;
  private parts: Parts | null = null;
  private readonly calls = new LiveCalls<EmbeddedCall | EmbeddedIncomingCall | StaffCall | BrowserCallOut>();
  private closing = false;

  constructor(o: EmbeddedEngineOptions) {
    super();
    this.o = o;
  }

  /** The SIP port actually bound (useful when settings asked for 0). */
  get sipPort(): number {
    return this.parts?.stack.port ?? 0;
  }

  /** The pieces, for diagnostics and tests (guard statistics, user agent counters). */
  get internals(): Readonly<Parts> | null {
    return this.parts;
  }

  async start(): Promise<void> {
    if (this.parts) return;
    const { sip, media: m, trunks } = this.o.settings;
    const log = this.o.logger;
    const refusals = new RefusalLog({ logger: log.child({ part: 'guard' }), intervalMs: this.o.refusalLogIntervalMs });
    const guard = new TrunkGuard({ ...sip.guard, logger: log.child({ part: 'guard' }), refusals });
    // A trunk that asks for TCP or TLS gets it even when the box's own settings list only UDP.
    const transports = [...new Set([...sip.transports, ...trunks.filter((t) => t.enabled).map((t) => t.transport)])];
    const stack = new SipStack({
      bindAddress: sip.bindAddress, port: sip.port, publicAddress: sip.publicAddress, transports,
      tls: sip.tls, userAgent: sip.userAgent, logger: log.child({ part: 'sip' }), guard,
    });
    await stack.start();
    const ua = new UserAgent({ stack, logger: log.child({ part: 'ua' }), refusals });
    ua.start();
    const manager = new TrunkManager({ stack, trunks, guard, logger: log.child({ part: 'trunks' }) });
    manager.on('trunk', (s) => this.emit('trunk', s));
    const workers = this.o.mediaWorkers ?? availableParallelism();
    const mediaOptions = { bindAddress: sip.bindAddress, rtpPortMin: m.rtpPortMin, rtpPortMax: m.rtpPortMax, logger: log.child({ part: 'media' }) };
    const media = workers > 0 ? new WorkerMediaEngine({ ...mediaOptions, workers }) : new MediaEngine(mediaOptions);
    media.start();
    const staff = new StaffSide({
      stack, ua, guard, trunks: manager, media, refusals, logger: log.child({ part: 'staff' }),
      callDeps: this.callDeps(stack, ua, manager, media), rtpTimeoutMs: this.o.rtpTimeoutMs ?? 60_000,
      staff: this.o.staff, webrtc: this.o.webrtc, answerTimeoutMs: this.o.incomingAnswerTimeoutMs,
      events: this,
      track: (call) => { this.calls.add(call); },
    });
    staff.start();
    this.parts = { refusals, guard, stack, ua, trunks: manager, media, staff };
    try {
      await manager.start();
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  dial(request: DialRequest): Call {
    const p = this.parts;
    if (!p || this.closing) throw new AppError('E_SIP_TRANSPORT', 'The call engine is not running');
    return this.calls.add(new EmbeddedCall(this.callDeps(p.stack, p.ua, p.trunks, p.media), request));
  }

  /** Ring a staff user's registered endpoints; the first to answer takes the call (issue 16). */
  dialStaff(request: StaffDialRequest): Call {
    const p = this.parts;
    if (!p || this.closing) throw new AppError('E_SIP_TRANSPORT', 'The call engine is not running');
    return p.staff.dialStaff(request);
  }

  /** Listen-in (issue 16): a mixed, listen-only copy of `target`'s two directions to `listener`. */
  listenIn(target: Call, listener: Call): Bridge {
    return listenCalls(target, listener);
  }

  staffEndpoints(): StaffEndpoint[] {
    return this.parts?.staff.endpoints() ?? [];
  }

  /** A browser softphone's SIP-over-WebSocket connection; the HTTP side has checked its session. */
  acceptStaffSocket(socket: SipWebSocket, user: string): void {
    const p = this.parts;
    if (!p || this.closing) {
      socket.close(1013, 'call engine not running');
      return;
    }
    p.staff.acceptSocket(socket, user);
  }

  private callDeps(stack: SipStack, ua: UserAgent, trunks: TrunkManager, media: MediaEngineApi): CallDeps {
    return {
      ua, trunks, media, sdpAddress: stack.publicAddress,
      defaultTrunk: this.o.settings.defaultTrunk, logger: this.o.logger, rtpTimeoutMs: this.o.rtpTimeoutMs ?? 60_000,
    };
  }

  trunks(): TrunkStatus[] {
    return this.parts?.trunks.status() ?? [];
  }

  activeCalls(): number {
    return this.calls.size;
  }

  mediaStats(): EngineMediaStats {
    const s = this.parts?.media.stats();
    return { rtpSessions: s?.sessions ?? 0, rtpDroppedForeign: s?.droppedForeign ?? 0 };
  }

  /** Hang up every call (bounded), unregister, release every port and socket. */
  async close(): Promise<void> {
    const p = this.parts;
    if (!p || this.closing) return;
    this.closing = true;
    p.staff.stop();
    await this.calls.hangUpAll();
    await p.ua.stop(1000);
    await p.trunks.stop();
    await p.media.stop();
    await p.stack.stop();
    p.refusals.close();
    this.parts = null;
    this.closing = false;
  }
}
