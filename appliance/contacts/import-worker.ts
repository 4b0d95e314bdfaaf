// Worker thread of an import: reads the file, maps columns, normalises numbers and packs the contacts
// of each batch as bytes the main thread hands to SQLite as they are. Parsing is the CPU-heavy half;
// off the main thread it leaves the box's event loop (SIP, RTP clock, HTTP, dialer) free but for one
// short insert per batch. The worker also runs the WAL checkpoints, on its own connection.
// Why the main thread inserts: a second writing connection would hold SQLite's single write lock
// back to back, and the main thread's own writes (the dialer's ledger) would starve in the busy
// handler, sleeping synchronously; on one connection they simply take turns with the batches.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { isAppError } from '../../core/errors.ts';
import { ContactRowReader, emptyBatch, type ImportBatch } from './contact-row.ts';
import { threadCpuMs, type MainMessage, type WorkerInput, type WorkerMessage, type WorkerProgress } from './import-protocol.ts';
import { resolveMapping, suggestMapping } from './mapping.ts';
import { PhoneNormaliser } from './phone.ts';
import { openSheet, type Sheet } from './sheet.ts';

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs as a worker thread');
const input = workerData as WorkerInput;

let inFlight = 0;
let wake: (() => void) | null = null;
let stopped = false;
/** Buffers the main thread gave back; a fixed few are reused instead of a new one per batch. */
const spare: ArrayBuffer[] = [];
const timing = { waitMs: 0, checkpointMs: 0 };
let stored = 0;
let checkpointDb: Database.Database | null = null;

port.on('message', (m: MainMessage) => {
  if (m.type === 'ack') {
    inFlight--;
    if (spare.length < input.maxInFlight) spare.push(m.buffer);
  } else if (m.type === 'stop') {
    stopped = true;
  }
  wake?.();
});

function post(m: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(m, transfer);
}

/**
 * Batches commit without SQLite's automatic checkpoint (it would copy the WAL into the database on
 * the main thread every 4 MB); a PASSIVE checkpoint here does it without taking the write lock, and
 * keeps the WAL small for the next commit of anyone else.
 */
function maybeCheckpoint(count: number): void {
  if (!input.dbFile) return;
  stored += count;
  if (stored < input.checkpointRows) return;
  stored = 0;
  const t = performance.now();
  try {
    checkpointDb ??= new Database(input.dbFile, { fileMustExist: true });
    checkpointDb.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // a later checkpoint (ours or SQLite's own) will do it
  }
  timing.checkpointMs += performance.now() - t;
}

async function send(batch: ImportBatch, progress: WorkerProgress): Promise<void> {
  const { rejected, warnings, duplicateRows, packed } = batch;
  const length = packed.finish();
  post({ type: 'batch', report: { rejected, warnings, duplicateRows }, count: packed.count, progress, buffer: packed.buffer, length }, [packed.buffer]);
  inFlight++;
  if (inFlight >= input.maxInFlight && !stopped) {
    const t = performance.now();
    while (inFlight >= input.maxInFlight && !stopped) {
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = null;
    }
    timing.waitMs += performance.now() - t;
  }
  // Batches are stored in order: by now all but the last maxInFlight - 1 are committed.
  maybeCheckpoint(packed.count);
}

async function run(): Promise<WorkerMessage> {
  const started = performance.now();
  let sheet: Sheet | null = null;
  try {
    const phone = new PhoneNormaliser(input.country);
    sheet = await openSheet(input.path);
    const resolved = resolveMapping(input.mapping ?? suggestMapping(sheet.headers), sheet.headers);
    post({ type: 'start', format: sheet.format, encoding: sheet.encoding, delimiter: sheet.delimiter, headers: sheet.headers, mapping: resolved.mapping });
    const reader = new ContactRowReader(resolved, sheet.headers, phone);
    const t = reader.totals;
    const s = sheet;
    const progress = (): WorkerProgress => ({
      rows: t.rows, bytesRead: Math.min(s.bytesRead(), s.totalBytes), bytesTotal: s.totalBytes, accepted: t.accepted, rejected: t.rejected, duplicates: t.duplicates,
    });
    const next = (): ImportBatch => emptyBatch(spare.pop());
    let batch = next();
    let rowsInBatch = 0;
    let sized = sheet.format !== 'csv';
    for await (const rows of sheet.rows) {
      if (!sized && rows.length > 0) {
        sized = true; // rows in the file ≈ its size / the bytes per row of the first read
        const last = rows[rows.length - 1].row;
        reader.expectRows(Math.ceil((s.totalBytes / Math.max(s.bytesRead(), 1)) * last * 1.05));
      }
      for (const r of rows) {
        reader.read(r, batch);
        if (++rowsInBatch >= input.batchRows) {
          await send(batch, progress());
          if (stopped) throw new Error('import stopped');
          batch = next();
          rowsInBatch = 0;
        }
      }
    }
    if (rowsInBatch > 0) await send(batch, progress());
    return {
      type: 'done', totals: t, progress: { ...progress(), bytesRead: s.totalBytes },
      stats: { fastPathNumbers: phone.fastHits, runMs: performance.now() - started, ...timing, workerCpuMs: threadCpuMs() },
    };
  } catch (e) {
    const err = e as Error;
    return {
      type: 'error',
      code: isAppError(e) ? e.code : null,
      message: err?.message ?? String(e),
      where: isAppError(e) ? e.where ?? null : null,
      stack: isAppError(e) ? null : err?.stack ?? null,
    };
  } finally {
    sheet?.close();
    checkpointDb?.close();
  }
}

void run().then((last) => {
  post(last);
  port.unref(); // the thread ends once the last message is out
});
