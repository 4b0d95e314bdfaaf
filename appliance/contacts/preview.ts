// previewFile: what the importer sees in a file before importing it, for the mapping screen.
import { suggestMapping } from './mapping.ts';
import { openSheet } from './sheet.ts';
import type { Delimiter, FileFormat, Mapping, TextEncoding } from './types.ts';

export interface FilePreview {
  format: FileFormat;
  encoding: TextEncoding | null;
  delimiter: Delimiter | null;
  headers: string[];
  headerRow: number;
  /** First data rows (blank ones skipped), one cell per header. */
  rows: string[][];
  /** Spreadsheet row number of each of `rows`. */
  rowNumbers: number[];
  suggestedMapping: Mapping;
}

export async function previewFile(path: string, opts: { rows?: number } = {}): Promise<FilePreview> {
  const want = opts.rows ?? 10;
  const sheet = await openSheet(path);
  try {
    const rows: string[][] = [];
    const rowNumbers: number[] = [];
    outer: for await (const batch of sheet.rows) {
      for (const r of batch) {
        if (rows.length >= want) break outer;
        if (!r.cells.some((c) => c.trim() !== '')) continue;
        rows.push(sheet.headers.map((_, i) => r.cells[i] ?? ''));
        rowNumbers.push(r.row);
      }
      if (rows.length >= want) break;
    }
    return {
      format: sheet.format, encoding: sheet.encoding, delimiter: sheet.delimiter, headers: sheet.headers, headerRow: sheet.headerRow,
      rows, rowNumbers, suggestedMapping: suggestMapping(sheet.headers),
    };
  } finally {
    sheet.close();
  }
}
