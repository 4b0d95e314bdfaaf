// What a bridge needs of a leg (an RTP session of a trunk call, or a browser's WebRTC leg): the leg hands
// each received G.711 payload and key press to its relay, and asks it for the frame to send on each
// tick of the shared clock when it has no prompt or DTMF of its own to send.
import type { G711Law } from '../dsp/g711.ts';

export interface FrameRelay {
  /** A received 20 ms G.711 payload in the leg's law, in arrival order; only valid during the call. */
  received(payload: Uint8Array): void;
  /** The frame to send on this tick (160 bytes in the leg's law), or null for silence. */
  next(): Uint8Array | null;
  /** A key press received on the leg (the start of an RFC 4733 event, or an in-band tone). */
  digit(digit: string): void;
  /** The leg closed. */
  closed(): void;
}

export interface RelayLeg {
  /** The G.711 law the leg sends and receives. */
  readonly codec: G711Law;
  readonly isClosed: boolean;
  /** Attach a relay (replacing any), or detach with null: the leg goes back to silence between prompts. */
  setRelay(relay: FrameRelay | null): void;
  sendDtmf(digits: string): Promise<void>;
  stopPlayback(): void;
}
