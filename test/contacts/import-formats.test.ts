// Files as they come from different tools: XLSX, UTF-8 with BOM and tabs, Latin-1, UTF-16, "sep=;".
import test from 'ava';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { importContacts } from '../../appliance/contacts/import.ts';
import { previewFile } from '../../appliance/contacts/preview.ts';
import { scratch } from './helpers.ts';

interface Row { row: number; e164: string; name: string | null; fields: string; consent: string | null; timezones: string; tz_source: string }

function contacts(s: ReturnType<typeof scratch>, listId: number): Row[] {
  return s.db.prepare('SELECT row, e164, name, fields, consent, timezones, tz_source FROM contacts WHERE list_id = ? ORDER BY id').all(listId) as Row[];
}

test('XLSX: first sheet, real row numbers, numbers stored as numbers, dates, rich text', async (t) => {
  const s = scratch(t);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Contacts');
  ws.addRow(['Name', 'Mobile phone', 'Consent date', 'Note']);
  ws.addRow(['Ada Lovelace', '+44 7911 123456', new Date(Date.UTC(2024, 2, 1)), 'VIP']); // row 2
  ws.addRow(['Number cell', 612345678, null, null]); // row 3: Excel dropped the 0
  ws.addRow(['Full intl as number', 33612345679, null, null]); // row 4
  ws.getRow(6).values = [{ richText: [{ text: 'Rich ' }, { text: 'Text', font: { bold: true } }] }, '06 12 34 56 80']; // row 5 left empty
  ws.getRow(7).values = ['Scientific', '6.1234568E+08'];
  wb.addWorksheet('Ignored').addRow(['Phone', '0612345699']);
  const file = s.file('list.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));

  const preview = await previewFile(file);
  t.is(preview.format, 'xlsx');
  t.deepEqual(preview.headers, ['Name', 'Mobile phone', 'Consent date', 'Note']);
  t.deepEqual(preview.rowNumbers, [2, 3, 4, 6, 7]);
  t.deepEqual(preview.suggestedMapping, { phone: ['Mobile phone'], consent: { date: 'Consent date' }, name: 'Name' });

  const report = await importContacts(s.db, file, { list: 'xlsx', country: 'FR' });
  t.is(report.format, 'xlsx');
  t.is(report.encoding, null);
  t.is(report.accepted, 3);
  t.deepEqual(report.rejected.map((r) => [r.row, r.column]), [[3, 'Mobile phone'], [7, 'Mobile phone']]);
  t.regex(report.rejected[0].reason, /lost its leading 0: 612345678/);
  t.regex(report.rejected[1].reason, /scientific notation/);
  const rows = contacts(s, report.list.id);
  t.deepEqual(rows.map((r) => [r.row, r.e164, r.name]), [
    [2, '+447911123456', 'Ada Lovelace'],
    [4, '+33612345679', 'Full intl as number'],
    [6, '+33612345680', 'Rich Text'],
  ]);
  t.deepEqual(JSON.parse(rows[0].consent!), { date: '2024-03-01' });
  t.deepEqual(JSON.parse(rows[0].fields), { Name: 'Ada Lovelace', Note: 'VIP' });
});

test('UTF-8 with BOM, tab-delimited (the "Unicode text" a spreadsheet saves)', async (t) => {
  const s = scratch(t);
  const text = '\uFEFFPrénom\tNom\tPortable\r\nZoë\tBrontë\t07 81 23 45 67\r\nJosé\tNuñez\t+34 612 34 56 78\r\n';
  const file = s.file('export.txt', Buffer.from(text, 'utf8'));
  const report = await importContacts(s.db, file, { list: 'tabs', country: 'FR' });
  t.is(report.encoding, 'utf-8');
  t.is(report.delimiter, '\t');
  t.deepEqual(report.mapping, { phone: ['Portable'], firstName: 'Prénom', lastName: 'Nom' });
  t.deepEqual(contacts(s, report.list.id).map((r) => [r.e164, r.name]), [['+33781234567', 'Zoë Brontë'], ['+34612345678', 'José Nuñez']]);
});

test('Latin-1 file (no Windows-1252-only byte) is read as Latin-1', async (t) => {
  const s = scratch(t);
  const file = s.file('latin1.csv', iconv.encode('Nom,Téléphone,Ville\nRenée Müller,01 42 68 53 00,Besançon\n', 'latin1'));
  const report = await importContacts(s.db, file, { list: 'latin1', country: 'FR' });
  t.is(report.encoding, 'latin1');
  t.is(report.delimiter, ',');
  const [c] = contacts(s, report.list.id);
  t.is(c.name, 'Renée Müller');
  t.is(c.e164, '+33142685300');
  t.is(JSON.parse(c.fields).Ville, 'Besançon');
});

test('UTF-16 with BOM and an Excel "sep=" line', async (t) => {
  const s = scratch(t);
  const utf16 = s.file('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name;Phone\r\nŁukasz;+48 512 345 678\r\n', 'utf16le')]));
  const r1 = await importContacts(s.db, utf16, { list: 'u16', country: 'PL' });
  t.is(r1.encoding, 'utf-16le');
  t.deepEqual(contacts(s, r1.list.id).map((r) => [r.row, r.e164, r.name]), [[2, '+48512345678', 'Łukasz']]);

  // Excel hides the "sep=" line: the header is row 1 and the first contact row 2.
  const sep = s.file('sep.csv', 'sep=|\r\nName|Phone|Note\r\nA|0612345678|x, y; z\r\nB|12|\r\n');
  const r2 = await importContacts(s.db, sep, { list: 'sep', country: 'FR' });
  t.is(r2.delimiter, '|');
  t.deepEqual(contacts(s, r2.list.id).map((r) => [r.row, JSON.parse(r.fields).Note]), [[2, 'x, y; z']]);
  t.deepEqual(r2.rejected.map((r) => r.row), [3]);
});
