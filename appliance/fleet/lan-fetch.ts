// Downloads a file the fleet points at, but only from the office LAN: http or https, a host that
// resolves to private or loopback addresses only (checked, then connected to by that very address so a
// second DNS answer cannot swap in a public one), link-local only when the settings allow it (that is
// where cloud and router metadata services answer), a size limit, no redirects, an idle timeout and a
// deadline for the whole download, and progress as it comes. Error messages never quote what the
// server sent.
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../../core/errors.ts';

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
/** The whole download, however steadily the server trickles: 50 MB on a LAN takes seconds. */
export const DEFAULT_DEADLINE_MS = 5 * 60_000;

/** True for loopback, RFC 1918, CGNAT, and IPv6 unique-local and loopback addresses (not link-local: see isLinkLocal). */
export function isPrivateAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v === 6) {
    const s = address.toLowerCase();
    if (s === '::1') return true;
    const mapped = mappedV4(s);
    if (mapped) return isPrivateAddress(mapped);
    return /^f[cd][0-9a-f]{2}:/.test(s);
  }
  return false;
}

/** True for IPv4 169.254.0.0/16 and IPv6 fe80::/10 (also IPv4-mapped): metadata services live there. */
export function isLinkLocal(address: string): boolean {
  const v = isIP(address);
  if (v === 4) return address.startsWith('169.254.');
  if (v === 6) {
    const s = address.toLowerCase();
    const mapped = mappedV4(s);
    if (mapped) return isLinkLocal(mapped);
    return /^fe[89ab][0-9a-f]:/.test(s);
  }
  return false;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one, in any spelling (::ffff:1.2.3.4, ::ffff:102:304, 0:0:0:0:0:ffff:...). */
function mappedV4(s: string): string | null {
  let canonical: string;
  try {
    canonical = new URL(`http://[${s}]/`).hostname.slice(1, -1); // WHATWG serialises IPv6 canonically
  } catch {
    return null;
  }
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!hex) return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(canonical)?.[1] ?? null;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export interface LanHostOptions {
  /** Accept link-local addresses too (settings: fleet.allowLinkLocalImports). */
  allowLinkLocal?: boolean;
  /** Resolver (tests give their own; default dns.lookup). */
  lookup?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** Parse and check a list URL's form (no network): http(s), a host, no credentials in it. */
export function parseLanUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('E_FLEET_COMMAND', 'command field "data.url": not a URL', { field: 'data.url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('E_FLEET_COMMAND', 'command field "data.url": only http and https URLs are fetched', { field: 'data.url' });
  if (url.username || url.password) throw new AppError('E_FLEET_COMMAND', 'command field "data.url": credentials in the URL are not accepted', { field: 'data.url' });
  return url;
}

/**
 * Resolve the host; every address must be private or loopback (or link-local, when allowed). Returns
 * the address to connect to.
 */
export async function resolveLanHost(url: URL, opts: LanHostOptions = {}): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await (opts.lookup ?? ((h) => lookup(h, { all: true })))(host);
  } catch (e) {
    throw new AppError('E_REQUEST_INVALID', `cannot resolve "${host}": ${(e as Error).message}`, { field: 'data.url' });
  }
  const linkLocal = addresses.find((a) => isLinkLocal(a.address));
  if (linkLocal && !opts.allowLinkLocal) {
    throw new AppError('E_FORBIDDEN', `"${host}" resolves to ${linkLocal.address}, a link-local address (where metadata services answer); lists are fetched from there only when the settings allow it (fleet.allowLinkLocalImports)`, { field: 'data.url' });
  }
  const publicOne = addresses.find((a) => !isPrivateAddress(a.address) && !isLinkLocal(a.address));
  if (addresses.length === 0 || publicOne) {
    throw new AppError('E_FORBIDDEN', `"${host}" resolves to ${publicOne?.address ?? 'nothing'}, which is not on the LAN; lists are only fetched from private or loopback addresses`, { field: 'data.url' });
  }
  return addresses[0]!;
}

export interface FetchProgress {
  bytes: number;
  /** From Content-Length; null when the server did not say. */
  totalBytes: number | null;
}

export interface LanFetchOptions {
  maxBytes?: number;
  /** Gives up when no byte arrives for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Gives up when the whole file has not come in this long (default DEFAULT_DEADLINE_MS). */
  deadlineMs?: number;
  host?: LanHostOptions;
  onProgress?: (p: FetchProgress) => void;
  signal?: AbortSignal;
  /** Extra CAs for https (e.g. the fleet CA); the system ones are used as well. */
  ca?: Array<string | Buffer>;
}

/** Download `url` to `dest` (removed again on failure). Resolves with the size and the content type. */
export async function fetchFromLan(url: URL, dest: string, opts: LanFetchOptions = {}): Promise<{ bytes: number; contentType: string | null }> {
  const target = await resolveLanHost(url, opts.host);
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const pinned: LookupFunction = (_host, options, cb) => {
    if (options.all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
    else cb(null, target.address, target.family);
  };
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      void unlink(dest).catch(() => undefined).then(() => reject(e));
    };
    const req = mod.get(url, { lookup: pinned, signal: opts.signal, timeout: opts.idleTimeoutMs ?? 30_000, ...(opts.ca && url.protocol === 'https:' ? { ca: opts.ca } : {}) }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(new AppError('E_REQUEST_INVALID', `the server answered a redirect (${status}); give the final URL (redirects are not followed)`, { field: 'data.url' }));
      if (status !== 200) return fail(new AppError('E_REQUEST_INVALID', `the server answered HTTP ${status}`, { field: 'data.url' }));
      const length = Number(res.headers['content-length']);
      const totalBytes = Number.isFinite(length) && length >= 0 ? length : null;
      if (totalBytes !== null && totalBytes > maxBytes) return fail(new AppError('E_TOO_LARGE', `the file is ${totalBytes} bytes; the limit is ${maxBytes}`, { field: 'data.url' }));
      const out = createWriteStream(dest, { mode: 0o600 });
      let bytes = 0;
      out.on('error', (e) => fail(e));
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) return fail(new AppError('E_TOO_LARGE', `the file is larger than the limit of ${maxBytes} bytes`, { field: 'data.url' }));
        opts.onProgress?.({ bytes, totalBytes });
      });
      res.on('error', (e) => fail(e));
      res.pipe(out);
      out.on('finish', () => {
        if (settled) return;
        if (!res.complete) return fail(new AppError('E_REQUEST_INVALID', 'the download was cut short', { field: 'data.url' }));
        settled = true;
        clearTimeout(deadline);
        resolve({ bytes, contentType: res.headers['content-type'] ?? null });
      });
    });
    // A server sending a byte every few seconds never trips the idle timeout; this ends it.
    const deadline = setTimeout(() => fail(new AppError('E_REQUEST_INVALID', `the download did not finish within ${Math.round(deadlineMs / 1000)} s`, { field: 'data.url' })), deadlineMs);
    req.on('timeout', () => fail(new AppError('E_REQUEST_INVALID', 'the server stopped sending (timeout)', { field: 'data.url' })));
    req.on('error', (e) => fail(e));
  });
}
