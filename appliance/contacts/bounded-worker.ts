// The worker threads that read contact files (import and preview) are started here, with the same
// bounds: a heap limit, so that a hostile file can cost at most the worker and never the box (the main
// thread carries the live calls), and a crash of the worker told in the user's terms.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.ts';
import { bootCode } from './import-protocol.ts';

// Workers need the TypeScript loader too; loader flags on the command line do not reach them. Resolved
// on first use: this module is also loaded inside workers, whose loader has no import.meta.resolve.
let tsx: string | null = null;

/** A small young generation keeps the worker's share of the process's memory down at little cost in speed. */
export const WORKER_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 512 };

/** Starts `module` (a worker file of this folder) with `workerData`, under WORKER_HEAP. */
export function startFileWorker(module: URL, workerData: unknown): Worker {
  tsx ??= fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  return new Worker(bootCode(tsx, fileURLToPath(module)), { eval: true, workerData, execArgv: [], resourceLimits: WORKER_HEAP });
}

/** What to tell the user when the worker reading `fileName` died (out of memory, or another crash). */
export function workerFailure(e: unknown, fileName: string): Error {
  if (e instanceof AppError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new AppError('E_IMPORT_FILE', `${fileName} was not opened: reading it needs more than the ${WORKER_HEAP.maxOldGenerationSizeMb} MB of memory a file may use; save the sheet as CSV or split it`, { file: fileName, limit: 'memory' }, { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}
