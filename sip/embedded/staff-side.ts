// The embedded engine's second party (issue 16): staff endpoints (desk-phone registrar on the SIP
// ports, browser softphones on WebSockets), ringing them (dialStaff), and calls coming in from the
// trunks. No relay: a desk phone's own INVITE (digest-checked, registered) and a softphone's own INVITE
// (over its logged-in socket, From its session's user) are only handed to the domain ('staff-call'), which
// refuses them or places the call itself; any other INVITE from a non-trunk is refused,
// and a call in from anyone else never gets this far (the guard at the transport edge).
import type { EventEmitter } from 'node:events';
import type { Call, CallEngineEvents, IncomingCall, SipWebSocket, StaffCallOut, StaffDialRequest, StaffDirectory, StaffEndpoint } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import type { MediaEngineApi } from '../../media/rtp/media-engine.ts';
import type { TrunkGuard } from '../shared/guard.ts';
import type { RefusalLog } from '../shared/refusal-log.ts';
import { RingTogether } from '../shared/ring-all.ts';
import { StaffRegistry } from '../shared/staff-registry.ts';
import type { MediaClock } from '../../media/rtp/clock.ts';
import { BrowserCall, type WebRtcLegPort } from './browser-call.ts';
import { BrowserCallOut } from './browser-call-out.ts';
import { EmbeddedCall, type CallDeps } from './embedded-call.ts';
import { IncomingDialog } from './incoming-dialog.ts';
import { callerNumber } from '../shared/caller-number.ts';
import { EmbeddedIncomingCall } from './incoming-call.ts';
import type { SipStack } from './sip-stack.ts';
import { parseUri, type RemoteInfo, type SipHeaders, type SipRequest } from './sip-types.ts';
import { StaffCall, type StaffLeg } from './staff-dial.ts';
import { StaffRegistrar } from './staff-registrar.ts';
import type { TrunkManager } from './trunks.ts';
import type { UserAgent } from './user-agent.ts';
import { StaffSocket } from './ws-transport.ts';

export interface StaffOptions {
  directory: StaffDirectory;
  /** The digest realm desk phones answer (the box's name). */
  realm: string;
  minExpiresSec?: number;
  maxExpiresSec?: number;
}

/**
 * Makes the media leg of a browser call (media/webrtc's WebRtcLeg); main.ts imports that module on the first
 * call, so a box nobody rings a browser on never loads the WebRTC library.
 */
export type WebRtcLegFactory = (o: { clock: MediaClock; address: string; logger: Logger }) => WebRtcLegPort | Promise<WebRtcLegPort>;

export interface StaffSideDeps {
  stack: SipStack;
  ua: UserAgent;
  guard: TrunkGuard;
  trunks: TrunkManager;
  media: MediaEngineApi;
  refusals: RefusalLog;
  logger: Logger;
  callDeps: CallDeps;
  rtpTimeoutMs: number;
  /** Absent: no staff endpoint may register (REGISTER is refused as before). */
  staff?: StaffOptions;
  /** Browser calls' media; absent: registered browsers are not rung (desk phones are). */
  webrtc?: WebRtcLegFactory;
  /** Milliseconds the domain has to answer or refuse a call coming in; default 30 s. */
  answerTimeoutMs?: number;
  /** The engine: 'staff' and 'incoming' go out through it; with no 'incoming' listener, calls in get 480. */
  events: Pick<EventEmitter<CallEngineEvents>, 'emit' | 'listenerCount'>;
  /** Count a call until it ends (the engine's live calls). */
  track: (call: EmbeddedCall | EmbeddedIncomingCall | StaffCall | BrowserCallOut) => void;
}

/** How a desk phone's own call is answered: G.711 either law, keys as RFC 4733 or in band. */
const DESK_PHONE_LEG: Pick<TrunkProfile, 'name' | 'codecs' | 'dtmf'> = { name: 'desk-phone', codecs: ['PCMU', 'PCMA'], dtmf: 'auto' };

export class StaffSide {
  readonly registry: StaffRegistry;
  private readonly d: StaffSideDeps;
  private readonly registrar: StaffRegistrar | null;
  private readonly sockets = new Map<string, StaffSocket>();

  /** Browser calls' WebRTC legs still open: closed when the engine stops, whatever their call did. */
  private readonly legs = new Set<WebRtcLegPort>();
  private stopped = false;

  constructor(d: StaffSideDeps) {
    const make = d.webrtc;
    // Every leg goes through here, so that none outlives the engine: a leg left open holds its ICE
    // sockets (and the process) for good.
    d = make ? { ...d, webrtc: async (o) => this.track(await make(o)) } : d;
    this.d = d;
    this.registry = new StaffRegistry({ minExpiresSec: d.staff?.minExpiresSec, maxExpiresSec: d.staff?.maxExpiresSec });
    this.registry.on('change', (list) => d.events.emit('staff', list));
    this.registrar = d.staff
      ? new StaffRegistrar({ registry: this.registry, directory: d.staff.directory, realm: d.staff.realm, refusals: d.refusals, logger: d.logger.child({ part: 'registrar' }) })
      : null;
  }

  start(): void {
    this.stopped = false;
    const registrar = this.registrar;
    // Desk phones reach the user agent from the LAN ranges; only REGISTER and their own calls' dialogs do anything there.
    if (registrar) this.d.guard.allowAlso((a) => registrar.inDeskRanges(a));
    this.d.ua.setInbound({
      register: (rq, remote) => this.onRegister(rq, remote),
      invite: (rq, remote) => this.onInvite(rq, remote),
    });
  }

  private track(leg: WebRtcLegPort): WebRtcLegPort {
    if (this.stopped) {
      leg.close();
      return leg;
    }
    this.legs.add(leg);
    leg.on('close', () => this.legs.delete(leg));
    return leg;
  }

  stop(): void {
    this.stopped = true;
    for (const leg of [...this.legs]) leg.close();
    this.legs.clear();
    this.d.guard.allowAlso(null);
    this.d.ua.setInbound({});
    for (const s of [...this.sockets.values()]) s.close(1001, 'server stopping');
    this.registry.close();
  }

  endpoints(): StaffEndpoint[] {
    return this.registry.list();
  }

  acceptSocket(socket: SipWebSocket, user: string): void {
    const registrar = this.registrar;
    if (!registrar) {
      socket.close(1008, 'staff endpoints are not enabled');
      return;
    }
    const s = new StaffSocket(socket, user, {
      registrar, registry: this.registry, refusals: this.d.refusals, logger: this.d.logger.child({ part: 'softphone' }), userAgent: this.d.stack.userAgent,
      callOut: (rq, sock) => this.onBrowserInvite(rq, sock),
    });
    this.sockets.set(s.id, s);
    s.whenGone(() => this.sockets.delete(s.id));
  }

  dialStaff(req: StaffDialRequest): Call {
    const log = this.d.logger.child(req.tag ? { tag: req.tag } : {});
    const legs: StaffLeg[] = [];
    const together = new RingTogether();
    for (const b of this.d.staff ? this.registry.of(req.user) : []) {
      if (b.busy) continue;
      if (b.kind === 'browser') {
        const socket = b.socketId ? this.sockets.get(b.socketId) : undefined;
        if (!socket?.isOpen) continue;
        if (!this.d.webrtc) {
          log.warn({ user: req.user }, 'browser softphone not rung: the engine was given no WebRTC leg factory');
          continue;
        }
        const webrtc = this.d.webrtc;
        const makeLeg = () => webrtc({ clock: this.d.media.clock, address: this.d.stack.publicAddress, logger: log.child({ part: 'webrtc' }) });
        const start = together.member();
        legs.push({ call: new BrowserCall({ socket, binding: b, makeLeg, prompts: this.d.media.prompts, logger: log, ringStart: start }, req), binding: b, start });
        continue;
      }
      const start = together.member();
      const call = new EmbeddedCall(this.d.callDeps, {
        to: b.contact, from: 'box', ringTimeoutMs: req.ringTimeoutMs ?? 30_000, headers: req.headers, tag: req.tag,
      }, { fromDisplay: req.display, mediaSources: this.d.staff?.directory.deskPhoneRanges(), ringStart: start });
      legs.push({ call, binding: b, start });
    }
    together.seal();
    const call = new StaffCall(legs, this.registry, log);
    this.d.track(call);
    return call;
  }

  /**
   * A browser softphone's INVITE to a number (issue 16): only over its own logged-in socket, From that
   * session's user, and only if the domain listens and browsers have media here; then it is handed to the
   * domain as a ringing staff leg. False: ws-transport refuses it (403, no relay).
   */
  private onBrowserInvite(rq: SipRequest, socket: StaffSocket): boolean {
    const webrtc = this.d.webrtc;
    if (!webrtc || this.d.events.listenerCount('staff-call') === 0) return false;
    const user = socket.sessionUser;
    let fromUser: string | undefined;
    try {
      fromUser = decodeURIComponent(parseUri(rq.headers.from?.uri ?? '')?.user ?? '');
    } catch {
      fromUser = undefined;
    }
    if (fromUser !== user) {
      socket.respond(rq, 403, 'Forbidden (not the logged-in user)');
      this.d.refusals.note(`wss:${user}`, { method: 'INVITE', reason: 'staff-call-other-user', status: 403 });
      return true;
    }
    const uri = typeof rq.uri === 'string' ? parseUri(rq.uri) : rq.uri;
    let dialled = uri?.user ?? '';
    try { dialled = decodeURIComponent(dialled); } catch { /* as typed */ }
    const log = this.d.logger.child({ part: 'staff-call', user });
    const makeLeg = () => webrtc({ clock: this.d.media.clock, address: this.d.stack.publicAddress, logger: log.child({ part: 'webrtc' }) });
    const call = new BrowserCallOut({
      socket, invite: rq, user, dialled, makeLeg, prompts: this.d.media.prompts, logger: log, registry: this.registry,
      answerTimeoutMs: this.d.answerTimeoutMs ?? 90_000,
    });
    this.d.track(call);
    this.d.events.emit('staff-call', { user, kind: 'browser', dialled, call } satisfies StaffCallOut);
    return true;
  }

  private onRegister(rq: SipRequest, remote: RemoteInfo): boolean {
    if (!this.registrar) return false;
    this.registrar.handle(rq, {
      kind: 'desk-phone', address: remote.address, source: `${remote.address}:${remote.port}`,
      reply: (status, reason, headers) => { this.d.stack.reply(rq, status, reason, headers ? { headers } : {}); },
    });
    return true;
  }

  private onInvite(rq: SipRequest, remote: RemoteInfo): boolean {
    const trunkName = this.d.guard.trunkOf(remote.address);
    const trunk = trunkName ? this.d.trunks.get(trunkName) : undefined;
    if (trunk && !trunk.enabled) {
      this.d.ua.refuse(rq, remote, 403, 'Forbidden (trunk disabled)', 'trunk-disabled');
      return true;
    }
    if (!trunk) {
      // A desk phone calling out: only a registered one, with its credentials, and only if the domain listens (it decides).
      if (this.registrar?.inDeskRanges(remote.address) && this.d.events.listenerCount('staff-call') > 0) return this.onStaffInvite(rq, remote);
      // Anyone else (or a peer we called) starting a call: the box relays nothing.
      this.d.ua.refuse(rq, remote, 403, 'Forbidden (no calls through the box)', 'staff-call-out');
      return true;
    }
    if (this.d.events.listenerCount('incoming') === 0) {
      this.d.ua.refuse(rq, remote, 480, 'Temporarily Unavailable', 'no-inbound-handler');
      return true;
    }
    const log = this.d.logger.child({ part: 'inbound' });
    const dialog = new IncomingDialog(this.d.stack, rq, remote, log);
    const release = this.d.ua.adopt(dialog.callId, dialog);
    const uri = typeof rq.uri === 'string' ? parseUri(rq.uri) : rq.uri;
    const call = new EmbeddedIncomingCall({
      dialog, trunk, signallingSources: this.d.trunks.signallingSources(trunk.name), media: this.d.media,
      sdpAddress: this.d.stack.publicAddress, logger: log, rtpTimeoutMs: this.d.rtpTimeoutMs,
      answerTimeoutMs: this.d.answerTimeoutMs,
      from: callerNumber(parseUri(rq.headers.from?.uri ?? '')?.user), to: callerNumber(uri?.user ?? parseUri(rq.headers.to?.uri ?? '')?.user),
    });
    // Keep routing the dialog's requests (a late BYE retransmission) a little after the end.
    void call.done.then(() => setTimeout(release, 32_000).unref());
    this.d.track(call);
    dialog.provisional(100, 'Trying');
    this.d.events.emit('incoming', call satisfies IncomingCall);
    return true;
  }

  /**
   * A desk phone's INVITE to a number (issue 16): challenged for the user's digest credentials, then
   * handed to the domain as a ringing staff leg (StaffCallOut) if the phone is registered from there.
   */
  private onStaffInvite(rq: SipRequest, remote: RemoteInfo): boolean {
    const registrar = this.registrar!;
    const user = parseUri(rq.headers.from?.uri ?? '')?.user;
    const reply = (status: number, reason: string, headers?: SipHeaders): void => { this.d.stack.reply(rq, status, reason, headers ? { headers } : {}); };
    if (!user) {
      this.d.ua.refuse(rq, remote, 400, 'Bad Request (no user in From)', 'staff-call-no-user');
      return true;
    }
    if (!registrar.authenticate(rq, { kind: 'desk-phone', address: remote.address, source: `${remote.address}:${remote.port}`, reply }, user)) return true;
    if (!this.registry.of(user).some((b) => b.kind === 'desk-phone' && b.source.startsWith(`${remote.address}:`))) {
      this.d.ua.refuse(rq, remote, 403, 'Forbidden (not registered)', 'staff-call-unregistered');
      return true;
    }
    const uri = typeof rq.uri === 'string' ? parseUri(rq.uri) : rq.uri;
    const log = this.d.logger.child({ part: 'staff-call', user });
    const dialog = new IncomingDialog(this.d.stack, rq, remote, log);
    const release = this.d.ua.adopt(dialog.callId, dialog);
    const ranges = this.d.staff?.directory.deskPhoneRanges() ?? [];
    // The staff leg is answered like a call coming in, its media taken from the LAN ranges (a phone's RTP may come from another address).
    const leg = { ...DESK_PHONE_LEG, mediaSources: ranges } as TrunkProfile;
    const call = new EmbeddedIncomingCall({
      dialog, trunk: leg, signallingSources: [remote.address], media: this.d.media,
      sdpAddress: this.d.stack.publicAddress, logger: log, rtpTimeoutMs: this.d.rtpTimeoutMs,
      answerTimeoutMs: this.d.answerTimeoutMs ?? 90_000, from: user, to: uri?.user ?? '',
    });
    void call.done.then(() => setTimeout(release, 32_000).unref());
    this.d.track(call);
    dialog.provisional(100, 'Trying');
    this.d.events.emit('staff-call', { user, kind: 'desk-phone', dialled: uri?.user ?? '', call } satisfies StaffCallOut);
    return true;
  }
}
