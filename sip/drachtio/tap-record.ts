// The call port's record() on the drachtio engine. FreeSWITCH records what the far end sends (the
// endpoint's read stream, through an AudioTap of its own, as for answering-machine detection) and the box's
// shared recorder (sip/shared/call-recorder.ts) hears it, so a spoken answer ends exactly as on the
// embedded engine: silence after speech (or from the start), an end key, the length bound, the hang-up.
import type { RecordOptions, RecordResult } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { AudioTap } from '../../media/freeswitch/audio-tap.ts';
import type { FsEndpoint } from '../../media/freeswitch/fsmrf.ts';
import { recordCall } from '../shared/call-recorder.ts';

export interface TapRecordSource {
  /** Hear keys (the call's de-duplicated DTMF); returns the function that stops it. */
  keys(fn: (digit: string) => void): () => void;
  /** Resolves when the call ends. */
  ended: Promise<unknown>;
  /** Whether the call has ended already. */
  isEnded(): boolean;
}

/**
 * Records the callee into `o.file` (8 kHz 16-bit WAV, written whole). A recording FreeSWITCH refuses
 * (the channel is gone, the tap folder is not writable) is logged and reported as nothing heard (ms 0),
 * so the flow goes on without that answer rather than hanging up on the callee.
 */
export async function recordFromTap(ep: FsEndpoint, tapDir: string, src: TapRecordSource, o: RecordOptions, log: Logger): Promise<RecordResult> {
  const listeners = new Set<(pcm: Int16Array) => void>();
  const tap = new AudioTap(ep, (pcm) => { for (const l of listeners) l(pcm); }, { dir: tapDir });
  try {
    await tap.start();
  } catch (e) {
    await tap.stop();
    const ended = src.isEnded();
    if (!ended) log.error({ err: (e as Error).message }, 'record: FreeSWITCH did not start the recording; the answer is not kept');
    return { ms: 0, endedBy: ended ? 'hangup' : 'silence', spoke: false };
  }
  try {
    return await recordCall({
      audio: (fn) => { listeners.add(fn); return () => { listeners.delete(fn); }; },
      keys: src.keys,
      ended: src.ended,
    }, o);
  } finally {
    await tap.stop();
  }
}
