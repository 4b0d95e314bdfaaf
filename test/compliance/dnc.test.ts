import test from 'ava';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { checkCampaignStart } from '../../appliance/compliance/campaign-start.ts';
import { readNumbersFromText, suppressionsCsv } from '../../appliance/compliance/dnc-file.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { DncRepo } from '../../appliance/store/compliance-dnc-repo.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-03T09:00:00Z');

function setup(purpose: string) {
  const db = memoryStore();
  const { listId, contactIds } = addList(db, 'l', [{ e164: '+33142000001', zones: ['Europe/Paris'], consent: { date: '2026-01-01', seller: 'Acme', purpose: 'marketing' } }]);
  return { db, contactIds, campaign: addCampaign(db, 'c', listId, { purpose, seller: 'Acme' }) };
}

test('a marketing campaign refuses to start without a registry copy, or with a stale one', (t) => {
  const { db, campaign } = setup('marketing');
  const dnc = new DncRepo(db);
  t.throws(() => checkCampaignStart(db, campaign, 'fr', NOW), { message: /no copy of the fr-bloctel registry/, instanceOf: Error });
  dnc.importRegistry('fr-bloctel', ['+33142000009'], { downloadedAt: NOW - 40 * DAY, actor: 'staff:ann', now: NOW });
  const e = t.throws(() => checkCampaignStart(db, campaign, 'fr', NOW));
  t.regex(e!.message, /downloaded 40 days ago; the fr pack allows at most 30 days/);
  t.is((e as unknown as { code: string }).code, 'E_COMPLIANCE');
  dnc.importRegistry('fr-bloctel', ['+33142000009'], { downloadedAt: NOW - 2 * DAY, actor: 'staff:ann', now: NOW });
  t.notThrows(() => checkCampaignStart(db, campaign, 'fr', NOW));
});

test('an informational campaign needs no registry copy; no pack at all refuses', (t) => {
  const { db, campaign } = setup('informational');
  t.notThrows(() => checkCampaignStart(db, campaign, 'fr', NOW));
  t.notThrows(() => checkCampaignStart(db, campaign, 'none', NOW));
  t.throws(() => checkCampaignStart(db, campaign, null, NOW), { message: /no compliance pack is chosen/ });
});

test('a registry copy blocks marketing calls to its numbers; a new copy replaces the old', (t) => {
  const { db, contactIds, campaign } = setup('marketing');
  const dnc = new DncRepo(db);
  const gate = createComplianceGate({ db, pack: () => 'fr' });
  const contact = { contactId: contactIds[0]!, e164: '+33142000001', zones: ['Europe/Paris'], fields: {}, attempts: 0, retries: {}, nextAt: 0 };
  // Before 2026-08-11 the law requires the scrub: without a copy the call waits (it is not blocked for good).
  t.like(gate({ campaign, contact, now: NOW }), { allow: false, reason: 'registry-missing', retryAt: NOW + 10 * 60_000 });
  dnc.importRegistry('fr-bloctel', [], { downloadedAt: NOW - DAY, actor: 'staff:ann', now: NOW });
  t.true(gate({ campaign, contact, now: NOW }).allow);
  const { numbers } = readNumbersFromText('numero\n01 42 00 00 01\n+33142000002\n', 'FR');
  t.is(dnc.importRegistry('fr-bloctel', numbers, { downloadedAt: NOW - DAY, actor: 'staff:ann', now: NOW }), 2);
  t.is(gate({ campaign, contact, now: NOW }).reason, 'dnc-registry');
  dnc.importRegistry('fr-bloctel', ['+33142000002'], { downloadedAt: NOW, actor: 'staff:ann', now: NOW });
  t.true(gate({ campaign, contact, now: NOW }).allow);
  t.is(dnc.registryCopy('fr-bloctel')!.entries, 1);
});

test('reading DNC files: E.164, national numbers, NANP digits, header and junk lines', (t) => {
  const fr = readNumbersFromText('\uFEFFphone;name\n06 12 34 56 78;Ann\n+33142000001\n# comment\n\nnot a number\n12\n', 'FR');
  t.deepEqual(fr.numbers, ['+33612345678', '+33142000001']);
  t.deepEqual(fr.rejected.map((r) => r.line), [6, 7]);
  t.deepEqual(readNumbersFromText('2125550123\n(310) 555-0123\n', 'US').numbers, ['+12125550123', '+13105550123']);
});

test('internal list: bulk add counts only new numbers; export carries hashes, never numbers', (t) => {
  const db = memoryStore();
  const dnc = new DncRepo(db);
  t.is(dnc.addMany(['+33142000001', '+33142000002'], { source: 'import', reason: '=HYPERLINK("x")', actor: 'staff:ann', now: NOW }), 2);
  t.is(dnc.addMany(['+33142000002', '+33142000003'], { source: 'import', reason: 'shop list', actor: 'staff:ann', now: NOW }), 1);
  const csv = [...suppressionsCsv(dnc.list())].join('');
  t.true(csv.includes(dncHash('+33142000001')));
  t.false(csv.includes('33142000001'));
  t.true(csv.includes(`"'=HYPERLINK(""x"")"`));
  t.is(dnc.count(), 3);
});

test('a suppression the database cannot take is an error, never a silent no-op', (t) => {
  const db = memoryStore();
  const dnc = new DncRepo(db);
  // A source outside the table's CHECK (a channel added in code but not in the schema) must fail loudly:
  // `INSERT OR IGNORE` used to drop such an opt-out without a word.
  t.throws(() => dnc.add({ numberHash: dncHash('+33612345678'), source: 'web' as never, now: NOW }), { any: true, message: /CHECK constraint failed/ });
  t.false(dnc.isSuppressed(dncHash('+33612345678')));
  t.true(dnc.add({ numberHash: dncHash('+33612345678'), source: 'staff', now: NOW }));
  t.false(dnc.add({ numberHash: dncHash('+33612345678'), source: 'keypress', now: NOW + 1 }), 'a repeat keeps the first entry');
});
