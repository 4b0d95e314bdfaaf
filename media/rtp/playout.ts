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
  // items[0] and where it is, kept here: the tick reads them without reaching into the array, the item
  // or its bytes' Buffer (each another object to bring into the cache, a thousand calls apart)
  private head: PlayItem | null = null;
  private headData: Buffer | null = null;
  private headPos = 0;
  private headEnd = 0;

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
      if (this.head === null) this.setHead(item);
    });
  }

  /** Ends the current item and drops the queued ones. */
  stop(): void {
    this.leaveHead();
    const items = this.items.splice(0);
    this.setHead(null);
    for (const item of items) this.finish(item, false);
  }

  /** Bytes of the frame to send now (with `offset`), or null when nothing is queued. Follow with advance(). */
  current(): Buffer | null {
    return this.headData;
  }

  get offset(): number {
    return this.headPos;
  }

  /** The current frame went out: move on, resolving the item after its last frame. */
  advance(): void {
    this.headPos += this.frameBytes;
    if (this.headPos >= this.headEnd) this.end(this.head as PlayItem, true);
  }

  private end(item: PlayItem, completed: boolean): void {
    if (item === this.head) this.leaveHead();
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
    this.setHead(this.items.length > 0 ? this.items[0] : null);
    this.finish(item, completed);
  }

  /** The head's position back into its item (for the time played). */
  private leaveHead(): void {
    if (this.head !== null) this.head.pos = this.headPos;
  }

  private setHead(item: PlayItem | null): void {
    this.head = item;
    this.headData = item === null ? null : item.data;
    this.headPos = item === null ? 0 : item.pos;
    this.headEnd = item === null ? 0 : item.data.length;
  }

  private finish(item: PlayItem, completed: boolean): void {
    if (item.onAbort) item.signal?.removeEventListener('abort', item.onAbort);
    const frames = Math.ceil(Math.min(item.pos, item.data.length) / this.frameBytes);
    item.resolve({ completed, playedMs: frames * this.frameMs });
  }
}
