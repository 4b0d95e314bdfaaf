// Issue 14: rules with effective dates. The gate, the preflight and the start check take the rules in
// force at the instant of the call and say which edition (the version stamped on attempts and in the
// audit log); the known changes (France 2026-08-11, US revocation rules 2025-04-11 and "revoke all"
// 2027-01-31) are data with their sources.
import test from 'ava';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { knownChanges, packAt, packSummary, PACKS, revocationDeadline, revocationTerms } from '../../appliance/compliance/packs.ts';
import { startProblems } from '../../appliance/compliance/campaign-start.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { preflight } from '../../appliance/compliance/preflight.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { ConsentRepo } from '../../appliance/store/compliance-consent-repo.ts';
import { DncRepo } from '../../appliance/store/compliance-dnc-repo.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import { startBox, login, printedPassword } from '../http/helpers.ts';
import { complianceRoutes } from '../../appliance/http/routes/compliance.ts';

const Z = Date.parse;
const DAY = 86_400_000;
const LAST_BLOCTEL_SECOND = Z('2026-08-10T21:59:59Z'); // 23:59:59 on Monday 10 August in Paris
const FIRST_CONSENT_INSTANT = Z('2026-08-10T22:00:00Z'); // 00:00 on Tuesday 11 August in Paris
const MON_10_AUG = Z('2026-08-10T09:00:00Z'); // 11:00 in Paris
const TUE_11_AUG = Z('2026-08-11T09:00:00Z');

test('France: the edition changes at midnight in Paris on 2026-08-11', (t) => {
  const before = packAt('fr', LAST_BLOCTEL_SECOND);
  const after = packAt('fr', FIRST_CONSENT_INSTANT);
  t.is(before.version, 'fr-2026.12-1@2023-03-01');
  t.is(after.version, 'fr-2026.12-1@2026-08-11');
  t.deepEqual(before.edition, { from: '2023-03-01', until: '2026-08-11' });
  t.deepEqual(after.edition, { from: '2026-08-11', until: null });
  t.deepEqual(before.registries.map((r) => r.name), ['fr-bloctel']);
  t.deepEqual(after.registries, []);
  t.deepEqual(before.consent.map((r) => r.id), ['fr-l34-5-automated']);
  t.deepEqual(after.consent.map((r) => r.id), ['fr-l34-5-automated', 'fr-l223-1-consent']);
  // D.223-9 hours, days, frequency and cooling-off apply in both regimes.
  for (const p of [before, after]) {
    t.deepEqual(p.windows.map((r) => r.id), ['fr-d223-9-hours']);
    t.deepEqual(p.caps.map((r) => [r.id, r.max, r.periodDays, r.counts]), [['fr-d223-9-4-per-30', 4, 30, 'attempts']]);
    t.deepEqual(p.refusal.map((r) => [r.id, r.days]), [['fr-d223-9-refusal-60', 60]]);
  }
  t.is(packAt('fr', Z('2023-02-28T12:00:00Z')).version, 'fr-2026.12-1@before-2023-03-01');
  t.deepEqual(packAt('fr', Z('2023-02-28T12:00:00Z')).windows, [], 'D.223-9 was not yet in force');
});

test('the known changes of each pack, with the rules they start and end and their sources', (t) => {
  t.deepEqual(knownChanges('fr').map((c) => [c.date, c.starts.map((r) => r.id), c.ends.map((r) => r.id)]), [
    ['2023-03-01', ['fr-d223-9-hours', 'fr-d223-9-4-per-30', 'fr-d223-9-refusal-60'], []],
    ['2026-08-11', ['fr-l223-1-consent'], ['fr-bloctel']],
  ]);
  t.deepEqual(knownChanges('us').map((c) => [c.date, c.starts.map((r) => r.id), c.ends.map((r) => r.id)]), [
    ['2023-07-20', ['us-exempt-3-per-30', 'us-hipaa-1-per-day', 'us-hipaa-3-per-week'], []],
    ['2025-04-11', ['us-revocation-10-business-days'], ['us-revocation-30-days']],
    ['2027-01-31', ['us-revoke-all'], ['us-revocation-10-business-days']],
  ]);
  t.regex(knownChanges('fr')[1]!.starts[0]!.source, /L\.223-1 .*loi 2025-594 art\. 13/);
  t.regex(knownChanges('us')[2]!.starts[0]!.source, /64\.1200\(a\)\(10\).*2027-01-31/);
  // The compliance page: the version in force today and the next known change.
  const today = Z('2026-12-05T10:00:00Z');
  const fr = packSummary('fr', today);
  t.is(fr.version, 'fr-2026.12-1@2026-08-11');
  t.is(fr.previousChange?.date, '2026-08-11');
  t.is(fr.nextChange, null);
  const us = packSummary('us', today);
  t.is(us.version, 'us-2026.12-1@2025-04-11');
  t.like(us.nextChange, { date: '2027-01-31', version: 'us-2026.12-1@2027-01-31' });
  t.is(packSummary('uk', today).version, 'uk-2026.12-1', 'a pack without dated rules has a single edition');
  for (const def of Object.values(PACKS)) {
    for (const list of ['windows', 'caps', 'refusal', 'consent', 'registries', 'restricted', 'revocation'] as const) {
      for (const r of def[list]) t.true(r.source.length > 5, `${def.id} ${list}: a source`);
    }
    for (const reg of def.registries) for (const ex of reg.liftedBy) t.true(ex.source.length > 5, `${reg.name}: each exception names its text`);
  }
});

test('US revocations: 30 days before 2025-04-11, then 10 business days; "revoke all" from 2027-01-31', (t) => {
  const fri = Z('2026-07-03T16:00:00Z'); // Friday 12:00 in New York
  const us = packAt('us', fri);
  t.is(us.revocation?.id, 'us-revocation-10-business-days');
  t.is(new Date(revocationDeadline(us, fri)).toISOString(), '2026-07-17T16:00:00.000Z', 'two working weeks later');
  const old = packAt('us', Z('2025-03-03T16:00:00Z'));
  t.is(old.revocation?.id, 'us-revocation-30-days');
  t.is(revocationDeadline(old, Z('2025-03-03T16:00:00Z')), Z('2025-04-02T16:00:00Z'));
  t.deepEqual(revocationTerms(us, fri, 'marketing'), { deadline: Z('2026-07-17T16:00:00Z'), scope: 'purpose', purpose: 'marketing' });
  const later = Z('2027-02-03T17:00:00Z');
  t.like(revocationTerms(packAt('us', later), later, 'marketing'), { scope: 'seller' });
  t.like(revocationTerms(packAt('fr', fri), fri, 'marketing'), { deadline: fri, scope: 'purpose' });
  t.like(revocationTerms(packAt('fr', fri), fri), { scope: 'seller' }, 'no purpose: every consent to the seller');
});

test('a revocation over the API: narrowed to its purpose today, every purpose of the seller after the revoke-all date', async (t) => {
  let now = Z('2026-07-03T16:00:00Z');
  const b = await startBox({ now: () => now, extraRoutes: [complianceRoutes({ pack: () => 'us' })] });
  t.teardown(() => b.close());
  let admin = await login(b, 'admin', printedPassword(b));
  const record = async (number: string, purpose: string): Promise<void> => {
    const r = await b.app.inject({ method: 'POST', url: '/api/compliance/consents', headers: admin.headers, payload: {
      number, seller: 'Acme', purpose, method: 'recording', kind: 'express', givenAt: '2026-01-05T10:00:00Z', disclosureText: 'Yes, you may call me', disclosureVersion: 'v1', source: 'call 12',
    } });
    t.is(r.statusCode, 201, r.body);
  };
  for (const n of ['+12125550101', '+12125550102']) {
    await record(n, 'marketing');
    await record(n, 'informational');
  }
  const revoke = (number: string) => b.app.inject({ method: 'POST', url: '/api/compliance/consents/revoke', headers: admin.headers, payload: { number, purpose: 'marketing', channel: 'reply STOP' } });
  const first = (await revoke('+12125550101')).json();
  t.deepEqual(first, { revoked: 1, deadline: '2026-07-17T16:00:00.000Z', scope: 'purpose' });
  now = Z('2027-02-03T17:00:00Z');
  admin = await login(b, 'admin', printedPassword(b)); // the session of July has expired
  const second = (await revoke('+12125550102')).json();
  t.deepEqual(second, { revoked: 2, deadline: '2027-02-17T17:00:00.000Z', scope: 'seller' });
  const left = new ConsentRepo(b.db).forNumber('+12125550101').filter((c) => c.revokedAt === null).map((c) => c.purpose);
  t.deepEqual(left, ['informational']);
  t.true(new ConsentRepo(b.db).forNumber('+12125550102').every((c) => c.revokedAt !== null));
  t.like(listAudit(b.db).filter((e) => e.action === 'consent.revoke')[0]!.details, { purpose: 'marketing', deadline: '2026-07-17T16:00:00.000Z' });
});

test('the start check asks for a Bloctel copy only while the law requires the scrub', (t) => {
  const db = memoryStore();
  const { listId } = addList(db, 'l', [{ e164: '+33142000001', zones: ['Europe/Paris'] }]);
  const campaign = addCampaign(db, 'c', listId, { purpose: 'marketing', seller: 'Acme' });
  t.deepEqual(startProblems(db, campaign, 'fr', MON_10_AUG).map((p) => [p.code, p.registry, p.packVersion]), [['registry-missing', 'fr-bloctel', 'fr-2026.12-1@2023-03-01']]);
  t.deepEqual(startProblems(db, campaign, 'fr', TUE_11_AUG), []);
  new DncRepo(db).importRegistry('fr-bloctel', [], { downloadedAt: MON_10_AUG - 31 * DAY, actor: 'staff:ann', now: MON_10_AUG });
  t.deepEqual(startProblems(db, campaign, 'fr', MON_10_AUG).map((p) => p.code), ['registry-stale']);
  t.deepEqual(startProblems(db, campaign, 'fr', TUE_11_AUG), [], 'a stale copy no longer matters either');
  // The US scrub is unchanged by any dated rule.
  t.deepEqual(startProblems(db, campaign, 'us', TUE_11_AUG).map((p) => p.code), ['registry-missing']);
});

test('one campaign across the change: Bloctel blocks and the copy is required on the 10th, not on the 11th; attempts carry the edition', (t) => {
  const db = memoryStore();
  const consent = { date: '2026-03-01', seller: 'Acme', purpose: 'marketing', source: 'shop' };
  const { listId, contactIds } = addList(db, 'l', [
    { e164: '+33142000001', zones: ['Europe/Paris'], consent },
    { e164: '+33142000002', zones: ['Europe/Paris'], consent },
  ]);
  const campaign = addCampaign(db, 'c', listId, { purpose: 'marketing', seller: 'Acme' });
  const gate = createComplianceGate({ db, pack: () => 'fr' });
  const repo = new CampaignsRepo(db);
  const due = (i: number) => ({ contactId: contactIds[i]!, e164: `+3314200000${i + 1}`, zones: ['Europe/Paris'], fields: {}, attempts: 0, retries: {}, nextAt: 0 });
  const dial = (i: number, now: number): string => {
    const id = repo.beginAttempt({ campaignId: campaign.id, contactId: contactIds[i]!, e164: `+3314200000${i + 1}`, trunk: 't1', callerId: '+33162000000', now });
    db.prepare("UPDATE attempts SET state = 'final', outcome = 'human', ended_at = intent_at + 20000 WHERE id = ?").run(id);
    return db.prepare('SELECT pack_version FROM attempts WHERE id = ?').pluck().get(id) as string;
  };
  // Monday 10 August: no copy yet -> held back (not blocked), then a fresh copy listing number 2.
  t.like(gate({ campaign, contact: due(0), now: MON_10_AUG }), { allow: false, reason: 'registry-missing' });
  new DncRepo(db).importRegistry('fr-bloctel', ['+33142000002'], { downloadedAt: MON_10_AUG - DAY, actor: 'staff:ann', now: MON_10_AUG });
  t.deepEqual(gate({ campaign, contact: due(0), now: MON_10_AUG }), { allow: true });
  t.is(dial(0, MON_10_AUG), 'fr-2026.12-1@2023-03-01');
  t.like(gate({ campaign, contact: due(1), now: MON_10_AUG + 1000 }), { allow: false, reason: 'dnc-registry' });
  // Tuesday 11 August: the same consent now suffices; Bloctel no longer governs.
  t.deepEqual(gate({ campaign, contact: due(1), now: TUE_11_AUG }), { allow: true });
  t.is(dial(1, TUE_11_AUG), 'fr-2026.12-1@2026-08-11');
  const gateEntries = listAudit(db).filter((e) => e.actor === 'gate').map((e) => [e.action, e.details.packVersion, e.details.reason ?? null]);
  t.deepEqual(gateEntries, [
    ['gate.allow', 'fr-2026.12-1@2023-03-01', null],
    ['gate.block', 'fr-2026.12-1@2023-03-01', 'dnc-registry'],
    ['gate.allow', 'fr-2026.12-1@2026-08-11', null],
  ]);
  // The preflight names the edition it used.
  const c = repo.get(campaign.id);
  t.is(preflight(db, c, 'fr', { now: MON_10_AUG }).packVersion, 'fr-2026.12-1@2023-03-01');
  t.is(preflight(db, c, 'fr', { now: TUE_11_AUG }).packVersion, 'fr-2026.12-1@2026-08-11');
});

test('consent kinds: the ledger records what each consent is; old records count as express unless written', (t) => {
  const db = memoryStore();
  const consents = new ConsentRepo(db);
  const base = { e164: '+33142000001', seller: 'Acme', purpose: 'marketing', givenAt: Z('2026-01-01T00:00:00Z'), disclosureText: 'x', disclosureVersion: 'v1', source: 'shop' };
  consents.record({ ...base, method: 'written' }, 'staff:ann', TUE_11_AUG);
  consents.record({ ...base, method: 'keypress' }, 'staff:ann', TUE_11_AUG);
  consents.record({ ...base, method: 'import', kind: 'existing-relationship' }, 'staff:ann', TUE_11_AUG);
  t.deepEqual(consents.forNumber('+33142000001').map((c) => [c.method, c.kind]), [['written', 'written'], ['keypress', 'express'], ['import', 'existing-relationship']]);
  t.throws(() => consents.record({ ...base, method: 'form', kind: 'implied' as never }, 'staff:ann', TUE_11_AUG), { message: /"kind": one of written, express, existing-relationship/ });
  t.like(listAudit(db).find((e) => e.action === 'consent.record')!.details, { kind: 'written' });
});
