// previewFile: what the mapping screen shows before an import.
import test from 'ava';
import { previewFile } from '../../appliance/contacts/preview.ts';
import { frenchExport, HEADERS } from '../fixtures/contacts/french-export.ts';
import { scratch } from './helpers.ts';

test('a French export: headers, the first 10 rows as the spreadsheet numbers them, a suggested mapping', async (t) => {
  const s = scratch(t);
  const fx = frenchExport(42);
  const p = await previewFile(s.file('clients.csv', fx.bytes));
  t.is(p.format, 'csv');
  t.is(p.encoding, 'windows-1252');
  t.is(p.delimiter, ';');
  t.deepEqual(p.headers, HEADERS);
  t.is(p.headerRow, 1);
  t.is(p.rows.length, 10);
  t.deepEqual(p.rowNumbers, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  t.true(p.rows.every((r) => r.length === HEADERS.length));
  t.is(p.rows[5][7], 'Rappeler après 18h; pas le mercredi');
  t.deepEqual(p.suggestedMapping, {
    phone: ['Téléphone'], firstName: 'Prénom', lastName: 'Nom',
    consent: { date: 'Date consentement', source: 'Source consentement' },
  });
});

test('duplicate and empty headers get names a mapping can use', async (t) => {
  const s = scratch(t);
  const p = await previewFile(s.file('h.csv', 'Tel,Tel,,Nom\n0612345678,0712345678,x,Y\n'));
  t.deepEqual(p.headers, ['Tel', 'Tel (2)', 'Column C', 'Nom']);
  t.deepEqual(p.suggestedMapping.phone, ['Tel', 'Tel (2)']);
});
