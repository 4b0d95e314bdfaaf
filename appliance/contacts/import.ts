// importContacts: a contact file → a new list, whole or not at all.
// A worker thread reads and normalises (import-worker.ts); this thread stores each batch in its own
// short transaction, under a list that stays invisible ('importing') until one final commit
// publishes it. Any failure deletes the list and every row written under it; a crash leaves an
// 'importing' list that sweepInterruptedImports() removes at boot. One long transaction would instead
// hold the database's only write lock for the whole import (the dialer's ledger writes would wait or
// fail) or, on the shared connection, swallow other code's writes into a transaction that might roll back.
import type { Worker } from 'node:worker_threads';
import { isRunning, processMark } from '../system/process-mark.ts';
import { basename } from 'node:path';
import { AppError, ERRORS, type ErrorCode } from '../../core/errors.ts';
import type { Db } from '../store/db.ts';
import { ContactsRepo } from '../store/contacts-repo.ts';
import type { ImportTotals } from './contact-row.ts';
import { startFileWorker, workerFailure } from './bounded-worker.ts';
import { threadCpuMs, type MainMessage, type WorkerInput, type WorkerMessage, type WorkerStats } from './import-protocol.ts';
import { parseMapping } from './mapping.ts';
import type { Delimiter, DuplicateRow, FileFormat, ImportProgress, ImportReport, Mapping, RowIssue, TextEncoding } from './types.ts';

export interface ImportOptions {
  /** Name of the new list (unique). */
  list: string;
  /** Default country for numbers written without +/00 (ISO 3166 alpha-2, e.g. the box's country). */
  country: string;
  /** Column mapping; default: suggestMapping() of the file's headers. */
  mapping?: Mapping;
  /** File name shown in the report and kept with the list (an upload's original name); default: basename(file). */
  fileName?: string;
  /** Called after every batch (about every 2,000 rows) and once at the end. */
  onProgress?: (p: ImportProgress) => void;
  /** Rows per batch and transaction; default 1,000 (~4 ms of this thread each). */
  batchRows?: number;
}

/** Where an import's time went (for the bench). */
export interface ImportStats extends WorkerStats {
  /** Main-thread time spent inserting batches, in all and the longest (how long the event loop was held). */
  insertMs: number;
  maxInsertMs: number;
  /** CPU time of the main thread during the import (null where /proc is missing). */
  mainCpuMs: number | null;
  /** Gaps left between batches for other connections' writes (see GAP_RATIO). */
  gapMs: number;
}

const PARSER = new URL('./import-worker.ts', import.meta.url);
/** How long a failed import waits for its worker to close its connection before terminating it. */
const STOP_GRACE_MS = 10_000;
/**
 * While another connection writes too (the box, when `appliance import` runs beside it in its own
 * process), this share of each batch's insert time passes before the next batch: the other writer
 * then finds the write lock free when SQLite's busy handler retries (after 1, 2, 5, 10 ms…) instead
 * of starving behind back-to-back batches. Writers on our own connection need no gap: they take turns.
 */
const GAP_RATIO = 0.5;
/** How long the gaps stay on after another connection was last seen committing. */
const OTHERS_SEEN_MS = 5_000;
/** Contacts stored between two WAL checkpoints (~12 MB of WAL), which the worker runs. */
const CHECKPOINT_ROWS = 50_000;

const lastStats = new WeakMap<ImportReport, ImportStats>();

export function importStats(report: ImportReport): ImportStats | undefined {
  return lastStats.get(report);
}

export async function importContacts(db: Db, file: string, opts: ImportOptions): Promise<ImportReport> {
  // The parser thread checks the country against libphonenumber's list; loading that here would cost
  // the main thread ~10 MB for good.
  const country = opts.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) {
    throw new AppError('E_IMPORT_MAPPING', `unknown country "${opts.country}": give a two-letter code such as FR or US`, { country: opts.country });
  }
  const mapping = opts.mapping === undefined ? undefined : parseMapping(opts.mapping);
  const repo = new ContactsRepo(db);
  const createdAt = new Date().toISOString();
  const fileName = opts.fileName ?? basename(file);
  const started = performance.now();
  const cpuAtStart = threadCpuMs();
  const listId = repo.beginList({ name: opts.list, sourceFile: fileName, country, createdAt, importer: processMark() });
  const listName = opts.list.trim();

  const input: WorkerInput = {
    path: file, country, mapping, batchRows: opts.batchRows ?? 1000, maxInFlight: 3,
    dbFile: db.memory ? null : db.name, checkpointRows: CHECKPOINT_ROWS,
  };
  let worker: Worker;
  try {
    worker = startFileWorker(PARSER, input);
  } catch (e) {
    repo.discardList(listId);
    throw e;
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => { exited = true; resolve(); }));
  let insertMs = 0;
  let maxInsertMs = 0;
  let gapMs = 0;

  const rejected: RowIssue[] = [];
  const warnings: RowIssue[] = [];
  const duplicateRows: DuplicateRow[] = [];
  let head: { format: FileFormat; encoding: TextEncoding | null; delimiter: Delimiter | null; mapping: Mapping } | null = null;

  return new Promise<ImportReport>((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      // The worker's connection must be closed before we delete.
      if (!exited) worker.postMessage({ type: 'stop' } satisfies MainMessage);
      const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      void exit.then(() => {
        clearTimeout(grace);
        try {
          repo.discardList(listId);
        } catch {
          // the original error matters more; boot's sweep removes what is left
        }
        reject(e);
      });
    };
    const finish = (totals: ImportTotals, stats: WorkerStats): void => {
      if (!head) throw new Error('import worker finished without describing the file');
      // A list without a contact is refused whole (nothing is kept): it could only fail later, at a start.
      if (totals.accepted === 0) {
        fail(emptyImport(fileName, totals.rows, rejected[0]));
        return;
      }
      const report: ImportReport = {
        list: { id: listId, name: listName },
        file: fileName,
        format: head.format,
        encoding: head.encoding,
        delimiter: head.delimiter,
        country,
        mapping: head.mapping,
        rows: totals.rows,
        accepted: totals.accepted,
        rejected,
        duplicates: totals.duplicates,
        duplicateRows,
        warnings,
        blankRows: totals.blankRows,
        lineTypes: totals.lineTypes,
        timezoneSources: totals.timezoneSources,
        durationMs: Math.round(performance.now() - started),
      };
      repo.publishList(listId, report);
      settled = true;
      const cpu = threadCpuMs();
      lastStats.set(report, { ...stats, insertMs, maxInsertMs, mainCpuMs: cpu === null || cpuAtStart === null ? null : cpu - cpuAtStart, gapMs });
      resolve(report);
    };

    const handle = (m: WorkerMessage): void => {
      switch (m.type) {
        case 'start':
          head = { format: m.format, encoding: m.encoding, delimiter: m.delimiter, mapping: m.mapping };
          break;
        case 'batch': {
          const b = m.report;
          if (m.count > 0) {
            const version = repo.dataVersion();
            const t = performance.now();
            if (version !== lastVersion) othersUntil = t + OTHERS_SEEN_MS;
            try {
              repo.insertPacked(listId, createdAt, Buffer.from(m.buffer, 0, m.length));
            } catch (e) {
              throw new Error(`storing contacts failed: ${(e as Error).message}`, { cause: e });
            }
            const end = performance.now();
            insertMs += end - t;
            maxInsertMs = Math.max(maxInsertMs, end - t);
            lastVersion = version; // our own commits leave it as it is
            const gap = end < othersUntil ? Math.max(1, (end - t) * GAP_RATIO) : 0;
            gapMs += gap;
            readyAt = end + gap;
          }
          worker.postMessage({ type: 'ack', buffer: m.buffer } satisfies MainMessage, [m.buffer]);
          for (const x of b.rejected) rejected.push(x);
          for (const x of b.warnings) warnings.push(x);
          for (const x of b.duplicateRows) duplicateRows.push(x);
          opts.onProgress?.(m.progress);
          break;
        }
        case 'done':
          opts.onProgress?.(m.progress);
          finish(m.totals, m.stats);
          break;
        case 'error':
          fail(m.code !== null && m.code in ERRORS
            ? new AppError(m.code as ErrorCode, m.message, m.where ?? undefined)
            : Object.assign(new Error(m.message), { stack: m.stack ?? undefined }));
          break;
      }
    };
    // Messages are handled in order; a batch waits until the gap after the previous insert is over.
    const queue: WorkerMessage[] = [];
    let readyAt = 0;
    let lastVersion = repo.dataVersion();
    let othersUntil = 0;
    // Set while a pump is scheduled (a gap's timer, or the next turn of the event loop).
    let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
    const pump = (): void => {
      timer = null;
      while (queue.length > 0 && !settled) {
        const m = queue[0];
        const stores = m.type === 'batch' && m.count > 0;
        const wait = stores ? readyAt - performance.now() : 0;
        if (wait > 0) {
          timer = setTimeout(pump, Math.ceil(wait));
          return;
        }
        queue.shift();
        try {
          handle(m);
        } catch (e) {
          fail(e);
        }
        // One stored batch per turn of the event loop: when the worker is ahead (several batches
        // queued), timers and I/O of this thread (the dialer's) still run between batches.
        if (stores && queue.length > 0 && !settled) {
          timer = setImmediate(pump);
          return;
        }
      }
    };
    let lastWord = false;
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      if (m.type === 'done' || m.type === 'error') lastWord = true;
      queue.push(m);
      // Stored on a turn of its own, not here: a worker that is ahead delivers several batches in one
      // go, and storing each as it arrives would run them back to back with nothing of this thread's
      // between them.
      if (!timer) timer = setImmediate(pump);
    });
    // A worker that dies (out of its heap: a hostile or huge file) fails the import in words, not as a 500.
    worker.on('error', (e) => fail(workerFailure(e, fileName)));
    worker.once('exit', (code) => {
      // After its last message the worker ends on its own; that message may still wait in the queue.
      if (!settled && !lastWord) fail(new AppError('E_IMPORT_FILE', `the import of ${fileName} stopped unexpectedly (worker exit code ${code})`, { file: fileName }));
    });
  });
}

/**
 * Removes lists a crash left half-imported; main.ts calls it at boot. A list whose importing process
 * still runs (`appliance import` beside the starting box) is left to it. Returns how many were removed.
 */
export function sweepInterruptedImports(db: Db): number {
  return new ContactsRepo(db).sweepUnfinished(isRunning);
}

/** Why an import gave no contact, where the file's problem is. */
function emptyImport(fileName: string, rows: number, first: RowIssue | undefined): AppError {
  if (rows === 0 || !first) {
    return new AppError('E_IMPORT_EMPTY', `${fileName} has a header row and no contact below it: no list was made. Add the contacts under the header (one row per contact) and import it again.`, { file: fileName, headerOnly: 1 });
  }
  return new AppError('E_IMPORT_EMPTY', `none of the ${rows} rows of ${fileName} has a usable phone number (first rejected: row ${first.row}, column "${first.column}": ${first.reason}): no list was made. Check the column chosen for the phone number and the country.`,
    { file: fileName, rows, firstRejectedRow: first.row, column: first.column });
}
