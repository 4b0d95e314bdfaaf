// Listen-in's mixer (issue 16): one call's two directions made into one listen-only stream. The frames
// sent to the far end (prompts, bridged audio, silence) come once per tick of the session's clock and
// pace the mix; each is summed with the oldest frame heard from the far end, saturating at 16 bits.
// The listener's own audio never enters: the mixer has no input for it.

/** Frames heard and not yet mixed beyond which the oldest are dropped (a burst must not become delay). */
export const MAX_HEARD_FRAMES = 4;

export class ListenMix {
  private readonly heardQueue: Int16Array[] = [];

  constructor(private readonly out: (pcm: Int16Array) => void) {}

  /** A frame the call's far end sent (what the callee says). */
  heard(pcm: Int16Array): void {
    if (this.heardQueue.length >= MAX_HEARD_FRAMES) this.heardQueue.shift();
    this.heardQueue.push(pcm);
  }

  /** A frame sent to the far end (what the callee hears): mixed with the oldest heard frame, then passed on. */
  said(pcm: Int16Array): void {
    const other = this.heardQueue.shift();
    if (!other) {
      this.out(pcm);
      return;
    }
    const n = Math.max(pcm.length, other.length);
    const mixed = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const v = (pcm[i] ?? 0) + (other[i] ?? 0);
      mixed[i] = Math.min(32767, Math.max(-32768, v));
    }
    this.out(mixed);
  }
}
