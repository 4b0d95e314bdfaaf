import test from 'ava';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { formatPreflight, preflight } from '../../appliance/compliance/preflight.ts';
import { recordOptOut } from '../../appliance/compliance/opt-out.ts';
import { seedList } from '../../bench/preflight-lib.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';

const NOW = Date.parse('2026-06-03T09:00:00Z'); // Wednesday 11:00 in Paris, 05:00 in New York

test('preflight counts callable contacts now and later, and blocked ones by reason', (t) => {
  const db = memoryStore();
  const { listId } = addList(db, 'l', [
    { e164: '+33142000001', zones: ['Europe/Paris'] },
    { e164: '+33142000002', zones: ['Europe/Paris'] },
    { e164: '+12125550123', zones: ['America/New_York'] },
    { e164: '+33115', zones: ['Europe/Paris'] },
  ]);
  const c = addCampaign(db, 'c', listId, { purpose: 'informational' });
  recordOptOut(db, { e164: '+33142000002', channel: 'staff', now: NOW });
  const r = preflight(db, c, 'fr', { now: NOW });
  t.like(r, { contacts: 4, callable: 2, callableNow: 1, deferred: { 'outside-legal-window': 1 }, blocked: { 'dnc-internal': 1, 'restricted-number': 1 }, pack: 'fr', startProblems: [] });
  t.regex(formatPreflight(r), /would be called: 2 \(1 now, 1 later\)/);
  const none = preflight(db, c, null, { now: NOW });
  t.like(none, { callable: 0, blocked: { 'no-compliance-pack': 4 } });
  t.is(none.startProblems[0]!.code, 'no-compliance-pack');
});

test('preflight of 10,000 contacts under the French marketing rules', (t) => {
  const db = memoryStore();
  const listId = seedList(db, 'big', 10_000, NOW);
  const c = new CampaignsRepo(db).get(addCampaign(db, 'big', listId, { purpose: 'marketing', seller: 'Acme' }).id);
  const r = preflight(db, c, 'fr', { now: NOW });
  t.is(r.contacts, 10_000);
  t.is(r.callable + Object.values(r.blocked).reduce((a, b) => a + b, 0), 10_000);
  t.is(r.blocked['dnc-internal'], 500);
  t.true(r.blocked['no-consent']! > 0 && r.deferred['frequency-cap']! > 0 && r.deferred['refusal-cooldown']! > 0);
  // Its speed is bench/preflight.ts's business (measured against a baseline there), not a test's.
  t.log(`10,000 contacts in ${r.durationMs} ms`);
});
