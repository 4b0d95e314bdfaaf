// Messages between importContacts (main thread) and the import worker (reading, parsing, normalising,
// and writing when the database is a file). When the main thread inserts (in-memory databases), the
// worker waits for acknowledgements so it never runs more than a few batches ahead.
import { readFileSync } from 'node:fs';
import type { ImportBatch, ImportTotals } from './contact-row.ts';

export type BatchReport = Pick<ImportBatch, 'rejected' | 'warnings' | 'duplicateRows'>;
import type { Delimiter, FileFormat, Mapping, TextEncoding } from './types.ts';

export interface WorkerInput {
  path: string;
  country: string;
  mapping: unknown;
  /** Rows read between two batches. */
  batchRows: number;
  /** Batches sent but not yet acknowledged before the worker waits. */
  maxInFlight: number;
  /** The database file the worker writes to on its own connection; null: send batches to the main thread. */
  dbFile: string | null;
  /** The staged list the contacts go under, and their created_at. */
  listId: number;
  createdAt: string;
  /** The writer thread's script (import-writer.cjs). */
  writer: string;
}

/**
 * Code a worker thread runs first: tsx's in-thread (CommonJS) loader, then the TypeScript module.
 * The ESM loader would add a loader-hooks thread, and its ~10 MB, to every worker.
 */
export function bootCode(tsx: string, module: string): string {
  return `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(module)});`;
}

export interface WorkerProgress {
  rows: number;
  bytesRead: number;
  totalBytes: number;
  accepted: number;
  rejected: number;
  duplicates: number;
}

export interface WorkerStats {
  /** Numbers the compiled fast path settled. */
  fastPathNumbers: number;
  /** Wall time of the worker's run; of it: waiting for the main thread to take batches, inserting, checkpointing. */
  runMs: number;
  waitMs: number;
  writeMs: number;
  checkpointMs: number;
  /** CPU time of the parser and writer threads (null where /proc is missing). */
  parserCpuMs: number | null;
  writerCpuMs: number | null;
}

/** CPU time of the calling thread in ms (Linux /proc; null elsewhere). For the bench's account of time. */
export function threadCpuMs(): number | null {
  try {
    // Fields 14 and 15 of /proc/thread-self/stat (after the ")" of the name): user and system ticks (1/100 s).
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

export type WorkerMessage =
  | { type: 'start'; format: FileFormat; encoding: TextEncoding | null; delimiter: Delimiter | null; headers: string[]; mapping: Mapping }
  /**
   * A batch's rows to report, and its contacts: stored by the writer thread already, or (in-memory
   * databases) for the main thread to store: the first `length` bytes of `buffer` (PACKED_INSERT_SQL's).
   */
  | { type: 'batch'; report: BatchReport; count: number; progress: WorkerProgress; packed: { buffer: ArrayBuffer; length: number } | null }
  | { type: 'done'; totals: ImportTotals; progress: WorkerProgress; stats: WorkerStats }
  | { type: 'error'; code: string | null; message: string; where: Record<string, string | number> | null; stack: string | null };

export type MainMessage = { type: 'ack' } | { type: 'stop' };

/** What the parser thread gives its writer thread (import-writer.cjs). */
export interface WriterInput {
  dbFile: string;
  listId: number;
  createdAt: string;
  /** contacts-repo PACKED_INSERT_SQL. */
  sql: string;
}

/**
 * A batch: the contacts-repo PACKED_INSERT_SQL JSON text as UTF-8 bytes, the first `length` of
 * `buffer` (transferred, and handed back with the acknowledgement for reuse); or the end.
 */
export type WriterRequest = { type: 'batch'; buffer: ArrayBuffer; length: number; count: number } | { type: 'end' };

/** `closed`: every batch is committed and the connection closed. `failed`: the connection is closed too. */
export type WriterReply =
  | { type: 'ack'; buffer: ArrayBuffer }
  | { type: 'closed'; writeMs: number; checkpointMs: number; cpuMs: number | null }
  | { type: 'failed'; message: string };
