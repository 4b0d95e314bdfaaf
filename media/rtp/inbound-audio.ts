// Received audio on its way to listeners: back in sequence order through a small reorder buffer,
// decoded only because someone listens (answering-machine detection) or in-band DTMF is on, with
// short losses bridged by repeating the last frame.
import { decodeG711, type G711Law } from '../dsp/g711.ts';
import { InbandDtmfDetector } from '../dsp/goertzel-dtmf.ts';
import { ReorderBuffer } from './reorder-buffer.ts';

const MAX_REPEATED = 2; // frames (40 ms): enough to bridge a lost packet inside a DTMF tone

export interface InboundAudioSink {
  audio(pcm: Int16Array): void;
  digit(digit: string): void;
}

export class InboundAudio {
  private readonly reorder: ReorderBuffer;
  private readonly detector: InbandDtmfDetector | null;
  private law: G711Law = 'pcmu';
  private lastFrame: Int16Array | null = null;
  private repeated = 0;
  private lastPushTick = 0;

  constructor(
    reorderPackets: number,
    inbandDtmf: boolean,
    private readonly frameSamples: number,
    private readonly sink: InboundAudioSink,
  ) {
    this.reorder = new ReorderBuffer(reorderPackets, this.deliver);
    this.detector = inbandDtmf ? new InbandDtmfDetector() : null;
  }

  get detecting(): boolean {
    return this.detector !== null;
  }

  /** Frames that came after their turn had passed. */
  get late(): number {
    return this.reorder.late;
  }

  /** `payload` is decoded at once, or copied to wait for its turn (reorder-buffer.ts). */
  push(ext: number, law: G711Law, payload: Uint8Array, tick: number): void {
    this.law = law;
    this.lastPushTick = tick;
    this.reorder.push(ext, payload);
  }

  /** Per tick: a stream that stalled delivers what it holds instead of keeping it back. */
  tick(tick: number): void {
    if (this.reorder.pending > 0 && tick - this.lastPushTick > 3) this.reorder.flush();
  }

  /** A new stream (SSRC or restart): deliver what is held and start over. */
  restart(): void {
    this.reorder.flush();
    this.reorder.reset();
  }

  flush(): void {
    this.reorder.flush();
  }

  private readonly deliver = (payload: Uint8Array | null): void => {
    let pcm: Int16Array;
    if (payload !== null) {
      pcm = decodeG711(this.law, payload);
      this.lastFrame = pcm;
      this.repeated = 0;
    } else if (this.lastFrame !== null && ++this.repeated <= MAX_REPEATED) {
      pcm = this.lastFrame.slice();
    } else {
      pcm = new Int16Array(this.lastFrame?.length ?? this.frameSamples);
    }
    if (this.detector !== null) for (const d of this.detector.push(pcm)) this.sink.digit(d);
    this.sink.audio(pcm);
  };
}
