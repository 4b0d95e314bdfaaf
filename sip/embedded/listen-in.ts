// Listen-in on the embedded engine (issue 16): an admin's answered call (their softphone) gets a mixed,
// listen-only copy of a live call: what its far end says and what it is sent (the flow's prompts, or the
// staff member it is bridged to), mixed by media/rtp/listen-mix.ts. Nothing of the listener's leg is
// read, so the admin is never heard, and their keypad does nothing on the call.
import type { Bridge, Call } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import { ListenMix } from '../../media/rtp/listen-mix.ts';
import { isBridgeable } from './bridge.ts';

export function listenCalls(target: Call, listener: Call): Bridge {
  if (!isBridgeable(target) || !isBridgeable(listener)) throw new AppError('E_REQUEST_INVALID', 'Only calls of the same engine can be listened to');
  const tl = target.mediaLeg();
  const ll = listener.mediaLeg();
  if (!tl || !ll || target.state !== 'answered' || listener.state !== 'answered') {
    throw new AppError('E_CALL_ENDED', 'Both calls must be answered to listen in', { call: target.id });
  }
  if (!tl.onSent) throw new AppError('E_REQUEST_INVALID', 'This call\'s media cannot be listened to', { call: target.id });
  ll.stopPrompts();
  const mix = new ListenMix((pcm) => ll.sendAudio(pcm));
  const offs = [tl.onAudio((pcm) => mix.heard(pcm)), tl.onSent((pcm) => mix.said(pcm))];
  let finish!: (r: { endedBy: 'this' | 'other' | 'unbridged' }) => void;
  let over = false;
  const done = new Promise<{ endedBy: 'this' | 'other' | 'unbridged' }>((resolve) => { finish = resolve; });
  const stop = (endedBy: 'this' | 'other' | 'unbridged'): void => {
    if (over) return;
    over = true;
    for (const off of offs) off();
    finish({ endedBy });
  };
  // 'this' is the call listened to, 'other' the listener's leg.
  void target.done.then(() => stop('this'));
  void listener.done.then(() => stop('other'));
  return { done, unbridge: () => stop('unbridged') };
}
