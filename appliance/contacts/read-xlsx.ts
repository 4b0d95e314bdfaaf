// XLSX reader: exceljs's streaming workbook reader, first worksheet only. Cells become the text a
// user would see as closely as we can: numbers as plain digits (so a phone number stored as a number
// shows its lost leading 0), dates as ISO dates, rich text and hyperlinks as their text.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import type ExcelJSModule from 'exceljs';
import { AppError } from '../../core/errors.ts';
import { baseName } from './sniff.ts';
import { checkXlsxArchive } from './xlsx-guard.ts';
import type { RawSheet, SheetRow } from './sheet.ts';

const BATCH = 1000;

// exceljs is large: loaded on the first workbook only (require works in both module systems we run in).
let excel: typeof ExcelJSModule | null = null;

export async function openXlsx(path: string): Promise<RawSheet> {
  // Sizes, ratios and shared strings are bounded before exceljs inflates anything (zip bombs).
  await checkXlsxArchive(path);
  const ExcelJS = (excel ??= createRequire(import.meta.url)('exceljs') as typeof ExcelJSModule);
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', entries: 'emit',
  });

  async function* batches(): AsyncGenerator<SheetRow[]> {
    try {
      for await (const sheet of reader) {
        let batch: SheetRow[] = [];
        for await (const row of sheet) {
          const values = row.values as unknown[];
          const cells: string[] = [];
          for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
          batch.push({ row: row.number, cells });
          if (batch.length >= BATCH) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
        return; // first worksheet only
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('E_IMPORT_FILE', `${baseName(path)} is not a readable XLSX workbook: ${(e as Error).message}`, { file: baseName(path) }, { cause: e });
    }
  }

  return {
    format: 'xlsx', encoding: null, delimiter: null,
    records: batches(),
    bytesRead: () => file.bytesRead,
    close: () => file.destroy(),
  };
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/\.000Z$/, 'Z');
  }
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellText(o.result);
    if (o.text !== undefined) return cellText(o.text);
    if (typeof o.error === 'string') return o.error;
  }
  return String(v);
}
