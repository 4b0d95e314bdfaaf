// Digest authentication for requests we send (RFC 3261 §22, RFC 7616/8760 algorithms).
// Ours rather than the package's digest.js: that one knows only MD5 and keeps no per-nonce count.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthHeader, SipRequest, SipResponse } from './sip-types.ts';
import { stringifyUri } from './sip-types.ts';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: DigestAlgorithm;
  /** qop values offered ('auth', 'auth-int'); empty for RFC 2069 style challenges. */
  qop: string[];
  stale: boolean;
  /** True for 407 Proxy-Authenticate (answered with Proxy-Authorization). */
  proxy: boolean;
}

export interface Credentials {
  username: string;
  password: string;
}

export function unquote(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

function quote(v: string): string {
  return `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

function algorithmOf(v: string | undefined): DigestAlgorithm | null {
  switch ((v ?? 'MD5').toUpperCase()) {
    case 'MD5': return 'MD5';
    case 'MD5-SESS': return 'MD5-sess';
    case 'SHA-256': return 'SHA-256';
    case 'SHA-256-SESS': return 'SHA-256-sess';
    default: return null;
  }
}

export function parseChallenge(h: AuthHeader, proxy: boolean): Challenge | null {
  if ((h.scheme ?? '').toLowerCase() !== 'digest') return null;
  const realm = unquote(h.realm);
  const nonce = unquote(h.nonce);
  const algorithm = algorithmOf(unquote(h.algorithm));
  if (realm === undefined || !nonce || !algorithm) return null;
  const qop = (unquote(h.qop) ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s === 'auth' || s === 'auth-int');
  return { realm, nonce, opaque: unquote(h.opaque) ?? null, algorithm, qop, stale: (unquote(h.stale) ?? '').toLowerCase() === 'true', proxy };
}

/** The challenge of a 401/407 we can answer (SHA-256 preferred over MD5), or null. */
export function challengeOf(rs: SipResponse): Challenge | null {
  const proxy = rs.status === 407;
  const list = (proxy ? rs.headers['proxy-authenticate'] : rs.headers['www-authenticate']) ?? [];
  const parsed = list.map((h) => parseChallenge(h, proxy)).filter((c): c is Challenge => c !== null);
  return parsed.find((c) => c.algorithm.startsWith('SHA-256')) ?? parsed[0] ?? null;
}

function hash(alg: DigestAlgorithm, s: string): string {
  return createHash(alg.startsWith('SHA-256') ? 'sha256' : 'md5').update(s).digest('hex');
}

export interface DigestInput {
  challenge: Challenge;
  credentials: Credentials;
  method: string;
  uri: string;
  body: string;
  cnonce: string;
  nc: number;
}

/** The Authorization/Proxy-Authorization value for one request. */
export function digestAuthorization(i: DigestInput): AuthHeader {
  const c = i.challenge;
  const qop = c.qop.includes('auth') ? 'auth' : c.qop.includes('auth-int') ? 'auth-int' : null;
  let ha1 = hash(c.algorithm, `${i.credentials.username}:${c.realm}:${i.credentials.password}`);
  if (c.algorithm.endsWith('-sess')) ha1 = hash(c.algorithm, `${ha1}:${c.nonce}:${i.cnonce}`);
  const ha2 = qop === 'auth-int'
    ? hash(c.algorithm, `${i.method}:${i.uri}:${hash(c.algorithm, i.body)}`)
    : hash(c.algorithm, `${i.method}:${i.uri}`);
  const nc = i.nc.toString(16).padStart(8, '0');
  const response = qop
    ? hash(c.algorithm, `${ha1}:${c.nonce}:${nc}:${i.cnonce}:${qop}:${ha2}`)
    : hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
  const h: AuthHeader = {
    scheme: 'Digest',
    username: quote(i.credentials.username),
    realm: quote(c.realm),
    nonce: quote(c.nonce),
    uri: quote(i.uri),
    response: quote(response),
    algorithm: c.algorithm,
  };
  if (qop) {
    h.qop = qop;
    h.nc = nc;
    h.cnonce = quote(i.cnonce);
  }
  if (c.opaque !== null) h.opaque = quote(c.opaque);
  return h;
}

/**
 * Credentials plus the last challenge: signs requests (nonce count per nonce), so a registration
 * can re-use its nonce on refresh instead of being challenged every time.
 */
export class DigestClient {
  private challenge: Challenge | null = null;
  private nc = 0;
  private cnonce = randomBytes(8).toString('hex');

  constructor(private readonly credentials: Credentials) {}

  /** Take a 401/407; false when it carries no challenge we can answer. */
  accept(rs: SipResponse): boolean {
    const c = challengeOf(rs);
    if (!c) return false;
    if (!this.challenge || this.challenge.nonce !== c.nonce) {
      this.nc = 0;
      this.cnonce = randomBytes(8).toString('hex');
    }
    this.challenge = c;
    return true;
  }

  get hasChallenge(): boolean { return this.challenge !== null; }

  /** Add the credentials header for the last challenge to the request (no-op without a challenge). */
  sign(rq: SipRequest): void {
    const c = this.challenge;
    if (!c) return;
    this.nc++;
    const h = digestAuthorization({
      challenge: c,
      credentials: this.credentials,
      method: rq.method,
      uri: stringifyUri(rq.uri),
      body: rq.content ?? '',
      cnonce: this.cnonce,
      nc: this.nc,
    });
    if (c.proxy) rq.headers['proxy-authorization'] = [h];
    else rq.headers.authorization = [h];
  }

  forget(): void {
    this.challenge = null;
  }
}
