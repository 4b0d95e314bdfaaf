// A media worker thread's scheduling priority. The worker's clock wakes every 2 ms and must send on time;
// the main thread's work (a campaign starting, a report, SIP) can wait a few milliseconds. So each media
// worker raises its own thread's priority a few nice steps above the thread that started it (Linux keeps a
// nice value per thread, and a new thread starts with its creator's). Lowering a nice value needs
// CAP_SYS_NICE or an RLIMIT_NICE that allows it (systemd: LimitNICE=); without either the worker stays at its
// creator's priority and says why, and media works as before, sharing the CPU on equal terms.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice steps a media worker goes above its creator (5: about three times its CPU share when both want it). */
export const MEDIA_PRIORITY_BOOST = 5;

export interface ThreadPriority {
  /** The kernel's id of the thread (null where /proc/thread-self is not there: not Linux). */
  tid: number | null;
  /** Its nice value before and after (equal when it could not be raised). */
  from: number | null;
  nice: number | null;
  raised: boolean;
  /** Why it was not raised (absent when it was, or when no raise was asked). */
  error?: string;
}

/** This thread's kernel id, from /proc/thread-self ("<pid>/task/<tid>"). */
export function ownThreadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** Lowers the calling thread's nice value by `boost` steps (not below -20). */
export function raiseOwnPriority(boost: number): ThreadPriority {
  const tid = ownThreadId();
  if (tid === null) return { tid, from: null, nice: null, raised: false, error: 'no /proc/thread-self: thread priorities are set on Linux only' };
  const from = getPriority(tid);
  const target = Math.max(-20, from - boost);
  if (boost <= 0 || target === from) return { tid, from, nice: from, raised: false };
  try {
    setPriority(tid, target);
  } catch (e) {
    const code = (e as { info?: { code?: string } }).info?.code ?? (e as Error).message;
    return {
      tid, from, nice: from, raised: false,
      error: `could not go from nice ${from} to ${target} (${code}): the box needs CAP_SYS_NICE, or LimitNICE=${target} in its systemd unit`,
    };
  }
  return { tid, from, nice: getPriority(tid), raised: true };
}
