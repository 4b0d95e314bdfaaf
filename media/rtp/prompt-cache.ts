// Prompts are encoded once at import (headerless 8 kHz G.711 files); calls share the loaded bytes.
// Least recently used prompts are dropped once the cache holds more than its byte budget.
import { readFile } from 'node:fs/promises';
import type { PromptRef } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import type { G711Law } from '../dsp/g711.ts';

export interface PromptCacheOptions {
  /** Byte budget; default 64 MiB (about 2 h 15 min of G.711). */
  maxBytes?: number;
  /**
   * Keep the bytes in SharedArrayBuffers: media worker threads then play them without a copy (a play
   * message carries a view on the same memory).
   */
  shared?: boolean;
}

export class PromptCache {
  private readonly maxBytes: number;
  private readonly entries = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private total = 0;
  private readonly shared: boolean;

  constructor(opts: PromptCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.shared = opts.shared ?? false;
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The file's bytes, read from disk only the first time (concurrent callers share one read). */
  load(path: string): Promise<Buffer> {
    const hit = this.entries.get(path);
    if (hit) {
      this.entries.delete(path);
      this.entries.set(path, hit);
      return Promise.resolve(hit);
    }
    const pending = this.loading.get(path);
    if (pending) return pending;
    const p = this.read(path).finally(() => this.loading.delete(path));
    this.loading.set(path, p);
    return p;
  }

  /** The recording in the given law. */
  forPrompt(ref: PromptRef, law: G711Law): Promise<Buffer> {
    return this.load(law === 'pcmu' ? ref.pcmu : ref.pcma);
  }

  /** Forget one file (re-imported) or everything. */
  invalidate(path?: string): void {
    if (path === undefined) {
      this.entries.clear();
      this.total = 0;
      return;
    }
    const buf = this.entries.get(path);
    if (buf) {
      this.entries.delete(path);
      this.total -= buf.length;
    }
  }

  private async read(path: string): Promise<Buffer> {
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      throw new AppError('E_PROMPT', `Cannot read the recording file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: path }, { cause: err });
    }
    if (buf.length === 0) throw new AppError('E_PROMPT', 'The recording file is empty', { file: path });
    if (this.shared) {
      const sab = Buffer.from(new SharedArrayBuffer(buf.length));
      buf.copy(sab);
      buf = sab;
    }
    this.entries.set(path, buf);
    this.total += buf.length;
    for (const [key, old] of this.entries) {
      if (this.total <= this.maxBytes || key === path) break;
      this.entries.delete(key);
      this.total -= old.length;
    }
    return buf;
  }
}
