// Consent columns → the JSON kept with a contact. Dates are read as the file's country writes them
// (day first, month first in North America) unless the digits leave no doubt; a date we cannot read is
// kept as text and reported, never guessed.
import { ownCopy } from './csv-tokenizer.ts';
import type { ConsentKey } from './types.ts';

/** NANP countries write month first. */
const MONTH_FIRST = new Set(['US', 'CA', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM']);

export interface ConsentValue {
  date?: string;
  /** The cell's text when it was not a date we could read. */
  dateText?: string;
  source?: string;
  seller?: string;
  purpose?: string;
}

/** "2024-03-01", "01/03/2024", "1.3.24 14:05" → ISO date (and time when given), or null. */
export function parseConsentDate(text: string, country: string): string | null {
  const s = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], m[4], m[5], m[6], m[7]);
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return null;
  const a = +m[1];
  const b = +m[2];
  const year = m[3].length === 2 ? 2000 + +m[3] : +m[3];
  let day: number;
  let month: number;
  if (a > 12 && b <= 12) [day, month] = [a, b];
  else if (b > 12 && a <= 12) [day, month] = [b, a];
  else if (MONTH_FIRST.has(country)) [day, month] = [b, a];
  else [day, month] = [a, b];
  return build(year, month, day, m[4], m[5], m[6], undefined);
}

function build(y: number, mo: number, d: number, h?: string, mi?: string, se?: string, zone?: string): string | null {
  if (mo < 1 || mo > 12 || d < 1 || y < 1900 || y > 2200) return null;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > last) return null;
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  if (h === undefined) return date;
  if (+h > 23 || +(mi ?? 0) > 59 || +(se ?? 0) > 59) return null;
  return `${date}T${pad(+h)}:${mi}:${se ?? '00'}${zone ?? ''}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Reads the consent columns of rows; dates repeat a lot in real lists, so each distinct text is parsed once. */
export class ConsentReader {
  private readonly dates = new Map<string, string | null>();
  /** Set by read() when the row's consent date could not be read. */
  dateProblem: { reason: string; value: string } | null = null;

  constructor(private readonly columns: ReadonlyArray<[ConsentKey, number]>, private readonly country: string) {}

  /** The row's consent as JSON text (a ConsentValue), or null when its consent cells are all empty. */
  read(cells: readonly string[]): string | null {
    this.dateProblem = null;
    if (this.columns.length === 0) return null;
    let json = '';
    for (const [key, i] of this.columns) {
      const text = (cells[i] ?? '').trim();
      if (text === '') continue;
      let entry: string;
      if (key === 'date') {
        let iso = this.dates.get(text);
        if (iso === undefined) {
          iso = parseConsentDate(text, this.country);
          if (this.dates.size < 10_000) this.dates.set(ownCopy(text), iso);
        }
        if (iso) entry = `"date":"${iso}"`;
        else {
          entry = `"dateText":${JSON.stringify(text)}`;
          this.dateProblem = { value: text, reason: `consent date "${text}" is not a date we can read (e.g. 2024-03-01 or 01/03/2024); kept as text` };
        }
      } else {
        entry = `"${key}":${JSON.stringify(text)}`;
      }
      json += json === '' ? entry : `,${entry}`;
    }
    return json === '' ? null : `{${json}}`;
  }
}
