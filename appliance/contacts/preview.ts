// previewFile: what the importer sees in a file before importing it, for the mapping screen. The file is
// read in a worker thread under the same bounds as an import (bounded-worker.ts): a hostile workbook costs
// at most that worker, never the box's main thread and its live calls.
import { basename } from 'node:path';
import { AppError, ERRORS, type ErrorCode } from '../../core/errors.ts';
import { startFileWorker, workerFailure } from './bounded-worker.ts';
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

export interface PreviewOptions {
  rows?: number;
  /** The worker is stopped after this long (default 60 s); the preview then fails with E_IMPORT_FILE. */
  timeoutMs?: number;
}

/** Messages of preview-worker.ts. */
export type PreviewMessage =
  | { type: 'done'; preview: FilePreview }
  | { type: 'error'; code: string | null; message: string; where: Record<string, string | number> | null };


export function previewFile(path: string, opts: PreviewOptions = {}): Promise<FilePreview> {
  const fileName = basename(path);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise<FilePreview>((resolve, reject) => {
    const worker = startFileWorker(new URL('./preview-worker.ts', import.meta.url), { path, rows: opts.rows ?? 10 });
    let settled = false;
    const settle = (e: Error | null, preview?: FilePreview): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (e) reject(e);
      else resolve(preview!);
    };
    const timer = setTimeout(() => settle(new AppError('E_IMPORT_FILE', `${fileName} was not opened: reading its first rows took more than ${Math.round(timeoutMs / 1000)} s`, { file: fileName, limit: 'time' })), timeoutMs);
    worker.on('message', (m: PreviewMessage) => {
      if (m.type === 'done') settle(null, m.preview);
      else settle(m.code !== null && m.code in ERRORS ? new AppError(m.code as ErrorCode, m.message, m.where ?? undefined) : new Error(m.message));
    });
    worker.on('error', (e) => settle(workerFailure(e, fileName)));
    worker.once('exit', (code) => settle(new AppError('E_IMPORT_FILE', `the preview of ${fileName} stopped unexpectedly (worker exit code ${code})`, { file: fileName })));
  });
}

/** Reads the preview in this thread (the preview worker's work). */
export async function readPreview(path: string, opts: { rows?: number } = {}): Promise<FilePreview> {
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
