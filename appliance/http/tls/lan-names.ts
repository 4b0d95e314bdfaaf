// The names and addresses a browser on the LAN may use to reach the box: its host name (and the
// mDNS .local form), localhost, the loopback addresses and every non-internal address of its interfaces.
// IPv6 link-local addresses (fe80::/10) are left out: a URL with one needs a zone (%eth0), which no
// certificate name can match.
import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';

export interface LanNames {
  /** DNS names, sorted. */
  dns: string[];
  /** IP addresses (v4 and v6), sorted. */
  ips: string[];
}

function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** A DNS name a certificate can carry (letters, digits, hyphens, dots); others (spaces, underscores) are left out. */
function dnsName(name: string): string | null {
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(n) ? n : null;
}

export function lanNames(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, hostname: string): LanNames {
  const dns = new Set<string>(['localhost']);
  const host = dnsName(hostname);
  if (host) {
    dns.add(host);
    if (!host.endsWith('.local') && !host.includes('.')) dns.add(`${host}.local`);
  }
  const ips = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal || isIP(a.address) === 0) continue;
      if (a.family === 'IPv6' && isLinkLocalV6(a.address)) continue;
      ips.add(a.address.toLowerCase());
    }
  }
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}

/** The same set, as one comparable key (a changed key means a new certificate). */
export function namesKey(n: LanNames): string {
  return [...n.dns.map((d) => `DNS:${d}`), ...n.ips.map((i) => `IP:${i}`)].join(',');
}

/** The LAN addresses alone (no loopback), IPv4 first: what the console line offers as URLs. */
export function lanAddresses(n: LanNames): string[] {
  const out = n.ips.filter((a) => a !== '127.0.0.1' && a !== '::1');
  return [...out.filter((a) => isIP(a) === 4), ...out.filter((a) => isIP(a) === 6)];
}
