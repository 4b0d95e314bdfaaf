// Parser thread of an import: reads the file, maps columns and normalises numbers. When the database
// is a file, a writer thread (import-writer.cjs) stores the batches on its own connection while this
// one parses on: two cores busy, and the main thread (SIP, RTP clock, HTTP, dialer) does nothing per
// row. For an in-memory database (tests), which a second connection cannot see, batches go to the
// main thread for insertion instead.
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { isAppError } from '../errors.ts';
import { ContactRowReader, emptyBatch, type ImportBatch } from './contact-row.ts';
import { PACKED_INSERT_SQL } from '../store/contacts-repo.ts';
import { threadCpuMs } from './import-protocol.ts';
import type { MainMessage, WorkerInput, WorkerMessage, WorkerProgress, WriterInput, WriterReply, WriterRequest } from './import-protocol.ts';
import { resolveMapping, suggestMapping } from './mapping.ts';
import { PhoneNormaliser } from './phone.ts';
import { openSheet, type Sheet } from './sheet.ts';

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs as a worker thread');
const input = workerData as WorkerInput;


/** The writer keeps almost nothing on its heap: batches arrive as bytes and SQLite unpacks them. */
const WRITER_HEAP = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 };

let inFlight = 0;
let wake: (() => void) | null = null;
let stopped = false;
const timing = { waitMs: 0, writeMs: 0, checkpointMs: 0, writerCpuMs: null as number | null };

port.on('message', (m: MainMessage) => {
  if (m.type === 'ack') inFlight--;
  else if (m.type === 'stop') stopped = true;
  wake?.();
});

function post(m: WorkerMessage): void {
  port!.postMessage(m);
}

/** The writer thread, seen from here: batches out, acknowledgements back. */
class Writer {
  private readonly thread: Worker;
  /**
   * Batch buffers go to the writer and come back with its acknowledgement: a fixed few, reused.
   * Fresh ones per batch would pile up in the writer until its (rare) garbage collection.
   */
  private readonly spare: ArrayBuffer[] = [];
  private failure: Error | null = null;
  private closed: Promise<void>;

  constructor(file: string) {
    const writerInput: WriterInput = { dbFile: file, listId: input.listId, createdAt: input.createdAt, sql: PACKED_INSERT_SQL };
    this.thread = new Worker(input.writer, { workerData: writerInput, execArgv: [], resourceLimits: WRITER_HEAP });
    this.closed = new Promise<void>((resolve) => {
      this.thread.on('message', (m: WriterReply) => {
        if (m.type === 'ack') {
          inFlight--;
          if (this.spare.length < input.maxInFlight) this.spare.push(m.buffer);
        } else if (m.type === 'failed') this.failure ??= new Error(`storing contacts failed: ${m.message}`);
        else {
          timing.writeMs = m.writeMs;
          timing.checkpointMs = m.checkpointMs;
          timing.writerCpuMs = m.cpuMs;
        }
        wake?.();
      });
      this.thread.on('error', (e) => { this.failure ??= e; wake?.(); });
      this.thread.on('exit', () => { this.failure ??= this.endedEarly; wake?.(); resolve(); });
    });
  }

  private endedEarly: Error | null = new Error('the writer thread stopped unexpectedly');

  /** A buffer for the next batch: one the writer gave back, or a new one. */
  takeBuffer(): ArrayBuffer | undefined {
    return this.spare.pop();
  }

  async write(batch: ImportBatch): Promise<void> {
    if (this.failure) throw this.failure;
    const length = batch.packed.finish();
    const buffer = batch.packed.buffer;
    this.thread.postMessage({ type: 'batch', buffer, length, count: batch.packed.count } satisfies WriterRequest, [buffer]);
    inFlight++;
    await waitForRoom();
    if (this.failure) throw this.failure;
  }

  /** Waits until every batch is committed and the connection closed (or the thread is gone). */
  async close(): Promise<void> {
    this.endedEarly = null;
    this.thread.postMessage({ type: 'end' } satisfies WriterRequest);
    const grace = setTimeout(() => void this.thread.terminate(), 10_000);
    await this.closed;
    clearTimeout(grace);
  }

  get error(): Error | null {
    return this.failure;
  }
}

async function waitForRoom(): Promise<void> {
  if (inFlight < input.maxInFlight) return;
  const t = performance.now();
  while (inFlight >= input.maxInFlight && !stopped) {
    await new Promise<void>((resolve) => { wake = resolve; });
    wake = null;
  }
  timing.waitMs += performance.now() - t;
}

async function send(writer: Writer | null, batch: ImportBatch, progress: WorkerProgress): Promise<void> {
  const { rejected, warnings, duplicateRows } = batch;
  const report = { rejected, warnings, duplicateRows };
  const count = batch.packed.count;
  if (writer) {
    if (count > 0) await writer.write(batch);
    post({ type: 'batch', report, count, progress, packed: null });
    return;
  }
  const packed = { buffer: batch.packed.buffer, length: batch.packed.finish() };
  port!.postMessage({ type: 'batch', report, count, progress, packed } satisfies WorkerMessage, [packed.buffer]);
  inFlight++;
  await waitForRoom();
}

async function run(): Promise<WorkerMessage> {
  const started = performance.now();
  let sheet: Sheet | null = null;
  let writer: Writer | null = null;
  try {
    const phone = new PhoneNormaliser(input.country);
    sheet = await openSheet(input.path);
    const resolved = resolveMapping(input.mapping ?? suggestMapping(sheet.headers), sheet.headers);
    writer = input.dbFile ? new Writer(input.dbFile) : null;
    post({ type: 'start', format: sheet.format, encoding: sheet.encoding, delimiter: sheet.delimiter, headers: sheet.headers, mapping: resolved.mapping });
    const reader = new ContactRowReader(resolved, sheet.headers, phone);
    const t = reader.totals;
    const s = sheet;
    const progress = (): WorkerProgress => ({
      rows: t.rows, bytesRead: Math.min(s.bytesRead(), s.totalBytes), totalBytes: s.totalBytes, accepted: t.accepted, rejected: t.rejected, duplicates: t.duplicates,
    });
    const next = (): ImportBatch => emptyBatch(writer?.takeBuffer());
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
          await send(writer, batch, progress());
          if (stopped) throw new Error('import stopped');
          batch = next();
          rowsInBatch = 0;
        }
      }
    }
    if (rowsInBatch > 0) await send(writer, batch, progress());
    if (writer) {
      const w = writer;
      writer = null;
      await w.close();
      if (w.error) throw w.error;
    }
    return {
      type: 'done', totals: t, progress: { ...progress(), bytesRead: s.totalBytes },
      stats: { fastPathNumbers: phone.fastHits, runMs: performance.now() - started, ...timing, parserCpuMs: threadCpuMs() },
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
    // Closed before the last message: when the main thread hears it, no connection of ours holds a lock.
    sheet?.close();
    await writer?.close();
  }
}

void run().then((last) => {
  post(last);
  port.unref(); // the thread ends once the last message is out
});
