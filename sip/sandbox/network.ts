// The simulated public network: a SIP UAS on loopback (UDP and TCP) with RTP media that the box dials
// like any trunk. Each number behaves as the seeded mix says (see mix.ts for the retry rule); every
// INVITE and what became of it is recorded, and optionally appended to a JSON-lines log.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { AppError } from '../../core/errors.ts';
import { parseSandboxMenu, parseSandboxMenuFlow, SANDBOX_MENU_HEADER, type SandboxMenu } from '../../core/sandbox-menu.ts';
import type { SandboxFlow } from '../../core/sandbox-flow.ts';
import { silentLogger, maskNumber, type Logger } from '../../core/log.ts';
import type { ClockStats } from '../../media/rtp/clock.ts';
import { MediaEngine } from '../../media/rtp/media-engine.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import { headerText, parseUri, tagOf, type RemoteInfo, type SipRequest } from '../../sip/embedded/sip-types.ts';
import { loadSandboxAudio, type Clip, type SandboxAudio } from './audio.ts';
import { behaviourFor, parseKeys, parseMix, DEFAULT_KEYS_SPEC, DEFAULT_MIX_SPEC, DEFAULT_RETRY_REACH, type Behaviour, type KeyWeights, type Mix } from './mix.ts';
import { DEFAULT_DIAL_PREFIXES, e164FromUser } from './number.ts';
import { planCall, timingsFor, type CallPlan, type Timings } from './plan.ts';
import { emptyHeard, RecordLog, type SandboxCallRecord } from './records.ts';
import { ALLOW, SandboxCall, type CallContext } from './sandbox-call.ts';

export interface SandboxNetworkOptions {
  /** Default 127.0.0.1. */
  bindAddress?: string;
  /** SIP port for UDP and TCP; 0 (default) picks a free one. */
  port?: number;
  /** Default ['udp', 'tcp']. */
  transports?: Array<'udp' | 'tcp'>;
  /** Same seed, same behaviour per number. Default 1. */
  seed?: number | string;
  /** Mix spec ("listener=40,busy=8,...") or parsed weights. Default DEFAULT_MIX_SPEC. */
  mix?: string | Mix;
  /** Keys a presser may press, with weights ("1=60,9=20,2=20"). */
  keys?: string | KeyWeights;
  /** Chance that a busy / unanswered number is reachable on a retry (mix.ts). Default 0.5. */
  retryReach?: number;
  /** 1 = realistic ringing and waiting; tests use e.g. 0.1. Audio is never scaled. */
  timeScale?: number;
  /** Fine-tuning of the waits derived from timeScale. */
  timings?: Partial<Omit<Timings, 'timeScale'>>;
  /** RTP port range of the simulated phones. Default 40000-44999. */
  rtpPortMin?: number;
  rtpPortMax?: number;
  /** Cache folder of the generated audio (created on first start). */
  audioDir: string;
  logger?: Logger;
  /** Append one JSON line per INVITE and per ended call. */
  logFile?: string;
  /** Prefixes standing for '+' in the Request-URI user. Default ['00', '011']. */
  dialPrefixes?: readonly string[];
  userAgent?: string;
  /** Records kept in memory for calls() (the oldest are dropped beyond this; the log file keeps all). Default 100,000. */
  maxRecords?: number;
}

export interface SandboxNetworkEvents {
  invite: [SandboxCallRecord];
  'call-ended': [SandboxCallRecord];
}

/** A BYE retransmitted (or crossing ours) after a call ended still gets its 200 for this long. */
const ENDED_MEMORY_MS = 32_000;

export class SandboxNetwork extends EventEmitter<SandboxNetworkEvents> {
  readonly seed: number | string;
  readonly mix: Mix;
  readonly keys: KeyWeights;
  readonly timings: Timings;
  private readonly opts: SandboxNetworkOptions;
  private readonly log: Logger;
  private stack: SipStack | null = null;
  private media: MediaEngine | null = null;
  private audio: SandboxAudio | null = null;
  private clipIndex = new Map<string, Clip>();
  private recordLog: RecordLog | null = null;
  private readonly active = new Map<string, SandboxCall>();
  private readonly recentlyEnded = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private readonly records: SandboxCallRecord[] = [];
  private pruneTimer: NodeJS.Timeout | null = null;
  private t0 = performance.now();
  private accepting = false;
  private seq = 0;

  constructor(opts: SandboxNetworkOptions) {
    super();
    this.opts = opts;
    this.log = opts.logger ?? silentLogger();
    this.seed = opts.seed ?? 1;
    this.mix = typeof opts.mix === 'object' ? opts.mix : parseMix(opts.mix ?? DEFAULT_MIX_SPEC);
    this.keys = typeof opts.keys === 'object' ? opts.keys : parseKeys(opts.keys ?? DEFAULT_KEYS_SPEC);
    const ts = opts.timeScale ?? 1;
    if (!(Number.isFinite(ts) && ts > 0)) throw new AppError('E_CONFIG_INVALID', `timeScale must be a positive number, got ${String(opts.timeScale)}`, { key: 'timeScale' });
    const reach = opts.retryReach ?? DEFAULT_RETRY_REACH;
    if (!(reach >= 0 && reach <= 1)) throw new AppError('E_CONFIG_INVALID', `retryReach must be between 0 and 1, got ${String(reach)}`, { key: 'retryReach' });
    this.timings = timingsFor(ts, opts.timings);
  }

  /** The SIP port (after start). */
  get port(): number { return this.stack?.port ?? 0; }
  get address(): string { return this.opts.bindAddress ?? '127.0.0.1'; }

  async start(): Promise<void> {
    if (this.stack) return;
    this.t0 = performance.now();
    this.audio = await loadSandboxAudio(this.opts.audioDir);
    for (const c of [...this.audio.utterances, ...this.audio.greetings, ...this.audio.answers, ...this.audio.beeps]) this.clipIndex.set(c.id, c);
    const bindAddress = this.address;
    this.media = new MediaEngine({ bindAddress, rtpPortMin: this.opts.rtpPortMin ?? 40000, rtpPortMax: this.opts.rtpPortMax ?? 44999, logger: this.log });
    this.media.start();
    const stack = new SipStack({
      bindAddress,
      port: this.opts.port ?? 0,
      transports: this.opts.transports ?? ['udp', 'tcp'],
      userAgent: this.opts.userAgent ?? 'Sandbox-Trunk/1.0',
      logger: this.log,
    });
    stack.on('request', this.onRequest);
    try {
      await stack.start();
    } catch (e) {
      await this.media.stop();
      this.media = null;
      throw e;
    }
    this.stack = stack;
    if (this.opts.logFile) {
      this.recordLog = new RecordLog(this.opts.logFile);
      this.recordLog.open();
    }
    this.pruneTimer = setInterval(() => this.pruneEnded(), 5000);
    this.pruneTimer.unref();
    this.accepting = true;
    this.log.info({ address: bindAddress, port: stack.port, seed: this.seed, timeScale: this.timings.timeScale }, 'sandbox network listening');
  }

  /** Hangs up every call (BYE for answered ones, 503 for pending ones), then closes sockets and the log. */
  async stop(): Promise<void> {
    const stack = this.stack;
    if (!stack) return;
    this.accepting = false;
    for (const call of [...this.active.values()]) call.hangup('sandbox-stopped', 'network');
    // Let the BYEs leave before the sockets close.
    await new Promise((r) => setTimeout(r, 50));
    stack.off('request', this.onRequest);
    await stack.stop();
    this.stack = null;
    await this.media?.stop();
    this.media = null;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
    this.recordLog?.close();
    this.recordLog = null;
  }

  /** Every INVITE so far, in arrival order (records of calls in progress are still filling in). */
  calls(): SandboxCallRecord[] {
    return [...this.records];
  }

  activeCalls(): number {
    return this.active.size;
  }

  /** Load figures: calls now, INVITEs so far, and the shared media clock's lateness (is the sandbox keeping up?). */
  stats(): { activeCalls: number; invites: number; rtpSessions: number; clock: ClockStats | null } {
    return {
      activeCalls: this.active.size,
      invites: this.seq,
      rtpSessions: this.media?.activeSessions().length ?? 0,
      clock: this.media?.clock.stats() ?? null,
    };
  }

  /** What a number does on a given attempt (pure: no call is made). Null when it is not a number. */
  behaviourOf(number: string, attempt = 1): Behaviour | null {
    const e164 = this.normalise(number);
    return e164 ? behaviourFor(this.seed, e164, attempt, this.mix, this.opts.retryReach ?? DEFAULT_RETRY_REACH) : null;
  }

  /**
   * The full plan for a number's attempt (after start, it names the audio clips). Null when it is not a
   * number. `hint`: the X-Sandbox-Menu header the box sends, for the keys and flow its people follow.
   */
  planFor(number: string, attempt = 1, hint?: string): CallPlan | null {
    const e164 = this.normalise(number);
    return e164 ? this.plan(e164, attempt, parseSandboxMenu(hint), parseSandboxMenuFlow(hint)) : null;
  }

  /** A dialled user part or number as the sandbox reads it: E.164 with '+', or null. */
  normalise(user: string): string | null {
    return e164FromUser(user, this.opts.dialPrefixes ?? DEFAULT_DIAL_PREFIXES);
  }

  private plan(number: string, attempt: number, menu: SandboxMenu | null = null, flow: SandboxFlow | null = null): CallPlan {
    return planCall({
      seed: this.seed,
      mix: this.mix,
      keys: this.keys,
      timeScale: this.timings.timeScale,
      retryReach: this.opts.retryReach,
      clips: [...this.clipIndex.values()],
    }, number, attempt, menu, flow);
  }

  private readonly now = (): number => performance.now() - this.t0;

  private readonly onRequest = (rq: SipRequest, remote: RemoteInfo): void => {
    try {
      this.route(rq, remote);
    } catch (e) {
      this.log.error({ err: (e as Error).message, method: rq.method }, 'sandbox: request handling failed');
      if (rq.method !== 'ACK') this.stack?.reply(rq, 500, 'Server Internal Error');
    }
  };

  private route(rq: SipRequest, remote: RemoteInfo): void {
    const stack = this.stack!;
    const callId = rq.headers['call-id'] ?? '';
    const call = this.active.get(callId);
    const inDialog = !!tagOf(rq.headers.to);
    switch (rq.method) {
      case 'INVITE':
        if (inDialog) return call ? call.onInDialog(rq) : void stack.reply(rq, 481, 'Call/Transaction Does Not Exist');
        if (call) return void stack.reply(rq, 482, 'Loop Detected');
        return this.newCall(rq, remote);
      case 'ACK':
        return call?.onAck(rq);
      case 'CANCEL':
        return call ? call.onCancel(rq) : void stack.reply(rq, 481, 'Call/Transaction Does Not Exist');
      case 'BYE':
        if (call) return call.onBye(rq);
        return void (this.recentlyEnded.has(callId) ? stack.reply(rq, 200, 'OK') : stack.reply(rq, 481, 'Call/Transaction Does Not Exist'));
      case 'OPTIONS':
        return void stack.reply(rq, 200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } });
      case 'REGISTER': {
        const expires = headerText(rq.headers, 'expires') ?? '3600';
        return void stack.reply(rq, 200, 'OK', { headers: { contact: rq.headers.contact, expires } });
      }
      default:
        if (inDialog && call) return call.onInDialog(rq);
        stack.reply(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } });
    }
  }

  private newCall(rq: SipRequest, remote: RemoteInfo): void {
    const stack = this.stack!;
    if (!this.accepting) return void stack.reply(rq, 503, 'Service Unavailable');
    const require = headerText(rq.headers, 'require');
    if (require && require.trim()) return void stack.reply(rq, 420, 'Bad Extension', { headers: { unsupported: require } });
    const number = this.normalise(parseUri(rq.uri)?.user ?? '');
    const attempt = number ? (this.attempts.get(number) ?? 0) + 1 : 1;
    if (number) this.attempts.set(number, attempt);
    // The campaign's menu keys, when the box told them (only ever to a sandbox trunk).
    const hint = headerText(rq.headers, SANDBOX_MENU_HEADER.toLowerCase());
    const menu = parseSandboxMenu(hint);
    // And its flow, when it is more than the message and menu: pressers then follow it (flow-people.ts).
    const flow = parseSandboxMenuFlow(hint);
    const plan = number ? this.plan(number, attempt, menu, flow) : null;
    const wall = Date.now();
    const record: SandboxCallRecord = {
      seq: ++this.seq,
      callId: rq.headers['call-id'] ?? '',
      number,
      requestUri: typeof rq.uri === 'string' ? rq.uri : String(rq.uri),
      source: { address: remote.address, port: remote.port, transport: remote.protocol.toLowerCase() },
      behaviour: plan?.behaviour ?? null,
      baseBehaviour: plan?.baseBehaviour ?? null,
      attempt,
      inviteAt: new Date(wall).toISOString(),
      inviteWallMs: wall,
      inviteMonoMs: Math.round(this.now()),
      finalCode: null,
      finalMonoMs: null,
      answeredMonoMs: null,
      endedAt: null,
      endedMonoMs: null,
      endedBy: null,
      endReason: null,
      codec: null,
      dtmfSent: '',
      dtmfMode: null,
      dtmfReceived: '',
      turnsTaken: 0,
      spokeMs: 0,
      heard: emptyHeard(),
      rtp: { sent: 0, received: 0 },
    };
    this.records.push(record);
    const max = this.opts.maxRecords ?? 100_000;
    if (this.records.length > max + 1000) this.records.splice(0, this.records.length - max);
    const call = new SandboxCall(this.callContext(), rq, remote, plan, record);
    this.active.set(record.callId, call);
    this.recordLog?.write('invite', record);
    this.log.debug({ callId: record.callId, number: number ? maskNumber(number) : null, behaviour: record.behaviour, attempt }, 'sandbox: INVITE');
    this.safeEmit('invite', record);
    call.begin();
  }

  private callContext(): CallContext {
    return {
      stack: this.stack!,
      media: this.media!,
      timings: this.timings,
      logger: this.log,
      now: this.now,
      clip: (id, law) => (id ? this.clipIndex.get(id)?.[law] ?? null : null),
      onEnded: (c) => this.onEnded(c),
    };
  }

  private onEnded(call: SandboxCall): void {
    this.active.delete(call.callId);
    this.recentlyEnded.set(call.callId, this.now());
    const r = call.record;
    this.recordLog?.write('end', r);
    this.log.debug({ callId: r.callId, finalCode: r.finalCode, endedBy: r.endedBy, reason: r.endReason }, 'sandbox: call ended');
    this.safeEmit('call-ended', r);
  }

  private pruneEnded(): void {
    const limit = this.now() - ENDED_MEMORY_MS;
    for (const [id, at] of this.recentlyEnded) {
      if (at >= limit) break;
      this.recentlyEnded.delete(id);
    }
  }

  /** A listener that throws is logged; it must not break the SIP handling. */
  private safeEmit<K extends keyof SandboxNetworkEvents>(event: K, ...args: SandboxNetworkEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: SandboxNetworkEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error({ event, err: (e as Error).message }, 'sandbox: event listener threw');
    }
  }
}
