// Joins two legs of the box (two RTP sessions, or an RTP session and a browser's WebRTC leg): the one bridge
// of the embedded engine (Call.bridge and bench `bridge` use it). Each leg's received G.711 goes through a
// short queue to the other, which sends it on its own tick of the shared clock; key presses are sent on
// the other leg as RFC 4733 events (those the legs report, or those the caller passes: a call counts a
// press once across RFC 4733, in-band tones and SIP INFO). The queue absorbs the jitter between a
// packet's arrival and the other leg's tick, and never lets delay pile up: when it is full the oldest frame
// goes (dropped), and when it has held three frames or more for two whole seconds (a burst after a stall,
// or a far end whose clock runs fast) one frame is let go (trimmed), so the standing delay it adds stays
// under 60 ms without losing a frame to every passing burst. A leg on hold takes no frames: back from
// hold it starts again with the newest. Legs of different laws are converted by table (µ-law <-> A-law),
// the only conversion G.711 end to end allows.
import type { Logger } from '../../core/log.ts';
import { alawDecodeSample, alawEncodeSample, type G711Law, ulawDecodeSample, ulawEncodeSample } from '../dsp/g711.ts';
import type { FrameRelay, RelayLeg } from './relay-leg.ts';

const FRAME_BYTES = 160;

/** Frames held per direction at most (160 ms): more means the far end sent a burst, and the oldest go. */
const DEFAULT_MAX_QUEUE = 8;
/** Pops (ticks) over which the smallest queue depth is watched before standing delay is trimmed. */
const TRIM_WINDOW = 100;
/** The smallest depth over a window at which one frame is trimmed. */
const TRIM_DEPTH = 3;

const ULAW_TO_ALAW = new Uint8Array(256);
const ALAW_TO_ULAW = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  ULAW_TO_ALAW[b] = alawEncodeSample(ulawDecodeSample(b));
  ALAW_TO_ULAW[b] = ulawEncodeSample(alawDecodeSample(b));
}

export interface BridgeOptions {
  /** Frames queued per direction before the oldest is dropped (default 8: 160 ms). */
  maxQueueFrames?: number;
  /**
   * Who passes key presses on: 'legs' (default), the keys each leg reports; 'caller', only those given to
   * `passDigit()` (a call that counts a press once across RFC 4733, in-band tones and SIP INFO).
   */
  digits?: 'legs' | 'caller';
  logger?: Logger;
}

export interface BridgeStats {
  /** Frames relayed from leg a to leg b (sent by b), and the other way. */
  framesAtoB: number;
  framesBtoA: number;
  /** Frames dropped because the queue toward b (or a) was full. */
  droppedAtoB: number;
  droppedBtoA: number;
  /** Frames let go to bring a standing queue back to one frame of delay. */
  trimmedAtoB: number;
  trimmedBtoA: number;
  /** Ticks where the receiving leg had nothing queued and sent silence. */
  underrunsAtoB: number;
  underrunsBtoA: number;
  digitsAtoB: number;
  digitsBtoA: number;
}

export interface MediaBridge {
  /** Resolves when a leg closes (which one) or on unbridge(). */
  readonly done: Promise<{ endedBy: 'a' | 'b' | 'unbridged' }>;
  unbridge(): void;
  /** Sends a key pressed on leg `from` to the other leg (RFC 4733, or in-band where it negotiated none). */
  passDigit(from: 'a' | 'b', digit: string): void;
  stats(): BridgeStats;
}

/** The frames on their way to one leg (`to`), received on the other. */
class Direction {
  private readonly frames: Uint8Array[];
  private head = 0;
  private size = 0;
  private started = false;
  private pops = 0;
  private minDepth = Number.POSITIVE_INFINITY;
  /**
   * Ticks of the sending leg since the receiving leg last took a frame: both legs tick on one clock, so
   * as many as the queue holds means the receiving leg stopped taking frames (it is on hold).
   */
  private stalled = 0;
  relayed = 0;
  dropped = 0;
  trimmed = 0;
  underruns = 0;
  digits = 0;

  constructor(
    private readonly max: number,
    private readonly table: Uint8Array | null,
  ) {
    this.frames = Array.from({ length: max }, () => new Uint8Array(FRAME_BYTES));
  }

  push(payload: Uint8Array): void {
    if (this.size === this.max) {
      this.head = (this.head + 1) % this.max;
      this.size--;
      // a leg on hold takes nothing: what it misses meanwhile is not a loss of the bridge
      if (this.stalled < this.max) this.dropped++;
    }
    const slot = this.frames[(this.head + this.size) % this.max];
    const n = Math.min(payload.length, FRAME_BYTES);
    const t = this.table;
    if (t === null) slot.set(n === payload.length ? payload : payload.subarray(0, n));
    else for (let i = 0; i < n; i++) slot[i] = t[payload[i]];
    // a short payload (a far end with 10 ms packets) is padded with its last sample rather than clicks
    if (n < FRAME_BYTES) slot.fill(n > 0 ? slot[n - 1] : 0xff, n);
    this.size++;
    this.started = true;
  }

  /** The sending leg ticked (took its own frame from the other direction). */
  senderTicked(): void {
    this.stalled++;
  }

  /** The slot returned stays untouched until `max - 1` more pushes: the leg sends it synchronously. */
  pop(): Uint8Array | null {
    if (this.stalled >= this.max && this.size > 1) {
      // back from hold: resume with the newest frame, not with the stale ones the queue kept
      this.head = (this.head + this.size - 1) % this.max;
      this.size = 1;
    }
    this.stalled = 0;
    if (this.size < this.minDepth) this.minDepth = this.size;
    if (++this.pops === TRIM_WINDOW) {
      if (this.minDepth >= TRIM_DEPTH) {
        this.head = (this.head + 1) % this.max;
        this.size--;
        this.trimmed++;
      }
      this.pops = 0;
      this.minDepth = Number.POSITIVE_INFINITY;
    }
    if (this.size === 0) {
      if (this.started) this.underruns++;
      return null;
    }
    const frame = this.frames[this.head];
    this.head = (this.head + 1) % this.max;
    this.size--;
    this.relayed++;
    return frame;
  }
}

function conversion(from: G711Law, to: G711Law): Uint8Array | null {
  if (from === to) return null;
  return from === 'pcmu' ? ULAW_TO_ALAW : ALAW_TO_ULAW;
}

/**
 * Bridges two open legs until either closes or `unbridge()`; prompts playing on either stop first.
 * Both legs must be the box's own (same process, same clock).
 */
export function bridgeLegs(a: RelayLeg, b: RelayLeg, opts: BridgeOptions = {}): MediaBridge {
  if (a === b) throw new Error('a leg cannot be bridged to itself');
  const max = Math.max(2, Math.floor(opts.maxQueueFrames ?? DEFAULT_MAX_QUEUE));
  const toB = new Direction(max, conversion(a.codec, b.codec));
  const toA = new Direction(max, conversion(b.codec, a.codec));
  let finish!: (r: { endedBy: 'a' | 'b' | 'unbridged' }) => void;
  const done = new Promise<{ endedBy: 'a' | 'b' | 'unbridged' }>((resolve) => {
    finish = resolve;
  });
  let over = false;
  const end = (endedBy: 'a' | 'b' | 'unbridged') => {
    if (over) return;
    over = true;
    a.setRelay(null);
    b.setRelay(null);
    opts.logger?.debug({ endedBy, ...stats() }, 'bridge over');
    finish({ endedBy });
  };
  const pass = (leg: RelayLeg, digit: string) => {
    leg.sendDtmf(digit).catch((err) => opts.logger?.debug({ err: err instanceof Error ? err.message : String(err) }, 'bridge: digit not passed on'));
  };
  const passDigit = (from: 'a' | 'b', digit: string): void => {
    if (over) return;
    const [dir, other] = from === 'a' ? [toB, b] : [toA, a];
    dir.digits++;
    pass(other, digit);
  };
  const legDigits = opts.digits !== 'caller';
  const relayOf = (self: 'a' | 'b', inbound: Direction, outbound: Direction): FrameRelay => ({
    received: (payload) => outbound.push(payload),
    next: () => {
      outbound.senderTicked();
      return inbound.pop();
    },
    digit: (digit) => {
      if (legDigits) passDigit(self, digit);
    },
    closed: () => end(self),
  });
  const stats = (): BridgeStats => ({
    framesAtoB: toB.relayed,
    framesBtoA: toA.relayed,
    droppedAtoB: toB.dropped,
    droppedBtoA: toA.dropped,
    trimmedAtoB: toB.trimmed,
    trimmedBtoA: toA.trimmed,
    underrunsAtoB: toB.underruns,
    underrunsBtoA: toA.underruns,
    digitsAtoB: toB.digits,
    digitsBtoA: toA.digits,
  });
  if (a.isClosed || b.isClosed) {
    end(a.isClosed ? 'a' : 'b');
    return { done, unbridge: () => {}, passDigit, stats };
  }
  a.stopPlayback();
  b.stopPlayback();
  a.setRelay(relayOf('a', toA, toB));
  b.setRelay(relayOf('b', toB, toA));
  return { done, unbridge: () => end('unbridged'), passDigit, stats };
}
