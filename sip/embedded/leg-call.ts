// What every call of the embedded engine does the same way once it has a media leg (an RTP session for
// trunks and desk phones, a WebRTC leg for browsers): play prompts with barge-in, collect and count keys,
// record, bridge, and end exactly once. Subclasses keep their signalling (INVITE out, INVITE in, SIP over
// WebSocket) and say what their leg is and how they hang up.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Bridge, Call, CallEnded, CallEvents, DtmfSource, PlayResult, PromptRef, RecordOptions, RecordResult } from '../../core/call-port.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { G711Law } from '../../media/dsp/g711.ts';
import { bridgeLegs } from '../../media/rtp/bridge.ts';
import type { RelayLeg } from '../../media/rtp/relay-leg.ts';
import { CallKeys, type CollectOptions } from '../shared/call-keys.ts';
import { CallLife, type CallEnd } from '../shared/call-life.ts';
import { playWithKeys, recordLeg, type AudioLeg } from '../shared/leg-media.ts';

type State = Call['state'];

/** A call's media leg as the call uses it: RtpSession and media/webrtc's WebRtcLeg both fit. */
export interface CallMediaLeg extends RelayLeg, AudioLeg {
  play(encoded: Buffer, opts?: { signal?: AbortSignal }): Promise<{ completed: boolean; playedMs: number }>;
}

/** Where a call finds a prompt's bytes in its leg's law. */
export interface PromptSource {
  forPrompt(ref: PromptRef, law: G711Law): Promise<Buffer>;
}

/** A call that can be bridged: it hands out its media leg once answered. */
export interface Bridgeable extends Call {
  relayLeg(): RelayLeg | null;
}

export function isBridgeable(c: Call): c is Bridgeable {
  return typeof (c as Partial<Bridgeable>).relayLeg === 'function';
}

export abstract class LegCall extends EventEmitter<CallEvents> implements Bridgeable {
  readonly id = randomUUID();
  readonly done: Promise<CallEnded>;
  protected st: State;
  protected readonly log: Logger;
  protected readonly life: CallLife;
  protected readonly keys = new CallKeys((digit, source) => this.emit('dtmf', { digit, source }));
  private readonly prompts: PromptSource;

  protected constructor(o: { logger: Logger; logFields: Record<string, unknown>; prompts: PromptSource; state: State }) {
    super();
    this.log = o.logger.child({ call: this.id, ...o.logFields });
    this.life = new CallLife(this.log, this);
    this.done = this.life.done;
    this.prompts = o.prompts;
    this.st = o.state;
  }

  get state(): State { return this.st; }

  /** Answered with media in `codec`: the call's timestamps, its state, one log line (`what`) and 'answered'. */
  protected markAnswered(what: string, codec: string): void {
    this.life.answered();
    this.st = 'answered';
    this.log.info({ codec }, what);
    this.emit('answered');
  }

  /** Ended (a check across an await, where the state may have moved). */
  protected isOver(): boolean { return this.st === 'ended'; }

  /** The media leg, once there is one. */
  protected abstract leg(): CallMediaLeg | null;

  /** Lets go of what the call holds (leg, dialog, channel); runs once, as the call ends. */
  protected abstract teardown(): void;

  abstract hangup(reason?: string): Promise<void>;

  /** End at once without waiting for the far end (engine shutdown after its grace period). */
  abstract forceEnd(reason: string): void;

  async play(prompt: PromptRef, opts: { bargeIn?: boolean; signal?: AbortSignal } = {}): Promise<PlayResult> {
    const leg = this.leg();
    if (this.st !== 'answered' || !leg || opts.signal?.aborted) return { completed: false, playedMs: 0 };
    const bytes = await this.prompts.forPrompt(prompt, leg.codec);
    if (this.st !== 'answered' || opts.signal?.aborted) return { completed: false, playedMs: 0 };
    return playWithKeys(this.keys, opts, (signal) => leg.play(bytes, { signal }));
  }

  collect(opts: CollectOptions): Promise<string> {
    return this.keys.collect(opts, this);
  }

  async record(opts: RecordOptions): Promise<RecordResult> {
    const leg = this.leg();
    if (this.st !== 'answered' || !leg) return { ms: 0, endedBy: 'hangup', spoke: false };
    return recordLeg(leg, this.keys, this.done, opts);
  }

  /** The call's media leg while answered (listen-in taps it); null before the answer and after the end. */
  listenLeg(): CallMediaLeg | null {
    return this.st === 'answered' ? this.leg() : null;
  }

  relayLeg(): RelayLeg | null {
    return this.st === 'answered' ? this.leg() : null;
  }

  bridge(other: Call): Bridge {
    return bridgeCalls(this, other);
  }

  /** A key as a carrier reported it (counted once across carriers); `mode` is the trunk's DTMF setting. */
  protected key(digit: string, source: DtmfSource, mode: TrunkProfile['dtmf'] = 'auto'): void {
    if (this.st === 'answered') this.keys.receive(digit, source, mode);
  }

  protected end(e: CallEnd): void {
    this.life.end(e, () => {
      this.st = 'ended';
      this.teardown();
    });
  }
}

/**
 * `Call.bridge` on the embedded engine: media/rtp/bridge.ts joins the two legs (G.711 relayed on the
 * shared clock, prompts stopped), and each call's keys (RFC 4733, in-band or SIP INFO, counted once by
 * the call) are sent to the other leg as RFC 4733 events (in-band where it negotiated none).
 */
export function bridgeCalls(a: Bridgeable, b: Call): Bridge {
  if (!isBridgeable(b)) throw new AppError('E_REQUEST_INVALID', 'Only calls of the same engine can be bridged');
  if (a === b) throw new AppError('E_REQUEST_INVALID', 'A call cannot be bridged to itself');
  const la = a.relayLeg();
  const lb = b.relayLeg();
  if (!la || !lb || a.state !== 'answered' || b.state !== 'answered') {
    throw new AppError('E_REQUEST_INVALID', 'Both calls must be answered before they are bridged');
  }
  const media = bridgeLegs(la, lb, { digits: 'caller' });
  const digitA = (e: { digit: string }): void => media.passDigit('a', e.digit);
  const digitB = (e: { digit: string }): void => media.passDigit('b', e.digit);
  a.on('dtmf', digitA);
  b.on('dtmf', digitB);
  let finish!: (r: { endedBy: 'this' | 'other' | 'unbridged' }) => void;
  let over = false;
  const done = new Promise<{ endedBy: 'this' | 'other' | 'unbridged' }>((resolve) => { finish = resolve; });
  const stop = (endedBy: 'this' | 'other' | 'unbridged'): void => {
    if (over) return;
    over = true;
    a.off('dtmf', digitA);
    b.off('dtmf', digitB);
    media.unbridge();
    finish({ endedBy });
  };
  void media.done.then((r) => stop(r.endedBy === 'a' ? 'this' : r.endedBy === 'b' ? 'other' : 'unbridged'));
  // a call may end by its signalling before its leg closes (the leg closes in its teardown anyway)
  void a.done.then(() => stop('this'));
  void b.done.then(() => stop('other'));
  return { done, unbridge: () => stop('unbridged') };
}
