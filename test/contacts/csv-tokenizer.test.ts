// The CSV tokenizer: same records however the text is cut into chunks.
import test from 'ava';
import { CsvSyntaxError, CsvTokenizer } from '../../appliance/contacts/csv-tokenizer.ts';
import { sniffDelimiter } from '../../appliance/contacts/sniff.ts';

function tokenize(text: string, delimiter: string, chunk = text.length): string[][] {
  const tok = new CsvTokenizer(delimiter, 1000);
  const out: string[][] = [];
  for (let i = 0; i < text.length; i += Math.max(chunk, 1)) tok.push(text.slice(i, i + chunk), out);
  tok.end(out);
  return out;
}

const SAMPLE = 'a;b;c\r\n"quoted; with delimiter";"with ""quotes""";"two\r\nlines"\r\n\r\nplain;say "hi" there;\n"x"tail;;last\rcr;only\r\n"end";"of";"file"';
const EXPECTED = [
  ['a', 'b', 'c'],
  ['quoted; with delimiter', 'with "quotes"', 'two\r\nlines'],
  [''],
  ['plain', 'say "hi" there', ''],
  ['xtail', '', 'last'],
  ['cr', 'only'],
  ['end', 'of', 'file'],
];

test('quotes, doubled quotes, line breaks inside quotes, CRLF/LF/CR, empty lines', (t) => {
  t.deepEqual(tokenize(SAMPLE, ';'), EXPECTED);
});

test('any chunking gives the same records (even one character at a time)', (t) => {
  for (const size of [1, 2, 3, 5, 7, 16, 64]) t.deepEqual(tokenize(SAMPLE, ';', size), EXPECTED, `chunks of ${size}`);
  t.deepEqual(tokenize('a,b\r\n', ',', 4), [['a', 'b']]); // CR and LF in different chunks
});

test('an unclosed quote is an error naming the record; so is a runaway record', (t) => {
  const err = t.throws(() => tokenize('a;b\n1;2\n"open;3\n4;5\n', ';', 3), { instanceOf: CsvSyntaxError });
  t.is(err!.message, 'a quoted field is never closed');
  t.is((err as CsvSyntaxError).recordIndex, 2);
  const long = t.throws(() => tokenize(`a\n"${'x'.repeat(2000)}`, ';', 100), { instanceOf: CsvSyntaxError });
  t.regex(long!.message, /longer than 1000 characters/);
});

test('delimiter detection: French ";" with commas in values, tabs, pipes, quoted delimiters, sep= hint', (t) => {
  t.deepEqual(sniffDelimiter('Nom;Prénom;Ville\r\nDupont, Jean;Jean;Paris\r\nMartin;Luc, Marc;Lyon\r\n'), { delimiter: ';', sepLine: false });
  t.deepEqual(sniffDelimiter('a\tb\tc\n1\t2\t3\n'), { delimiter: '\t', sepLine: false });
  t.deepEqual(sniffDelimiter('a|b\n1|2\n'), { delimiter: '|', sepLine: false });
  t.deepEqual(sniffDelimiter('name,phone,note\n"A; B",0612,"x;y;z"\n"C; D",0613,"p;q"\n'), { delimiter: ',', sepLine: false });
  t.deepEqual(sniffDelimiter('sep=;\nA;B\n'), { delimiter: ';', sepLine: true });
  t.deepEqual(sniffDelimiter('phone\n0612345678\n'), { delimiter: ',', sepLine: false });
});
