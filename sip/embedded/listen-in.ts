// Listen-in on the embedded engine (issue 16): an admin's answered call (their softphone) gets a mixed,
// listen-only copy of a live call: what its far end says and what it is sent (the flow's prompts, or the
// staff member it is bridged to), mixed by media/rtp/listen-mix.ts. Nothing of the listener's leg is
// read, so the admin is never heard, and their keypad does nothing on the call.
import type { Bridge, Call } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { decodeG711, encodeG711 } from '../../media/dsp/g711.ts';
import { ListenMix } from '../../media/rtp/listen-mix.ts';
import type { FrameRelay } from '../../media/rtp/relay-leg.ts';
import { isBridgeable, type CallMediaLeg } from './leg-call.ts';

/** Mixed frames waiting for the listener's tick beyond which the oldest go (a burst must not become delay). */
const MAX_QUEUED_FRAMES = 6;

interface SentTap {
  tapSent(fn: (payload: Buffer) => void): () => void;
}

function hasSentTap(leg: object): leg is SentTap {
  return typeof (leg as Partial<SentTap>).tapSent === 'function';
}

/** A call whose media leg can be tapped: the embedded engine's calls (LegCall) and a staff call that rang several endpoints. */
interface Listenable extends Call {
  listenLeg(): CallMediaLeg | null;
}

function isListenable(c: Call): c is Listenable {
  return typeof (c as Partial<Listenable>).listenLeg === 'function';
}

export function listenCalls(target: Call, listener: Call): Bridge {
  if (!isListenable(target) || !isBridgeable(listener)) throw new AppError('E_REQUEST_INVALID', 'Only calls of the same engine can be listened to');
  const tl = target.listenLeg();
  const ll = listener.relayLeg();
  if (!tl || !ll || target.state !== 'answered' || listener.state !== 'answered') {
    throw new AppError('E_CALL_ENDED', 'Both calls must be answered to listen in', { call: target.id });
  }
  if (!hasSentTap(tl)) throw new AppError('E_REQUEST_INVALID', 'This call\'s media cannot be listened to', { call: target.id });
  ll.stopPlayback();
  // The listener's leg takes the mix on its own tick, in its own law; what it receives is dropped.
  const queue: Uint8Array[] = [];
  const mix = new ListenMix((pcm) => {
    if (queue.length >= MAX_QUEUED_FRAMES) queue.shift();
    queue.push(encodeG711(ll.codec, pcm));
  });
  const relay: FrameRelay = { received: () => {}, next: () => queue.shift() ?? null, digit: () => {}, closed: () => stop('other') };
  ll.setRelay(relay);
  const heard = (pcm: Int16Array): void => mix.heard(pcm);
  tl.on('audio', heard);
  const untap = tl.tapSent((payload) => mix.said(decodeG711(tl.codec, payload)));
  let finish!: (r: { endedBy: 'this' | 'other' | 'unbridged' }) => void;
  let over = false;
  const done = new Promise<{ endedBy: 'this' | 'other' | 'unbridged' }>((resolve) => { finish = resolve; });
  function stop(endedBy: 'this' | 'other' | 'unbridged'): void {
    if (over) return;
    over = true;
    tl?.off('audio', heard);
    untap();
    if (!ll?.isClosed) ll?.setRelay(null);
    finish({ endedBy });
  }
  // 'this' is the call listened to, 'other' the listener's leg.
  void target.done.then(() => stop('this'));
  void listener.done.then(() => stop('other'));
  return { done, unbridge: () => stop('unbridged') };
}
