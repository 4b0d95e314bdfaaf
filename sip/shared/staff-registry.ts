// The staff endpoints registered to the box now (issue 16): desk phones (REGISTER with digest, from the
// LAN ranges) and browser softphones (REGISTER over a logged-in WebSocket). Engine-neutral: a binding
// names where to reach the endpoint (a Contact URI, or a WebSocket connection's id) and expires on its
// own; every change is reported (the engine's 'staff' event).
import { EventEmitter } from 'node:events';
import type { StaffEndpoint } from '../../core/call-port.ts';

export interface StaffBinding {
  user: string;
  kind: StaffEndpoint['kind'];
  /** `ip:port` of a desk phone; `wss` for a browser. */
  source: string;
  /** The Contact URI the endpoint registered (where INVITEs go). */
  contact: string;
  /** The WebSocket connection a browser registered over; absent for desk phones. */
  socketId?: string;
  since: number;
  expiresAt: number;
  busy: boolean;
}

export interface StaffRegistryOptions {
  now?: () => number;
  /** Shortest registration accepted (shorter gets 423 Interval Too Brief); default 60 s. */
  minExpiresSec?: number;
  /** Longest registration granted (longer is shortened, RFC 3261 §10.3 step 7); default 3600 s. */
  maxExpiresSec?: number;
}

export type ExpiresVerdict = { ok: true; seconds: number } | { ok: false; minExpires: number };

export class StaffRegistry extends EventEmitter<{ change: [StaffEndpoint[]] }> {
  private readonly bindings = new Map<string, StaffBinding>();
  private readonly now: () => number;
  readonly minExpiresSec: number;
  readonly maxExpiresSec: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(o: StaffRegistryOptions = {}) {
    super();
    this.now = o.now ?? Date.now;
    this.minExpiresSec = o.minExpiresSec ?? 60;
    this.maxExpiresSec = o.maxExpiresSec ?? 3600;
  }

  /** The lifetime granted for a requested one (0 stays 0: a removal). */
  grant(requestedSec: number): ExpiresVerdict {
    if (requestedSec === 0) return { ok: true, seconds: 0 };
    if (requestedSec < this.minExpiresSec) return { ok: false, minExpires: this.minExpiresSec };
    return { ok: true, seconds: Math.min(requestedSec, this.maxExpiresSec) };
  }

  /** Add or refresh a binding (same user and contact); `seconds` from grant(). */
  bind(b: Omit<StaffBinding, 'since' | 'expiresAt' | 'busy'>, seconds: number): StaffBinding {
    const key = keyOf(b.user, b.contact);
    const old = this.bindings.get(key);
    const now = this.now();
    const binding: StaffBinding = { ...b, since: old?.since ?? now, expiresAt: now + seconds * 1000, busy: old?.busy ?? false };
    this.bindings.set(key, binding);
    this.arm();
    if (!old || old.source !== b.source) this.changed();
    return binding;
  }

  /** Remove one binding, or every binding of the user when `contact` is '*'. */
  unbind(user: string, contact: string): void {
    let removed = false;
    for (const [k, b] of this.bindings) {
      if (b.user === user && (contact === '*' || b.contact === contact)) {
        this.bindings.delete(k);
        removed = true;
      }
    }
    if (removed) this.changed();
  }

  /** A browser's WebSocket closed: its registrations go with it. */
  dropSocket(socketId: string): void {
    let removed = false;
    for (const [k, b] of this.bindings) {
      if (b.socketId === socketId) {
        this.bindings.delete(k);
        removed = true;
      }
    }
    if (removed) this.changed();
  }

  /** The user's live bindings. */
  of(user: string): StaffBinding[] {
    this.expire();
    return [...this.bindings.values()].filter((b) => b.user === user);
  }

  setBusy(b: StaffBinding, busy: boolean): void {
    const cur = this.bindings.get(keyOf(b.user, b.contact));
    if (!cur || cur.busy === busy) return;
    cur.busy = busy;
    this.changed();
  }

  list(): StaffEndpoint[] {
    this.expire();
    return [...this.bindings.values()].map((b) => ({ user: b.user, kind: b.kind, source: b.source, since: b.since, busy: b.busy }));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.bindings.clear();
  }

  private expire(): void {
    const now = this.now();
    let removed = false;
    for (const [k, b] of this.bindings) {
      if (b.expiresAt <= now) {
        this.bindings.delete(k);
        removed = true;
      }
    }
    if (removed) this.changed();
  }

  /** One timer, for the binding that expires first. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let first = Infinity;
    for (const b of this.bindings.values()) first = Math.min(first, b.expiresAt);
    if (first === Infinity) return;
    this.timer = setTimeout(() => { this.timer = null; this.expire(); this.arm(); }, Math.max(0, first - this.now()) + 10);
    this.timer.unref();
  }

  private changed(): void {
    this.emit('change', this.list());
  }
}

function keyOf(user: string, contact: string): string {
  return `${user}\n${contact}`;
}
