// Reads what evaluate() needs about one number from SQLite, through prepared statements and indexes:
// suppression and registry entries, consents (ledger + the list's consent columns), the attempt
// history of the number across campaigns for caps and refusals.
import type { Db } from '../store/db.ts';
import type { Purpose } from '../campaigns/model.ts';
import { DncRepo } from '../store/compliance-dnc-repo.ts';
import { ConsentRepo } from '../store/compliance-consent-repo.ts';
import { dncHash } from './number-hash.ts';
import type { ConsentFact, EvaluateInput } from './evaluate.ts';
import type { ConsentKind, LineType, RulePack } from './packs.ts';

const DAY = 86_400_000;
/** Outcomes of an answered call (a person or a machine picked up). */
const CONNECTED = ['human', 'machine-message-left', 'machine-no-message', 'confirmed', 'opted-out'];
const LINE_TYPES: LineType[] = ['mobile', 'fixed', 'voip', 'unknown'];

export interface ContactFacts {
  lineType: string | null;
  /** The consent columns of the imported list, as JSON text ({date, source, seller, purpose}). */
  consent: string | null;
}

/**
 * Consent columns of an import: proof only when they carry a readable date. A column cannot show a
 * signature, so it counts as an express consent unless it says it is something else (`kind`); a written
 * consent (the US "prior express written consent") belongs in the consent ledger.
 */
export function importedConsent(json: string | null): ConsentFact[] {
  if (!json) return [];
  try {
    const c = JSON.parse(json) as { date?: unknown; seller?: unknown; purpose?: unknown; kind?: unknown };
    if (typeof c.date !== 'string') return [];
    const givenAt = Date.parse(c.date.length === 10 ? `${c.date}T00:00:00Z` : c.date);
    if (!Number.isFinite(givenAt)) return [];
    const kind: ConsentKind = c.kind === 'existing-relationship' ? 'existing-relationship' : 'express';
    return [{ seller: typeof c.seller === 'string' ? c.seller : null, purpose: typeof c.purpose === 'string' ? c.purpose : null, kind, givenAt, revokedAt: null }];
  } catch {
    return [];
  }
}

export class FactsReader {
  private readonly dnc: DncRepo;
  private readonly consents: ConsentRepo;
  private readonly contactStmt;
  private readonly attemptsStmt;
  private readonly refusalStmt;
  private readonly connectedStmt;

  constructor(db: Db) {
    this.dnc = new DncRepo(db);
    this.consents = new ConsentRepo(db);
    this.contactStmt = db.prepare('SELECT line_type AS lineType, consent FROM contacts WHERE id = ?');
    // Trunk failures never reached the callee and blocked attempts were never dialled: they do not count.
    this.attemptsStmt = db.prepare("SELECT intent_at FROM attempts WHERE e164 = ? AND intent_at > ? AND (outcome IS NULL OR outcome NOT IN ('trunk-failure', 'blocked-by-compliance'))").pluck();
    this.connectedStmt = db.prepare(`SELECT intent_at FROM attempts WHERE e164 = ? AND intent_at > ? AND outcome IN (${CONNECTED.map((o) => `'${o}'`).join(', ')})`).pluck();
    this.refusalStmt = db.prepare("SELECT MAX(COALESCE(ended_at, intent_at)) FROM attempts WHERE e164 = ? AND intent_at > ? AND outcome IN ('declined', 'opted-out')").pluck();
  }

  contact(contactId: number): ContactFacts {
    return (this.contactStmt.get(contactId) as ContactFacts | undefined) ?? { lineType: null, consent: null };
  }

  /** evaluate() input for one call; `contact` comes from the contacts table (or is empty after an erasure). */
  input(pack: RulePack, c: { e164: string; zones: readonly string[]; purpose: Purpose; seller: string; contact: ContactFacts; now: number }): EvaluateInput {
    const h = dncHash(c.e164);
    const capDays = pack.caps.reduce((m, r) => Math.max(m, r.periodDays), 0);
    const refusalDays = pack.refusal.reduce((m, r) => Math.max(m, r.days), 0);
    const lineType = LINE_TYPES.includes(c.contact.lineType as LineType) ? (c.contact.lineType as LineType) : 'unknown';
    return {
      e164: c.e164,
      purpose: c.purpose,
      lineType,
      zones: c.zones,
      seller: c.seller,
      consent: [...this.consents.facts(h), ...importedConsent(c.contact.consent)],
      history: {
        attempts: capDays > 0 ? (this.attemptsStmt.all(c.e164, c.now - capDays * DAY) as number[]) : [],
        ...(pack.caps.some((r) => r.counts === 'connected') ? { connected: this.connectedStmt.all(c.e164, c.now - capDays * DAY) as number[] } : {}),
        refusalAt: refusalDays > 0 ? ((this.refusalStmt.get(c.e164, c.now - refusalDays * DAY) as number | null) ?? null) : null,
      },
      dnc: { internal: this.dnc.isSuppressed(h), registries: pack.registries.length > 0 ? this.dnc.registriesOf(h) : [] },
      now: c.now,
    };
  }
}
