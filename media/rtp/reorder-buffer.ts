// A small reorder buffer for received audio: frames come out in sequence order; a frame still missing
// once `depth` later ones have arrived is given up and stands as a gap (null), so time keeps its pace
// for listeners such as answering-machine detection.

/** Longest run of missing frames reported as gaps; beyond that the stream simply resumes. */
const MAX_CONCEALED = 25;

export type FrameSink = (payload: Uint8Array | null) => void;

export class ReorderBuffer {
  private readonly size: number;
  private readonly slotExt: Float64Array;
  private readonly slotData: Array<Uint8Array | null>;
  private next = -1;
  private held = 0;
  late = 0;

  constructor(
    private readonly depth: number,
    private readonly sink: FrameSink,
  ) {
    this.size = Math.max(1, depth) + 1;
    this.slotExt = new Float64Array(this.size).fill(-1);
    this.slotData = new Array<Uint8Array | null>(this.size).fill(null);
  }

  get pending(): number {
    return this.held;
  }

  /**
   * `ext` is the extended sequence number. A payload delivered at once is only read during the call; one
   * held for its turn is copied (a media worker's batched I/O reuses its receive buffer every phase).
   */
  push(ext: number, payload: Uint8Array): void {
    if (this.next < 0) this.next = ext;
    if (ext < this.next) {
      this.late++;
      return;
    }
    if (ext - this.next >= this.depth) {
      // waited long enough for the frames before `ext`
      const target = ext - this.depth + 1;
      if (target - this.next > MAX_CONCEALED + this.depth) {
        this.flush();
        this.next = target;
      } else {
        while (this.next < target) this.emitNext(true);
      }
    }
    if (ext === this.next) {
      this.next++;
      this.sink(payload);
      this.drain();
      return;
    }
    const i = ext % this.size;
    if (this.slotExt[i] === ext) return; // duplicate
    if (this.slotData[i] === null) this.held++;
    this.slotExt[i] = ext;
    this.slotData[i] = new Uint8Array(payload);
    this.drain();
  }

  /** Delivers everything held, in order, with gaps for what never came (the stream stalled or ended). */
  flush(): void {
    while (this.held > 0) this.emitNext(true);
  }

  reset(): void {
    this.slotExt.fill(-1);
    this.slotData.fill(null);
    this.held = 0;
    this.next = -1;
  }

  private drain(): void {
    while (this.held > 0 && this.slotExt[this.next % this.size] === this.next) this.emitNext(false);
  }

  private emitNext(concealMissing: boolean): void {
    const i = this.next % this.size;
    const ext = this.next++;
    if (this.slotExt[i] === ext && this.slotData[i] !== null) {
      const data = this.slotData[i];
      this.slotData[i] = null;
      this.slotExt[i] = -1;
      this.held--;
      this.sink(data);
    } else if (concealMissing) {
      this.sink(null);
    }
  }
}
