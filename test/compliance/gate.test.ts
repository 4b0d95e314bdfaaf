import test from 'ava';
import { ActionRunner } from '../../appliance/actions/run.ts';
import { ACTIONS } from '../../appliance/actions/registry.ts';
import { silentLogger } from '../../core/log.ts';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { recordOptOut } from '../../appliance/compliance/opt-out.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { CampaignsRepo, type DueContact } from '../../appliance/store/campaigns-repo.ts';
import { ConsentRepo } from '../../appliance/store/compliance-consent-repo.ts';
import { DncRepo } from '../../appliance/store/compliance-dnc-repo.ts';
import { OutboxRepo } from '../../appliance/store/outbox-repo.ts';
import { verifyAudit, listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import type { PackId } from '../../appliance/compliance/packs.ts';

const PARIS_WED_11 = Date.parse('2026-06-03T09:00:00Z');
const due = (contactId: number, e164: string, zones: string[]): DueContact => ({ contactId, e164, zones, fields: {}, attempts: 0, retries: {}, nextAt: 0 });

function setup(pack: PackId | null = 'fr', config: Record<string, unknown> = {}) {
  const db = memoryStore();
  const { listId, contactIds } = addList(db, 'l', [
    { e164: '+33142000001', zones: ['Europe/Paris'] },
    { e164: '+33612000002', lineType: 'mobile', zones: ['Europe/Paris'] },
    { e164: '+12125550123', zones: ['America/Los_Angeles'], tzSource: 'column' },
    { e164: '+33142000004', zones: ['Europe/Paris'], consent: { date: '2026-01-15', seller: 'Acme', purpose: 'marketing', source: 'web form' } },
  ]);
  const campaign = addCampaign(db, 'c1', listId, config);
  const gate = createComplianceGate({ db, pack: () => pack });
  return { db, listId, contactIds, campaign, gate };
}

test('an allowed call is audited and its attempt carries the pack version', (t) => {
  const { db, contactIds, campaign, gate } = setup();
  const v = gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 });
  t.deepEqual(v, { allow: true });
  const id = new CampaignsRepo(db).beginAttempt({ campaignId: campaign.id, contactId: contactIds[0]!, e164: '+33142000001', trunk: 't1', callerId: '+33162000000', now: PARIS_WED_11 });
  t.regex(db.prepare('SELECT pack_version FROM attempts WHERE id = ?').pluck().get(id) as string, /^fr-/);
  const [entry] = listAudit(db);
  t.is(entry!.action, 'gate.allow');
  t.is(entry!.details.numberHash, dncHash('+33142000001'));
  t.false(JSON.stringify(listAudit(db)).includes('33142000001'), 'no number in clear in the audit log');
});

test('outside the French window the call waits for the next opening (not blocked)', (t) => {
  const { contactIds, campaign, gate } = setup();
  const v = gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: Date.parse('2026-06-06T09:00:00Z') });
  t.is(v.allow, false);
  t.is(v.reason, 'outside-legal-window');
  t.is(new Date(v.retryAt!).toISOString(), '2026-06-08T08:00:00.000Z');
});

test("the contact's time-zone column overrides the number (NY number, Los Angeles zone)", (t) => {
  const { contactIds, campaign, gate } = setup('us');
  const c = due(contactIds[2]!, '+12125550123', ['America/Los_Angeles']);
  const early = gate({ campaign, contact: c, now: Date.parse('2026-07-01T13:00:00Z') });
  t.is(early.reason, 'outside-legal-window');
  t.is(new Date(early.retryAt!).toISOString(), '2026-07-01T15:00:00.000Z');
  t.true(gate({ campaign, contact: c, now: Date.parse('2026-07-01T16:00:00Z') }).allow);
});

test('France: the fifth attempt in 30 days across campaigns waits; trunk failures do not count', (t) => {
  const { db, contactIds, campaign, gate } = setup();
  const repo = new CampaignsRepo(db);
  const other = addCampaign(db, 'c0', campaign.listId);
  const day = 86_400_000;
  for (let i = 0; i < 5; i++) {
    const id = repo.beginAttempt({ campaignId: other.id, contactId: contactIds[0]!, e164: '+33142000001', trunk: 't1', callerId: '+33162000000', now: PARIS_WED_11 - (20 - i) * day });
    const outcome = i === 4 ? 'trunk-failure' : 'no-answer';
    db.prepare("UPDATE attempts SET state = 'final', outcome = ?, ended_at = intent_at + 30000 WHERE id = ?").run(outcome, id);
  }
  const v = gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 });
  t.is(v.reason, 'frequency-cap');
  // The oldest counted attempt leaves the 30 days on Saturday 13 June: the next lawful time is Monday 10:00.
  t.is(new Date(v.retryAt!).toISOString(), '2026-06-15T08:00:00.000Z');
});

test('France: a refusal holds the number for 60 days', (t) => {
  const { db, contactIds, campaign, gate } = setup();
  const id = new CampaignsRepo(db).beginAttempt({ campaignId: campaign.id, contactId: contactIds[0]!, e164: '+33142000001', trunk: 't1', callerId: '+33162000000', now: PARIS_WED_11 - 86_400_000 });
  db.prepare("UPDATE attempts SET state = 'final', outcome = 'declined', ended_at = intent_at + 5000 WHERE id = ?").run(id);
  const v = gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 });
  t.is(v.reason, 'refusal-cooldown');
  t.true(v.retryAt! >= PARIS_WED_11 + 59 * 86_400_000);
});

test('marketing: consent ledger for this seller allows, a revocation blocks; imported consent columns count', (t) => {
  const { db, contactIds, campaign, gate } = setup('fr', { purpose: 'marketing', seller: 'Acme' });
  // June 2026: the Bloctel scrub is still the law; a fresh copy (without these numbers) is there.
  new DncRepo(db).importRegistry('fr-bloctel', [], { downloadedAt: PARIS_WED_11 - 86_400_000, actor: 'staff:ann', now: PARIS_WED_11 });
  const c1 = due(contactIds[0]!, '+33142000001', ['Europe/Paris']);
  t.is(gate({ campaign, contact: c1, now: PARIS_WED_11 }).reason, 'no-consent');
  const consents = new ConsentRepo(db);
  consents.record({ e164: '+33142000001', seller: 'Other', purpose: 'marketing', method: 'form', givenAt: Date.parse('2026-02-01T00:00:00Z'), disclosureText: 'I agree', disclosureVersion: 'v1', source: 'https://other.example/form' }, 'staff:ann', PARIS_WED_11);
  t.is(gate({ campaign, contact: c1, now: PARIS_WED_11 }).reason, 'no-consent', 'a consent to another seller does not count');
  consents.record({ e164: '+33142000001', seller: 'Acme', purpose: 'marketing', method: 'keypress', givenAt: Date.parse('2026-02-01T00:00:00Z'), disclosureText: 'Press 1 to agree to calls from Acme', disclosureVersion: 'v3', source: 'campaign 7' }, 'staff:ann', PARIS_WED_11);
  t.true(gate({ campaign, contact: c1, now: PARIS_WED_11 }).allow);
  t.is(consents.revoke({ e164: '+33142000001', seller: 'acme', channel: 'phone', deadlineDays: 14 }, 'staff:ann', PARIS_WED_11 + 1000), 1);
  t.is(gate({ campaign, contact: c1, now: PARIS_WED_11 + 2000 }).reason, 'consent-revoked');
  t.is(consents.forNumber('+33142000001')[1]!.revocationDeadline, PARIS_WED_11 + 1000 + 14 * 86_400_000);
  t.true(gate({ campaign, contact: due(contactIds[3]!, '+33142000004', ['Europe/Paris']), now: PARIS_WED_11 }).allow, 'consent columns of the import');
});

test('keypress opt-out: suppressed at once across campaigns, optout event with the hash only, audited', (t) => {
  const { db, listId, contactIds, campaign, gate } = setup();
  const r = recordOptOut(db, { e164: '+33612000002', campaignId: campaign.id, channel: 'keypress', digit: '2', now: PARIS_WED_11 });
  t.true(r.added);
  const events = new OutboxRepo(db).pending(10).filter((e) => e.type === 'optout');
  t.is(events.length, 1);
  t.is(events[0]!.payload.numberHash, dncHash('+33612000002'));
  t.false(JSON.stringify(events[0]!.payload).includes('612000002'));
  const second = addCampaign(db, 'c2', listId, { purpose: 'emergency' });
  t.is(gate({ campaign: second, contact: due(contactIds[1]!, '+33612000002', ['Europe/Paris']), now: PARIS_WED_11 }).reason, 'dnc-internal');
  t.false(recordOptOut(db, { e164: '+33612000002', channel: 'staff', now: PARIS_WED_11 }).added, 'idempotent');
  t.is(new OutboxRepo(db).pending(10).filter((e) => e.type === 'optout').length, 1);
  t.true(verifyAudit(db).ok);
});

test('a suppression survives erasure of the contact; removal needs a reason and is audited', (t) => {
  const { db, contactIds, campaign, gate } = setup();
  const dnc = new DncRepo(db);
  recordOptOut(db, { e164: '+33142000001', channel: 'staff', actor: 'staff:ann', now: PARIS_WED_11 });
  db.prepare('DELETE FROM contacts WHERE id = ?').run(contactIds[0]!);
  t.is(gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 }).reason, 'dnc-internal');
  t.throws(() => dnc.remove('+33142000001', '  ', 'staff:ann'), { message: /needs a reason/ });
  // Staff remove through the dnc.remove action, which writes the audit entry with the actor.
  const actions = new ActionRunner({ db, now: () => PARIS_WED_11, logger: silentLogger(), country: () => 'FR' }, ACTIONS);
  t.like(actions.runSync({ door: 'http', user: 'ann', role: 'admin' }, 'dnc.remove', { number: '+33142000001', reason: 'entered by mistake (ticket 42)' }), { removed: true });
  t.true(gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 }).allow);
  t.deepEqual(db.prepare('SELECT action FROM suppression_history ORDER BY id').pluck().all(), ['add', 'remove']);
  t.true(listAudit(db).some((e) => e.action === 'dnc.remove' && e.actor === 'staff:ann' && e.details.reason === 'entered by mistake (ticket 42)'));
});

test('a fleet opt-out carrying only the hash applies on this box', (t) => {
  const { contactIds, campaign, gate, db } = setup();
  recordOptOut(db, { numberHash: dncHash('+33142000001'), channel: 'fleet', now: PARIS_WED_11 });
  t.is(gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 }).reason, 'dnc-internal');
});

test('no pack chosen: calls are held back, not blocked for good', (t) => {
  const { contactIds, campaign, gate } = setup(null);
  const v = gate({ campaign, contact: due(contactIds[0]!, '+33142000001', ['Europe/Paris']), now: PARIS_WED_11 });
  t.is(v.reason, 'no-compliance-pack');
  t.true(v.retryAt! > PARIS_WED_11);
});
