// The contact-list repository: staged lists stay invisible, search pages, deletes respect campaigns.
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isRunning, processMark } from '../../appliance/system/process-mark.ts';
import { openStore } from '../../appliance/store/db.ts';
import { ContactsRepo, type NewContact } from '../../appliance/store/contacts-repo.ts';
import { sweepInterruptedImports } from '../../appliance/contacts/import.ts';
import type { ImportReport } from '../../appliance/contacts/types.ts';

function report(id: number, name: string, accepted: number): ImportReport {
  return {
    list: { id, name }, file: 'f.csv', format: 'csv', encoding: 'utf-8', delimiter: ',', country: 'FR', mapping: { phone: ['Phone'] },
    rows: accepted + 1, accepted, rejected: [{ row: 9, column: 'Phone', reason: 'too short (3 digits): 123', code: 'phone-too-short', params: { value: '123', digits: 3 } }], duplicates: 0, duplicateRows: [],
    warnings: [], blankRows: 0, lineTypes: { mobile: accepted, fixed: 0, voip: 0, unknown: 0 }, timezoneSources: { number: 0, column: 0, country: accepted }, durationMs: 1,
  };
}

function contact(i: number, name: string): NewContact {
  return {
    e164: `+3361234${String(i).padStart(4, '0')}`, lineType: 'mobile', timezones: ['Europe/Paris'], tzSource: 'country', name,
    fields: { Ville: i % 2 ? 'Lyon' : 'Paris' }, consent: i === 0 ? { date: '2024-03-01', source: 'web' } : null, row: i + 2,
  };
}

test('a staged list is invisible until published, and discarding removes its contacts', (t) => {
  const db = openStore({ dir: ':memory:' });
  const repo = new ContactsRepo(db);
  const id = repo.beginList({ name: 'Mars', sourceFile: 'mars.csv', country: 'FR', createdAt: '2024-03-01T10:00:00.000Z' });
  repo.insertContacts(id, '2024-03-01T10:00:00.000Z', Array.from({ length: 600 }, (_, i) => contact(i, `Client ${i}`)));
  t.is(repo.getList(id), null);
  t.deepEqual(repo.listLists(), []);
  t.throws(() => repo.beginList({ name: 'Mars', sourceFile: null, country: 'FR', createdAt: 'x' }), { message: /is being imported right now/ });
  repo.publishList(id, report(id, 'Mars', 600));
  t.like(repo.getList('Mars'), { id, name: 'Mars', sourceFile: 'mars.csv', country: 'FR', rows: 601, contacts: 600, rejected: 1, duplicates: 0 });
  t.is(repo.importReport(id)?.rejected[0].row, 9);
  t.throws(() => repo.beginList({ name: 'Mars', sourceFile: null, country: 'FR', createdAt: 'x' }), { message: /already exists/ });

  const other = repo.beginList({ name: 'Avril', sourceFile: null, country: 'FR', createdAt: 'x' });
  repo.insertContacts(other, 'x', [contact(1, 'A')]);
  repo.discardList(other);
  t.is(db.prepare('SELECT COUNT(*) FROM contacts WHERE list_id = ?').pluck().get(other), 0);
  t.is(db.prepare('SELECT COUNT(*) FROM lists').pluck().get(), 1);

  // A crash leaves a staged list behind: the boot sweep removes it.
  const crashed = repo.beginList({ name: 'Mai', sourceFile: null, country: 'FR', createdAt: 'x' });
  repo.insertContacts(crashed, 'x', [contact(2, 'B')]);
  t.is(sweepInterruptedImports(db), 1);
  t.is(db.prepare('SELECT COUNT(*) FROM contacts').pluck().get(), 600);
  db.close();
});

test('search by name, field or number (national or international), with paging', (t) => {
  const db = openStore({ dir: ':memory:' });
  const repo = new ContactsRepo(db);
  const id = repo.beginList({ name: 'L', sourceFile: null, country: 'FR', createdAt: 'x' });
  repo.insertContacts(id, 'x', Array.from({ length: 120 }, (_, i) => contact(i, i === 42 ? 'Élodie 100% Lefèvre' : `Client ${i}`)));
  repo.publishList(id, report(id, 'L', 120));

  const all = repo.searchContacts(id, { limit: 50, offset: 100 })!;
  t.is(all.total, 120);
  t.deepEqual(all.items.map((c) => c.row), Array.from({ length: 20 }, (_, i) => i + 102));
  t.like(all.items[0], { e164: '+33612340100', lineType: 'mobile', timezones: ['Europe/Paris'], tzSource: 'country', fields: { Ville: 'Paris' }, consent: null });
  t.deepEqual(repo.searchContacts(id, { limit: 1 })!.items[0], {
    id: 1, listId: id, e164: '+33612340000', lineType: 'mobile', timezones: ['Europe/Paris'], tzSource: 'country', name: 'Client 0',
    fields: { Ville: 'Paris' }, consent: { date: '2024-03-01', source: 'web' }, row: 2, createdAt: 'x',
  });

  t.deepEqual(repo.searchContacts(id, { query: 'élodie' })!.items.map((c) => c.row), [44]);
  t.deepEqual(repo.searchContacts(id, { query: '100%' })!.items.map((c) => c.row), [44]);
  t.is(repo.searchContacts(id, { query: 'Lyon' })!.total, 60);
  t.deepEqual(repo.searchContacts(id, { query: '06 12 34 00 42' })!.items.map((c) => c.e164), ['+33612340042']);
  t.deepEqual(repo.searchContacts(id, { query: '+33 6 12 34 00 42' })!.items.map((c) => c.e164), ['+33612340042']);
  t.is(repo.searchContacts(id, { query: '0099' })!.total, 1);
  t.is(repo.searchContacts(9999), null);
  db.close();
});

test('a list a live campaign uses cannot be deleted; a finished campaign does not hold it', (t) => {
  const db = openStore({ dir: ':memory:' });
  const repo = new ContactsRepo(db);
  const id = repo.beginList({ name: 'L', sourceFile: null, country: 'FR', createdAt: 'x' });
  repo.insertContacts(id, 'x', [contact(1, 'A')]);
  repo.publishList(id, report(id, 'L', 1));
  db.prepare("INSERT INTO campaigns (name, list_id, status, config, created_at) VALUES ('Promo', ?, 'paused', '{}', 'x')").run(id);
  t.throws(() => repo.deleteList(id), { message: 'campaign "Promo" uses this list; stop or delete it first' });
  db.prepare("UPDATE campaigns SET status = 'completed'").run();
  t.true(repo.deleteList(id));
  t.false(repo.deleteList(id));
  t.is(db.prepare('SELECT COUNT(*) FROM contacts').pluck().get(), 0);
  db.close();
});

test('the boot sweep leaves a list whose importing process still runs (appliance import beside the box)', async (t) => {
  const db = openStore({ dir: ':memory:' });
  const repo = new ContactsRepo(db);
  // Another process on this machine stands for the command-line import.
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => other.kill('SIGKILL'));
  await once(other, 'spawn');
  const running = repo.beginList({ name: 'En cours', sourceFile: null, country: 'FR', createdAt: 'x', importer: processMark(other.pid!) });
  const legacy = repo.beginList({ name: 'Sans marque', sourceFile: null, country: 'FR', createdAt: 'x' });
  t.true(isRunning(processMark(other.pid!)));
  t.is(sweepInterruptedImports(db), 1, 'only the list with no living importer goes');
  t.deepEqual(db.prepare("SELECT id FROM lists WHERE status = 'importing'").pluck().all(), [running]);
  t.not(running, legacy);
  // Once that process is gone (killed mid-import), the next sweep removes its list.
  other.kill('SIGKILL');
  await once(other, 'exit');
  t.false(isRunning(processMark(other.pid!)));
  t.is(sweepInterruptedImports(db), 1);
  t.is(db.prepare('SELECT COUNT(*) FROM lists').pluck().get(), 0);
  db.close();
});

test('a process mark names one process: a reused pid with another start time, or another boot, is not it', (t) => {
  const mine = processMark();
  t.true(isRunning(mine));
  const [boot, pid, ticks] = mine.split(':');
  t.false(isRunning(`${boot}:${pid}:${Number(ticks) + 1}`), 'same pid, started at another time');
  t.false(isRunning(`another-boot:${pid}:${ticks}`));
  t.false(isRunning(null));
  t.false(isRunning('garbage'));
});
