// One spreadsheet row → one contact ready to insert, or a rejection with its row, column and reason.
// Duplicates: the first row with a number keeps it; later rows with the same E.164 are counted and
// listed but not merged (their other cells could belong to a different person).
import { ConsentReader } from './consent.ts';
import { ownCopy } from './csv-tokenizer.ts';
import { NumberSet } from './number-set.ts';
import { PackedRows } from './packed-rows.ts';
import type { PhoneNormaliser } from './phone.ts';
import type { ResolvedMapping } from './mapping.ts';
import type { SheetRow } from './sheet.ts';
import { canonicalZone, zonesForNumber } from './timezones.ts';
import type { DuplicateRow, LineType, RowIssue, TzSource } from './types.ts';

/** What one batch of rows produced: the contacts packed as bytes, and the rows to report. */
export interface ImportBatch {
  packed: PackedRows;
  rejected: RowIssue[];
  warnings: RowIssue[];
  duplicateRows: DuplicateRow[];
}

export interface ImportTotals {
  rows: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  blankRows: number;
  lineTypes: Record<LineType, number>;
  timezoneSources: Record<TzSource, number>;
}

/** A new batch, writing into `buffer` when one is given back for reuse. */
export function emptyBatch(buffer?: ArrayBuffer): ImportBatch {
  return { packed: new PackedRows(buffer), rejected: [], warnings: [], duplicateRows: [] };
}

export class ContactRowReader {
  readonly totals: ImportTotals = {
    rows: 0, accepted: 0, rejected: 0, duplicates: 0, blankRows: 0,
    lineTypes: { mobile: 0, fixed: 0, voip: 0, unknown: 0 },
    timezoneSources: { number: 0, column: 0, country: 0 },
  };
  private readonly seen = new NumberSet();
  private readonly zoneCells = new Map<string, string>();
  private readonly consent: ConsentReader;
  /** `"header":` of each personalisation field, JSON-escaped once. */
  private readonly fieldKeys: string[];

  constructor(
    private readonly map: ResolvedMapping,
    private readonly headers: readonly string[],
    private readonly phone: PhoneNormaliser,
  ) {
    this.consent = new ConsentReader(map.consent, phone.country);
    this.fieldKeys = map.fields.map(([h]) => `${JSON.stringify(h)}:`);
  }

  /** Sizes the duplicate table for about `rows` rows (an estimate from the file size). */
  expectRows(rows: number): void {
    this.seen.reserve(Math.min(Math.max(rows, 0), 50_000_000));
  }

  read(r: SheetRow, out: ImportBatch): void {
    const cells = r.cells;
    let blank = true;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i] !== '' && cells[i].trim() !== '') {
        blank = false;
        break;
      }
    }
    if (blank) {
      this.totals.blankRows++;
      return;
    }
    this.totals.rows++;

    let e164 = '';
    let lineType: LineType = 'unknown';
    let callingCode = '';
    let firstFailure: RowIssue | null = null;
    let chosen = -1;
    for (const col of this.map.phone) {
      const text = cells[col] ?? '';
      if (text === '' || text.trim() === '') continue;
      const v = this.phone.normalise(text);
      if (v.ok) {
        ({ e164, lineType, callingCode } = v);
        chosen = col;
        break;
      }
      firstFailure ??= { row: r.row, column: this.headers[col], reason: v.reason, code: v.code, params: v.params };
    }
    if (chosen < 0) {
      const columns = this.map.phone.map((c) => this.headers[c]);
      const issue: RowIssue = firstFailure ?? (columns.length > 1
        ? { row: r.row, column: columns[0], reason: `no phone number in ${columns.join(', ')}`, code: 'phone-none-in-columns', params: { columns: columns.join(', ') } }
        : { row: r.row, column: columns[0], reason: 'empty phone number', code: 'phone-empty', params: {} });
      this.reject(issue, out);
      return;
    }

    let zonesJson: string;
    let tzSource: TzSource;
    const tzCell = this.map.timezone >= 0 ? (cells[this.map.timezone] ?? '').trim() : '';
    if (tzCell !== '') {
      const zones = this.zonesFromCell(tzCell);
      if (!zones.startsWith('[')) {
        this.reject({ row: r.row, column: this.headers[this.map.timezone], reason: zones, code: 'timezone-unknown', params: { value: tzCell } }, out);
        return;
      }
      zonesJson = zones;
      tzSource = 'column';
    } else {
      const match = zonesForNumber(e164);
      zonesJson = match ? match.json : '[]';
      tzSource = match && match.prefixLength > callingCode.length ? 'number' : 'country';
    }

    const first = this.seen.addOrGet(e164, r.row);
    if (first !== 0) {
      this.totals.duplicates++;
      out.duplicateRows.push({ row: r.row, firstRow: first, e164 });
      return;
    }
    if (firstFailure) {
      out.warnings.push({ ...firstFailure, reason: `${firstFailure.reason}; used ${this.headers[chosen]} instead`, params: { ...firstFailure.params, usedColumn: this.headers[chosen] } });
    }

    const consent = this.consent.read(cells);
    if (this.consent.dateProblem) {
      const col = this.map.consent.find(([k]) => k === 'date')?.[1] ?? 0;
      out.warnings.push({ row: r.row, column: this.headers[col], reason: this.consent.dateProblem.reason, code: 'consent-date', params: { value: this.consent.dateProblem.value } });
    }

    // The fields' JSON text is built directly: an object per row with header keys is slow to make and to collect.
    let fields = '{';
    const fieldCols = this.map.fields;
    for (let f = 0; f < fieldCols.length; f++) {
      const v = cells[fieldCols[f][1]];
      if (v === undefined || v === '') continue;
      const t = v.trim();
      if (t === '') continue;
      fields += (fields.length > 1 ? ',' : '') + this.fieldKeys[f] + JSON.stringify(t);
    }
    fields += '}';

    const name = this.nameOf(cells);
    // e164, line type and source are plain ASCII; zones, fields and consent are JSON already.
    out.packed.add(`["${e164}","${lineType}",${zonesJson},"${tzSource}",${name === null ? 'null' : JSON.stringify(name)},` +
      `${fields},${consent ?? 'null'},${r.row}]`);
    this.totals.accepted++;
    this.totals.lineTypes[lineType]++;
    this.totals.timezoneSources[tzSource]++;
  }

  private reject(issue: RowIssue, out: ImportBatch): void {
    this.totals.rejected++;
    out.rejected.push(issue);
  }

  private nameOf(cells: readonly string[]): string | null {
    const m = this.map;
    const full = m.name >= 0 ? (cells[m.name] ?? '').trim() : '';
    if (full !== '') return full;
    const first = m.firstName >= 0 ? (cells[m.firstName] ?? '').trim() : '';
    const last = m.lastName >= 0 ? (cells[m.lastName] ?? '').trim() : '';
    if (first === '') return last === '' ? null : last;
    return last === '' ? first : `${first} ${last}`;
  }

  /** JSON array of canonical zones, or the reason the cell is refused (cached per distinct cell text). */
  private zonesFromCell(text: string): string {
    const hit = this.zoneCells.get(text);
    if (hit !== undefined) return hit;
    const zones: string[] = [];
    let out: string | null = null;
    for (const part of text.split(/\s*[,;&|]\s*/)) {
      if (part === '') continue;
      const z = canonicalZone(part);
      if (!z) {
        out = `unknown time zone "${part}": use an IANA name such as Europe/Paris or America/Chicago`;
        break;
      }
      if (!zones.includes(z)) zones.push(z);
    }
    out ??= JSON.stringify(zones);
    if (this.zoneCells.size < 10_000) this.zoneCells.set(ownCopy(text), out);
    return out;
  }
}
