// Trunk guard: only configured trunks (and the far end of a call we placed) may send us requests.
// Everyone else (scanners, toll-fraud bots) gets no call and no relay: a rate-limited 403 or silence,
// and one log line per source and interval rather than one per packet (sip/shared/refusal-log.ts).
import { BlockList, isIP } from 'node:net';
import type { Logger } from '../../core/log.ts';
import { RefusalLog } from '../shared/refusal-log.ts';

export interface GuardOptions {
  action: 'reject' | 'ignore';
  maxRepliesPerSecPerSource: number;
  logger: Logger;
  /** Where refusals are logged (the engine shares one with its user agent); default one of its own. */
  refusals?: RefusalLog;
  /** Injectable clock for tests. */
  now?: () => number;
}

export interface GuardStats {
  blockedRequests: number;
  replies: number;
  sources: number;
}

/** Sources remembered for rate limiting; the oldest are forgotten beyond this. */
const MAX_TRACKED_SOURCES = 10_000;

interface SourceState {
  windowStart: number;
  repliesInWindow: number;
  blocked: number;
}

export function normaliseAddress(address: string): string {
  // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Parse "10.0.0.0/8", "192.0.2.1" or "2001:db8::/32"; null when it is neither. */
export function parseSource(s: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [addr, prefixText] = s.trim().split('/', 2);
  const address = normaliseAddress(addr ?? '');
  const v = isIP(address);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

export class TrunkGuard {
  private readonly opts: GuardOptions;
  readonly refusals: RefusalLog;
  private readonly owners = new Map<string, string[]>();
  private readonly peers = new Map<string, number>();
  private list = new BlockList();
  private perOwner = new Map<string, BlockList>();
  private also: ((address: string) => boolean) | null = null;
  private readonly sources = new Map<string, SourceState>();
  private blockedRequests = 0;
  private replies = 0;

  constructor(opts: GuardOptions) {
    this.opts = opts;
    this.refusals = opts.refusals ?? new RefusalLog({ logger: opts.logger });
  }

  /** Replace the sources an owner (a trunk name) allows; invalid entries are logged and skipped. */
  setSources(owner: string, sources: string[]): void {
    const valid: string[] = [];
    for (const s of sources) {
      if (parseSource(s)) valid.push(s);
      else this.opts.logger.warn({ trunk: owner, source: s }, 'trunk guard: ignoring invalid allowed source');
    }
    this.owners.set(owner, valid);
    this.rebuild();
  }

  removeSources(owner: string): void {
    this.owners.delete(owner);
    this.rebuild();
  }

  /** Let a peer we are calling directly send us in-dialog requests; call the returned function when done. */
  allowPeer(address: string): () => void {
    const a = normaliseAddress(address);
    if (isIP(a) === 0) return () => {};
    this.peers.set(a, (this.peers.get(a) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.peers.get(a) ?? 1) - 1;
      if (n <= 0) this.peers.delete(a);
      else this.peers.set(a, n);
    };
  }

  /**
   * Let more sources through to the user agent, decided per request (the LAN ranges desk phones
   * register from, issue 16); the user agent still answers only what they may do (REGISTER, and
   * the calls the box hands them).
   */
  allowAlso(predicate: ((address: string) => boolean) | null): void {
    this.also = predicate;
  }

  isAllowed(address: string): boolean {
    const a = normaliseAddress(address);
    if (this.peers.has(a)) return true;
    const v = isIP(a);
    if (v === 0) return false;
    return this.list.check(a, v === 4 ? 'ipv4' : 'ipv6') || (this.also?.(a) ?? false);
  }

  /** The trunk (owner) whose sources include the address; null for a peer we called, a desk phone, anyone else. */
  trunkOf(address: string): string | null {
    const a = normaliseAddress(address);
    const v = isIP(a);
    if (v === 0) return null;
    for (const [owner, list] of this.perOwner) if (list.check(a, v === 4 ? 'ipv4' : 'ipv6')) return owner;
    return null;
  }

  /**
   * Record a request from a source that is not allowed. Returns true when the caller should answer it
   * (action 'reject' and the source is under its reply rate), false to stay silent.
   */
  blocked(address: string, method: string): boolean {
    const a = normaliseAddress(address);
    const answer = this.decide(a, method);
    this.refusals.note(a, { method, reason: 'not-a-trunk', status: answer ? 403 : null });
    return answer;
  }

  private decide(a: string, method: string): boolean {
    const now = (this.opts.now ?? Date.now)();
    this.blockedRequests++;
    let st = this.sources.get(a);
    if (!st) {
      if (this.sources.size >= MAX_TRACKED_SOURCES) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
      }
      st = { windowStart: now, repliesInWindow: 0, blocked: 0 };
      this.sources.set(a, st);
    }
    st.blocked++;
    if (this.opts.action === 'ignore' || method === 'ACK') return false;
    if (now - st.windowStart >= 1000) {
      st.windowStart = now;
      st.repliesInWindow = 0;
    }
    if (st.repliesInWindow >= this.opts.maxRepliesPerSecPerSource) return false;
    st.repliesInWindow++;
    this.replies++;
    return true;
  }

  stats(): GuardStats {
    return { blockedRequests: this.blockedRequests, replies: this.replies, sources: this.sources.size };
  }

  private rebuild(): void {
    const list = new BlockList();
    const perOwner = new Map<string, BlockList>();
    for (const [owner, sources] of this.owners) {
      const own = new BlockList();
      for (const s of sources) {
        const p = parseSource(s);
        if (!p) continue;
        const max = p.family === 'ipv4' ? 32 : 128;
        for (const l of [list, own]) {
          if (p.prefix === max) l.addAddress(p.address, p.family);
          else l.addSubnet(p.address, p.prefix, p.family);
        }
      }
      perOwner.set(owner, own);
    }
    this.list = list;
    this.perOwner = perOwner;
  }
}
