// Issue 14, must-show 1: for each pack, registry x kind of consent x seller/purpose x revocation x the
// box's own do-not-call list x date before/after a dated change -> verdict, reason and the exception that
// applied. Every row is worked out by hand from the texts cited in appliance/compliance/SOURCES.md.
import test from 'ava';
import { evaluate, allowReason, type ConsentFact, type EvaluateInput, type ReasonCode } from '../../appliance/compliance/evaluate.ts';
import { PACKS, type ConsentKind, type PackId } from '../../appliance/compliance/packs.ts';
import type { Purpose } from '../../appliance/campaigns/model.ts';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { ConsentRepo } from '../../appliance/store/compliance-consent-repo.ts';
import { DncRepo } from '../../appliance/store/compliance-dnc-repo.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';

const Z = Date.parse;
const SELLER = 'Acme';

/** Where each pack's call lands inside its calling window, on a working day. */
const NUMBERS: Record<PackId, { e164: string; zones: string[] }> = {
  us: { e164: '+12125550123', zones: ['America/New_York'] },
  ca: { e164: '+14165550123', zones: ['America/Toronto'] },
  fr: { e164: '+33142000000', zones: ['Europe/Paris'] },
  uk: { e164: '+442071234567', zones: ['Europe/London'] },
  none: { e164: '+33142000000', zones: ['Europe/Paris'] },
};
const REGISTRY: Record<PackId, string> = { us: 'us-national-dnc', ca: 'ca-dncl', fr: 'fr-bloctel', uk: 'uk-tps', none: '' };

const US_2026 = Z('2026-07-01T16:00:00Z'); // Wednesday 12:00 in New York
const US_2027 = Z('2027-02-03T17:00:00Z'); // Wednesday 12:00 in New York, after the "revoke all" date
const CA_2026 = Z('2026-07-02T15:00:00Z'); // Thursday 11:00 in Toronto
const UK_2026 = Z('2026-07-01T10:00:00Z'); // Wednesday 11:00 in London
const FR_BEFORE = Z('2026-06-03T09:00:00Z'); // Wednesday 11:00 in Paris, Bloctel regime
const FR_AFTER = Z('2026-09-02T09:00:00Z'); // Wednesday 11:00 in Paris, consent regime (loi 2025-594)

interface Rec {
  kind: ConsentKind;
  /** Default: the campaign's seller. */
  seller?: string;
  /** Default: marketing. */
  purpose?: string;
  given?: string;
  revoked?: string;
}

interface Row {
  pack: PackId;
  at: number;
  name: string;
  purpose?: Purpose;
  registry?: boolean;
  records?: Rec[];
  ownDnc?: boolean;
  allow: boolean;
  reason?: ReasonCode;
  rule?: string;
  /** "allowed: … lifts …" when an exception let the call through. */
  via?: string;
}

const rows: Row[] = [
  // United States: PEWC (written) lifts the National DNC Registry for this seller (64.1200(c)(2)(ii)); an
  // established business relationship lifts the registry but not the PEWC rule for prerecorded marketing.
  { pack: 'us', at: US_2026, name: 'not on the registry, written consent', records: [{ kind: 'written' }], allow: true },
  { pack: 'us', at: US_2026, name: 'on the registry, no record', registry: true, allow: false, reason: 'dnc-registry', rule: 'us-national-dnc' },
  { pack: 'us', at: US_2026, name: 'on the registry, written consent to this seller', registry: true, records: [{ kind: 'written' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, written consent for any purpose', registry: true, records: [{ kind: 'written', purpose: 'any' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, express (not written) consent', registry: true, records: [{ kind: 'express' }], allow: false, reason: 'dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, written consent to another seller', registry: true, records: [{ kind: 'written', seller: 'Other Co' }], allow: false, reason: 'dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, written consent for informational calls only', registry: true, records: [{ kind: 'written', purpose: 'informational' }], allow: false, reason: 'dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, written consent revoked', registry: true, records: [{ kind: 'written', revoked: '2026-06-01' }], allow: false, reason: 'dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, existing relationship only: registry lifted, PEWC still missing', registry: true, records: [{ kind: 'existing-relationship', given: '2026-03-01' }], allow: false, reason: 'no-consent', rule: 'us-pewc-marketing' },
  { pack: 'us', at: US_2026, name: 'on the registry, existing relationship older than 18 months', registry: true, records: [{ kind: 'existing-relationship', given: '2024-06-01' }], allow: false, reason: 'dnc-registry' },
  { pack: 'us', at: US_2026, name: 'on the registry, existing relationship voided by a later revocation', registry: true, records: [{ kind: 'existing-relationship', given: '2026-03-01' }, { kind: 'written', given: '2026-01-01', revoked: '2026-05-01' }], allow: false, reason: 'dnc-registry' },
  { pack: 'us', at: US_2026, name: 'written consent, but on the box\'s own list', registry: true, records: [{ kind: 'written' }], ownDnc: true, allow: false, reason: 'dnc-internal' },
  { pack: 'us', at: US_2026, name: 'not on the registry, express consent: PEWC missing', records: [{ kind: 'express' }], allow: false, reason: 'no-consent' },
  { pack: 'us', at: US_2026, name: 'informational landline call on the registry (it governs marketing only)', purpose: 'informational', registry: true, allow: true },
  { pack: 'us', at: US_2027, name: 'after the revoke-all date: the registry rules are unchanged', registry: true, records: [{ kind: 'written' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  // Canada: express consent (oral or written) lifts the National DNCL; an existing business relationship
  // lifts the DNCL but ADAD solicitation still needs express consent.
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, no record', registry: true, allow: false, reason: 'dnc-registry', rule: 'ca-dncl' },
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, express consent to this caller', registry: true, records: [{ kind: 'express' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, written consent', registry: true, records: [{ kind: 'written' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, existing relationship only', registry: true, records: [{ kind: 'existing-relationship', given: '2026-02-01' }], allow: false, reason: 'no-consent', rule: 'ca-adad-solicitation' },
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, existing relationship and express consent', registry: true, records: [{ kind: 'existing-relationship', given: '2026-02-01' }, { kind: 'express' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, express consent to another caller', registry: true, records: [{ kind: 'express', seller: 'Other Co' }], allow: false, reason: 'dnc-registry' },
  { pack: 'ca', at: CA_2026, name: 'on the DNCL, express consent revoked', registry: true, records: [{ kind: 'express', revoked: '2026-06-01' }], allow: false, reason: 'dnc-registry' },
  { pack: 'ca', at: CA_2026, name: 'express consent, on the box\'s own list', registry: true, records: [{ kind: 'express' }], ownDnc: true, allow: false, reason: 'dnc-internal' },
  { pack: 'ca', at: CA_2026, name: 'not on the DNCL, consent for another purpose', records: [{ kind: 'express', purpose: 'informational' }], allow: false, reason: 'no-consent' },
  { pack: 'ca', at: CA_2026, name: 'not on the DNCL, consent revoked', records: [{ kind: 'express', revoked: '2026-06-01' }], allow: false, reason: 'consent-revoked' },
  // United Kingdom: consent to this caller lifts the TPS (PECR reg 21(4)) and satisfies reg 19.
  { pack: 'uk', at: UK_2026, name: 'on the TPS, no record', registry: true, allow: false, reason: 'dnc-registry', rule: 'uk-tps' },
  { pack: 'uk', at: UK_2026, name: 'on the TPS, consent to this caller\'s automated calls', registry: true, records: [{ kind: 'express' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'uk', at: UK_2026, name: 'on the TPS, written consent', registry: true, records: [{ kind: 'written' }], allow: true, via: 'allowed: consent lifts dnc-registry' },
  { pack: 'uk', at: UK_2026, name: 'on the TPS, existing customer without consent (not an exception under PECR)', registry: true, records: [{ kind: 'existing-relationship', given: '2026-02-01' }], allow: false, reason: 'dnc-registry' },
  { pack: 'uk', at: UK_2026, name: 'on the TPS, consent to another caller', registry: true, records: [{ kind: 'express', seller: 'Other Co' }], allow: false, reason: 'dnc-registry' },
  { pack: 'uk', at: UK_2026, name: 'on the TPS, consent withdrawn', registry: true, records: [{ kind: 'express', revoked: '2026-06-01' }], allow: false, reason: 'dnc-registry' },
  { pack: 'uk', at: UK_2026, name: 'consent, but on the box\'s own list', registry: true, records: [{ kind: 'express' }], ownDnc: true, allow: false, reason: 'dnc-internal' },
  { pack: 'uk', at: UK_2026, name: 'political call with consent, on the TPS (it governs marketing only)', purpose: 'political', registry: true, records: [{ kind: 'express', purpose: 'political' }], allow: true },
  // France before 2026-08-11: Bloctel blocks even with consent; only a contract in progress lifts it,
  // and CPCE L.34-5 still asks consent for automated calls.
  { pack: 'fr', at: FR_BEFORE, name: 'before: on Bloctel, no record', registry: true, allow: false, reason: 'dnc-registry', rule: 'fr-bloctel' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: on Bloctel, express consent', registry: true, records: [{ kind: 'express' }], allow: false, reason: 'dnc-registry', rule: 'fr-bloctel' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: on Bloctel, written consent', registry: true, records: [{ kind: 'written' }], allow: false, reason: 'dnc-registry' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: on Bloctel, contract in progress only', registry: true, records: [{ kind: 'existing-relationship', given: '2025-09-01' }], allow: false, reason: 'no-consent', rule: 'fr-l34-5-automated' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: on Bloctel, contract in progress and consent', registry: true, records: [{ kind: 'existing-relationship', given: '2025-09-01' }, { kind: 'express' }], allow: true, via: 'allowed: existing-relationship lifts dnc-registry' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: contract voided by a later revocation', registry: true, records: [{ kind: 'existing-relationship', given: '2025-09-01' }, { kind: 'express', revoked: '2026-05-01' }, { kind: 'express', seller: 'Other Co' }], allow: false, reason: 'dnc-registry' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: not on Bloctel, express consent', records: [{ kind: 'express' }], allow: true },
  { pack: 'fr', at: FR_BEFORE, name: 'before: not on Bloctel, consent to another seller', records: [{ kind: 'express', seller: 'Other Co' }], allow: false, reason: 'no-consent' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: not on Bloctel, consent revoked', records: [{ kind: 'express', revoked: '2026-05-01' }], allow: false, reason: 'consent-revoked' },
  { pack: 'fr', at: FR_BEFORE, name: 'before: everything in order, but on the box\'s own list', registry: true, records: [{ kind: 'existing-relationship', given: '2025-09-01' }, { kind: 'express' }], ownDnc: true, allow: false, reason: 'dnc-internal' },
  // France from 2026-08-11: consent required (L.223-1 as rewritten by loi 2025-594); Bloctel no longer governs.
  { pack: 'fr', at: FR_AFTER, name: 'after: on Bloctel, no record', registry: true, allow: false, reason: 'no-consent', rule: 'fr-l34-5-automated' },
  { pack: 'fr', at: FR_AFTER, name: 'after: on Bloctel, express consent', registry: true, records: [{ kind: 'express' }], allow: true },
  { pack: 'fr', at: FR_AFTER, name: 'after: on Bloctel, written consent', registry: true, records: [{ kind: 'written' }], allow: true },
  { pack: 'fr', at: FR_AFTER, name: 'after: contract in progress only (automated calls still need consent, L.34-5)', registry: true, records: [{ kind: 'existing-relationship', given: '2025-09-01' }], allow: false, reason: 'no-consent', rule: 'fr-l34-5-automated' },
  { pack: 'fr', at: FR_AFTER, name: 'after: consent for another purpose', records: [{ kind: 'express', purpose: 'informational' }], allow: false, reason: 'no-consent' },
  { pack: 'fr', at: FR_AFTER, name: 'after: consent to another seller', records: [{ kind: 'express', seller: 'Other Co' }], allow: false, reason: 'no-consent' },
  { pack: 'fr', at: FR_AFTER, name: 'after: consent revoked', records: [{ kind: 'express', revoked: '2026-08-20' }], allow: false, reason: 'consent-revoked' },
  { pack: 'fr', at: FR_AFTER, name: 'after: consent, but on the box\'s own list', records: [{ kind: 'express' }], ownDnc: true, allow: false, reason: 'dnc-internal' },
  { pack: 'fr', at: FR_AFTER, name: 'after: informational call on Bloctel, no consent needed', purpose: 'informational', registry: true, allow: true },
  // The explicit "none" pack: only the box's own list.
  { pack: 'none', at: FR_AFTER, name: 'none: no consent, no registry rule', allow: true },
  { pack: 'none', at: FR_AFTER, name: 'none: the box\'s own list still holds', ownDnc: true, allow: false, reason: 'dnc-internal' },
];

function facts(records: Rec[] = []): ConsentFact[] {
  return records.map((r) => ({
    seller: r.seller ?? SELLER, purpose: r.purpose ?? 'marketing', kind: r.kind,
    givenAt: Z(`${r.given ?? '2026-01-10'}T00:00:00Z`), revokedAt: r.revoked ? Z(`${r.revoked}T00:00:00Z`) : null,
  }));
}

function input(row: Row): EvaluateInput {
  const n = NUMBERS[row.pack];
  return {
    e164: n.e164, zones: n.zones, purpose: row.purpose ?? 'marketing', lineType: 'fixed', seller: SELLER, consent: facts(row.records),
    history: { attempts: [], refusalAt: null }, dnc: { internal: row.ownDnc ?? false, registries: row.registry ? [REGISTRY[row.pack]] : [] }, now: row.at,
  };
}

for (const row of rows) {
  test(`${row.pack}: ${row.name}`, (t) => {
    const v = evaluate(PACKS[row.pack], input(row));
    t.is(v.allow, row.allow, JSON.stringify(v));
    t.is(v.reason, row.reason);
    if (row.rule) t.is(v.rule, row.rule);
    t.is(v.exceptions ? allowReason(v.exceptions) : undefined, row.via);
    t.is(v.retryAt, undefined, 'every row is inside the window: a verdict for good');
  });
}

test('the exception names the registry, the kind of record and the text that admits it', (t) => {
  const us = evaluate(PACKS.us, input(rows[2]!));
  t.deepEqual(us.exceptions, [{ lifts: 'dnc-registry', rule: 'us-national-dnc', kind: 'written', source: '47 CFR 64.1200(c)(2)(ii)' }]);
  const fr = evaluate(PACKS.fr, input(rows.find((r) => r.name.startsWith('before: on Bloctel, contract in progress and consent'))!));
  t.like(fr.exceptions?.[0], { lifts: 'dnc-registry', rule: 'fr-bloctel', kind: 'existing-relationship' });
  t.regex(fr.exceptions![0]!.source, /L\.223-1 al\. 2 \(version before 2026-08-11\)/);
});

test('the gate writes the exception that applied in the audit log, and a block names the registry', (t) => {
  const db = memoryStore();
  const { listId, contactIds } = addList(db, 'l', [{ e164: '+12125550123', zones: ['America/New_York'] }, { e164: '+12125550124', zones: ['America/New_York'] }]);
  const campaign = addCampaign(db, 'c', listId, { purpose: 'marketing', seller: SELLER, callerId: '+12125550100' });
  const dnc = new DncRepo(db);
  dnc.importRegistry('us-national-dnc', ['+12125550123', '+12125550124'], { downloadedAt: US_2026 - 86_400_000, actor: 'staff:ann', now: US_2026 });
  const consents = new ConsentRepo(db);
  const base = { seller: SELLER, purpose: 'marketing', givenAt: Z('2026-01-10T00:00:00Z'), disclosureText: 'I agree to prerecorded calls from Acme at this number', disclosureVersion: 'v1', source: 'https://acme.example/sign' };
  consents.record({ ...base, e164: '+12125550123', method: 'form', kind: 'written' }, 'staff:ann', US_2026);
  consents.record({ ...base, e164: '+12125550124', method: 'keypress' }, 'staff:ann', US_2026); // express: does not lift the registry
  const gate = createComplianceGate({ db, pack: () => 'us' });
  const due = (i: number, e164: string) => ({ contactId: contactIds[i]!, e164, zones: ['America/New_York'], fields: {}, attempts: 0, retries: {}, nextAt: 0 });
  t.deepEqual(gate({ campaign, contact: due(0, '+12125550123'), now: US_2026 }), { allow: true });
  t.like(gate({ campaign, contact: due(1, '+12125550124'), now: US_2026 }), { allow: false, reason: 'dnc-registry' });
  const entries = listAudit(db).filter((e) => e.actor === 'gate');
  t.like(entries[0]!.details, { reason: 'allowed: consent lifts dnc-registry', packVersion: 'us-2026.12-1@2025-04-11', exceptions: [{ lifts: 'dnc-registry', rule: 'us-national-dnc', kind: 'written' }] });
  t.is(entries[0]!.action, 'gate.allow');
  t.like(entries[1]!.details, { reason: 'dnc-registry', rule: 'us-national-dnc', packVersion: 'us-2026.12-1@2025-04-11' });
});
