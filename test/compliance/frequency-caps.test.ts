// Issue 14: frequency caps counted from the attempts ledger across every campaign of the box, including
// attempts that did not connect where the law counts them; the preflight lists who is capped until when.
// Must-show 3: calls across two campaigns on a whole box reach the French cap (D.223-9: 4 per 30 days),
// with the reason and the date it lifts, across a restart of the box; at that date the number is called.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { clockFrom, createCampaign, frenchBox, loginAs, until, uploadMessage } from './box-helpers.ts';
import { evaluate } from '../../appliance/compliance/evaluate.ts';
import { FactsReader } from '../../appliance/compliance/facts.ts';
import { formatPreflight, preflight, type PreflightReport } from '../../appliance/compliance/preflight.ts';
import { packAt, PACKS, type PackDefinition } from '../../appliance/compliance/packs.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { ConsentRepo } from '../../appliance/store/compliance-consent-repo.ts';
import type { Db } from '../../appliance/store/db.ts';
import type { Outcome } from '../../core/call-port.ts';

const Z = Date.parse;
const DAY = 86_400_000;
const WED = Z('2026-12-09T10:00:00Z'); // Wednesday 11:00 in Paris
const NY_WED = Z('2026-12-09T17:00:00Z'); // Wednesday 12:00 in New York

/** Past attempts to a number in another campaign, `daysAgo` before `now`, with their outcomes. */
function history(db: Db, e164: string, now: number, calls: Array<[daysAgo: number, outcome: Outcome | null]>): void {
  const other = addCampaign(db, `earlier-${e164}-${calls.length}-${Math.random()}`, addList(db, `l-${Math.random()}`, []).listId);
  const repo = new CampaignsRepo(db);
  for (const [daysAgo, outcome] of calls) {
    const id = repo.beginAttempt({ campaignId: other.id, contactId: 0, e164, trunk: 't1', callerId: '+33162000000', now: now - daysAgo * DAY });
    if (outcome) db.prepare("UPDATE attempts SET state = 'final', outcome = ?, ended_at = intent_at + 20000 WHERE id = ?").run(outcome, id);
  }
}

function verdict(db: Db, pack: PackDefinition, e164: string, zones: string[], purpose: 'marketing' | 'informational' | 'healthcare', now: number, lineType = 'fixed') {
  const facts = new FactsReader(db);
  return evaluate(pack, facts.input(packAt(pack, now), { e164, zones, purpose, seller: 'Acme', contact: { lineType, consent: null }, now }));
}

interface CapRow {
  name: string;
  calls: Array<[number, Outcome | null]>;
  capped: boolean;
  until?: string;
}

// France, an informational call at WED: four attempts in the last 30 days hold the fifth.
const FR_ROWS: CapRow[] = [
  { name: 'three attempts: a fourth is allowed', calls: [[20, 'busy'], [10, 'no-answer'], [1, 'human']], capped: false },
  { name: 'four attempts that never connected (busy, no answer) count', calls: [[20, 'busy'], [15, 'no-answer'], [10, 'no-answer'], [1, 'busy']], capped: true, until: '2026-12-19T10:00:00.000Z' },
  { name: 'a call still in progress (intent only) counts', calls: [[20, 'busy'], [15, 'no-answer'], [10, 'no-answer'], [0.001, null]], capped: true, until: '2026-12-19T10:00:00.000Z' },
  { name: 'trunk failures (the phone never rang) do not count', calls: [[20, 'busy'], [15, 'trunk-failure'], [10, 'no-answer'], [1, 'busy']], capped: false },
  { name: 'calls the gate blocked do not count', calls: [[20, 'busy'], [15, 'blocked-by-compliance'], [10, 'no-answer'], [1, 'busy']], capped: false },
  { name: 'an attempt 30 days ago has left the period', calls: [[30, 'busy'], [15, 'no-answer'], [10, 'no-answer'], [1, 'busy']], capped: false },
  { name: 'the cap lifts when the oldest of the four leaves the 30 days', calls: [[29, 'busy'], [15, 'no-answer'], [10, 'no-answer'], [1, 'busy']], capped: true, until: '2026-12-10T10:00:00.000Z' },
];

for (const row of FR_ROWS) {
  test(`fr cap: ${row.name}`, (t) => {
    const db = memoryStore();
    history(db, '+33142000001', WED, row.calls);
    const v = verdict(db, PACKS.fr, '+33142000001', ['Europe/Paris'], 'informational', WED);
    t.is(v.allow, !row.capped, JSON.stringify(v));
    if (row.capped) {
      t.like(v, { reason: 'frequency-cap', rule: 'fr-d223-9-4-per-30' });
      t.is(new Date(v.heldUntil!).toISOString(), row.until!);
    }
  });
}

test('us caps: exempt landline calls 3 per 30 days unless consented; HIPAA 1 per day and 3 per week; wireless exempt calls need consent instead', (t) => {
  const db = memoryStore();
  history(db, '+12125550101', NY_WED, [[20, 'no-answer'], [12, 'busy'], [3, 'no-answer']]);
  t.like(verdict(db, PACKS.us, '+12125550101', ['America/New_York'], 'informational', NY_WED), { allow: false, reason: 'frequency-cap', rule: 'us-exempt-3-per-30', heldUntil: NY_WED + 10 * DAY });
  // FCC 22-100: oral or written consent lifts the numerical limit.
  new ConsentRepo(db).record({ e164: '+12125550101', seller: 'Acme', purpose: 'informational', method: 'recording', givenAt: Z('2026-01-01T00:00:00Z'), disclosureText: 'yes', disclosureVersion: 'v1', source: 'call' }, 'staff:ann', NY_WED);
  t.true(verdict(db, PACKS.us, '+12125550101', ['America/New_York'], 'informational', NY_WED).allow);
  history(db, '+12125550102', NY_WED, [[0.2, 'human']]);
  t.like(verdict(db, PACKS.us, '+12125550102', ['America/New_York'], 'healthcare', NY_WED), { allow: false, reason: 'frequency-cap', rule: 'us-hipaa-1-per-day', heldUntil: NY_WED + 0.8 * DAY });
  history(db, '+12125550103', NY_WED, [[6, 'human'], [4, 'no-answer'], [2, 'busy']]);
  t.like(verdict(db, PACKS.us, '+12125550103', ['America/New_York'], 'healthcare', NY_WED), { allow: false, reason: 'frequency-cap', rule: 'us-hipaa-3-per-week', heldUntil: NY_WED + DAY });
  // Before the limits were in force (2023-07-20) the same history held nothing.
  const early = Z('2023-06-07T16:00:00Z');
  history(db, '+12125550104', early, [[6, 'human'], [4, 'no-answer'], [2, 'busy']]);
  t.true(verdict(db, PACKS.us, '+12125550104', ['America/New_York'], 'healthcare', early).allow);
});

test('a cap that counts connected calls only (as data) leaves unanswered attempts out', (t) => {
  const db = memoryStore();
  const connectedOnly: PackDefinition = { ...PACKS.fr, revision: 'test-connected-1', caps: [{ ...PACKS.fr.caps[0]!, id: 'connected-2-per-30', max: 2, counts: 'connected' }] };
  history(db, '+33142000001', WED, [[10, 'no-answer'], [8, 'busy'], [5, 'human'], [2, 'no-answer']]);
  t.true(verdict(db, connectedOnly, '+33142000001', ['Europe/Paris'], 'informational', WED).allow, 'one answered call');
  history(db, '+33142000001', WED, [[1, 'machine-message-left']]);
  t.like(verdict(db, connectedOnly, '+33142000001', ['Europe/Paris'], 'informational', WED), { allow: false, reason: 'frequency-cap', heldUntil: WED + 25 * DAY });
});

test('the preflight lists who is capped or cooling off, until when, soonest first', (t) => {
  const db = memoryStore();
  const { listId } = addList(db, 'l', [
    { e164: '+33142000001', zones: ['Europe/Paris'] },
    { e164: '+33142000002', zones: ['Europe/Paris'] },
    { e164: '+33142000003', zones: ['Europe/Paris'] },
  ]);
  history(db, '+33142000001', WED, [[25, 'busy'], [15, 'no-answer'], [10, 'no-answer'], [1, 'busy']]);
  history(db, '+33142000003', WED, [[3, 'declined']]);
  const c = new CampaignsRepo(db).get(addCampaign(db, 'c', listId, { purpose: 'informational' }).id);
  const r = preflight(db, c, 'fr', { now: WED });
  t.like(r, { contacts: 3, callable: 3, callableNow: 1, deferred: { 'frequency-cap': 1, 'refusal-cooldown': 1 }, heldTotal: 2 });
  t.deepEqual(r.held.map((h) => [h.e164, h.reason, h.rule, h.until, h.nextCallAt]), [
    // 25 days ago + 30 days = Monday 14 December 11:00 in Paris, inside the window.
    ['+33142000001', 'frequency-cap', 'fr-d223-9-4-per-30', '2026-12-14T10:00:00.000Z', '2026-12-14T10:00:00.000Z'],
    // Refused 3 days ago (the call ended 20 s after it started) + 60 days = Thursday 4 February, inside the window.
    ['+33142000003', 'refusal-cooldown', 'fr-d223-9-refusal-60', '2027-02-04T10:00:20.000Z', '2027-02-04T10:00:20.000Z'],
  ]);
  t.regex(formatPreflight(r), /held by a cap or a cooling-off: 2\n {4}\+33142000001 {2}frequency-cap \(fr-d223-9-4-per-30\) until 2026-12-14T10:00:00\.000Z/);
});

// ---- Must-show 3, on a whole box -------------------------------------------------------------------

const MONDAY = Z('2026-12-07T09:00:00Z'); // Monday 7 December 2026, 10:00 in Paris
const X = '+33143002001';
const Y = '+33143002002';
const BUSY_RETRY = { busy: { delayMs: 1000, maxRetries: 8 } };

type Held = PreflightReport['held'][number];

test('two campaigns reach the French cap together; the reason and the lift date hold across a restart, and the number is called again at that date', async (t) => {
  t.timeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-caps-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  let clock = clockFrom(MONDAY);
  let box = await frenchBox(t, () => clock(), { dataDir, mix: 'busy=1' });
  let stopped = false;
  t.teardown(async () => { if (!stopped) await box.stop(); });
  t.is((await box.api.send('POST', '/api/users', { username: 'chief', password: 'frequency-caps-pass-1', role: 'admin' })).status, 201);
  const db = () => box.app.db;
  const attemptsTo = (e164: string) => db().prepare("SELECT campaign_id AS campaign, intent_at AS at, outcome FROM attempts WHERE e164 = ? AND state = 'final' ORDER BY intent_at").all(e164) as Array<{ campaign: number; at: number; outcome: string }>;

  const message = await uploadMessage(t, box.api);
  const first = addList(db(), 'first', [{ e164: X, zones: ['Europe/Paris'] }]).listId;
  const second = addList(db(), 'second', [{ e164: X, zones: ['Europe/Paris'] }, { e164: Y, zones: ['Europe/Paris'] }]).listId;
  // Campaign A: two busy attempts to X.
  const a = await createCampaign(t, box.api, 'A', first, { message, maxAttempts: 2, retry: BUSY_RETRY });
  t.is((await box.api.send('POST', `/api/campaigns/${a}/start`)).status, 200);
  await until(t, 'campaign A done with X', () => attemptsTo(X).length === 2);
  // Campaign B: it may try four times, as the law allows Y; X has only two left this month.
  const b = await createCampaign(t, box.api, 'B', second, { message, maxAttempts: 4, retry: BUSY_RETRY });
  t.is((await box.api.send('POST', `/api/campaigns/${b}/start`)).status, 200);
  await until(t, 'Y called four times by B', () => attemptsTo(Y).length === 4);
  await until(t, 'X held by the cap in B', () => (db().prepare('SELECT next_at FROM campaign_contacts WHERE campaign_id = ? AND e164 = ?').pluck().get(b, X) as number) > MONDAY + DAY);

  const toX = attemptsTo(X);
  t.deepEqual(toX.map((r) => [r.campaign, r.outcome]), [[a, 'busy'], [a, 'busy'], [b, 'busy'], [b, 'busy']], 'unanswered attempts of both campaigns count');
  const lifts = toX[0]!.at + 30 * DAY;
  t.is(db().prepare('SELECT next_at FROM campaign_contacts WHERE campaign_id = ? AND e164 = ?').pluck().get(b, X), lifts, 'X waits until the first attempt leaves the 30 days');
  // The preflight judges every contact of B's list: Y, done after its four attempts, is capped as well.
  const liftsY = attemptsTo(Y)[0]!.at + 30 * DAY;
  const expectHeld = (held: Held[]) => t.deepEqual(held.map((h) => [h.e164, h.reason, h.rule, h.until]), [
    [X, 'frequency-cap', 'fr-d223-9-4-per-30', new Date(lifts).toISOString()],
    [Y, 'frequency-cap', 'fr-d223-9-4-per-30', new Date(liftsY).toISOString()],
  ]);
  const pre = await box.api.get<PreflightReport>(`/api/compliance/campaigns/${b}/preflight`);
  t.is(pre.status, 200, pre.text);
  expectHeld(pre.body.held);
  t.like(pre.body, { deferred: { 'frequency-cap': 2 }, heldTotal: 2 });

  // Restart: the ledger, not memory, holds the count.
  const stoppedAt = clock();
  await box.stop();
  clock = clockFrom(stoppedAt);
  box = await frenchBox(t, () => clock(), { dataDir, mix: 'busy=1' });
  const api = await loginAs(box.base, 'chief', 'frequency-caps-pass-1');
  const again = await api.get<PreflightReport>(`/api/compliance/campaigns/${b}/preflight`);
  t.is(again.status, 200, again.text);
  expectHeld(again.body.held);
  await new Promise((r) => setTimeout(r, 3000));
  t.is(attemptsTo(X).length, 4, 'no call to X while the cap holds, after the restart too');

  // A restart on the day the cap lifts: X is called again.
  await box.stop();
  clock = clockFrom(lifts + 60_000);
  box = await frenchBox(t, () => clock(), { dataDir, mix: 'busy=1' });
  await until(t, 'X called again once the cap lifted', () => attemptsTo(X).length >= 5);
  const fifth = attemptsTo(X)[4]!;
  t.is(fifth.campaign, b);
  t.true(fifth.at >= lifts, `the fifth attempt (${new Date(fifth.at).toISOString()}) is not before ${new Date(lifts).toISOString()}`);
  await box.stop();
  stopped = true;
});
