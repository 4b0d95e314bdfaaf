// Messages between importContacts (main thread: inserts) and the import worker (reading, parsing,
// normalising, checkpointing). The worker waits for acknowledgements so it never runs more than a few
// batches ahead, and batch buffers travel back with them to be reused: memory stays flat.
import { readFileSync } from 'node:fs';
import type { ImportBatch, ImportTotals } from './contact-row.ts';
import type { Delimiter, FileFormat, Mapping, TextEncoding } from './types.ts';

export type BatchReport = Pick<ImportBatch, 'rejected' | 'warnings' | 'duplicateRows'>;

export interface WorkerInput {
  path: string;
  country: string;
  mapping: unknown;
  /** Rows read between two batches. */
  batchRows: number;
  /** Batches sent but not yet acknowledged before the worker waits. */
  maxInFlight: number;
  /** The database file, for WAL checkpoints on the worker's own connection; null for in-memory databases. */
  dbFile: string | null;
  /** Contacts stored between two checkpoints. */
  checkpointRows: number;
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
  bytesTotal: number;
  accepted: number;
  rejected: number;
  duplicates: number;
}

export interface WorkerStats {
  /** Numbers the compiled fast path settled. */
  fastPathNumbers: number;
  /** Wall time of the worker's run; of it: waiting for the main thread to take batches, and checkpointing. */
  runMs: number;
  waitMs: number;
  checkpointMs: number;
  /** CPU time of the worker thread (null where /proc is missing). */
  workerCpuMs: number | null;
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
  /** A batch's rows to report, and its `count` contacts: the first `length` bytes of `buffer` (PACKED_INSERT_SQL's @packed). */
  | { type: 'batch'; report: BatchReport; count: number; progress: WorkerProgress; buffer: ArrayBuffer; length: number }
  | { type: 'done'; totals: ImportTotals; progress: WorkerProgress; stats: WorkerStats }
  | { type: 'error'; code: string | null; message: string; where: Record<string, string | number> | null; stack: string | null };

/** `ack`: the batch is stored; its buffer comes back for reuse. */
export type MainMessage = { type: 'ack'; buffer: ArrayBuffer } | { type: 'stop' };
