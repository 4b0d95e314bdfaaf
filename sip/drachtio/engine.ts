// The drachtio call engine: SIP through drachtio-server (drachtio-srf), media on FreeSWITCH
// (drachtio-fsmrf), behind the call port. Built by appliance/main.ts when settings say
// engine "drachtio". While either server is away, trunks report 'down' with the reason and dial()
// returns calls that end at once with 'trunk-failure' (E_TRUNK_DOWN); the links keep reconnecting.
import { EventEmitter } from 'node:events';
import type { Call, CallEngine, CallEngineEvents, DialRequest, IncomingCall, SipWebSocket, StaffDialRequest, StaffDirectory, StaffEndpoint, TrunkStatus } from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { TrunkGuard } from '../shared/guard.ts';
import { defaultTapDir } from '../../media/freeswitch/audio-tap.ts';
import { freeswitchDirs } from '../../media/freeswitch/work-dirs.ts';
import { LiveCalls } from '../shared/live-calls.ts';
import { RefusalLog } from '../shared/refusal-log.ts';
import { DrachtioCall, type DrachtioCallDeps } from './drachtio-call.ts';
import { callerNumber } from '../shared/caller-number.ts';
import { DrachtioIncomingCall } from './incoming-call.ts';
import { DrachtioStaff, DrachtioStaffCall, STAFF_HEADER, uriUser, viaIsWebSocket } from './staff.ts';
import type { SrfMessage, SrfResponseOut } from './srf.ts';
import { installInbound, type InboundStats } from './inbound.ts';
import { NO_SERVERS, ServerLinks, type ServersState } from './links.ts';
import { DrachtioTrunks } from './trunks.ts';

export interface DrachtioEngineOptions {
  settings: Pick<Settings, 'sip' | 'trunks' | 'defaultTrunk' | 'drachtio'>;
  logger: Logger;
  /** How long start() waits for both servers before carrying on without them (default 5 s). */
  connectWaitMs?: number;
  /** Name of FreeSWITCH's sofia profile fsmrf sends its INVITEs to. */
  profile?: string;
  /**
   * The box's state folder: the engine's files shared with FreeSWITCH (prompt WAVs, audio taps)
   * go to its `freeswitch/` folder. Without one, a private temporary folder (tests).
   */
  stateDir?: string;
  /** Folder shared with FreeSWITCH for the answering-machine audio tap (default: see defaultTapDir). */
  tapDir?: string;
  registrationBackoffMs?: number;
  /** Refused requests are logged once per source per interval, then summed (default 60 s). */
  refusalLogIntervalMs?: number;
  /** Staff endpoints (issue 16): who may register, and the digest realm. Absent: REGISTER is refused. */
  staff?: { directory: StaffDirectory; realm: string; minExpiresSec?: number; maxExpiresSec?: number };
  /**
   * drachtio-server's WebSocket contact, where browser softphones' connections are relayed (loopback only;
   * the shipped drachtio.conf.xml has `sip:127.0.0.1:9024;transport=ws`). Default ws://127.0.0.1:9024.
   */
  staffWsUrl?: string;
  /** Milliseconds the domain has to answer or refuse a call coming in; default 30 s. */
  incomingAnswerTimeoutMs?: number;
}

/** drachtio-server's WebSocket contact in the shipped systemd/drachtio/drachtio.conf.xml. */
export const DEFAULT_STAFF_WS_URL = 'ws://127.0.0.1:9024';

interface Parts {
  refusals: RefusalLog;
  guard: TrunkGuard;
  links: ServerLinks;
  trunks: DrachtioTrunks;
  inbound: InboundStats;
  staff: DrachtioStaff | null;
}

export class DrachtioEngine extends EventEmitter<CallEngineEvents> implements CallEngine {
  readonly name = 'drachtio' as const;
  private readonly o: DrachtioEngineOptions;
  private parts: Parts | null = null;
  private readonly calls = new LiveCalls<DrachtioCall | DrachtioStaffCall>();
  private closing = false;

  constructor(o: DrachtioEngineOptions) {
    super();
    this.o = o;
  }

  /** Which servers are connected (for status and telemetry). */
  servers(): ServersState {
    return { ...(this.parts?.links.state ?? NO_SERVERS) };
  }

  /** The pieces, for diagnostics and tests. */
  get internals(): Readonly<Parts> | null {
    return this.parts;
  }

  /** Resolves once both servers are connected; false after timeoutMs. */
  async whenConnected(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.parts && !this.parts.links.downReason()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return !!this.parts && !this.parts.links.downReason();
  }

  async start(): Promise<void> {
    if (this.parts) return;
    const { sip, trunks, drachtio: d } = this.o.settings;
    const log = this.o.logger;
    const refusals = new RefusalLog({ logger: log.child({ part: 'guard' }), intervalMs: this.o.refusalLogIntervalMs });
    const guard = new TrunkGuard({ ...sip.guard, logger: log.child({ part: 'guard' }), refusals });
    const links = new ServerLinks({
      drachtio: { host: d.host, port: d.port, secret: d.secret },
      freeswitch: { host: d.freeswitch.host, port: d.freeswitch.port, secret: d.freeswitch.secret, profile: this.o.profile },
      logger: log.child({ part: 'servers' }),
    });
    const manager = new DrachtioTrunks({
      trunks, logger: log.child({ part: 'trunks' }), guard,
      srf: () => (links.state.drachtio ? links.srf : null),
      contactHostport: () => links.state.sipHostport,
      serversDown: () => links.downReason(),
      registrationBackoffMs: this.o.registrationBackoffMs,
    });
    manager.on('trunk', (s) => this.emit('trunk', s));
    links.on('change', (s) => {
      log.info({ drachtio: s.drachtio, freeswitch: s.freeswitch }, 'call servers');
      manager.serversChanged();
    });
    const staff = this.o.staff
      ? new DrachtioStaff({ ...this.o.staff, wsUrl: this.o.staffWsUrl ?? DEFAULT_STAFF_WS_URL }, refusals, log.child({ part: 'staff' }), (list) => this.emit('staff', list))
      : null;
    // Desk phones reach the engine from the LAN ranges; only REGISTER does anything for them there.
    if (staff) guard.allowAlso((a) => staff.inDeskRanges(a));
    const inbound = installInbound(links.srf, guard, refusals, {
      ...(staff ? { register: (req: SrfMessage, res: SrfResponseOut) => staff.handleRegister(req, res) } : {}),
      fromSoftphone: (req) => viaIsWebSocket(req) || req.has(STAFF_HEADER),
      invite: (req, res, trunk) => this.onIncoming(req, res, trunk),
    });
    this.parts = { refusals, guard, links, trunks: manager, inbound, staff };
    await links.start(this.o.connectWaitMs ?? 5000);
    const down = links.downReason();
    if (down) log.warn({ reason: down }, 'call engine started without its servers: calls are refused until they are back');
    await manager.start();
  }

  dial(request: DialRequest): Call {
    const call = new DrachtioCall(this.callDeps(), request);
    return this.calls.add(call);
  }

  /** Ring a staff user's registered endpoints; the first to answer takes the call (issue 16). */
  dialStaff(request: StaffDialRequest): Call {
    const deps = this.callDeps();
    const staff = this.parts?.staff;
    const call = staff ? staff.dialStaff(request, deps) : new DrachtioStaffCall([], null, this.o.logger);
    return this.calls.add(call);
  }

  /** The staff endpoints registered now. */
  staffEndpoints(): StaffEndpoint[] {
    return this.parts?.staff?.registry.list() ?? [];
  }

  /** A browser softphone's WebSocket (the web session checked by the HTTP side): relayed to drachtio-server. */
  acceptStaffSocket(socket: SipWebSocket, user: string): void {
    const staff = this.parts?.staff;
    if (!staff || this.closing) {
      socket.close(1008, 'staff endpoints are not enabled');
      return;
    }
    staff.acceptSocket(socket, user);
  }

  private callDeps(): DrachtioCallDeps {
    const p = this.parts;
    if (!p || this.closing) throw new AppError('E_SIP_TRANSPORT', 'The call engine is not running');
    return {
      links: p.links, trunks: p.trunks, defaultTrunk: this.o.settings.defaultTrunk, logger: this.o.logger,
      tapDir: this.o.tapDir ?? defaultTapDir(this.o.stateDir), promptDir: freeswitchDirs(this.o.stateDir).prompts,
    };
  }

  /** An INVITE from a configured trunk's address (issue 16): the domain answers or refuses it. */
  private onIncoming(req: SrfMessage, res: SrfResponseOut, trunkName: string): void {
    const p = this.parts;
    const trunk = p?.trunks.get(trunkName);
    const refuse = (status: number, text: string, reason: string): void => {
      res.send(status, text);
      p?.refusals.note(req.source_address ?? '', { method: 'INVITE', reason, status });
    };
    if (!p || this.closing || !trunk) return refuse(503, 'Service Unavailable', 'engine-stopping');
    if (!trunk.enabled) return refuse(403, 'Forbidden (trunk disabled)', 'trunk-disabled');
    if (this.listenerCount('incoming') === 0) return refuse(480, 'Temporarily Unavailable', 'no-inbound-handler');
    const call = new DrachtioIncomingCall(this.callDeps(), {
      req, res, trunk, answerTimeoutMs: this.o.incomingAnswerTimeoutMs,
      from: callerNumber(uriUser(req.get('From'))), to: callerNumber(uriUser(req.uri) ?? uriUser(req.get('To'))),
    });
    this.calls.add(call);
    this.emit('incoming', call satisfies IncomingCall);
  }

  trunks(): TrunkStatus[] {
    return this.parts?.trunks.status() ?? [];
  }

  activeCalls(): number {
    return this.calls.size;
  }

  /** Hang up every call (bounded), unregister, disconnect from both servers. */
  async close(): Promise<void> {
    const p = this.parts;
    if (!p || this.closing) return;
    this.closing = true;
    await this.calls.hangUpAll();
    p.staff?.close();
    p.guard.allowAlso(null);
    await p.trunks.stop();
    // Let the last BYEs and endpoint hang-ups leave before the sockets close.
    await new Promise((r) => setTimeout(r, 200));
    await p.links.close();
    p.refusals.close();
    this.parts = null;
    this.closing = false;
  }
}
