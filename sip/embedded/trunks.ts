// Trunk manager: registration, OPTIONS health pings, channel accounting and the Request-URI for a
// number on each trunk. Emits 'trunk' with a TrunkStatus whenever one changes.
import dns from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { AppError } from '../../appliance/errors.ts';
import type { Logger } from '../../appliance/log.ts';
import type { TrunkStatus } from '../../appliance/call-port.ts';
import type { TrunkProfile } from '../../appliance/config/types.ts';
import { ChannelPool, realClock, type ChannelLease, type Clock } from './channel-pool.ts';
import type { TrunkGuard } from './guard.ts';
import { Registration } from './registration.ts';
import type { SipStack } from './sip-stack.ts';
import { randomToken } from './net-util.ts';

export type { ChannelLease } from './channel-pool.ts';

export interface TrunkManagerOptions {
  stack: SipStack;
  trunks: TrunkProfile[];
  logger: Logger;
  guard?: TrunkGuard;
  clock?: Clock;
  /** Resolve a trunk host to its addresses (default: the system resolver, /etc/hosts included). */
  lookup?: (host: string) => Promise<string[]>;
  /** An OPTIONS ping without a final response after this long marks the trunk down. */
  pingTimeoutMs?: number;
  registrationBackoffMs?: number;
}

export interface TrunkEvents {
  trunk: [TrunkStatus];
}

export interface DialTarget {
  trunk: TrunkProfile;
  /** Request-URI. */
  uri: string;
  /** Next hop when the Request-URI names a domain rather than the trunk's address. */
  outboundProxy?: string;
}

function transportParam(t: TrunkProfile): string {
  return t.transport === 'udp' ? '' : `;transport=${t.transport}`;
}

/** The user part for a number on a trunk: E.164 '+' kept or replaced by the trunk's dial prefix. */
export function dialUser(trunk: TrunkProfile, number: string): string {
  const compact = number.replace(/[\s().-]/g, '');
  if (!/^\+?[0-9*#]+$/.test(compact)) throw new AppError('E_DIAL_TARGET', 'Not a dialable number', { number: compact.length > 4 ? `…${compact.slice(-4)}` : '…' });
  if (!compact.startsWith('+')) return compact;
  return trunk.keepPlus ? compact : `${trunk.dialPrefix ?? ''}${compact.slice(1)}`;
}

/** Request-URI (and next hop) for a number on a trunk. */
export function dialTarget(trunk: TrunkProfile, number: string, resolved?: string): DialTarget {
  const user = dialUser(trunk, number);
  const hostIp = isIP(trunk.host) ? trunk.host : resolved;
  if (trunk.domain && trunk.domain !== trunk.host) {
    return {
      trunk,
      uri: `sip:${user}@${trunk.domain}${transportParam(trunk)}`,
      outboundProxy: `sip:${hostIp ?? trunk.host}:${trunk.port}${transportParam(trunk)};lr`,
    };
  }
  return { trunk, uri: `sip:${user}@${trunk.host}:${trunk.port}${transportParam(trunk)}` };
}

interface TrunkRuntime {
  profile: TrunkProfile;
  pool: ChannelPool;
  registration: Registration | null;
  optionsUp: boolean | null;
  optionsError: string | null;
  rttMs: number | null;
  addresses: string[];
  pingTimer: NodeJS.Timeout | null;
  pingTimeout: NodeJS.Timeout | null;
  lastEmitted: string;
}

export class TrunkManager extends EventEmitter<TrunkEvents> {
  private readonly o: TrunkManagerOptions;
  private readonly trunksByName = new Map<string, TrunkRuntime>();
  private resolveTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(o: TrunkManagerOptions) {
    super();
    this.o = o;
    const clock = o.clock ?? realClock;
    for (const p of o.trunks) {
      const rt: TrunkRuntime = {
        profile: p, pool: new ChannelPool(p, clock, () => this.changed(rt)), registration: null, optionsUp: null,
        optionsError: null, rttMs: null, addresses: isIP(p.host) ? [p.host] : [], pingTimer: null, pingTimeout: null, lastEmitted: '',
      };
      this.trunksByName.set(p.name, rt);
    }
  }

  async start(): Promise<void> {
    this.running = true;
    await this.resolveAll();
    this.resolveTimer = setInterval(() => void this.resolveAll(), 10 * 60_000);
    this.resolveTimer.unref();
    for (const rt of this.trunksByName.values()) {
      if (!rt.profile.enabled) { this.changed(rt); continue; }
      if (rt.profile.auth === 'register') {
        rt.registration = new Registration({
          stack: this.o.stack, trunk: rt.profile, logger: this.o.logger, onChange: () => this.changed(rt),
          backoffBaseMs: this.o.registrationBackoffMs,
        });
        rt.registration.start();
      }
      if (rt.profile.optionsIntervalSec > 0) this.ping(rt);
      this.changed(rt);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resolveTimer) clearInterval(this.resolveTimer);
    this.resolveTimer = null;
    const unregister: Promise<void>[] = [];
    for (const rt of this.trunksByName.values()) {
      if (rt.pingTimer) clearTimeout(rt.pingTimer);
      if (rt.pingTimeout) clearTimeout(rt.pingTimeout);
      rt.pingTimer = null;
      rt.pingTimeout = null;
      if (rt.registration) unregister.push(rt.registration.stop());
      this.o.guard?.removeSources(rt.profile.name);
    }
    await Promise.all(unregister);
  }

  get(name: string): TrunkProfile | undefined {
    return this.trunksByName.get(name)?.profile;
  }

  status(): TrunkStatus[] {
    return [...this.trunksByName.values()].map((rt) => this.statusOf(rt));
  }

  /** Request-URI for a number on a named trunk. */
  target(name: string, number: string): DialTarget {
    const rt = this.runtime(name);
    return dialTarget(rt.profile, number, rt.addresses[0]);
  }

  /** Take a channel on a trunk (see ChannelPool.acquire); refused when the trunk is disabled. */
  async acquire(name: string): Promise<ChannelLease> {
    const rt = this.runtime(name);
    if (!rt.profile.enabled) throw new AppError('E_TRUNK_DOWN', `Trunk "${name}" is disabled`, { trunk: name });
    return rt.pool.acquire();
  }

  /** Record what a call on the trunk ended with: local failures and 5xx become the trunk's last error. */
  noteCallResult(name: string, sipCode: number | null, local: boolean, reason: string): void {
    const rt = this.trunksByName.get(name);
    if (!rt || sipCode === null) return;
    if (local || sipCode >= 500) {
      rt.optionsError = `INVITE: ${sipCode} ${reason}`.trim();
      this.changed(rt);
    }
  }

  private runtime(name: string): TrunkRuntime {
    const rt = this.trunksByName.get(name);
    if (!rt) throw new AppError('E_TRUNK_UNKNOWN', `No trunk named "${name}"`, { trunk: name });
    return rt;
  }

  private async resolveAll(): Promise<void> {
    const lookup = this.o.lookup ?? (async (h: string) => (await dns.lookup(h, { all: true })).map((a) => a.address));
    await Promise.all([...this.trunksByName.values()].map(async (rt) => {
      const p = rt.profile;
      if (!isIP(p.host)) {
        try {
          rt.addresses = await lookup(p.host);
        } catch (e) {
          this.o.logger.warn({ trunk: p.name, host: p.host, err: (e as Error).message }, 'trunk host does not resolve');
        }
      }
      // Default guard sources: wherever the trunk's host name points.
      this.o.guard?.setSources(p.name, p.allowedSources.length ? p.allowedSources : rt.addresses);
    }));
  }

  private ping(rt: TrunkRuntime): void {
    if (!this.running) return;
    const p = rt.profile;
    const started = Date.now();
    const domain = p.domain ?? p.host;
    let settled = false;
    const settle = (up: boolean, error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      rt.pingTimeout = null;
      rt.optionsUp = up;
      rt.optionsError = error;
      rt.rttMs = up ? Date.now() - started : null;
      this.changed(rt);
      if (this.running) rt.pingTimer = setTimeout(() => this.ping(rt), p.optionsIntervalSec * 1000);
    };
    const timeout = setTimeout(() => settle(false, 'OPTIONS: no response'), this.o.pingTimeoutMs ?? 5000);
    rt.pingTimeout = timeout;
    this.o.stack.send({
      method: 'OPTIONS',
      uri: `sip:${p.host}:${p.port}${transportParam(p)}`,
      headers: {
        to: { uri: `sip:${domain}`, params: {} },
        from: { uri: `sip:ping@${domain}`, params: { tag: randomToken(6) } },
        'call-id': randomToken(12),
        cseq: { seq: 1, method: 'OPTIONS' },
        'max-forwards': '70',
        contact: [{ uri: this.o.stack.contactUri(undefined, { host: p.host, transport: p.transport }), params: {} }],
      },
    }, (rs) => {
      if (rs.status < 200) return;
      // Any answer, even 404 or 405, proves the trunk is there; 5xx and local failures do not.
      if (this.o.stack.isLocal(rs) || rs.status >= 500) settle(false, `OPTIONS: ${rs.status} ${rs.reason}`.trim());
      else settle(true, null);
    });
  }

  private statusOf(rt: TrunkRuntime): TrunkStatus {
    const p = rt.profile;
    const reg = rt.registration;
    let health: TrunkStatus['health'];
    if (!p.enabled) health = 'paused';
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
      lastError: reg?.lastError ?? rt.optionsError,
      lastOptionsRttMs: rt.rttMs,
    };
  }

  private changed(rt: TrunkRuntime): void {
    const s = this.statusOf(rt);
    // RTT moves on every ping; only a change of anything else is news.
    const key = JSON.stringify({ ...s, lastOptionsRttMs: s.lastOptionsRttMs === null });
    if (key === rt.lastEmitted) return;
    rt.lastEmitted = key;
    this.emit('trunk', s);
  }
}
