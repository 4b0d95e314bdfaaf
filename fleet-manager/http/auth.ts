// The console's authentication pieces: argon2id password hashes, the session cookie, and the login
// rate limit. The fleet's own (the box has its equivalents in appliance/http, which the fleet manager
// may not import).
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 10;
export const SESSION_COOKIE = 'fm_session';
export const CSRF_HEADER = 'x-csrf-token';

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, OPTIONS);

let dummy: Promise<string> | null = null;
/** An unknown user costs the same time as a wrong password. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return argon2.verify(hash ?? await dummy, password).then((ok) => ok && hash !== null, () => false);
}

/** 20 characters without look-alikes (~115 bits), for a first admin printed once. */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(v) ? v : null;
    }
  }
  return null;
}

export function sessionCookie(value: string, secure: boolean, maxAgeSec: number): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSec}`, ...(secure ? ['Secure'] : [])].join('; ');
}

/**
 * Failed logins in a sliding window, per source address and per account from that source: past `max`
 * the source is refused for the rest of the window (right password or not). Bounded memory.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly max = 5, private readonly windowMs = 60_000, private readonly now: () => number = Date.now) {}

  /** > 0: refused for this many ms. */
  refuseMs(account: string, source: string): number {
    const t = this.now();
    let wait = 0;
    for (const key of [`ip:${source}`, `pair:${account}\n${source}`]) {
      const recent = (this.failures.get(key) ?? []).filter((at) => t - at < this.windowMs);
      if (recent.length >= this.max) wait = Math.max(wait, recent[recent.length - this.max]! + this.windowMs - t);
    }
    return wait;
  }

  fail(account: string, source: string): void {
    const t = this.now();
    if (this.failures.size > 10_000) this.failures.clear();
    for (const key of [`ip:${source}`, `pair:${account}\n${source}`]) {
      const recent = (this.failures.get(key) ?? []).filter((at) => t - at < this.windowMs);
      recent.push(t);
      this.failures.set(key, recent.slice(-this.max));
    }
  }

  succeed(account: string, source: string): void {
    this.failures.delete(`pair:${account}\n${source}`);
  }
}
