// Trunks on the drachtio engine: channel accounting (the embedded engine's ChannelPool), Request-URIs
// (the same dialTarget), registration through drachtio-server, OPTIONS pings, and a status that says
// plainly when a server the engine needs is not connected.
import { EventEmitter } from 'node:events';
import type { TrunkStatus } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import { type ChannelLease } from '../shared/channel-pool.ts';
import { realClock } from '../../core/time.ts';
import type { TrunkGuard } from '../shared/guard.ts';
import { transportParam, type DialTarget } from '../shared/dial-plan.ts';
import { systemLookup, TrunkBook, type TrunkEntry } from '../shared/trunk-book.ts';
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

type Runtime = TrunkEntry<DrachtioRegistration>;

export class DrachtioTrunks extends EventEmitter<{ trunk: [TrunkStatus] }> {
  private readonly o: DrachtioTrunksOptions;
  private readonly book: TrunkBook<DrachtioRegistration>;
  private running = false;

  constructor(o: DrachtioTrunksOptions) {
    super();
    this.o = o;
    this.book = new TrunkBook(o.trunks, {
      clock: realClock, logger: o.logger, guard: o.guard, serversDown: o.serversDown, emit: (s) => this.emit('trunk', s),
    });
  }

  async start(): Promise<void> {
    this.running = true;
    for (const rt of this.book.entries()) {
      const p = rt.profile;
      await this.book.resolve(rt, systemLookup);
      if (!p.enabled) { this.book.changed(rt); continue; }
      if (p.auth === 'register') {
        rt.registration = new DrachtioRegistration({
          srf: this.o.srf, contactHostport: this.o.contactHostport, trunk: p, logger: this.o.logger,
          onChange: () => this.book.changed(rt), backoffBaseMs: this.o.registrationBackoffMs,
        });
        rt.registration.start();
      }
      if (p.optionsIntervalSec > 0) this.ping(rt);
      this.book.changed(rt);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    const waits: Promise<void>[] = [];
    for (const rt of this.book.entries()) {
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
    for (const rt of this.book.entries()) {
      if (!down) rt.registration?.kick();
      this.book.changed(rt);
    }
  }

  status(): TrunkStatus[] {
    return this.book.status();
  }

  get(name: string): TrunkProfile | undefined {
    return this.book.get(name);
  }

  target(name: string, number: string): DialTarget {
    return this.book.target(name, number);
  }

  acquire(name: string): Promise<ChannelLease> {
    return this.book.acquire(name);
  }

  noteCallResult(name: string, sipCode: number | null, local: boolean, reason: string): void {
    this.book.noteCallResult(name, sipCode, local, reason);
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
      if (settled || !this.running) return; // an answer after stop() changes nothing
      settled = true;
      clearTimeout(timeout);
      this.book.pinged(rt, up, error, started);
      next();
    };
    // Held in pingTimer while the request is out, so stop() clears it like the next ping's timer.
    const timeout = setTimeout(() => settle(false, 'OPTIONS: no response'), this.o.pingTimeoutMs ?? 5000);
    rt.pingTimer = timeout;
    const domain = p.domain ?? p.host;
    srf.request(`sip:${p.host}:${p.port}${transportParam(p)}`, { method: 'OPTIONS', headers: { From: `<sip:ping@${domain}>`, To: `<sip:${domain}>` } })
      .then((req) => req.on('response', (res) => {
        const s = res.status ?? 0;
        if (s < 200) return;
        // Any answer proves the trunk is there, except 5xx (drachtio-server's own 503/408 included).
        if (s >= 500 || s === 408) settle(false, `OPTIONS: ${s} ${res.reason ?? ''}`.trim());
        else settle(true, null);
      }), (e: unknown) => settle(false, `OPTIONS: ${(e as Error).message}`));
  }
}
