// Issue 19 on a real SQLite store: the work of a dialer tick, a view, a report or a live update does not
// grow with the list (index pages, counters kept with the ledger), a start copies its list in chunks in
// the background and resumes after a crash, a stop sweeps in chunks, and personalised messages are
// rendered only a window ahead of the dialer.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../appliance/store/db.ts';
import { listMigrations, migrate, openStore } from '../../appliance/store/db.ts';
import { CampaignsRepo, type NextState } from '../../appliance/store/campaigns-repo.ts';
import { CampaignService } from '../../appliance/campaigns/service.ts';
import { campaignReport, ANSWERED } from '../../appliance/campaigns/reports.ts';
import { RenderAhead } from '../../appliance/campaigns/render-ahead.ts';
import { resultsTable } from '../../appliance/campaigns/export.ts';
import { importContacts } from '../../appliance/contacts/import.ts';
import { ContactsRepo } from '../../appliance/store/contacts-repo.ts';
import { scratch } from '../contacts/helpers.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import type { Outcome } from '../../core/call-port.ts';
import { rng } from '../support/random.ts';

function seedList(db: Db, n: number, name = 'l'): number {
  const listId = Number(db.prepare("INSERT INTO lists (name, status, country, created_at, accepted) VALUES (?, 'ready', 'FR', '2026-01-01', ?)").run(name, n).lastInsertRowid);
  const ins = db.prepare("INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, name, fields, row, created_at) VALUES (?, ?, 'mobile', ?, 'country', ?, '{\"first_name\":\"Ana\"}', ?, '2026-01-01')");
  db.transaction(() => {
    for (let i = 0; i < n; i++) ins.run(listId, `+336${String(30_000_000 + i)}`, i % 3 === 0 ? '["America/New_York"]' : '["Europe/Paris"]', `Contact ${i}`, i + 2);
  })();
  return listId;
}

function service(db: Db, now = () => 1000) {
  const settings = defaultSettings();
  settings.trunks = [trunkDefaults({ name: 't', host: '127.0.0.1', channels: 2 })];
  return new CampaignService({ db, settings: () => settings, recordingExists: () => true, now });
}

const config = { message: 'm', callerId: '+33123456789', trunks: ['t'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] } };

/** The report as the box computed it before issue 19, by counting rows: the reference for the counters. */
function countedReport(db: Db, id: number) {
  const by = (sql: string): Record<string, number> => Object.fromEntries((db.prepare(sql).all(id) as Array<{ k: string | null; n: number }>).filter((r) => r.k !== null).map((r) => [r.k, r.n]));
  const byState = by('SELECT state k, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? GROUP BY state');
  const agg = db.prepare(`SELECT COUNT(*) attempts, COUNT(DISTINCT contact_id) attempted, AVG(CASE WHEN talk_ms > 0 THEN talk_ms END) talk,
    AVG(CASE WHEN ring_ms > 0 THEN ring_ms END) ring FROM attempts WHERE campaign_id = ? AND state = 'final'`).get(id) as { attempts: number; attempted: number; talk: number | null; ring: number | null };
  const answered = db.prepare(`SELECT COUNT(DISTINCT contact_id) FROM attempts WHERE campaign_id = ? AND state = 'final' AND outcome IN (${[...ANSWERED].map(() => '?').join(',')})`).pluck().get(id, ...ANSWERED) as number;
  const keys: Record<string, number> = {};
  for (const row of db.prepare("SELECT dtmf FROM attempts WHERE campaign_id = ? AND state = 'final' AND dtmf IS NOT NULL AND dtmf != ''").pluck().all(id) as string[]) for (const k of row) keys[k] = (keys[k] ?? 0) + 1;
  const amd = db.prepare(`SELECT COUNT(*) n, COALESCE(SUM(amd = 'human'), 0) human, COALESCE(SUM(amd = 'machine'), 0) machine FROM attempts
    WHERE campaign_id = ? AND state = 'final' AND amd IS NOT NULL AND dtmf IS NOT NULL AND dtmf != ''`).get(id) as { n: number; human: number; machine: number };
  const contacts = Object.values(byState).reduce((a, b) => a + b, 0);
  return {
    campaignId: id, contacts, byState,
    byFinalOutcome: by('SELECT final_outcome k, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? AND final_outcome IS NOT NULL GROUP BY final_outcome'),
    byAttemptOutcome: by("SELECT outcome k, COUNT(*) n FROM attempts WHERE campaign_id = ? AND state = 'final' GROUP BY outcome"),
    attempts: agg.attempts, answeredContacts: answered, answerRate: agg.attempted ? answered / agg.attempted : 0,
    completionRate: contacts ? ((byState.done ?? 0) + (byState.blocked ?? 0)) / contacts : 0,
    avgTalkMs: Math.round(agg.talk ?? 0), avgRingMs: Math.round(agg.ring ?? 0), keys,
    blockedReasons: by("SELECT block_reason k, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? AND state = 'blocked' GROUP BY block_reason"),
    amdAgreement: { callsWithKeys: amd.n, detectedHuman: amd.human, detectedMachine: amd.machine, agreement: amd.n ? amd.human / amd.n : null },
  };
}

const OUTCOMES: Outcome[] = ['human', 'confirmed', 'opted-out', 'machine-message-left', 'machine-no-message', 'busy', 'no-answer', 'declined', 'invalid-number', 'trunk-failure', 'interrupted'];

/** A seeded run of the ledger: attempts with every outcome, retries, blocks, postponements, a stop. */
function playLedger(repo: CampaignsRepo, id: number, seed: number, steps: number): void {
  const random = rng(seed);
  let now = 2000;
  for (let s = 0; s < steps; s++) {
    now += 1000;
    const [c] = repo.due(id, now, 1 + Math.floor(random() * 3)).slice(-1);
    if (!c) break;
    const roll = random();
    if (roll < 0.08) {
      repo.block(id, c.contactId, random() < 0.5 ? 'dnc' : 'no-consent', now, () => undefined);
      continue;
    }
    if (roll < 0.15) {
      repo.postpone(id, c.contactId, now + 5000);
      continue;
    }
    const attempt = repo.beginAttempt({ campaignId: id, contactId: c.contactId, e164: c.e164, trunk: 't', callerId: '+33123456789', now });
    const outcome = OUTCOMES[Math.floor(random() * OUTCOMES.length)]!;
    const answered = ANSWERED.has(outcome);
    const dtmf = answered && random() < 0.5 ? ['1', '12', '9*', '#0'][Math.floor(random() * 4)]! : '';
    const next: NextState = random() < 0.5 ? { kind: 'final', outcome, counted: true } : { kind: 'retry', at: now + Math.floor(random() * 4000), counted: random() < 0.8, retries: { [outcome]: 1 } };
    repo.finishAttempt(attempt, {
      outcome, sipCode: answered ? 200 : 486, q850: null, dtmf, amd: answered ? (['human', 'machine', 'unknown'] as const)[Math.floor(random() * 3)]! : null,
      setupMs: 10, ringMs: answered ? Math.floor(random() * 5000) : 0, talkMs: answered ? Math.floor(random() * 20_000) : 0, messageMs: 0,
    }, next, now + 500, () => undefined);
  }
}

test('the counters kept with the ledger give the same report as counting every row', (t) => {
  const db = openStore({ dir: ':memory:' });
  const repo = new CampaignsRepo(db);
  const listId = seedList(db, 400);
  for (const seed of [1, 2]) {
    const c = repo.create(`c${seed}`, listId, parseCampaignConfig(config));
    repo.startFromList(c.id, 1000, () => undefined);
    playLedger(repo, c.id, seed, 600);
    if (seed === 2) repo.setStatus(c.id, 'stopped', 900_000, undefined, 50);
    t.deepEqual(campaignReport(db, c.id), countedReport(db, c.id), `campaign ${seed}`);
    t.true(countedReport(db, c.id).attempts > 100, 'the run made attempts');
  }
});

test('migration 0090 back-fills the counters from what is already on record', (t) => {
  const db = openStore({ dir: ':memory:' });
  // Undo 0090 to stand where a box was before it: the old index, no counters.
  const repo = new CampaignsRepo(db);
  const listId = seedList(db, 300);
  const c = repo.create('c', listId, parseCampaignConfig(config));
  repo.startFromList(c.id, 1000, () => undefined);
  playLedger(repo, c.id, 7, 400);
  const before = countedReport(db, c.id);
  db.exec(`DELETE FROM campaign_counts; DROP TABLE campaign_counts; DROP TABLE campaign_starts; DROP INDEX campaign_contacts_queue; DROP INDEX campaign_contacts_retry;
    DROP TRIGGER attempts_count_final; DROP TRIGGER attempts_count_final_insert; DROP TRIGGER campaigns_counts_delete;
    DROP TRIGGER campaign_contacts_count_state; DROP TRIGGER campaign_contacts_count_final; DROP TRIGGER campaign_contacts_count_blocked;
    CREATE INDEX campaign_contacts_due ON campaign_contacts (campaign_id, state, next_at); DELETE FROM schema_migrations WHERE version = 90;`);
  t.deepEqual(migrate(db, listMigrations()), [90]);
  t.deepEqual(campaignReport(db, c.id), before);
});

test('a tick, a view, a report and a live update read index pages: no sort, no scan of the list or the ledger', (t) => {
  const db = openStore({ dir: ':memory:' });
  const svc = service(db);
  const listId = seedList(db, 3000);
  const id = svc.create({ name: 'c', listId, config }).id;
  svc.start(id);
  playLedger(svc.repo, id, 3, 200);
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: Db['prepare'] }).prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as Db['prepare'];
  svc.repo.due(id, 1e15, 10);
  svc.repo.upcoming(id, 64);
  svc.repo.nextDueAt(id);
  svc.repo.remaining(id);
  svc.view(id);
  svc.report(id);
  (db as { prepare: Db['prepare'] }).prepare = prepare;
  const reads = [...new Set(seen)].filter((s) => /^\s*SELECT/i.test(s));
  t.true(reads.length >= 6);
  for (const sql of reads) {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => id)) as Array<{ detail: string }>).map((r) => r.detail);
    t.false(plan.some((d) => /TEMP B-TREE/.test(d)), `sorts: ${sql}\n${plan.join('\n')}`);
    t.false(plan.some((d) => /^SCAN (campaign_contacts|contacts|attempts)\b/.test(d)), `scans: ${sql}\n${plan.join('\n')}`);
  }
});

test('a start answers at once with the whole list counted, copies the rest as the dialer reaches it, and cannot complete before', async (t) => {
  const db = openStore({ dir: ':memory:' });
  const svc = service(db);
  const listId = seedList(db, 5000);
  const id = svc.create({ name: 'c', listId, config }).id;
  const v = svc.start(id);
  t.is(v.status, 'running');
  t.like(v.counters, { contacts: 5000, pending: 5000 });
  const rows = () => db.prepare('SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = ?').pluck().get(id) as number;
  t.true(rows() < 5000, 'only a first chunk is copied before the answer');
  t.true(rows() > 0, 'the first contacts can be called at once');
  t.true(svc.repo.isStarting(id));
  t.is(svc.repo.remaining(id).pending, 5000, 'the dialer sees contacts to come: it does not complete the campaign');
  t.deepEqual(svc.repo.due(id, 1000, 3).map((c) => c.e164), ['+33630000000', '+33630000001', '+33630000002'], 'list order');
  t.deepEqual(svc.lists.busy, [], 'no background copy');
  const first = rows();
  // The dialer reaches the end of what is copied: the next chunk of the list joins, in list order.
  const page = svc.repo.due(id, 1000, first + 100);
  t.is(page.length, first + 100);
  t.deepEqual(page.map((c) => c.e164), Array.from({ length: first + 100 }, (_, i) => `+3363${String(i).padStart(7, '0')}`));
  t.true(rows() > first && rows() < 5000, 'a chunk more, not the list');
  t.like(svc.view(id).counters, { contacts: 5000, pending: 5000 });
  t.is(svc.repo.nextDueAt(id), page[0]!.nextAt);
  await svc.lists.copy(id);
  t.is(rows(), 5000);
  t.false(svc.repo.isStarting(id));
  t.like(svc.view(id).counters, { contacts: 5000, pending: 5000 });
  t.is(db.prepare("SELECT json_extract(fields, '$.name') FROM campaign_contacts WHERE campaign_id = ? AND e164 = '+33630004999'").pluck().get(id), 'Contact 4999');
});

test('a start interrupted by a crash resumes where its last commit left it: every contact once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-scale-'));
  let db = openStore({ dir });
  const listId = seedList(db, 4000);
  let svc = service(db);
  const id = svc.create({ name: 'c', listId, config }).id;
  svc.start(id);
  svc.repo.copyChunk(id, 700);
  db.close(); // the box dies here: the background copy never ran further
  db = openStore({ dir });
  svc = service(db);
  t.true(svc.repo.isStarting(id));
  t.like(svc.view(id).counters, { contacts: 4000, pending: 4000 });
  svc.resumeBackground();
  t.deepEqual(svc.lists.busy, [], 'nothing to resume in the background: the dialer goes on from the cursor');
  const all = svc.repo.due(id, 1e15, 4000);
  t.deepEqual(all.map((c) => c.contactId), [...all.map((c) => c.contactId)].sort((a, b) => a - b), 'list order');
  t.is(new Set(all.map((c) => c.contactId)).size, 4000);
  t.false(svc.repo.isStarting(id));
  t.deepEqual(db.prepare('SELECT COUNT(*), COUNT(DISTINCT contact_id) FROM campaign_contacts WHERE campaign_id = ?').raw().get(id) as number[], [4000, 4000]);
  t.deepEqual(campaignReport(db, id), countedReport(db, id));
  db.close();
});

test('a stop during a start: the rest of the list arrives stopped; a big stop is swept in chunks and counted stopped at once', async (t) => {
  const db = openStore({ dir: ':memory:' });
  const svc = service(db);
  const listId = seedList(db, 3000);
  const id = svc.create({ name: 'c', listId, config }).id;
  svc.start(id);
  const v = svc.stop(id);
  t.like(v.counters, { contacts: 3000, pending: 0, waiting: 0, stopped: 3000 }, 'counted stopped at once');
  await svc.lists.copy(id);
  await svc.lists.sweep(id);
  t.deepEqual(db.prepare('SELECT state, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? GROUP BY state').all(id), [{ state: 'stopped', n: 3000 }]);
  t.deepEqual(campaignReport(db, id), countedReport(db, id));
});

test('personalised messages are rendered a window ahead of the dialer, never the whole list', async (t) => {
  const db = openStore({ dir: ':memory:' });
  const svc = service(db);
  const listId = seedList(db, 2000);
  const id = svc.create({ name: 'c', listId, config: { callerId: config.callerId, trunks: config.trunks, schedule: config.schedule, tts: { text: 'Hello {name}', voice: 'en' } } }).id;
  svc.start(id);
  const asked: number[][] = [];
  const ready = new Set<number>();
  let round = 0;
  const ahead = new RenderAhead({
    repo: svc.repo, window: 10, idleMs: 5,
    render: async (_c, contacts) => {
      asked.push(contacts.map((c) => c.contactId));
      const fresh = contacts.filter((c) => !ready.has(c.contactId));
      for (const c of fresh) ready.add(c.contactId);
      round++;
      return { rendered: fresh.length, failed: [] };
    },
    onFailed: () => undefined,
  });
  ahead.follow(id);
  while (round < 3) await new Promise((r) => setTimeout(r, 5));
  const first = asked[0]!;
  t.is(first.length, 10, 'a window, not the list');
  // The dialer moves on: the first five are called and done.
  for (const c of svc.repo.due(id, 1e15, 5)) {
    const a = svc.repo.beginAttempt({ campaignId: id, contactId: c.contactId, e164: c.e164, trunk: 't', callerId: '+33123456789', now: 2000 });
    svc.repo.finishAttempt(a, { outcome: 'human', sipCode: 200, q850: null, dtmf: '', amd: null, setupMs: 1, ringMs: 1, talkMs: 1, messageMs: 1 }, { kind: 'final', outcome: 'human', counted: true }, 3000, () => undefined);
  }
  const seenRounds = round;
  while (round < seenRounds + 2) await new Promise((r) => setTimeout(r, 5));
  await ahead.close();
  const last = asked.at(-1)!;
  t.is(last.length, 10);
  t.deepEqual(last.slice(0, 5), first.slice(5), 'the window slid on with the dialer');
  t.is(ready.size, 15, 'fifteen rendered: the first window and the five it slid by');
});

test('the export of a campaign whose list has not all joined its ledger lists every contact once, in list order', (t) => {
  const db = openStore({ dir: ':memory:' });
  const svc = service(db);
  const listId = seedList(db, 1500);
  const id = svc.create({ name: 'c', listId, config }).id;
  svc.start(id);
  t.true(svc.repo.isStarting(id));
  const states = () => {
    const by: Record<string, number> = {};
    const rows: number[] = [];
    for (const r of resultsTable(db, id, 'en', 'Europe/Paris').rows) {
      rows.push(r[0] as number);
      by[r[5] as string] = (by[r[5] as string] ?? 0) + 1; // row, number, name, first_name, state, stateCode
    }
    return { rows, by };
  };
  const running = states();
  t.is(running.rows.length, 1500);
  t.deepEqual(running.rows, Array.from({ length: 1500 }, (_, i) => i + 2));
  t.deepEqual(running.by, { pending: 1500 });
  svc.stop(id);
  t.deepEqual(states().by, { stopped: 1500 });
});

test('the window of a campaign against its list is read from the zone counts kept at import, which agree with the list and go with it', async (t) => {
  const s = scratch(t);
  // Paris, New York and Los Angeles numbers (a +1 number without a known area maps to several US zones).
  const lines = ['name;phone'];
  for (let i = 0; i < 3000; i++) lines.push(`C${i};${i % 3 === 0 ? `+1212555${String(1000 + (i % 9000)).padStart(4, '0')}` : i % 3 === 1 ? `+1310555${String(1000 + (i % 9000)).padStart(4, '0')}` : `+336${String(40_000_000 + i)}`}`);
  const r = await importContacts(s.db, s.file('l.csv', lines.join('\n')), { list: 'zones', country: 'FR', batchRows: 250 });
  const counted = s.db.prepare('SELECT timezones, COUNT(*) n FROM contacts WHERE list_id = ? GROUP BY timezones ORDER BY timezones').all(r.list.id);
  t.true(counted.length >= 3);
  t.deepEqual(s.db.prepare('SELECT timezones, n FROM list_zones WHERE list_id = ? ORDER BY timezones').all(r.list.id), counted);
  // Monday 2026-01-05 10:00 in Paris (04:00 in New York, 01:00 in Los Angeles): only the French contacts are inside 09:00-20:00.
  const svc = service(s.db, () => Date.UTC(2026, 0, 5, 9, 0));
  const id = svc.create({ name: 'w', listId: r.list.id, config: { ...config, schedule: { windows: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '20:00' }] } } }).id;
  const seen: string[] = [];
  const prepare = s.db.prepare.bind(s.db);
  (s.db as { prepare: Db['prepare'] }).prepare = ((sql: string) => { seen.push(sql); return prepare(sql); }) as Db['prepare'];
  const w = svc.windowNow(id);
  (s.db as { prepare: Db['prepare'] }).prepare = prepare;
  t.is(w.contacts, r.accepted);
  t.is(w.insideNow, 1000);
  t.is(w.nextOpening, Date.UTC(2026, 0, 5, 14, 0), 'New York opens first, 09:00 there');
  t.false(seen.some((sql) => /FROM contacts\b/.test(sql)), 'the list itself is not read');
  svc.stop(id);
  svc.remove(id);
  new ContactsRepo(s.db).deleteList(r.list.id);
  t.is(s.db.prepare('SELECT COUNT(*) FROM list_zones WHERE list_id = ?').pluck().get(r.list.id), 0);
});

test('a schedule edit of a big paused campaign makes its put-off contacts due in chunks, resumed after a crash; called ones keep their retry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-scale-'));
  let db = openStore({ dir });
  const listId = seedList(db, 3000);
  let svc = service(db);
  const id = svc.create({ name: 'c', listId, config }).id;
  svc.start(id);
  await svc.lists.copy(id);
  // The dialer put every contact off to a far opening; ten were called and wait for their retry.
  for (const c of svc.repo.due(id, 1e15, 3000)) svc.repo.postpone(id, c.contactId, 9e12);
  for (const c of svc.repo.due(id, 1e15, 10)) {
    const a = svc.repo.beginAttempt({ campaignId: id, contactId: c.contactId, e164: c.e164, trunk: 't', callerId: '+33123456789', now: 2000 });
    svc.repo.finishAttempt(a, { outcome: 'busy', sipCode: 486, q850: null, dtmf: '', amd: null, setupMs: 1, ringMs: 1, talkMs: 0, messageMs: 0 }, { kind: 'retry', at: 9.5e12, counted: true, retries: { busy: 1 } }, 3000, () => undefined);
  }
  svc.pause(id);
  const dueAt = () => db.prepare("SELECT state, attempts > 0 called, next_at, COUNT(*) n FROM campaign_contacts WHERE campaign_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").all(id);
  const r = svc.update(id, { ...svc.repo.get(id).config, schedule: { windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '21:00' }] } });
  t.deepEqual(r.changed, ['schedule']);
  t.deepEqual(dueAt(), [{ state: 'pending', called: 0, next_at: 1000, n: 500 }, { state: 'pending', called: 0, next_at: 9e12, n: 2490 }, { state: 'waiting', called: 1, next_at: 9.5e12, n: 10 }], 'a first chunk in the edit');
  t.deepEqual(svc.lists.busy, [`reschedule:${id}`]);
  db.close(); // the box dies before the background went on
  db = openStore({ dir });
  svc = service(db);
  svc.resumeBackground();
  t.deepEqual(svc.lists.busy, [`reschedule:${id}`]);
  await svc.lists.reschedule(id);
  t.deepEqual(dueAt(), [{ state: 'pending', called: 0, next_at: 1000, n: 2990 }, { state: 'waiting', called: 1, next_at: 9.5e12, n: 10 }]);
  t.is(db.prepare('SELECT COUNT(*) FROM campaign_reschedules').pluck().get(), 0);
  t.deepEqual(campaignReport(db, id), countedReport(db, id));
  db.close();
});
