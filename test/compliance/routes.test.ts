import test from 'ava';
import { startBox, login, printedPassword, type Box, type Login } from '../http/helpers.ts';
import { complianceRoutes } from '../../appliance/http/routes/compliance.ts';
import { addCampaign, addList } from './fixtures.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import type { PackId } from '../../appliance/compliance/packs.ts';

async function box(pack: PackId = 'fr'): Promise<{ b: Box; admin: Login }> {
  const b = await startBox({ extraRoutes: [complianceRoutes({ pack: () => pack })] });
  return { b, admin: await login(b, 'admin', printedPassword(b)) };
}

test('do-not-call over the API: add (fleet event), list hashed, remove with a reason, export, audit verify', async (t) => {
  const { b, admin } = await box();
  try {
    const add = await b.app.inject({ method: 'POST', url: '/api/compliance/dnc', headers: admin.headers, payload: { number: '01 42 00 00 01', reason: 'asked on the phone' } });
    t.is(add.statusCode, 200, add.body);
    t.is(add.json().numberHash, dncHash('+33142000001'));
    t.is(b.db.prepare("SELECT COUNT(*) FROM outbox WHERE type = 'optout'").pluck().get(), 1);
    const list = await b.app.inject({ method: 'GET', url: '/api/compliance/dnc', headers: admin.headers });
    t.is(list.json().total, 1);
    const noReason = await b.app.inject({ method: 'POST', url: '/api/compliance/dnc/remove', headers: admin.headers, payload: { number: '+33142000001' } });
    t.is(noReason.statusCode, 400);
    const bad = await b.app.inject({ method: 'POST', url: '/api/compliance/dnc', headers: admin.headers, payload: { number: 'hello' } });
    t.is(bad.statusCode, 400);
    t.is(bad.json().error.code, 'E_REQUEST_INVALID');
    const imp = await b.app.inject({ method: 'POST', url: '/api/compliance/dnc/import', headers: admin.headers, payload: { text: 'phone\n0142000002\n0142000003\nxx1\n', reason: 'shop list' } });
    t.like(imp.json(), { added: 2, read: 2 });
    const csv = await b.app.inject({ method: 'GET', url: '/api/compliance/dnc/export.csv', headers: admin.headers });
    t.is(csv.body.trim().split('\n').length, 4);
    const rm = await b.app.inject({ method: 'POST', url: '/api/compliance/dnc/remove', headers: admin.headers, payload: { number: '+33142000001', reason: 'entered by mistake' } });
    t.deepEqual(rm.json(), { removed: true });
    const audit = await b.app.inject({ method: 'GET', url: '/api/compliance/audit', headers: admin.headers });
    // Every change and every refusal, in order, each with its actor.
    t.deepEqual(audit.json().map((e: { action: string }) => e.action), ['dnc.optout', 'dnc.add', 'dnc.remove-refused', 'dnc.add-refused', 'dnc.import', 'dnc.remove']);
    t.true(audit.json().every((e: { actor: string }) => e.actor === 'staff:admin'));
    t.true((await b.app.inject({ method: 'GET', url: '/api/compliance/audit/verify', headers: admin.headers })).json().ok);
  } finally {
    await b.close();
  }
});

test('preflight, start check, consents and registries over the API', async (t) => {
  // The US pack: marketing calls must be scrubbed against the national registry (a French campaign no
  // longer needs Bloctel since 2026-08-11; see dated-rules.test.ts).
  const { b, admin } = await box('us');
  try {
    const { listId } = addList(b.db, 'l', [{ e164: '+12125550101', zones: ['America/New_York'] }, { e164: '+12125550102', zones: ['America/New_York'] }]);
    const script = { identificationEndsMs: 3000, callbackNumber: '+12125550199', optOutAnnouncedMs: 4000 };
    const c = addCampaign(b.db, 'promo', listId, { purpose: 'marketing', seller: 'Acme', script, callerId: '+12125550100' });
    const pre = await b.app.inject({ method: 'GET', url: `/api/compliance/campaigns/${c.id}/preflight`, headers: admin.headers });
    t.is(pre.statusCode, 200, pre.body);
    t.like(pre.json(), { contacts: 2, callable: 0, blocked: { 'no-consent': 2 }, pack: 'us' });
    t.regex(pre.json().packVersion, /^us-.+@2025-04-11$/);
    t.deepEqual(pre.json().startProblems.map((p: { code: string }) => p.code), ['caller-id-unverified', 'registry-missing']);
    t.regex(pre.json().startProblems[0].message, /caller ID \+12125550100 is not one of the box's caller IDs/);
    const consent = await b.app.inject({ method: 'POST', url: '/api/compliance/consents', headers: admin.headers, payload: {
      number: '+12125550101', seller: 'Acme', purpose: 'marketing', method: 'form', kind: 'written', givenAt: '2026-01-01T10:00:00Z', disclosureText: 'I agree to recorded calls from Acme', disclosureVersion: 'v1', source: 'https://acme.example/form',
    } });
    t.is(consent.statusCode, 201, consent.body);
    const badKind = await b.app.inject({ method: 'POST', url: '/api/compliance/consents', headers: admin.headers, payload: { number: '+12125550101', seller: 'Acme', purpose: 'marketing', method: 'form', kind: 'implied', givenAt: '2026-01-01T10:00:00Z', disclosureText: 'x', disclosureVersion: 'v1', source: 'x' } });
    t.is(badKind.statusCode, 400);
    const copy = await b.app.inject({ method: 'PUT', url: '/api/compliance/registries/us-national-dnc', headers: admin.headers, payload: { text: '+12125550102\n', downloadedAt: new Date(Date.now() - 86_400_000).toISOString() } });
    t.deepEqual(copy.json(), { entries: 1, rejected: 0 });
    const check = await b.app.inject({ method: 'GET', url: `/api/compliance/campaigns/${c.id}/start-check`, headers: admin.headers });
    t.like(check.json(), { ok: false, problems: [{ code: 'caller-id-unverified', blocking: true }] });
    t.is(check.json().problems.length, 1, 'the registry copy is there now; only the caller ID is left');
    const after = (await b.app.inject({ method: 'GET', url: `/api/compliance/campaigns/${c.id}/preflight`, headers: admin.headers })).json();
    t.is(after.callable, 1);
    t.deepEqual(after.blocked, { 'dnc-registry': 1 });
    const revoke = await b.app.inject({ method: 'POST', url: '/api/compliance/consents/revoke', headers: admin.headers, payload: { number: '+12125550101', channel: 'email' } });
    t.like(revoke.json(), { revoked: 1, scope: 'seller' });
    const packs = await b.app.inject({ method: 'GET', url: '/api/compliance/packs', headers: admin.headers });
    t.is(packs.json().current, 'us');
    t.is(packs.json().packs.length, 5);
  } finally {
    await b.close();
  }
});
