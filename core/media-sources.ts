// A trunk's media sources (setting `trunks[].mediaSources`): where its RTP may come from besides the
// address its SDP declares. One entry is an address or CIDR with an optional port or port range:
// "203.0.113.7", "203.0.113.0/24", "203.0.113.0/24:16384-32767", "[2001:db8::/32]:10000-20000".
// Parsed here, once, for the settings check (errors name the entry) and for the engines.
import { isIP } from 'node:net';

export interface MediaSourceRule {
  /** Canonical text of the network address (IPv6 lower-case and compressed). */
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
  portMin: number;
  portMax: number;
}

/** The canonical text of an IP literal (IPv4-mapped IPv6 as IPv4), or null when it is not one. */
export function canonicalIp(text: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const a = mapped ? mapped[1]! : text;
  const v = isIP(a);
  if (v === 4) return a;
  if (v !== 6) return null;
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** Parses one entry; a string saying what is wrong when it is not one. */
export function parseMediaSource(entry: string): MediaSourceRule | string {
  const s = entry.trim();
  let host = s;
  let ports: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.+))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1]!;
    ports = bracketed[2];
  } else if ((s.match(/:/g) ?? []).length === 1) {
    // IPv4 (or a CIDR) with ports; an IPv6 entry with ports needs brackets
    [host, ports] = s.split(':') as [string, string];
  }
  const [addrText, prefixText] = host.split('/', 2) as [string, string | undefined];
  const address = canonicalIp(addrText);
  if (address === null) return `"${entry}" is not an IP address or CIDR (an IPv6 entry with ports is written [addr/len]:min-max)`;
  const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d*$/.test(prefixText ?? '') || !Number.isInteger(prefix) || prefix < 0 || prefix > max) return `"${entry}": the prefix length must be 0-${max}`;
  let portMin = 1;
  let portMax = 65535;
  if (ports !== undefined) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(ports);
    portMin = Number(m?.[1]);
    portMax = m?.[2] === undefined ? portMin : Number(m[2]);
    if (!m || portMin < 1 || portMax > 65535 || portMin > portMax) return `"${entry}": ports must be one port or a range min-max within 1-65535`;
  }
  return { address, prefix, family, portMin, portMax };
}

/** Every problem of a list, with the index of the entry. */
export function mediaSourceErrors(entries: readonly string[]): Array<{ index: number; message: string }> {
  const out: Array<{ index: number; message: string }> = [];
  entries.forEach((e, index) => {
    const r = parseMediaSource(e);
    if (typeof r === 'string') out.push({ index, message: r });
  });
  return out;
}
