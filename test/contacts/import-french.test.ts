// The first must-show on the contacts side: a 500-row list exported from a French spreadsheet.
import test from 'ava';
import { importContacts } from '../../appliance/contacts/import.ts';
import { formatImportReport } from '../../appliance/contacts/report.ts';
import { ContactsRepo } from '../../appliance/store/contacts-repo.ts';
import { frenchExport } from '../fixtures/contacts/french-export.ts';
import { count, scratch } from './helpers.ts';

const REASON: Record<string, RegExp> = {
  empty: /^empty phone number$/,
  letters: /^contains letters/,
  scientific: /^number in scientific notation \([67],\d{6}E\+08\)/,
  'lost-zero': /^lost its leading 0: [67]\d{8} has 9 digits/,
  'too-short': /^too short \(6 digits\)/,
};

test('a French spreadsheet export: every rejected row reported by row number, the rest imported once', async (t) => {
  const s = scratch(t);
  const fx = frenchExport(42);
  const file = s.file('clients-mars.csv', fx.bytes);
  const report = await importContacts(s.db, file, { list: 'Clients mars', country: 'FR' });

  t.is(report.format, 'csv');
  t.is(report.delimiter, ';');
  t.is(report.encoding, 'windows-1252'); // "œ" in Cœur is 0x9C, where Latin-1 has a control character
  t.deepEqual(report.mapping.phone, ['Téléphone']);
  t.is(report.mapping.firstName, 'Prénom');
  t.is(report.mapping.lastName, 'Nom');

  // 500 data rows: 2 blank, 25 broken (5 of each kind), 7 duplicates, 466 contacts.
  t.is(report.blankRows, 2);
  t.is(report.rows, 498);
  t.is(report.rejected.length, 25);
  t.is(report.duplicates, 7);
  t.is(report.accepted, 466);

  t.deepEqual(report.rejected.map((r) => r.row), fx.broken.map((b) => b.row));
  for (const [i, b] of fx.broken.entries()) {
    const r = report.rejected[i];
    t.is(r.column, 'Téléphone');
    t.regex(r.reason, REASON[b.kind], `row ${b.row} (${b.kind}: "${b.text}")`);
  }
  t.deepEqual(report.duplicateRows, fx.duplicates);

  const list = new ContactsRepo(s.db).getList('Clients mars');
  t.truthy(list);
  t.is(list!.contacts, 466);
  t.is(count(s.db, 'SELECT COUNT(*) FROM contacts WHERE list_id = ?', list!.id), 466);
  t.is(count(s.db, 'SELECT COUNT(DISTINCT e164) FROM contacts WHERE list_id = ?', list!.id), 466);

  const rows = s.db.prepare('SELECT row, e164, name, timezones, tz_source, fields, consent FROM contacts WHERE list_id = ? ORDER BY id').all(list!.id) as
    Array<{ row: number; e164: string; name: string; timezones: string; tz_source: string; fields: string; consent: string | null }>;
  t.deepEqual(rows.map((r) => r.row), [...fx.accepted.keys()]);
  for (const r of rows) {
    const want = fx.accepted.get(r.row)!;
    t.is(r.e164, want.e164, `row ${r.row}`);
    t.is(r.name, want.name, `row ${r.row}`);
    t.is(r.timezones, '["Europe/Paris"]');
    t.is(r.tz_source, 'country');
  }
  // The comment with a line break is one spreadsheet row (row 9); the one with a ';' stays whole.
  const fields7 = JSON.parse(rows.find((r) => r.row === 7)!.fields) as Record<string, string>;
  t.is(fields7.Commentaire, 'Rappeler après 18h; pas le mercredi');
  t.is((JSON.parse(rows.find((r) => r.row === 9)!.fields) as Record<string, string>).Commentaire, 'Préfère être appelé\r\nle matin');
  t.regex(fields7.Ville, /^[A-ZÉa-zéèêîô -]+$/);
  t.deepEqual(Object.keys(fields7).slice(0, 2), ['Nom', 'Prénom']);
  const consent = JSON.parse(rows[0].consent!) as { date: string; source: string };
  t.regex(consent.date, /^2024-03-\d\d$/);
  t.is(consent.source, 'Formulaire site');

  const text = formatImportReport(report);
  t.regex(text, /498 rows: 466 contacts imported, 25 rejected, 7 duplicates skipped, 2 blank rows ignored/);
  t.regex(text, new RegExp(`row ${fx.broken[0].row}, column "Téléphone": `));
});
