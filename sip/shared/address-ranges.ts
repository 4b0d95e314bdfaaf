// Address ranges (CIDR lists from settings, e.g. the LAN ranges desk phones may register from), checked
// per request. The list is rebuilt only when its text changes, so asking on every packet stays cheap.
import { BlockList, isIP } from 'node:net';
import { normaliseAddress, parseSource } from './guard.ts';

export class AddressRanges {
  private key = '';
  private list = new BlockList();

  /** True when `address` falls in one of `ranges` (entries that are not an address or CIDR are skipped). */
  contains(address: string, ranges: readonly string[]): boolean {
    const key = ranges.join(',');
    if (key !== this.key) {
      this.list = buildList(ranges);
      this.key = key;
    }
    const a = normaliseAddress(address);
    const v = isIP(a);
    return v !== 0 && this.list.check(a, v === 4 ? 'ipv4' : 'ipv6');
  }
}

function buildList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) {
    const p = parseSource(r);
    if (!p) continue;
    if (p.prefix === (p.family === 'ipv4' ? 32 : 128)) list.addAddress(p.address, p.family);
    else list.addSubnet(p.address, p.prefix, p.family);
  }
  return list;
}
