// Types for the untyped `sip` npm package (CommonJS, no .d.ts) and the message shapes it parses to.
// The package is loaded here once; every other module talks to it through these types.
import { createRequire } from 'node:module';

export type Params = Record<string, string | null | undefined>;

export interface SipUri {
  schema: string;
  user?: string;
  password?: string;
  host: string;
  /** NaN or undefined when the URI has no port. */
  port?: number;
  params: Params;
  headers: Record<string, string>;
}

/** A name-addr header value (To, From, Contact) as the package parses it: the URI stays a string. */
export interface NameAddr {
  name?: string;
  uri: string;
  params: Params;
}

/** Route and Record-Route entries: the package parses their URI. */
export interface RouteEntry {
  name?: string;
  uri: SipUri | string;
  params: Params;
}

export interface Via {
  version?: string;
  protocol?: string;
  host?: string;
  port?: number;
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** A parsed WWW-/Proxy-Authenticate or Authorization value; quoted values keep their quotes. */
export interface AuthHeader {
  scheme?: string;
  [param: string]: string | undefined;
}

export interface SipHeaders {
  via?: Via[];
  to?: NameAddr;
  from?: NameAddr;
  'call-id'?: string;
  cseq?: CSeq;
  contact?: NameAddr[] | '*';
  route?: RouteEntry[];
  'record-route'?: RouteEntry[];
  'www-authenticate'?: AuthHeader[];
  'proxy-authenticate'?: AuthHeader[];
  authorization?: AuthHeader[];
  'proxy-authorization'?: AuthHeader[];
  'content-type'?: string;
  'content-length'?: number;
  /** Any other header: its raw value; repeated headers are joined with ','. */
  [name: string]: unknown;
}

export interface SipRequest {
  method: string;
  uri: string | SipUri;
  version?: string;
  headers: SipHeaders;
  content?: string;
}

export interface SipResponse {
  status: number;
  reason: string;
  version?: string;
  headers: SipHeaders;
  content?: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Where a message came from, as the package reports it. */
export interface RemoteInfo {
  protocol: string;
  address: string;
  port: number;
  local?: { address: string; port: number };
}

export interface SipCreateOptions {
  address: string;
  port: number;
  publicAddress: string;
  udp: boolean;
  tcp: boolean;
  tls?: Record<string, unknown>;
  tls_port?: number;
  rport?: boolean;
  logger?: {
    send?: (m: SipMessage, target: unknown) => void;
    recv?: (m: SipMessage, remote: RemoteInfo) => void;
    error?: (e: unknown) => void;
  };
}

export interface SipInstance {
  send(m: SipRequest, onResponse?: (rs: SipResponse) => void): void;
  send(m: SipResponse): void;
  destroy(): void;
  hostname(): string;
}

export interface SipPackage {
  create(options: SipCreateOptions, onRequest: (rq: SipRequest, remote: RemoteInfo) => void): SipInstance;
  parse(data: string | Buffer): SipMessage | undefined;
  stringify(m: SipMessage): string;
  parseUri(s: string | SipUri): SipUri | undefined;
  stringifyUri(u: string | SipUri): string;
  makeResponse(rq: SipRequest, status: number, reason?: string, ext?: { headers?: SipHeaders; content?: string }): SipResponse;
  makeStreamParser(onMessage: (m: SipMessage) => void, onFlood?: () => void): (data: string) => void;
}

const require = createRequire(import.meta.url);
export const sipPackage = require('sip') as SipPackage;

/** Where the package's console chatter goes instead of stdout (the stack points it at its logger). */
export let packageNoise: (message: string, err?: unknown) => void = () => {};
export function setPackageNoiseSink(sink: (message: string, err?: unknown) => void): void {
  packageNoise = sink;
}

// The package prints connection errors with console.log("err: ", e) and floods with a bare line;
// on stdout that would corrupt `appliance call --json`. Only those exact shapes are diverted.
const consoleLog = console.log.bind(console);
console.log = (...args: unknown[]): void => {
  if (args.length === 2 && args[0] === 'err: ' && args[1] instanceof Error) return packageNoise('sip transport error', args[1]);
  if (args.length === 1 && args[0] === 'Flood attempt, destroying stream') return packageNoise('sip stream flood: connection closed');
  consoleLog(...args);
};

export function isResponse(m: SipMessage): m is SipResponse {
  return typeof (m as SipResponse).status === 'number';
}

/** A header the package left as a raw string (generic headers), or undefined. */
export function headerText(headers: SipHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}

export function parseUri(s: string | SipUri): SipUri | undefined {
  try {
    return sipPackage.parseUri(s);
  } catch {
    return undefined;
  }
}

export function stringifyUri(u: string | SipUri): string {
  return sipPackage.stringifyUri(u);
}

export function uriPort(u: SipUri): number | undefined {
  return u.port !== undefined && Number.isFinite(u.port) && u.port > 0 ? u.port : undefined;
}

export function tagOf(h: NameAddr | undefined): string | undefined {
  const t = h?.params?.tag;
  return typeof t === 'string' && t.length > 0 ? t : undefined;
}

/** Q.850 cause from a Reason header ("Q.850;cause=17;text=..."); null when absent or malformed. */
export function q850FromReason(headers: SipHeaders): number | null {
  const reason = headerText(headers, 'reason');
  if (!reason) return null;
  for (const part of reason.split(',')) {
    if (!/^\s*Q\.850\s*;/i.test(part)) continue;
    const m = /;\s*cause\s*=\s*(\d{1,3})/i.exec(part);
    if (m) return Number(m[1]);
  }
  return null;
}
