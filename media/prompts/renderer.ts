// Per-contact rendering of personalised text-to-speech, ahead of the dialer. The dialer asks `ready()`,
// which answers at once from the cache and never waits for a synthesis; `prerender()` fills the cache in
// the background with a bounded number of espeak-ng/ffmpeg processes so calls keep their CPU.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PromptRef } from '../../core/call-port.ts';
import { isAppError } from '../../core/errors.ts';
import { FILES, readRecording, type RecordingMeta } from './library.ts';
import { localeForVoice, renderTemplate, type Fields } from './template.ts';
import { DEFAULT_TTS_RATE, synthesize, ttsKey } from './tts.ts';

export interface RenderItem {
  /** Message with tokens, e.g. "Hello {first_name}". */
  text: string;
  fields: Fields;
  voice: string;
  rate?: number;
  /** The contact's time zone, for Date fields. */
  timeZone?: string;
}

export interface PrerenderReport {
  rendered: number;
  cached: number;
  failed: Array<{ index: number; message: string }>;
}

export class PromptRenderer {
  private readonly libraryDir: string;
  private readonly slots: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Map<string, Promise<RecordingMeta>>();
  private readonly known = new Map<string, PromptRef>();

  constructor(opts: { libraryDir: string; concurrency?: number }) {
    this.libraryDir = opts.libraryDir;
    this.slots = Math.max(1, Math.floor(opts.concurrency ?? 1));
  }

  /** The words this contact hears (tokens filled in); throws E_PROMPT listing unknown tokens. */
  textFor(item: RenderItem): string {
    return renderTemplate(item.text, item.fields, { locale: localeForVoice(item.voice), ...(item.timeZone ? { timeZone: item.timeZone } : {}) });
  }

  /**
   * Cache key: hash of the rendered words, voice and rate. Two contacts whose fields give the same words
   * (same first name, same date) share one rendering.
   */
  keyOf(item: RenderItem): string {
    return ttsKey(this.textFor(item), item.voice, item.rate ?? DEFAULT_TTS_RATE);
  }

  private idOf(key: string): string {
    return `tts-${key}`;
  }

  /** The rendered prompt if it is already there; never starts or waits for a synthesis. */
  ready(item: RenderItem): PromptRef | null {
    let key: string;
    try {
      key = this.keyOf(item);
    } catch {
      return null;
    }
    const hit = this.known.get(key);
    if (hit) return hit;
    const dir = join(this.libraryDir, this.idOf(key));
    if (!existsSync(join(dir, FILES.meta))) return null;
    const ref: PromptRef = { id: this.idOf(key), pcmu: join(dir, FILES.pcmu), pcma: join(dir, FILES.pcma), wav: join(dir, FILES.wav) };
    this.known.set(key, ref);
    return ref;
  }

  /** Render one item (from the cache when possible); concurrent requests for the same words share one synthesis. */
  async render(item: RenderItem): Promise<RecordingMeta> {
    const text = this.textFor(item);
    const rate = item.rate ?? DEFAULT_TTS_RATE;
    const key = ttsKey(text, item.voice, rate);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const job = (async (): Promise<RecordingMeta> => {
      const cached = await readRecording(this.libraryDir, this.idOf(key));
      if (cached) return cached;
      await this.acquire();
      try {
        return await synthesize(text, { voice: item.voice, rate, libraryDir: this.libraryDir, id: this.idOf(key) });
      } finally {
        this.release();
      }
    })();
    this.inFlight.set(key, job);
    try {
      const meta = await job;
      this.known.set(key, meta.prompt);
      return meta;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * Render a batch in the background, at most `concurrency` at a time (bounded by the renderer's own
   * limit). Failures are collected, not thrown: one contact's bad field must not stop the others.
   */
  async prerender(items: Iterable<RenderItem>, opts: { concurrency?: number; signal?: AbortSignal } = {}): Promise<PrerenderReport> {
    const report: PrerenderReport = { rendered: 0, cached: 0, failed: [] };
    const width = Math.max(1, Math.min(this.slots, Math.floor(opts.concurrency ?? this.slots)));
    const iter = items[Symbol.iterator]();
    let index = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (opts.signal?.aborted) return;
        const next = iter.next();
        if (next.done) return;
        const i = index++;
        const item = next.value;
        try {
          if (this.ready(item)) {
            report.cached++;
            continue;
          }
          await this.render(item);
          report.rendered++;
        } catch (e) {
          report.failed.push({ index: i, message: isAppError(e) || e instanceof Error ? e.message : String(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: width }, () => worker()));
    return report;
  }

  private acquire(): Promise<void> {
    if (this.active < this.slots) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Convenience for one-off batches: a renderer over `libraryDir`, run once. */
export async function prerender(items: Iterable<RenderItem>, opts: { libraryDir: string; concurrency?: number; signal?: AbortSignal }): Promise<PrerenderReport> {
  const r = new PromptRenderer({ libraryDir: opts.libraryDir, concurrency: opts.concurrency ?? 1 });
  return r.prerender(items, { concurrency: opts.concurrency ?? 1, ...(opts.signal ? { signal: opts.signal } : {}) });
}
