import test from 'ava';
import { csvCell } from '../../appliance/campaigns/reports.ts';

test('CSV cells cannot become spreadsheet formulas', (t) => {
  t.is(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  t.is(csvCell('+33612345678'), "'+33612345678");
  t.is(csvCell('-1'), "'-1");
  t.is(csvCell('@SUM(A1)'), "'@SUM(A1)");
  t.is(csvCell('Dupont; Marie'), '"Dupont; Marie"');
  t.is(csvCell(null), '');
  t.is(csvCell(42), '42');
});
