// Worker thread of an import's signal work (prepare.ts): decoding, resampling and loudness take seconds
// on a long message, and the box's event loop (SIP, the 20 ms RTP clock, HTTP) must not wait on them.
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../core/errors.ts';
import { preparePrompt, type PrepareInput } from './prepare.ts';

const port = parentPort;
if (!port) throw new Error('prepare-worker.ts runs as a worker thread');
try {
  const done = preparePrompt(workerData as PrepareInput);
  port.postMessage({ ok: true, done }, [done.pcm.buffer as ArrayBuffer]);
} catch (e) {
  port.postMessage(isAppError(e) ? { ok: false, code: e.code, message: e.message, where: e.where ?? null } : { ok: false, code: null, message: (e as Error).message ?? String(e), where: null });
}
