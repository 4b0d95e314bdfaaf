// The box's recording library: an in-memory index over media/prompts' file library, so the dialer
// can resolve a recording id to its pre-encoded files synchronously, without touching the disk per call.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PromptRef } from '../core/call-port.ts';
import { AppError } from '../core/errors.ts';
import {
  deleteRecording,
  importRecording,
  listRecordings,
  sweepStaging,
  synthesize,
  type RecordingMeta,
} from '../media/prompts/index.ts';
import { FILES, recordingDir, toStored } from '../media/prompts/library.ts';

export type { RecordingMeta };

export class RecordingLibrary {
  readonly name = 'recordings';
  readonly dir: string;
  private readonly index = new Map<string, RecordingMeta>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'recordings', 'library');
  }

  async start(): Promise<void> {
    await sweepStaging(this.dir);
    for (const r of await listRecordings(this.dir)) this.index.set(r.id, r);
  }

  async stop(): Promise<void> {
    this.index.clear();
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): RecordingMeta {
    const r = this.index.get(id);
    if (!r) throw new AppError('E_NOT_FOUND', `no recording "${id}"`, { recording: id });
    return r;
  }

  prompt(id: string): PromptRef {
    return this.get(id).prompt;
  }

  list(): RecordingMeta[] {
    return [...this.index.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async importFile(path: string, opts: { name: string; originalName?: string }): Promise<RecordingMeta> {
    const r = await importRecording(path, { libraryDir: this.dir, name: opts.name, originalName: opts.originalName });
    this.index.set(r.id, r);
    return r;
  }

  async synthesize(text: string, opts: { voice: string; name?: string; rate?: number }): Promise<RecordingMeta> {
    const r = await synthesize(text, { libraryDir: this.dir, voice: opts.voice, name: opts.name, rate: opts.rate });
    this.index.set(r.id, r);
    return r;
  }

  /** Changes the name staff see; the audio and the id (what campaigns refer to) stay. */
  async rename(id: string, name: string): Promise<RecordingMeta> {
    const r = { ...this.get(id), name };
    const dir = recordingDir(this.dir, id);
    // Written aside then renamed over, so a power cut leaves the old or the new name, never half a file.
    const tmp = join(dir, `${FILES.meta}.${process.pid}.tmp`);
    await writeFile(tmp, `${JSON.stringify(toStored(r, dir), null, 1)}\n`);
    await rename(tmp, join(dir, FILES.meta));
    this.index.set(id, r);
    return r;
  }

  async remove(id: string, inUse: (id: string) => boolean): Promise<void> {
    this.get(id);
    if (inUse(id)) throw new AppError('E_CAMPAIGN_STATE', `recording "${id}" is used by a campaign that has not finished`, { recording: id });
    await deleteRecording(this.dir, id);
    this.index.delete(id);
  }
}
