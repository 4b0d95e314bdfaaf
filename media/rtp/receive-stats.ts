// Per-stream receive accounting in the manner of RFC 3550 appendix A.1: extended sequence numbers,
// loss as expected minus received, plus counts of reordered and duplicate packets.

const WINDOW = 256; // packets remembered for duplicate detection (about 5 s at 50 pps)
const MAX_DROPOUT = 3000; // a jump further ahead than this is a restarted stream, not loss
const MAX_MISORDER = 100; // a packet further behind than this is too old to matter

export type SequenceVerdict = 'next' | 'ahead' | 'reordered' | 'duplicate' | 'stale' | 'restart';

export class ReceiveStats {
  received = 0;
  duplicates = 0;
  reordered = 0;
  /** Packets too far behind to place. */
  stale = 0;
  restarts = 0;
  /** Highest extended sequence number seen (valid after the first packet). */
  maxExt = 0;
  private baseExt = 0;
  private lostBefore = 0;
  private started = false;
  private receivedInRun = 0;
  private probe = -1;
  private readonly seen = new Float64Array(WINDOW).fill(-1);
  /** Extended sequence number of the last packet classified. */
  lastExt = 0;

  /** Classifies a packet's sequence number and updates the counters; sets `lastExt`. */
  update(seq: number): SequenceVerdict {
    if (!this.started) {
      this.start(seq);
      return 'next';
    }
    const max16 = this.maxExt & 0xffff;
    const delta = (seq - max16) & 0xffff;
    if (delta === 0) {
      this.duplicates++;
      this.lastExt = this.maxExt;
      return 'duplicate';
    }
    if (delta < 0x8000 && delta <= MAX_DROPOUT) {
      const ext = this.maxExt + delta;
      this.maxExt = ext;
      this.lastExt = ext;
      this.seen[ext % WINDOW] = ext;
      this.received++;
      this.receivedInRun++;
      this.probe = -1;
      return delta === 1 ? 'next' : 'ahead';
    }
    const back = 0x10000 - delta;
    if (delta >= 0x8000 && back <= MAX_MISORDER && this.maxExt - back >= this.baseExt) {
      const ext = this.maxExt - back;
      this.lastExt = ext;
      if (this.seen[ext % WINDOW] === ext) {
        this.duplicates++;
        return 'duplicate';
      }
      this.seen[ext % WINDOW] = ext;
      this.received++;
      this.receivedInRun++;
      this.reordered++;
      return 'reordered';
    }
    // A big jump either way: a restarted sender if the next packet follows on from it (RFC 3550 A.1).
    if (seq === this.probe) {
      this.lostBefore += this.lostInRun();
      this.restarts++;
      this.start(seq);
      return 'restart';
    }
    this.probe = (seq + 1) & 0xffff;
    this.stale++;
    return 'stale';
  }

  /** Packets never received so far (all streams of this session). */
  get lost(): number {
    return this.lostBefore + this.lostInRun();
  }

  /** A new SSRC: start counting afresh, keeping what was lost before. */
  newStream(): void {
    if (this.started) this.lostBefore += this.lostInRun();
    this.started = false;
  }

  private lostInRun(): number {
    if (!this.started) return 0;
    const expected = this.maxExt - this.baseExt + 1;
    return Math.max(0, expected - this.receivedInRun);
  }

  private start(seq: number): void {
    this.started = true;
    // keep extended numbers positive and clear of the window's -1 marker
    this.maxExt = 0x10000 + seq;
    this.baseExt = this.maxExt;
    this.lastExt = this.maxExt;
    this.seen.fill(-1);
    this.seen[this.maxExt % WINDOW] = this.maxExt;
    this.received++;
    this.receivedInRun = 1;
    this.probe = -1;
  }
}
