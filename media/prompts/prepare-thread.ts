// Runs prepare.ts in a worker thread and hands back its result or its error (as the same AppError).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import type { PreparedPrompt, PrepareInput } from './prepare.ts';

// Workers need the TypeScript loader too; loader flags on the command line do not reach them.
const BOOT = `require(${JSON.stringify(fileURLToPath(import.meta.resolve('tsx/cjs/api')))}).register(); require(${JSON.stringify(fileURLToPath(new URL('./prepare-worker.ts', import.meta.url)))});`;
/** A 10-minute message at 48 kHz stereo is ~230 MB as floats at most in flight; the limit keeps a hostile file from taking more. */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 768 };

type Reply = { ok: true; done: PreparedPrompt } | { ok: false; code: ErrorCode | null; message: string; where: Record<string, string | number> | null };

export function prepareOffThread(input: PrepareInput): Promise<PreparedPrompt> {
  const transfer = 'samples' in input.source ? [input.source.samples.buffer as ArrayBuffer] : [];
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOT, { eval: true, workerData: input, transferList: transfer, execArgv: [], resourceLimits: WORKER_HEAP });
    let replied = false;
    worker.once('message', (m: Reply) => {
      replied = true;
      if (m.ok) resolve(m.done);
      else if (m.code) reject(new AppError(m.code, m.message, m.where ?? undefined));
      else reject(new AppError('E_PROMPT', `the recording "${input.displayName}" could not be processed (${m.message})`, { file: input.displayName }));
    });
    worker.once('error', (e) => {
      replied = true;
      reject(new AppError('E_PROMPT', `the recording "${input.displayName}" could not be processed (${e.message})`, { file: input.displayName }, { cause: e }));
    });
    worker.once('exit', (code) => {
      if (!replied) reject(new AppError('E_PROMPT', `the recording "${input.displayName}" could not be processed (worker exited with ${code})`, { file: input.displayName }));
    });
  });
}
