// Digest authentication of requests we receive (RFC 3261 §22.4, RFC 2617 MD5 with qop=auth): the
// registrar challenges desk phones and checks their answer against the user's HA1, which the domain
// keeps (the engine never sees a password). Nonces are stateless: a time and an HMAC of it under a
// secret made at start, valid for a bounded time; a stale one is re-challenged with stale=true.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DigestAnswer {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  algorithm?: string;
}

export type DigestVerdict = 'ok' | 'stale' | 'bad';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function unquoted(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
}

/** Read an Authorization value as the `sip` package parses it (quoted strings keep their quotes). */
export function readDigestAnswer(h: Record<string, string | undefined> | undefined): DigestAnswer | null {
  if (!h || (h.scheme ?? '').toLowerCase() !== 'digest') return null;
  const f = (k: string): string | undefined => unquoted(h[k]);
  const username = f('username');
  const realm = f('realm');
  const nonce = f('nonce');
  const uri = f('uri');
  const response = f('response');
  if (username === undefined || realm === undefined || !nonce || uri === undefined || !response) return null;
  return { username, realm, nonce, uri, response, qop: f('qop'), nc: f('nc'), cnonce: f('cnonce'), algorithm: f('algorithm') };
}

export class DigestServer {
  private readonly secret = randomBytes(32);
  private readonly now: () => number;
  private readonly nonceTtlMs: number;

  constructor(o: { now?: () => number; nonceTtlMs?: number } = {}) {
    this.now = o.now ?? Date.now;
    this.nonceTtlMs = o.nonceTtlMs ?? 5 * 60_000;
  }

  /** The WWW-Authenticate value (the package's parsed shape) for a 401. */
  challenge(realm: string, stale = false): Record<string, string> {
    const t = this.now().toString(36);
    const nonce = `${t}.${this.sign(t)}`;
    return {
      scheme: 'Digest', realm: `"${realm.replace(/["\\]/g, '')}"`, nonce: `"${nonce}"`, algorithm: 'MD5', qop: '"auth"',
      ...(stale ? { stale: 'true' } : {}),
    };
  }

  /** Check an answer against HA1 = MD5(user:realm:password) for the request's method. */
  verify(a: DigestAnswer, method: string, realm: string, ha1: string): DigestVerdict {
    if (a.realm !== realm || (a.algorithm && a.algorithm.toUpperCase() !== 'MD5')) return 'bad';
    const [t, mac] = a.nonce.split('.', 2);
    if (!t || !mac || !safeEqual(mac, this.sign(t))) return 'bad';
    const ha2 = md5(`${method}:${a.uri}`);
    const expected = a.qop
      ? (a.qop === 'auth' && a.nc && a.cnonce ? md5(`${ha1}:${a.nonce}:${a.nc}:${a.cnonce}:auth:${ha2}`) : null)
      : md5(`${ha1}:${a.nonce}:${ha2}`);
    if (expected === null || !safeEqual(expected, a.response.toLowerCase())) return 'bad';
    const issued = parseInt(t, 36);
    if (!Number.isFinite(issued) || this.now() - issued > this.nonceTtlMs) return 'stale';
    return 'ok';
  }

  private sign(t: string): string {
    return createHmac('sha256', this.secret).update(t).digest('hex').slice(0, 32);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
