// The hashed form of a phone number kept in suppressions, registry copies and the consent ledger.
// Deterministic across boxes so a fleet opt-out carrying only the hash applies everywhere.
import { createHash } from 'node:crypto';

export function dncHash(e164: string): string {
  return createHash('sha256').update(`vba-dnc:v1:${e164}`).digest('hex');
}

export function isDncHash(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
}
