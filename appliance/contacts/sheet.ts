// One interface over a CSV or XLSX file: headers, then data rows numbered as the spreadsheet shows
// them (header = row 1), streamed.
import { stat } from 'node:fs/promises';
import { AppError } from '../../core/errors.ts';
import { openCsv } from './read-csv.ts';
import { openXlsx } from './read-xlsx.ts';
import { baseName, fileError, sniffFormat } from './sniff.ts';
import type { Delimiter, FileFormat, TextEncoding } from './types.ts';

export interface SheetRow {
  row: number;
  cells: string[];
}

export interface Sheet {
  format: FileFormat;
  encoding: TextEncoding | null;
  delimiter: Delimiter | null;
  /** Unique, non-empty: a repeated header gets " (2)", an empty one "Column C". */
  headers: string[];
  headerRow: number;
  totalBytes: number;
  bytesRead(): number;
  /** Data rows after the header in batches, blank ones included (all cells empty); read once. */
  rows: AsyncIterable<SheetRow[]>;
  close(): void;
}

/** What a format reader yields: raw records with their spreadsheet row numbers. */
export interface RawSheet {
  format: FileFormat;
  encoding: TextEncoding | null;
  delimiter: Delimiter | null;
  records: AsyncIterator<SheetRow[]>;
  bytesRead(): number;
  close(): void;
}

export async function openSheet(path: string): Promise<Sheet> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(path)).size;
  } catch (e) {
    throw fileError(path, e);
  }
  const format = await sniffFormat(path);
  const raw = format === 'xlsx' ? await openXlsx(path) : await openCsv(path);
  try {
    let header: SheetRow | undefined;
    let rest: SheetRow[] = [];
    while (!header) {
      const next = await raw.records.next();
      if (next.done) break;
      const at = next.value.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
      if (at >= 0) {
        header = next.value[at];
        rest = next.value.slice(at + 1);
      }
    }
    if (!header) throw new AppError('E_IMPORT_FILE', `${baseName(path)} has no rows`, { file: baseName(path) });
    const records = raw.records;
    async function* rows(): AsyncGenerator<SheetRow[]> {
      if (rest.length > 0) yield rest;
      for (;;) {
        const next = await records.next();
        if (next.done) return;
        yield next.value;
      }
    }
    return {
      format, encoding: raw.encoding, delimiter: raw.delimiter, headers: uniqueHeaders(header.cells), headerRow: header.row,
      totalBytes, bytesRead: raw.bytesRead, close: raw.close, rows: rows(),
    };
  } catch (e) {
    raw.close();
    throw e;
  }
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function uniqueHeaders(cells: string[]): string[] {
  const used = new Set<string>();
  return cells.map((c, i) => {
    const base = c.replace(/\s+/g, ' ').trim() || `Column ${columnLetter(i)}`;
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base} (${n})`;
    used.add(name.toLowerCase());
    return name;
  });
}
