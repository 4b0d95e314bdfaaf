// Issue 14, must-show 2, on a whole box with the sandbox trunk: a French marketing campaign whose
// contacts consented starts and calls today without any Bloctel copy (L.223-1 as rewritten by loi
// 2025-594, in force 2026-08-11); the same campaign at an instant before 2026-08-11 is refused until a
// fresh copy is imported, and then Bloctel blocks a listed number even though it consented.
import test from 'ava';
import { addList } from './fixtures.ts';
import { clockFrom, createCampaign, frenchBox, recordConsent, until, uploadMessage } from './box-helpers.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';

const TODAY = Date.parse('2026-12-04T10:00:00Z'); // Friday 4 December 2026, 11:00 in Paris (this week)
const BEFORE = Date.parse('2026-08-05T09:00:00Z'); // Wednesday 5 August 2026, 11:00 in Paris
const CONSENTED = ['+33143001001', '+33143001002', '+33143001003'];
const NO_CONSENT = '+33143001004';

async function setUp(t: Parameters<typeof frenchBox>[0], start: number) {
  const box = await frenchBox(t, clockFrom(start));
  t.teardown(() => box.stop());
  const { listId } = addList(box.app.db, 'prospects', [...CONSENTED, NO_CONSENT].map((e164) => ({ e164, zones: ['Europe/Paris'] })));
  for (const n of CONSENTED) await recordConsent(t, box.api, n, 'Boutique');
  const message = await uploadMessage(t, box.api);
  const id = await createCampaign(t, box.api, 'Offre', listId, { purpose: 'marketing', seller: 'Boutique', message });
  return { box, id };
}

const finals = (box: Awaited<ReturnType<typeof frenchBox>>, id: number) =>
  box.app.db.prepare("SELECT e164, pack_version AS packVersion, outcome FROM attempts WHERE campaign_id = ? AND state = 'final' ORDER BY e164").all(id) as Array<{ e164: string; packVersion: string; outcome: string }>;

test('today: a French marketing campaign with consents starts and calls without any Bloctel copy', async (t) => {
  t.timeout(120_000);
  const { box, id } = await setUp(t, TODAY);
  const pre = await box.api.get<{ packVersion: string; callable: number; blocked: Record<string, number>; startProblems: Array<{ code: string; blocking: boolean }> }>(`/api/compliance/campaigns/${id}/preflight`);
  t.is(pre.status, 200, pre.text);
  t.is(pre.body.packVersion, 'fr-2026.12-1@2026-08-11');
  t.like(pre.body, { callable: 3, blocked: { 'no-consent': 1 } });
  t.false(pre.body.startProblems.some((p) => p.code.startsWith('registry-')), JSON.stringify(pre.body.startProblems));
  t.true(pre.body.startProblems.every((p) => !p.blocking), 'only the sandbox notes (caller ID, script), which do not block');

  const start = await box.api.send('POST', `/api/campaigns/${id}/start`);
  t.is(start.status, 200, start.text);
  await until(t, 'the three consented numbers called', () => finals(box, id).length === 3);
  const calls = finals(box, id);
  t.deepEqual(calls.map((c) => c.e164), CONSENTED);
  for (const c of calls) t.is(c.packVersion, 'fr-2026.12-1@2026-08-11');
  t.true(calls.every((c) => c.outcome === 'human'), JSON.stringify(calls));
  t.is(box.app.db.prepare('SELECT COUNT(*) FROM dnc_registries').pluck().get(), 0, 'no Bloctel copy anywhere');
  await until(t, 'the number without consent blocked', () => box.app.db.prepare("SELECT block_reason FROM campaign_contacts WHERE campaign_id = ? AND e164 = ?").pluck().get(id, NO_CONSENT) === 'no-consent');
  const block = listAudit(box.app.db, { limit: 1000 }).find((e) => e.action === 'gate.block' && e.details.numberHash === dncHash(NO_CONSENT));
  t.like(block?.details, { reason: 'no-consent', rule: 'fr-l34-5-automated', packVersion: 'fr-2026.12-1@2026-08-11' });
});

test('before 2026-08-11: refused without a fresh Bloctel copy; with one, Bloctel blocks a listed number despite its consent', async (t) => {
  t.timeout(120_000);
  const { box, id } = await setUp(t, BEFORE);
  const refused = await box.api.send<{ error: { code: string; message: string; where: { reason: string } } }>('POST', `/api/campaigns/${id}/start`);
  t.is(refused.status, 409, refused.text);
  t.is(refused.body.error.code, 'E_COMPLIANCE');
  t.is(refused.body.error.where.reason, 'registry-missing');
  t.regex(refused.body.error.message, /no copy of the fr-bloctel registry is imported; marketing calls under the fr pack \(fr-2026\.12-1@2023-03-01\) must be scrubbed/);

  const importCopy = (daysOld: number) => box.api.send('PUT', '/api/compliance/registries/fr-bloctel', {
    text: `${CONSENTED[2]}\n`, downloadedAt: new Date(BEFORE - daysOld * 86_400_000).toISOString(),
  });
  t.is((await importCopy(40)).status, 200);
  const stale = await box.api.send<{ error: { where: { reason: string }; message: string } }>('POST', `/api/campaigns/${id}/start`);
  t.is(stale.status, 409, stale.text);
  t.is(stale.body.error.where.reason, 'registry-stale');
  t.regex(stale.body.error.message, /downloaded 40 days ago; the fr pack allows at most 30 days/);
  t.is((await box.api.get<{ status: string }>(`/api/campaigns/${id}`)).body.status, 'draft');

  t.is((await importCopy(1)).status, 200);
  const start = await box.api.send('POST', `/api/campaigns/${id}/start`);
  t.is(start.status, 200, start.text);
  await until(t, 'the two unlisted consented numbers called', () => finals(box, id).length === 2);
  await until(t, 'the listed number blocked', () => box.app.db.prepare('SELECT block_reason FROM campaign_contacts WHERE campaign_id = ? AND e164 = ?').pluck().get(id, CONSENTED[2]) === 'dnc-registry');
  const calls = finals(box, id);
  t.deepEqual(calls.map((c) => c.e164), CONSENTED.slice(0, 2));
  for (const c of calls) t.is(c.packVersion, 'fr-2026.12-1@2023-03-01');
  const block = listAudit(box.app.db, { limit: 1000 }).find((e) => e.action === 'gate.block' && e.details.numberHash === dncHash(CONSENTED[2]!));
  t.like(block?.details, { reason: 'dnc-registry', rule: 'fr-bloctel', packVersion: 'fr-2026.12-1@2023-03-01' });
});
