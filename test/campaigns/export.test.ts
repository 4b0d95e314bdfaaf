// The results export's cells and file name (pure logic; the spreadsheet round trip is in
// test/web-ui/results-export.test.ts).
import test from 'ava';
import { attachmentHeader, csvCell, localTime } from '../../appliance/campaigns/export.ts';

test('a number a spreadsheet would lose is kept as text without a visible mark; only real formulas are neutralised', (t) => {
  t.is(csvCell('+33612345678', ';'), '"=""+33612345678"""');
  t.is(csvCell('01000', ';'), '"=""01000"""');
  t.is(csvCell('+33 4 78 00 00 00', ','), '"=""+33 4 78 00 00 00"""');
  t.is(csvCell('=HYPERLINK("http://x","y")', ','), `"'=HYPERLINK(""http://x"",""y"")"`);
  t.is(csvCell('+1+cmd|x', ','), "'+1+cmd|x");
  t.is(csvCell('@SUM(A1)', ','), "'@SUM(A1)");
  t.is(csvCell('-12', ','), '-12', 'a plain negative number is not a formula');
  t.is(csvCell('Dupont; Marie', ';'), '"Dupont; Marie"');
  t.is(csvCell('Dupont; Marie', ','), 'Dupont; Marie');
  t.is(csvCell('Dupont, Marie', ','), '"Dupont, Marie"');
  t.is(csvCell(null, ','), '');
  t.is(csvCell(42, ';'), '42');
});

test('times are written in the given zone', (t) => {
  const ms = Date.UTC(2026, 6, 1, 12, 0, 5);
  t.is(localTime(ms, 'Europe/Paris'), '2026-07-01 14:00:05');
  t.is(localTime(ms, 'America/New_York'), '2026-07-01 08:00:05');
});

test('the download name keeps its accents (RFC 6266 filename*) with an ASCII fallback', (t) => {
  t.is(attachmentHeader('Relance été - résultats.csv'), `attachment; filename="Relance ete - resultats.csv"; filename*=UTF-8''Relance%20%C3%A9t%C3%A9%20-%20r%C3%A9sultats.csv`);
  t.is(attachmentHeader('a"b\\c.csv'), `attachment; filename="a_b_c.csv"; filename*=UTF-8''a%22b%5Cc.csv`);
});
