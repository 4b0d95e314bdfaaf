// What every call of an engine whose media runs in the box does the same way with its media leg (an RTP
// session, or a browser's WebRTC leg): play with barge-in and an outside stop, and record the decoded audio.
// The call classes keep their own state checks and prompt lookup; this is the part between.
import type { PlayResult, RecordOptions, RecordResult } from '../../core/call-port.ts';
import type { CallKeys } from './call-keys.ts';
import { recordCall } from './call-recorder.ts';

/** A leg that hands out decoded received audio (`'audio'` events of 16-bit PCM frames). */
export interface AudioLeg {
  on(event: 'audio', fn: (pcm: Int16Array) => void): unknown;
  off(event: 'audio', fn: (pcm: Int16Array) => void): unknown;
}

/**
 * Play through `play` (which sends the encoded prompt until its signal aborts): stopped by `opts.signal`, or
 * by the first key when `bargeIn` (that key is reported, not kept as type-ahead). Type-ahead is cleared first.
 */
export async function playWithKeys(keys: CallKeys, opts: { bargeIn?: boolean; signal?: AbortSignal }, play: (signal: AbortSignal) => Promise<{ completed: boolean; playedMs: number }>): Promise<PlayResult> {
  keys.clearTypeAhead();
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  opts.signal?.addEventListener('abort', stop, { once: true });
  let interruptedBy: string | undefined;
  const unlisten = opts.bargeIn ? keys.listen((digit) => {
    if (interruptedBy !== undefined) return;
    interruptedBy = digit;
    abort.abort();
  }) : null;
  try {
    const r = await play(abort.signal);
    return { completed: r.completed, playedMs: r.playedMs, ...(interruptedBy !== undefined ? { interruptedBy } : {}) };
  } finally {
    unlisten?.();
    opts.signal?.removeEventListener('abort', stop);
  }
}

/** Record the leg's received audio until silence, an end key, the length limit or the call's end. */
export function recordLeg(leg: AudioLeg, keys: CallKeys, ended: Promise<unknown>, opts: RecordOptions): Promise<RecordResult> {
  keys.clearTypeAhead();
  return recordCall({
    audio: (fn) => { leg.on('audio', fn); return () => { leg.off('audio', fn); }; },
    keys: (fn) => keys.listen(fn),
    ended,
  }, opts);
}
