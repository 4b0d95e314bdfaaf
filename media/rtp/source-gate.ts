// Who may send a session media. Before latching: the address the far end's SDP declared (any port:
// a NAT in front of it may map its port, never its address) or the configured sources (its trunk's
// signalling addresses and mediaSources); nothing before the far end has declared anything, unless
// it comes from those sources. Once latched: the latched source only, and the declared address and
// port themselves when we latched elsewhere (the far end's own port wins over a mapped one).
// Everything else is dropped and counted.
import { canonicalIp } from '../../core/media-sources.ts';
import type { MediaSourceSet } from './source-filter.ts';

export class SourceGate {
  /** What the far end's SDP declared (canonical address); null until it has. */
  private declaredAddress: string | null = null;
  private declaredPort: number | null = null;
  private latchedAddress: string | null = null;
  private latchedPort: number | null = null;
  /** Latched to exactly the declared address and port. */
  exact = false;
  dropped = 0;
  /** address:port of the first datagram dropped (diagnostics). */
  firstDropped: string | null = null;
  private readonly sources: MediaSourceSet;

  constructor(sources: MediaSourceSet) {
    this.sources = sources;
  }

  get latched(): boolean {
    return this.latchedPort !== null;
  }

  get declared(): string | null {
    return this.declaredAddress;
  }

  /** A new SDP: a new declared source, and no latch until media comes from an admitted one. */
  declare(address: string, port: number): void {
    this.declaredAddress = canonicalIp(address) ?? address;
    this.declaredPort = port;
    this.latchedAddress = null;
    this.latchedPort = null;
    this.exact = false;
  }

  admits(address: string, port: number): boolean {
    if (this.latchedPort !== null) {
      if (port === this.latchedPort && address === this.latchedAddress) return true;
      return !this.exact && port === this.declaredPort && this.isDeclaredAddress(address);
    }
    return this.isDeclaredAddress(address) || this.sources.has(address, port);
  }

  /** For an admitted packet: whether a symmetric session should latch (again) to its source. */
  wantsLatch(address: string, port: number): boolean {
    if (this.exact || this.declaredPort === null) return false;
    return this.latchedPort === null || port !== this.latchedPort || address !== this.latchedAddress;
  }

  latch(address: string, port: number): void {
    this.latchedAddress = address;
    this.latchedPort = port;
    this.exact = port === this.declaredPort && this.isDeclaredAddress(address);
  }

  /** Counts a dropped datagram; true for the first one (worth a log line). */
  drop(address: string, port: number): boolean {
    if (this.dropped++ > 0) return false;
    this.firstDropped = `${address}:${port}`;
    return true;
  }

  private isDeclaredAddress(address: string): boolean {
    const d = this.declaredAddress;
    if (d === null) return false;
    return address === d || (address.startsWith('::ffff:') && address.slice(7) === d);
  }
}
