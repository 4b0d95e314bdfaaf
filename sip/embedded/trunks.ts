// Trunk manager: registration, OPTIONS health pings, channel accounting and the Request-URI for a
// number on each trunk. Emits 'trunk' with a TrunkStatus whenever one changes.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import type { TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { transportParam, type DialTarget } from '../shared/dial-plan.ts';
import { systemLookup, TrunkBook, type TrunkEntry } from '../shared/trunk-book.ts';
import { type ChannelLease } from '../shared/channel-pool.ts';
import { realClock, type Clock } from '../../core/time.ts';
import type { TrunkGuard } from '../shared/guard.ts';
import { Registration } from './registration.ts';
import type { SipStack } from './sip-stack.ts';
import { randomToken } from './net-util.ts';

export type { ChannelLease } from '../shared/channel-pool.ts';

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

type TrunkRuntime = TrunkEntry<Registration>;

export class TrunkManager extends EventEmitter<TrunkEvents> {
  private readonly o: TrunkManagerOptions;
  private readonly book: TrunkBook<Registration>;
  private resolveTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(o: TrunkManagerOptions) {
    super();
    this.o = o;
    this.book = new TrunkBook(o.trunks, { clock: o.clock ?? realClock, logger: o.logger, guard: o.guard, emit: (s) => this.emit('trunk', s) });
  }

  async start(): Promise<void> {
    this.running = true;
    await this.resolveAll();
    this.resolveTimer = setInterval(() => void this.resolveAll(), 10 * 60_000);
    this.resolveTimer.unref();
    for (const rt of this.book.entries()) {
      if (!rt.profile.enabled) { this.book.changed(rt); continue; }
      if (rt.profile.auth === 'register') {
        rt.registration = new Registration({
          stack: this.o.stack, trunk: rt.profile, logger: this.o.logger, onChange: () => this.book.changed(rt),
          backoffBaseMs: this.o.registrationBackoffMs,
        });
        rt.registration.start();
      }
      if (rt.profile.optionsIntervalSec > 0) this.ping(rt);
      this.book.changed(rt);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resolveTimer) clearInterval(this.resolveTimer);
    this.resolveTimer = null;
    const unregister: Promise<void>[] = [];
    for (const rt of this.book.entries()) {
      if (rt.pingTimer) clearTimeout(rt.pingTimer);
      rt.pingTimer = null;
      if (rt.registration) unregister.push(rt.registration.stop());
      this.o.guard?.removeSources(rt.profile.name);
    }
    await Promise.all(unregister);
  }

  get(name: string): TrunkProfile | undefined {
    return this.book.get(name);
  }

  status(): TrunkStatus[] {
    return this.book.status();
  }

  /** Request-URI for a number on a named trunk. */
  target(name: string, number: string): DialTarget {
    return this.book.target(name, number);
  }

  /** The addresses the trunk signals from (allowedSources, else its host's addresses). */
  signallingSources(name: string): string[] {
    return this.book.signallingSources(name);
  }

  /** Take a channel on a trunk (see ChannelPool.acquire); refused when the trunk is disabled. */
  acquire(name: string): Promise<ChannelLease> {
    return this.book.acquire(name);
  }

  /** Record what a call on the trunk ended with: local failures and 5xx become the trunk's last error. */
  noteCallResult(name: string, sipCode: number | null, local: boolean, reason: string): void {
    this.book.noteCallResult(name, sipCode, local, reason);
  }

  private async resolveAll(): Promise<void> {
    const lookup = this.o.lookup ?? systemLookup;
    await Promise.all([...this.book.entries()].map((rt) => this.book.resolve(rt, lookup)));
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
      this.book.pinged(rt, up, error, started);
      if (this.running) rt.pingTimer = setTimeout(() => this.ping(rt), p.optionsIntervalSec * 1000);
    };
    const timeout = setTimeout(() => settle(false, 'OPTIONS: no response'), this.o.pingTimeoutMs ?? 5000);
    // Held in pingTimer while the request is out, so stop() clears it like the next ping's timer.
    rt.pingTimer = timeout;
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
}
