// Address ranges desk phones may register from (setting `staff.deskPhoneRanges`): CIDR or single
// addresses, IPv4 or IPv6. Parsed once for the settings check (errors name the entry).
import { BlockList, isIP } from 'node:net';

export interface Range {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** One range, or what is wrong with it. */
export function parseRange(entry: string): Range | string {
  const [addr, prefixText, extra] = entry.trim().split('/');
  const v = isIP(addr ?? '');
  if (extra !== undefined || v === 0) return `"${entry}" is not an address range (e.g. 192.168.1.0/24 or fd00::/8)`;
  const max = v === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d*$/.test(prefixText ?? '') || !Number.isInteger(prefix) || prefix < 0 || prefix > max) return `"${entry}": the prefix length must be 0-${max}`;
  return { address: addr!, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether an address lies in one of the ranges (invalid entries never match). */
export function inRanges(ip: string, ranges: readonly string[]): boolean {
  const list = new BlockList();
  for (const e of ranges) {
    const r = parseRange(e);
    if (typeof r !== 'string') list.addSubnet(r.address, r.prefix, r.family);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const a = mapped ?? ip;
  const v = isIP(a);
  return v !== 0 && list.check(a, v === 4 ? 'ipv4' : 'ipv6');
}
