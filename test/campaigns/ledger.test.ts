// The ledger's state changes on a real SQLite store: intent before the call, final with the next
// state in one transaction, reconciliation of leftovers, and a stop that is not undone by late calls.
import test from 'ava';
import { openStore } from '../../appliance/store/db.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';

function setup() {
  const db = openStore({ dir: ':memory:' });
  db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (1, 'l', 'ready', 'FR', '2026-01-01')").run();
  for (let i = 1; i <= 3; i++) {
    db.prepare("INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, name, fields, row, created_at) VALUES (1, ?, 'mobile', '[\"Europe/Paris\"]', 'country', ?, '{}', ?, '2026-01-01')")
      .run(`+3361234567${i}`, `Contact ${i}`, i + 1);
  }
  const repo = new CampaignsRepo(db);
  const c = repo.create('c', 1, parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: ['t'] }));
  repo.startFromList(c.id, 1000, () => undefined);
  return { db, repo, id: c.id };
}

const result = { outcome: 'busy' as const, sipCode: 486, q850: 17, dtmf: '', amd: null, setupMs: 5, ringMs: 0, talkMs: 0, messageMs: 0 };

test('an attempt is an intent first, then final with the contact waiting for its retry', (t) => {
  const { db, repo, id } = setup();
  const [due] = repo.due(id, 2000, 1);
  const attempt = repo.beginAttempt({ campaignId: id, contactId: due!.contactId, e164: due!.e164, trunk: 't', callerId: '+33123456789', now: 2000 });
  t.deepEqual(repo.openAttempts().map((a) => a.id), [attempt]);
  t.deepEqual(repo.remaining(id), { pending: 2, waiting: 0, calling: 1 });
  repo.finishAttempt(attempt, result, { kind: 'retry', at: 9000, counted: true, retries: { busy: 1 } }, 3000, () => undefined);
  t.deepEqual(repo.openAttempts(), []);
  t.deepEqual(repo.remaining(id), { pending: 2, waiting: 1, calling: 0 });
  t.is(repo.nextDueAt(id), 1000);
  t.is(db.prepare('SELECT attempts FROM campaign_contacts WHERE contact_id = ?').pluck().get(due!.contactId), 1);
});

test('a call that ends after its campaign was stopped leaves the contact stopped', (t) => {
  const { repo, id } = setup();
  const [due] = repo.due(id, 2000, 1);
  const attempt = repo.beginAttempt({ campaignId: id, contactId: due!.contactId, e164: due!.e164, trunk: 't', callerId: '+33123456789', now: 2000 });
  repo.setStatus(id, 'stopped', 2500);
  repo.finishAttempt(attempt, result, { kind: 'retry', at: 9000, counted: true, retries: { busy: 1 } }, 3000, () => undefined);
  t.deepEqual(repo.remaining(id), { pending: 0, waiting: 0, calling: 0 });
});

test('an event callback that throws rolls the whole attempt result back', (t) => {
  const { repo, id } = setup();
  const [due] = repo.due(id, 2000, 1);
  const attempt = repo.beginAttempt({ campaignId: id, contactId: due!.contactId, e164: due!.e164, trunk: 't', callerId: '+33123456789', now: 2000 });
  t.throws(() => repo.finishAttempt(attempt, result, { kind: 'final', outcome: 'busy', counted: true }, 3000, () => { throw new Error('disk full'); }));
  t.deepEqual(repo.openAttempts().map((a) => a.id), [attempt]);
  t.deepEqual(repo.remaining(id), { pending: 2, waiting: 0, calling: 1 });
});
