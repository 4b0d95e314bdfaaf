// Who may send media to a session besides the address the far end's SDP declared: a trunk's
// configured media sources (address ranges with port ranges), compiled once per trunk.
import { BlockList } from 'node:net';
import { canonicalIp, parseMediaSource, type MediaSourceRule } from '../../core/media-sources.ts';

interface CompiledRule {
  list: BlockList;
  family: 'ipv4' | 'ipv6';
  portMin: number;
  portMax: number;
}

export class MediaSourceSet {
  static readonly EMPTY = new MediaSourceSet([]);
  private readonly rules: CompiledRule[];
  /** The rules as given (plain data: a media worker thread rebuilds the set from them). */
  readonly source: readonly MediaSourceRule[];

  constructor(rules: readonly MediaSourceRule[]) {
    this.source = rules;
    this.rules = rules.map((r) => {
      const list = new BlockList();
      const max = r.family === 'ipv4' ? 32 : 128;
      if (r.prefix === max) list.addAddress(r.address, r.family);
      else list.addSubnet(r.address, r.prefix, r.family);
      return { list, family: r.family, portMin: r.portMin, portMax: r.portMax };
    });
  }

  /**
   * From the setting's entries. The settings check refuses bad entries before an engine starts; one
   * that slips through (a document edited behind the box's back) is reported and left out.
   */
  static fromSettings(entries: readonly string[] | undefined, onInvalid?: (entry: string, why: string) => void): MediaSourceSet {
    if (!entries || entries.length === 0) return MediaSourceSet.EMPTY;
    const rules: MediaSourceRule[] = [];
    for (const e of entries) {
      const r = parseMediaSource(e);
      if (typeof r === 'string') onInvalid?.(e, r);
      else rules.push(r);
    }
    return new MediaSourceSet(rules);
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** `address` as the socket reports it (canonical IPv4 or IPv6 text). */
  has(address: string, port: number): boolean {
    if (this.rules.length === 0) return false;
    const a = address.startsWith('::ffff:') ? canonicalIp(address) : address;
    if (a === null) return false;
    const family = a.includes(':') ? 'ipv6' : 'ipv4';
    for (const r of this.rules) {
      if (r.family === family && port >= r.portMin && port <= r.portMax && r.list.check(a, family)) return true;
    }
    return false;
  }
}
