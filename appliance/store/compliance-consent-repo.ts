// The consent ledger: who consented (hashed number), to which seller and purpose, what the record is in
// law (kind: written, express, existing relationship), how, when, the disclosure they saw (text and
// version) and where it was collected; revocations with their deadline and scope.
import type { Db } from './db.ts';
import { AppError } from '../../core/errors.ts';
import { dncHash } from '../compliance/number-hash.ts';
import { appendAudit } from './compliance-audit-repo.ts';
import type { ConsentFact } from '../compliance/evaluate.ts';
import { CONSENT_KINDS, type ConsentKind } from '../compliance/pack-types.ts';

export const CONSENT_METHODS = ['form', 'keypress', 'recording', 'written', 'import'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export interface ConsentInput {
  e164: string;
  seller: string;
  purpose: string;
  method: ConsentMethod;
  /** What the record is in law; default: 'written' for a consent collected in writing, else 'express'. */
  kind?: ConsentKind;
  givenAt: number;
  disclosureText: string;
  disclosureVersion: string;
  source: string;
  collector?: string | null;
}

export interface ConsentRecord extends Omit<ConsentInput, 'e164' | 'kind'> {
  id: number;
  kind: ConsentKind;
  numberHash: string;
  recordedAt: number;
  revokedAt: number | null;
  revocationChannel: string | null;
  revocationDeadline: number | null;
}

const DAY = 86_400_000;

interface Raw {
  id: number; number_hash: string; seller: string; purpose: string; method: ConsentMethod; kind: ConsentKind; given_at: number; disclosure_text: string; disclosure_version: string;
  source: string; collector: string | null; recorded_at: number; revoked_at: number | null; revocation_channel: string | null; revocation_deadline: number | null;
}

const toRecord = (r: Raw): ConsentRecord => ({
  id: r.id, numberHash: r.number_hash, seller: r.seller, purpose: r.purpose, method: r.method, kind: r.kind, givenAt: r.given_at, disclosureText: r.disclosure_text,
  disclosureVersion: r.disclosure_version, source: r.source, collector: r.collector, recordedAt: r.recorded_at, revokedAt: r.revoked_at,
  revocationChannel: r.revocation_channel, revocationDeadline: r.revocation_deadline,
});

export class ConsentRepo {
  private readonly factsStmt;

  constructor(private readonly db: Db) {
    this.factsStmt = db.prepare('SELECT seller, purpose, kind, given_at, revoked_at FROM consents WHERE number_hash = ?');
  }

  record(c: ConsentInput, actor: string, now = Date.now()): number {
    for (const k of ['seller', 'purpose', 'disclosureText', 'disclosureVersion', 'source'] as const) {
      if (typeof c[k] !== 'string' || !c[k].trim()) throw new AppError('E_REQUEST_INVALID', `consent field "${k}" is required`, { field: k });
    }
    if (!(CONSENT_METHODS as readonly string[]).includes(c.method)) throw new AppError('E_REQUEST_INVALID', `consent field "method": one of ${CONSENT_METHODS.join(', ')}`, { field: 'method' });
    const kind = c.kind ?? (c.method === 'written' ? 'written' : 'express');
    if (!CONSENT_KINDS.includes(kind)) throw new AppError('E_REQUEST_INVALID', `consent field "kind": one of ${CONSENT_KINDS.join(', ')}`, { field: 'kind' });
    if (!Number.isFinite(c.givenAt) || c.givenAt > now) throw new AppError('E_REQUEST_INVALID', 'consent field "givenAt": a time in the past', { field: 'givenAt' });
    const h = dncHash(c.e164);
    return this.db.transaction(() => {
      const id = Number(this.db.prepare(`INSERT INTO consents (number_hash, seller, purpose, method, kind, given_at, disclosure_text, disclosure_version, source, collector, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(h, c.seller.trim(), c.purpose.trim().toLowerCase(), c.method, kind, c.givenAt, c.disclosureText, c.disclosureVersion, c.source, c.collector ?? null, now).lastInsertRowid);
      appendAudit(this.db, { actor, action: 'consent.record', subject: h, details: { id, seller: c.seller, purpose: c.purpose, method: c.method, kind, disclosureVersion: c.disclosureVersion }, now });
      return id;
    })();
  }

  /**
   * Revoke the number's consents (for one seller, or all; for one purpose, or all). Applied at once; the
   * deadline records the latest date the law allows for honouring it (proof that it was honoured in
   * time): `deadline` (an instant, from the pack in force) or `deadlineDays` after now.
   */
  revoke(r: { e164?: string; numberHash?: string; seller?: string; purpose?: string; channel: string; deadline?: number; deadlineDays?: number }, actor: string, now = Date.now()): number {
    const h = r.numberHash ?? (r.e164 ? dncHash(r.e164) : null);
    if (!h) throw new AppError('E_REQUEST_INVALID', 'revocation: give the number', { field: 'e164' });
    const deadline = r.deadline ?? now + (r.deadlineDays ?? 0) * DAY;
    const purpose = r.purpose?.trim().toLowerCase() || null;
    return this.db.transaction(() => {
      // A revocation for one purpose also withdraws the consents given for every purpose ('any').
      const n = this.db.prepare(`UPDATE consents SET revoked_at = ?, revocation_channel = ?, revocation_deadline = ?
        WHERE number_hash = ? AND revoked_at IS NULL AND (? IS NULL OR lower(seller) = lower(?)) AND (? IS NULL OR purpose IN (?, 'any'))`)
        .run(now, r.channel, deadline, h, r.seller ?? null, r.seller ?? null, purpose, purpose).changes;
      if (n > 0) appendAudit(this.db, { actor, action: 'consent.revoke', subject: h, details: { count: n, channel: r.channel, seller: r.seller ?? null, purpose, deadline: new Date(deadline).toISOString() }, now });
      return n;
    })();
  }

  /** What the gate needs, by hashed number. */
  facts(numberHash: string): ConsentFact[] {
    return (this.factsStmt.all(numberHash) as Array<{ seller: string; purpose: string; kind: ConsentKind; given_at: number; revoked_at: number | null }>)
      .map((r) => ({ seller: r.seller, purpose: r.purpose, kind: r.kind, givenAt: r.given_at, revokedAt: r.revoked_at }));
  }

  forNumber(e164: string): ConsentRecord[] {
    return (this.db.prepare('SELECT * FROM consents WHERE number_hash = ? ORDER BY id').all(dncHash(e164)) as Raw[]).map(toRecord);
  }

  list(opts: { limit?: number; offset?: number } = {}): ConsentRecord[] {
    return (this.db.prepare('SELECT * FROM consents ORDER BY id LIMIT ? OFFSET ?').all(opts.limit ?? 100, opts.offset ?? 0) as Raw[]).map(toRecord);
  }
}
