// Two answered calls of the embedded engine joined (issue 16's Call.bridge): each leg's received
// audio goes to the other leg, keypad presses are passed on, prompts stop. A leg is anything that
// gives decoded 20 ms frames and takes them back (an RTP session here; the WebRTC leg plugs in the
// same way). G.711 decode and re-encode in the same law gives back the very bytes, so nothing is
// transcoded in effect; across laws it is the one conversion G.711 needs.
import type { Bridge, Call } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { decodeG711, encodeG711 } from '../../media/dsp/g711.ts';
import type { RtpSession } from '../../media/rtp/session.ts';

export interface BridgeLeg {
  /** Decoded audio the far end sends, one 20 ms frame per call; returns the unsubscribe function. */
  onAudio(fn: (pcm: Int16Array) => void): () => void;
  /** Send one 20 ms frame to the far end. */
  sendAudio(pcm: Int16Array): void;
  /** Send a keypad press to the far end (RFC 4733 where negotiated). */
  sendDigit(digit: string): void;
  /** Stop prompts in progress (a bridged leg hears the other party, nothing else). */
  stopPrompts(): void;
  /** Listen-in (sip/embedded/listen-in.ts): each 20 ms frame sent to the far end, decoded; returns the unsubscribe. */
  onSent?(fn: (pcm: Int16Array) => void): () => void;
}

/** A call that can be bridged: it exposes its media leg once answered. */
export interface Bridgeable extends Call {
  mediaLeg(): BridgeLeg | null;
}

export function isBridgeable(c: Call): c is Bridgeable {
  return typeof (c as Partial<Bridgeable>).mediaLeg === 'function';
}

/** Frames queued towards a leg beyond which the oldest are dropped (a burst must not become delay). */
const MAX_QUEUED_FRAMES = 6;

/** The leg of an RTP session (desk phones, trunks). */
export function rtpLeg(s: RtpSession): BridgeLeg {
  let queued = 0;
  return {
    onAudio(fn) {
      s.on('audio', fn);
      return () => { s.off('audio', fn); };
    },
    sendAudio(pcm) {
      if (queued >= MAX_QUEUED_FRAMES || s.isClosed) return;
      queued++;
      void s.play(encodeG711(s.codec, pcm)).finally(() => { queued--; });
    },
    sendDigit(digit) {
      void s.sendDtmf(digit);
    },
    stopPrompts() {
      s.stopPlayback();
    },
    onSent(fn) {
      return s.tapSent((payload) => fn(decodeG711(s.codec, payload)));
    },
  };
}

export function bridgeCalls(a: Bridgeable, b: Call): Bridge {
  if (!isBridgeable(b)) throw new AppError('E_REQUEST_INVALID', 'Only calls of the same engine can be bridged');
  const la = a.mediaLeg();
  const lb = b.mediaLeg();
  if (!la || !lb || a.state !== 'answered' || b.state !== 'answered') {
    throw new AppError('E_REQUEST_INVALID', 'Both calls must be answered before they are bridged');
  }
  la.stopPrompts();
  lb.stopPrompts();
  const offs = [la.onAudio((pcm) => lb.sendAudio(pcm)), lb.onAudio((pcm) => la.sendAudio(pcm))];
  const digitA = (e: { digit: string }): void => lb.sendDigit(e.digit);
  const digitB = (e: { digit: string }): void => la.sendDigit(e.digit);
  a.on('dtmf', digitA);
  b.on('dtmf', digitB);
  let finish!: (r: { endedBy: 'this' | 'other' | 'unbridged' }) => void;
  let over = false;
  const done = new Promise<{ endedBy: 'this' | 'other' | 'unbridged' }>((resolve) => { finish = resolve; });
  const stop = (endedBy: 'this' | 'other' | 'unbridged'): void => {
    if (over) return;
    over = true;
    for (const off of offs) off();
    a.off('dtmf', digitA);
    b.off('dtmf', digitB);
    finish({ endedBy });
  };
  void a.done.then(() => stop('this'));
  void b.done.then(() => stop('other'));
  return { done, unbridge: () => stop('unbridged') };
}
