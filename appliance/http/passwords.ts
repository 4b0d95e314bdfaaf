// Password hashing with argon2id. Parameters are the OWASP minimum (19 MiB, 2 passes, 1 lane): strong
// enough for a LAN box and fast enough on a Raspberry Pi; each hash records its own parameters.
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Length bounds of a password (the API contract states them for the forms). */
export { PASSWORD_MAX, PASSWORD_MIN } from './contract/auth.ts';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

// Verifying against this for unknown users keeps "no such user" as slow as "wrong password".
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A password a person can type from a printed line: 20 characters without look-alikes (~115 bits). */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const out: string[] = [];
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // Rejection sampling keeps every character equally likely.
      if (b < 256 - (256 % alphabet.length) && out.length < length) out.push(alphabet[b % alphabet.length]!);
    }
  }
  return out.join('');
}
