// Opt-out: the keypress in a call, a staff entry or a fleet revocation suppresses the number at once,
// on every campaign of the box, and revokes its consents; the fleet event carries only the hash.
import type { Db } from '../store/db.ts';
import { appendEvent } from '../store/outbox-repo.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { ConsentRepo } from '../store/compliance-consent-repo.ts';
import { AppError } from '../../core/errors.ts';
import { dncHash, isDncHash } from './number-hash.ts';

export interface OptOutInput {
  /** The number; or, for a fleet opt-out from another box, only its hash. */
  e164?: string;
  numberHash?: string;
  campaignId?: number | null;
  channel: 'keypress' | 'staff' | 'fleet';
  digit?: string;
  actor?: string;
  reason?: string;
  now?: number;
}

export interface OptOutResult {
  numberHash: string;
  /** False when the number was already suppressed (nothing new was written). */
  added: boolean;
  consentsRevoked: number;
}

/** Synchronous, one transaction: suppression, consent revocation, outbox event `optout`, audit entry. */
export function recordOptOut(db: Db, o: OptOutInput): OptOutResult {
  const numberHash = o.numberHash ?? (o.e164 ? dncHash(o.e164) : null);
  if (!numberHash || !isDncHash(numberHash)) throw new AppError('E_REQUEST_INVALID', 'opt-out: give the number (E.164) or its hash', { field: 'e164' });
  const now = o.now ?? Date.now();
  const actor = o.actor ?? (o.channel === 'keypress' ? 'callee' : o.channel);
  return db.transaction(() => {
    const added = new DncRepo(db).add({ numberHash, source: o.channel, reason: o.reason ?? `opt-out (${o.channel})`, campaignId: o.campaignId ?? null, digit: o.digit ?? null, actor, now });
    const consentsRevoked = new ConsentRepo(db).revoke({ numberHash, channel: `opt-out:${o.channel}`, deadlineDays: 0 }, actor, now);
    if (added) {
      appendEvent(db, 'optout', { numberHash, channel: o.channel, campaignId: o.campaignId ?? null, digit: o.digit ?? null, at: new Date(now).toISOString() }, now);
      appendAudit(db, { actor, action: 'dnc.optout', subject: numberHash, details: { channel: o.channel, campaignId: o.campaignId ?? null, digit: o.digit ?? null }, now });
    }
    return { numberHash, added, consentsRevoked };
  })();
}
