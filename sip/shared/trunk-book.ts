// The trunks as both engines keep them: each trunk's channel pool, addresses and health readings, the
// Request-URI for a number, and the TrunkStatus the box shows, emitted when anything but the RTT changes.
// How an engine registers and pings is its own; what it learns lands here.
import dns from 'node:dns/promises';
import { isIP } from 'node:net';
import type { TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { ChannelPool, type ChannelLease } from './channel-pool.ts';
import { type Clock } from '../../core/time.ts';
import type { TrunkGuard } from './guard.ts';
import type { RegistrationState } from './registration-timing.ts';
import { dialTarget, type DialTarget } from './dial-plan.ts';

/** What a trunk's registration contributes to its status. */
export interface RegistrationView {
  readonly state: RegistrationState;
  readonly lastError: string | null;
}

export interface TrunkEntry<R extends RegistrationView> {
  readonly profile: TrunkProfile;
  readonly pool: ChannelPool;
  registration: R | null;
  /** Last OPTIONS ping: answered (true), failed (false), none yet (null). */
  optionsUp: boolean | null;
  /** Last OPTIONS or INVITE failure. */
  error: string | null;
  rttMs: number | null;
  addresses: string[];
  /** The next ping, or the pending one's deadline. */
  pingTimer: NodeJS.Timeout | null;
  lastEmitted: string;
}

export interface TrunkBookOptions {
  clock: Clock;
  logger: Logger;
  guard?: TrunkGuard;
  /** Null while the engine's servers are there, else what is missing: every enabled trunk is down. */
  serversDown?: () => string | null;
  emit: (s: TrunkStatus) => void;
}

/** The system resolver (/etc/hosts included): every address of a host. */
export async function systemLookup(host: string): Promise<string[]> {
  return (await dns.lookup(host, { all: true })).map((a) => a.address);
}

export class TrunkBook<R extends RegistrationView> {
  private readonly o: TrunkBookOptions;
  private readonly byName = new Map<string, TrunkEntry<R>>();

  constructor(trunks: TrunkProfile[], o: TrunkBookOptions) {
    this.o = o;
    for (const p of trunks) {
      const rt: TrunkEntry<R> = {
        profile: p, pool: new ChannelPool(p, o.clock, () => this.changed(rt)), registration: null, optionsUp: null,
        error: null, rttMs: null, addresses: isIP(p.host) ? [p.host] : [], pingTimer: null, lastEmitted: '',
      };
      this.byName.set(p.name, rt);
    }
  }

  entries(): IterableIterator<TrunkEntry<R>> {
    return this.byName.values();
  }

  get(name: string): TrunkProfile | undefined {
    return this.byName.get(name)?.profile;
  }

  status(): TrunkStatus[] {
    return [...this.byName.values()].map((rt) => this.statusOf(rt));
  }

  /** Request-URI for a number on a named trunk. */
  target(name: string, number: string): DialTarget {
    const rt = this.runtime(name);
    return dialTarget(rt.profile, number, rt.addresses[0]);
  }

  /** The addresses the trunk signals from, as the guard trusts them: allowedSources, else its host's. */
  signallingSources(name: string): string[] {
    const rt = this.byName.get(name);
    if (!rt) return [];
    return rt.profile.allowedSources.length ? rt.profile.allowedSources : rt.addresses;
  }

  /** Take a channel on a trunk (see ChannelPool.acquire); refused when the trunk is disabled. */
  async acquire(name: string): Promise<ChannelLease> {
    const rt = this.runtime(name);
    if (!rt.profile.enabled) throw new AppError('E_TRUNK_DOWN', `Trunk "${name}" is disabled`, { trunk: name });
    return rt.pool.acquire();
  }

  /** Record what a call on the trunk ended with: local failures and 5xx become the trunk's last error. */
  noteCallResult(name: string, sipCode: number | null, local: boolean, reason: string): void {
    const rt = this.byName.get(name);
    if (!rt || sipCode === null || !(local || sipCode >= 500)) return;
    rt.error = `INVITE: ${sipCode} ${reason}`.trim();
    this.changed(rt);
  }

  /** Look the trunk's host up (a failure keeps the addresses known so far) and tell the guard. */
  async resolve(rt: TrunkEntry<R>, lookup: (host: string) => Promise<string[]>): Promise<void> {
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
  }

  /** An OPTIONS ping settled (started: when it was sent): record it and emit if that is news. */
  pinged(rt: TrunkEntry<R>, up: boolean, error: string | null, started: number): void {
    rt.optionsUp = up;
    rt.error = error;
    rt.rttMs = up ? Date.now() - started : null;
    this.changed(rt);
  }

  /** Emit the trunk's status if it changed. */
  changed(rt: TrunkEntry<R>): void {
    const s = this.statusOf(rt);
    // RTT moves on every ping; only a change of anything else is news.
    const key = JSON.stringify({ ...s, lastOptionsRttMs: s.lastOptionsRttMs === null });
    if (key === rt.lastEmitted) return;
    rt.lastEmitted = key;
    this.o.emit(s);
  }

  private runtime(name: string): TrunkEntry<R> {
    const rt = this.byName.get(name);
    if (!rt) throw new AppError('E_TRUNK_UNKNOWN', `No trunk named "${name}"`, { trunk: name });
    return rt;
  }

  private statusOf(rt: TrunkEntry<R>): TrunkStatus {
    const p = rt.profile;
    const reg = rt.registration;
    const down = this.o.serversDown?.() ?? null;
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
      lastError: (p.enabled ? down : null) ?? reg?.lastError ?? rt.error,
      lastOptionsRttMs: rt.rttMs,
    };
  }
}
