// The queue of prompts a session plays: pre-encoded bytes handed out one 20 ms frame per tick.
// Each play() resolves when its last frame has been sent, or early (completed: false) when stopped,
// aborted or when the session closes.

export interface PlayOptions {
  signal?: AbortSignal;
}

export interface SessionPlayResult {
  completed: boolean;
  playedMs: number;
}

interface PlayItem {
  data: Buffer;
  pos: number;
  resolve: (r: SessionPlayResult) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class Playout {
  private readonly items: PlayItem[] = [];
  /** items[0], kept apart: the tick reads it without reaching into the array. */
  private head: PlayItem | null = null;

  constructor(
    private readonly frameBytes: number,
    private readonly frameMs: number,
  ) {}

  get playing(): boolean {
    return this.items.length > 0;
  }

  enqueue(data: Buffer, opts: PlayOptions = {}): Promise<SessionPlayResult> {
    if (opts.signal?.aborted) return Promise.resolve({ completed: false, playedMs: 0 });
    return new Promise((resolve) => {
      const item: PlayItem = { data, pos: 0, resolve, signal: opts.signal };
      if (data.length === 0) return this.finish(item, true);
      if (opts.signal) {
        item.onAbort = () => this.end(item, false);
        opts.signal.addEventListener('abort', item.onAbort, { once: true });
      }
      this.items.push(item);
      this.head = this.items[0];
    });
  }

  /** Ends the current item and drops the queued ones. */
  stop(): void {
    const items = this.items.splice(0);
    this.head = null;
    for (const item of items) this.finish(item, false);
  }

  /** Bytes of the frame to send now (with `offset`), or null when nothing is queued. Follow with advance(). */
  current(): Buffer | null {
    return this.head === null ? null : this.head.data;
  }

  get offset(): number {
    return (this.head as PlayItem).pos;
  }

  /** The current frame went out: move on, resolving the item after its last frame. */
  advance(): void {
    const item = this.head as PlayItem;
    item.pos += this.frameBytes;
    if (item.pos >= item.data.length) this.end(item, true);
  }

  private end(item: PlayItem, completed: boolean): void {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
    this.head = this.items.length > 0 ? this.items[0] : null;
    this.finish(item, completed);
  }

  private finish(item: PlayItem, completed: boolean): void {
    if (item.onAbort) item.signal?.removeEventListener('abort', item.onAbort);
    const frames = Math.ceil(Math.min(item.pos, item.data.length) / this.frameBytes);
    item.resolve({ completed, playedMs: frames * this.frameMs });
  }
}
