// How both engines' calls keep time and end: the timestamps the durations come from, and an end that
// happens exactly once (teardown, one log line, `done`, the 'ended' event), whatever path gets there.
import type { EventEmitter } from 'node:events';
import { outcomeForFailure, q850ForSip, type CallEnded, type CallEvents, type Outcome } from '../../core/call-port.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';

export type CallEnd = Omit<CallEnded, 'durations'>;

/** Q.850 34: no circuit/channel available (our own trunk is full). */
const Q850_NO_CIRCUIT = 34;

export class CallLife {
  readonly done: Promise<CallEnded>;
  /** Epoch milliseconds; 0 until it happens. */
  private readonly t = { created: Date.now(), invite: 0, progress: 0, ringing: 0, answered: 0 };
  private resolveDone!: (e: CallEnded) => void;
  private over = false;
  private readonly log: Logger;
  private readonly call: Pick<EventEmitter<CallEvents>, 'emit'>;

  constructor(log: Logger, call: Pick<EventEmitter<CallEvents>, 'emit'>) {
    this.log = log;
    this.call = call;
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
  }

  /** The far end rang or sent early media: a 486 after that is the callee declining, not a busy line. */
  get rang(): boolean { return this.t.ringing > 0; }

  inviteSent(): void { this.t.invite = Date.now(); }

  /** A provisional response beyond 100 (the end of setup time). */
  progressed(): void { if (!this.t.progress) this.t.progress = Date.now(); }

  ringing(): void { if (!this.t.ringing) this.t.ringing = Date.now(); }

  answered(): void {
    this.t.answered = Date.now();
    if (!this.t.progress) this.t.progress = this.t.answered;
  }

  /** End the call once: teardown runs first (it marks the call ended and lets go of its resources). */
  end(e: CallEnd, teardown: () => void): void {
    if (this.over) return;
    this.over = true;
    const now = Date.now();
    const t = this.t;
    const setupEnd = t.progress || t.answered || now;
    const ended: CallEnded = {
      ...e,
      durations: {
        setupMs: t.invite ? setupEnd - t.invite : 0,
        ringMs: t.ringing ? (t.answered || now) - t.ringing : 0,
        talkMs: t.answered ? now - t.answered : 0,
        totalMs: now - (t.invite || t.created),
      },
    };
    teardown();
    this.log.info({ outcome: ended.outcome, sipCode: ended.sipCode, q850: ended.q850, endedBy: ended.endedBy }, 'call ended');
    this.resolveDone(ended);
    this.call.emit('ended', ended);
  }
}

/** How a call that could not be placed ends (no trunk, trunk full or down, a number that is not one). */
export function setupFailureEnd(e: unknown, log: Logger): CallEnd {
  const code = isAppError(e) ? e.code : null;
  const outcome: Outcome = code === 'E_DIAL_TARGET' ? 'invalid-number' : 'trunk-failure';
  if (!isAppError(e)) log.error({ err: e }, 'call setup failed');
  else log.warn({ code, msg: e.message }, 'call not placed');
  return {
    outcome, sipCode: null, q850: code === 'E_TRUNK_BUSY' ? Q850_NO_CIRCUIT : null, endedBy: 'error',
    reason: e instanceof Error ? `${code ?? 'error'}: ${e.message}` : String(e),
  };
}

/** How a call ends on a final failure response to its INVITE (local: made up by our own stack). */
export function inviteFailureEnd(
  f: { status: number; reason: string; q850: number | null; local: boolean },
  call: { rang: boolean; hangupRequested: boolean },
): CallEnd {
  const endedBy = call.hangupRequested || f.status === 487 ? 'local' : f.local ? 'error' : 'remote';
  return {
    outcome: outcomeForFailure(f.status, call.rang, f.q850), sipCode: f.status, q850: f.q850 ?? q850ForSip(f.status),
    endedBy, reason: `${f.status} ${f.reason}`.trim(),
  };
}
