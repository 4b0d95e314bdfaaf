// Uploaded files, streamed to <dataDir>/uploads with a size cap and never held in memory. An upload
// lives until it is imported or for an hour (a preview the user walked away from).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../core/errors.ts';
import { parseJsonSafe } from '../../core/safe-json.ts';

export const DEFAULT_UPLOAD_LIMIT = 200 * 1024 * 1024;
export const UPLOAD_MAX_AGE_MS = 3600_000;

export interface Upload {
  uploadId: string;
  /** Name the browser gave the file (shown back to the user, never used as a path). */
  fileName: string;
  path: string;
  bytes: number;
  username: string;
  createdAt: number;
}

const ID = /^[a-f0-9]{32}$/;

function safeExtension(fileName: string): string {
  const ext = extname(fileName).toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : '';
}

export function tooLarge(limit: number): AppError {
  return new AppError('E_TOO_LARGE', `The file is larger than the ${Math.round(limit / 1024 / 1024)} MB limit; split the list into smaller files.`, { limitBytes: limit });
}

export function isTooLargeError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'FST_REQ_FILE_TOO_LARGE' || code === 'E_TOO_LARGE';
}

/** Streams `source` to a new upload file; removes the partial file and throws E_TOO_LARGE past `limit`. */
export async function saveUpload(dir: string, source: Readable, opts: { fileName: string; username: string; limit: number; now: number }): Promise<Upload> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const uploadId = randomBytes(16).toString('hex');
  const path = join(dir, `${uploadId}${safeExtension(opts.fileName)}`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > opts.limit) done(tooLarge(opts.limit));
      else done(null, chunk);
    },
  });
  // Opened before the pipeline starts: a stage that fails at once must not leave the file being
  // created after the rm below (a write stream opens its file asynchronously).
  const file = await open(path, 'w', 0o600);
  try {
    await pipeline(source, counter, file.createWriteStream());
  } catch (e) {
    await file.close().catch(() => { /* already closed by the destroyed stream */ });
    await rm(path, { force: true });
    if (isTooLargeError(e)) throw tooLarge(opts.limit);
    throw e;
  }
  if (bytes === 0) {
    await rm(path, { force: true });
    throw new AppError('E_IMPORT_FILE', 'The uploaded file is empty.', { file: opts.fileName });
  }
  const upload: Upload = { uploadId, fileName: opts.fileName.slice(0, 255), path, bytes, username: opts.username, createdAt: opts.now };
  await writeFile(join(dir, `${uploadId}.meta.json`), JSON.stringify(upload), { mode: 0o600 });
  return upload;
}

/** The upload with this id, if it exists and belongs to `username`. */
export async function findUpload(dir: string, uploadId: string, username: string): Promise<Upload> {
  const missing = new AppError('E_NOT_FOUND', 'No such upload: it was already imported, expired after an hour, or belongs to another user. Upload the file again.', { uploadId });
  if (!ID.test(uploadId)) throw missing;
  let upload: Upload;
  try {
    upload = parseJsonSafe(await readFile(join(dir, `${uploadId}.meta.json`), 'utf8')) as Upload;
  } catch {
    throw missing;
  }
  if (upload.username !== username) throw missing;
  return upload;
}

export async function removeUpload(dir: string, upload: Pick<Upload, 'uploadId' | 'path'>): Promise<void> {
  await rm(upload.path, { force: true });
  await rm(join(dir, `${upload.uploadId}.meta.json`), { force: true });
}

/** Deletes uploads older than `maxAgeMs` (and stray partial files); returns how many files went. */
export async function purgeUploads(dir: string, now: number, maxAgeMs = UPLOAD_MAX_AGE_MS): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const file = join(dir, name);
    try {
      const s = await stat(file);
      if (now - s.mtimeMs >= maxAgeMs) {
        await rm(file, { force: true });
        removed++;
      }
    } catch {
      // raced with an import that removed it
    }
  }
  return removed;
}

/**
 * An error from reading an upload, told with the name the user gave the file: the readers name the
 * stored copy (a random id), which means nothing to the person who sent it.
 */
export function inUserTerms(e: unknown, upload: Pick<Upload, 'fileName' | 'path'>): unknown {
  if (!(e instanceof AppError) || e.where?.file === undefined) return e;
  const stored = basename(upload.path);
  if (e.where.file !== stored) return e;
  return new AppError(e.code, e.message.split(stored).join(upload.fileName), { ...e.where, file: upload.fileName }, { cause: e.cause, ...(e.fields ? { fields: e.fields } : {}) });
}
