// Trunks on the drachtio engine: channel accounting (the embedded engine's ChannelPool), Request-URIs
// (the same dialTarget), registration through drachtio-server, OPTIONS pings, and a status that says
// plainly when a server the engine needs is not connected.
import dns from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { TrunkStatus } from '../../appliance/call-port.ts';
import type { TrunkProfile } from '../../appliance/config/types.ts';
import { AppError } from '../../appliance/errors.ts';
import type { Logger } from '../../appliance/log.ts';
import { ChannelPool, realClock, type ChannelLease } from '../embedded/channel-pool.ts';
import type { TrunkGuard } from '../embedded/guard.ts';
import { dialTarget, type DialTarget } from '../embedded/trunks.ts';
import { DrachtioRegistration } from './registration.ts';
import type { Srf } from './srf.ts';

export interface DrachtioTrunksOptions {
  trunks: TrunkProfile[];
  logger: Logger;
  guard: TrunkGuard;
  srf: () => Srf | null;
  contactHostport: () => string | null;
  /** Null when both servers are connected, else what is missing ("drachtio-server not connected"). */
  serversDown: () => string | null;
  registrationBackoffMs?: number;
  pingTimeoutMs?: number;
}

interface Runtime {
  profile: TrunkProfile;
  pool: ChannelPool;
  registration: DrachtioRegistration | null;
  optionsUp: boolean | null;
  callError: string | null;
  rttMs: number | null;
  addresses: string[];
  pingTimer: NodeJS.Timeout | null;
  last: string;
}

export class DrachtioTrunks extends EventEmitter<{ trunk: [TrunkStatus] }> {
  private readonly o: DrachtioTrunksOptions;
  private readonly byName = new Map<string, Runtime>();
  private running = false;

  constructor(o: DrachtioTrunksOptions) {
    super();
    this.o = o;
    for (const p of o.trunks) {
      const rt: Runtime = {
        profile: p, pool: new ChannelPool(p, realClock, () => this.changed(rt)), registration: null, optionsUp: null,
        callError: null, rttMs: null, addresses: isIP(p.host) ? [p.host] : [], pingTimer: null, last: '',
      };
      this.byName.set(p.name, rt);
    }
  }

  async start(): Promise<void> {
    this.running = true;
    for (const rt of this.byName.values()) {
      const p = rt.profile;
      if (!isIP(p.host)) {
        try { rt.addresses = (await dns.lookup(p.host, { all: true })).map((a) => a.address); } catch (e) {
          this.o.logger.warn({ trunk: p.name, host: p.host, err: (e as Error).message }, 'trunk host does not resolve');
        }
      }
      this.o.guard.setSources(p.name, p.allowedSources.length ? p.allowedSources : rt.addresses);
      if (!p.enabled) { this.changed(rt); continue; }
      if (p.auth === 'register') {
        rt.registration = new DrachtioRegistration({
          srf: this.o.srf, contactHostport: this.o.contactHostport, trunk: p, logger: this.o.logger,
          onChange: () => this.changed(rt), backoffBaseMs: this.o.registrationBackoffMs,
        });
        rt.registration.start();
      }
      if (p.optionsIntervalSec > 0) this.ping(rt);
      this.changed(rt);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    const waits: Promise<void>[] = [];
    for (const rt of this.byName.values()) {
      if (rt.pingTimer) clearTimeout(rt.pingTimer);
      rt.pingTimer = null;
      if (rt.registration) waits.push(rt.registration.stop());
      this.o.guard.removeSources(rt.profile.name);
    }
    await Promise.all(waits);
  }

  /** A server connection changed: re-evaluate every trunk, register again when both are back. */
  serversChanged(): void {
    const down = this.o.serversDown();
    for (const rt of this.byName.values()) {
      if (!down) rt.registration?.kick();
      this.changed(rt);
    }
  }

  status(): TrunkStatus[] {
    return [...this.byName.values()].map((rt) => this.statusOf(rt));
  }

  get(name: string): TrunkProfile | undefined {
    return this.byName.get(name)?.profile;
  }

  target(name: string, number: string): DialTarget {
    const rt = this.runtime(name);
    return dialTarget(rt.profile, number, rt.addresses[0]);
  }

  async acquire(name: string): Promise<ChannelLease> {
    const rt = this.runtime(name);
    if (!rt.profile.enabled) throw new AppError('E_TRUNK_DOWN', `Trunk "${name}" is disabled`, { trunk: name });
    return rt.pool.acquire();
  }

  noteCallResult(name: string, sipCode: number | null, local: boolean, reason: string): void {
    const rt = this.byName.get(name);
    if (!rt || sipCode === null || !(local || sipCode >= 500)) return;
    rt.callError = `INVITE: ${sipCode} ${reason}`.trim();
    this.changed(rt);
  }

  private runtime(name: string): Runtime {
    const rt = this.byName.get(name);
    if (!rt) throw new AppError('E_TRUNK_UNKNOWN', `No trunk named "${name}"`, { trunk: name });
    return rt;
  }

  private ping(rt: Runtime): void {
    if (!this.running) return;
    const p = rt.profile;
    const next = (): void => { if (this.running) rt.pingTimer = setTimeout(() => this.ping(rt), p.optionsIntervalSec * 1000); };
    const srf = this.o.srf();
    if (!srf || this.o.serversDown()) return next();
    const started = Date.now();
    let settled = false;
    const settle = (up: boolean, error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      rt.optionsUp = up;
      rt.callError = error;
      rt.rttMs = up ? Date.now() - started : null;
      this.changed(rt);
      next();
    };
    const timeout = setTimeout(() => settle(false, 'OPTIONS: no response'), this.o.pingTimeoutMs ?? 5000);
    const domain = p.domain ?? p.host;
    const tp = p.transport === 'udp' ? '' : `;transport=${p.transport}`;
    srf.request(`sip:${p.host}:${p.port}${tp}`, { method: 'OPTIONS', headers: { From: `<sip:ping@${domain}>`, To: `<sip:${domain}>` } })
      .then((req) => req.on('response', (res) => {
        const s = res.status ?? 0;
        if (s < 200) return;
        // Any answer proves the trunk is there, except 5xx (drachtio-server's own 503/408 included).
        if (s >= 500 || s === 408) settle(false, `OPTIONS: ${s} ${res.reason ?? ''}`.trim());
        else settle(true, null);
      }), (e: unknown) => settle(false, `OPTIONS: ${(e as Error).message}`));
  }

  private statusOf(rt: Runtime): TrunkStatus {
    const p = rt.profile;
    const reg = rt.registration;
    const down = this.o.serversDown();
    let health: TrunkStatus['health'];
    if (!p.enabled) health = 'paused';
    else if (down) health = 'down';
    else if (reg && reg.state === 'failed') health = 'down';
    else if (rt.optionsUp === false) health = 'down';
    else if (reg && reg.state !== 'registered') health = 'registering';
    else if (reg || rt.optionsUp === true) health = 'up';
    else health = 'unknown';
    return {
      name: p.name,
      kind: p.kind,
      health,
      registered: p.auth === 'register' ? reg?.state === 'registered' : null,
      channelsInUse: rt.pool.inUse,
      channels: rt.pool.size,
      lastError: (p.enabled ? down : null) ?? reg?.lastError ?? rt.callError,
      lastOptionsRttMs: rt.rttMs,
    };
  }

  private changed(rt: Runtime): void {
    const s = this.statusOf(rt);
    const key = JSON.stringify({ ...s, lastOptionsRttMs: s.lastOptionsRttMs === null });
    if (key === rt.last) return;
    rt.last = key;
    this.emit('trunk', s);
  }
}
