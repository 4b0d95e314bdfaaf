// Messages between importContacts (main thread: SQLite) and the import worker (reading, parsing,
// normalising). The worker sends batches and waits for acknowledgements so it never runs more than a
// few batches ahead of the inserts: memory stays flat whatever the file size.
import type { ImportBatch, ImportTotals } from './contact-row.ts';
import type { Delimiter, FileFormat, Mapping, TextEncoding } from './types.ts';

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
  /** Wall time of the worker's run, and the part spent waiting for the main thread to take batches. */
  runMs: number;
  waitMs: number;
  checkpointMs: number;
}

export type WorkerMessage =
  | { type: 'start'; format: FileFormat; encoding: TextEncoding | null; delimiter: Delimiter | null; headers: string[]; mapping: Mapping }
  | { type: 'batch'; batch: ImportBatch; progress: WorkerProgress }
  | { type: 'done'; totals: ImportTotals; progress: WorkerProgress; stats: WorkerStats }
  | { type: 'error'; code: string | null; message: string; where: Record<string, string | number> | null; stack: string | null };

/** `checkpoint`: enough has been written since the last WAL checkpoint; run one (PASSIVE). */
export type MainMessage = { type: 'ack'; checkpoint: boolean } | { type: 'stop' };
