// A CSV tokenizer over decoded text, fed chunk by chunk. We parse strings ourselves because csv-parse
// works on bytes: handed decoded text (needed for Windows-1252 files) it re-encodes it to UTF-8 and
// decodes every field again, which made it the slowest step of a million-row import.
// Rules (RFC 4180 plus what spreadsheets and people produce): fields may be quoted with "", a quote
// inside a quoted field is doubled, quoted fields may span lines; a quote inside an unquoted field is
// kept as a character; records end at CRLF, LF or CR; an empty line is a record with one empty field.

/**
 * A copy of `s` that shares no memory with the text it was cut from. Fields are slices of a 256 KB
 * chunk; a cache key that is a slice keeps its whole chunk alive for as long as the cache lives.
 */
export function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export class CsvSyntaxError extends Error {
  constructor(message: string, readonly recordIndex: number) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvTokenizer {
  private tail = '';
  /** Records completed so far (0-based index of the next one). */
  private records = 0;
  private readonly delim: number;

  constructor(delimiter: string, private readonly maxRecordChars = 1 << 20) {
    if (delimiter.length !== 1) throw new Error('CsvTokenizer: one-character delimiter');
    this.delim = delimiter.charCodeAt(0);
  }

  /** Appends the complete records in `text` to `out`; an incomplete last record waits for the next call. */
  push(text: string, out: string[][]): void {
    this.parse(this.tail === '' ? text : this.tail + text, false, out);
  }

  /** Flushes the last record at the end of the input. */
  end(out: string[][]): void {
    if (this.tail !== '') this.parse(this.tail, true, out);
    this.tail = '';
  }

  private parse(s: string, final: boolean, out: string[][]): void {
    const d = this.delim;
    const n = s.length;
    let i = 0;
    let start = 0; // start of the current record
    let fields: string[] = [];
    for (;;) {
      // one field starting at i
      let value: string;
      if (i < n && s.charCodeAt(i) === QUOTE) {
        let j = i + 1;
        let parts = '';
        let closed = false;
        for (;;) {
          const q = s.indexOf('"', j);
          if (q < 0) break;
          if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
            parts += s.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (q + 1 === n && !final) break; // a doubled quote may start in the next chunk
          parts += s.slice(j, q);
          j = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          if (final) throw new CsvSyntaxError('a quoted field is never closed', this.records);
          return this.keep(s, start);
        }
        // text after the closing quote up to the delimiter is kept as is (relaxed)
        let k = j;
        while (k < n) {
          const c = s.charCodeAt(k);
          if (c === d || c === LF || c === CR) break;
          k++;
        }
        value = k > j ? parts + s.slice(j, k) : parts;
        i = k;
      } else {
        let k = i;
        while (k < n) {
          const c = s.charCodeAt(k);
          if (c === d || c === LF || c === CR) break;
          k++;
        }
        value = s.slice(i, k);
        i = k;
      }
      if (i >= n && !final) return this.keep(s, start);
      fields.push(value);
      if (i >= n) {
        // final: the input ends without a line break
        if (!(fields.length === 1 && value === '' && start === n)) this.emit(fields, out);
        return;
      }
      const c = s.charCodeAt(i);
      if (c === d) {
        i++;
        continue;
      }
      // end of record: CR may be followed by LF, possibly in the next chunk
      if (c === CR) {
        if (i + 1 >= n && !final) return this.keep(s, start);
        i += i + 1 < n && s.charCodeAt(i + 1) === LF ? 2 : 1;
      } else {
        i++;
      }
      this.emit(fields, out);
      fields = [];
      start = i;
      if (i >= n) {
        this.tail = '';
        return;
      }
    }
  }

  private emit(fields: string[], out: string[][]): void {
    out.push(fields);
    this.records++;
  }

  private keep(s: string, start: number): void {
    this.tail = start === 0 ? s : s.slice(start);
    if (this.tail.length > this.maxRecordChars) {
      throw new CsvSyntaxError(`a row is longer than ${this.maxRecordChars} characters (an unclosed quote?)`, this.records);
    }
  }
}
