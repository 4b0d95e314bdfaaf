// Worker thread of an import: reads the file, maps columns, normalises numbers and sends contacts to
// the main thread in batches. Parsing is the CPU-heavy half, and keeping it off the main thread keeps
// the box's event loop (SIP, RTP clock, HTTP) responsive during a million-row import.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { isAppError } from '../errors.ts';
import { ContactRowReader, emptyBatch, type ImportBatch } from './contact-row.ts';
import type { MainMessage, WorkerInput, WorkerMessage, WorkerProgress } from './import-protocol.ts';
import { resolveMapping, suggestMapping } from './mapping.ts';
import { PhoneNormaliser } from './phone.ts';
import { openSheet, type Sheet } from './sheet.ts';

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs as a worker thread');
const input = workerData as WorkerInput;

let inFlight = 0;
let wake: (() => void) | null = null;
let stopped = false;
let checkpointDb: Database.Database | null = null;
let waitMs = 0;
let checkpointMs = 0;
port.on('message', (m: MainMessage) => {
  if (m.type === 'ack') {
    inFlight--;
    if (m.checkpoint) checkpointFromWorker();
  } else if (m.type === 'stop') {
    stopped = true;
  }
  wake?.();
});

/**
 * A PASSIVE checkpoint on this thread's own connection: it copies committed WAL frames into the
 * database without taking the write lock, so the main thread keeps inserting (and serving) meanwhile.
 */
function checkpointFromWorker(): void {
  if (!input.dbFile) return;
  const t = performance.now();
  try {
    checkpointDb ??= new Database(input.dbFile, { fileMustExist: true });
    checkpointDb.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // a later checkpoint (ours or SQLite's own) will do it
  }
  checkpointMs += performance.now() - t;
}

function post(m: WorkerMessage): void {
  port!.postMessage(m);
}

async function send(batch: ImportBatch, progress: WorkerProgress): Promise<void> {
  post({ type: 'batch', batch, progress });
  inFlight++;
  if (inFlight < input.maxInFlight || stopped) return;
  const t = performance.now();
  while (inFlight >= input.maxInFlight && !stopped) {
    await new Promise<void>((resolve) => { wake = resolve; });
    wake = null;
  }
  waitMs += performance.now() - t;
}

async function run(): Promise<void> {
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
      rows: t.rows, bytesRead: Math.min(s.bytesRead(), s.totalBytes), totalBytes: s.totalBytes, accepted: t.accepted, rejected: t.rejected, duplicates: t.duplicates,
    });
    let batch = emptyBatch();
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
          if (stopped) return;
          batch = emptyBatch();
          rowsInBatch = 0;
        }
      }
    }
    if (rowsInBatch > 0) await send(batch, progress());
    post({
      type: 'done', totals: t, progress: { ...progress(), bytesRead: s.totalBytes },
      stats: { fastPathNumbers: phone.fastHits, runMs: performance.now() - started, waitMs, checkpointMs },
    });
  } catch (e) {
    const err = e as Error;
    post({
      type: 'error',
      code: isAppError(e) ? e.code : null,
      message: err?.message ?? String(e),
      where: isAppError(e) ? e.where ?? null : null,
      stack: isAppError(e) ? null : err?.stack ?? null,
    });
  } finally {
    sheet?.close();
    checkpointDb?.close();
    port!.unref(); // let the thread end once the last message is out; the main thread also terminates it
  }
}

void run();
