// Worker thread of a preview (preview.ts): reads the file's first rows and posts them, or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../core/errors.ts';
import { readPreview, type PreviewMessage } from './preview.ts';

const port = parentPort;
if (!port) throw new Error('preview-worker.ts runs as a worker thread');
const input = workerData as { path: string; rows: number };

void readPreview(input.path, { rows: input.rows }).then(
  (preview): PreviewMessage => ({ type: 'done', preview }),
  (e: unknown): PreviewMessage => ({
    type: 'error',
    code: isAppError(e) ? e.code : null,
    message: (e as Error)?.message ?? String(e),
    where: isAppError(e) ? e.where ?? null : null,
  }),
).then((m) => {
  port.postMessage(m);
  port.unref();
});
