// The call port: the only seam between the domain (appliance/) and telephony.
// Engines (sip/embedded + media/rtp, sip/drachtio + media/freeswitch) implement it;
// nothing in appliance/ imports an engine directly (main.ts picks one from settings).
import type { EventEmitter } from 'node:events';

export { OUTCOMES, type Outcome } from './outcomes.ts';
import type { Outcome } from './outcomes.ts';

/** A recording pre-encoded once at import; engines read these files, never re-encode per call. */
export interface PromptRef {
  id: string;
  /** Headerless 8 kHz G.711 mu-law samples. */
  pcmu: string;
  /** Headerless 8 kHz G.711 A-law samples. */
  pcma: string;
  /** 8 kHz 16-bit mono WAV of the same audio (for engines that read files, e.g. FreeSWITCH). */
  wav?: string;
}

export interface DialRequest {
  /** E.164 number (+33612345678) or a SIP URI (sip:user@host:port). */
  to: string;
  /** Caller ID presented (E.164 or user part). */
  from: string;
  /** Trunk name from settings; ignored for a bare SIP URI. */
  trunk?: string;
  ringTimeoutMs?: number;
  headers?: Record<string, string>;
  /** Turn answering-machine detection on: the call emits 'amd' and 'beep'. */
  amd?: boolean | AmdOptions;
  /** Correlates logs with the domain (attempt id). */
  tag?: string;
}

export interface AmdOptions {
  initialSilenceMs?: number;
  greetingMs?: number;
  afterGreetingSilenceMs?: number;
  totalAnalysisMs?: number;
  minWordMs?: number;
  betweenWordsSilenceMs?: number;
  maxWords?: number;
  beepTimeoutMs?: number;
}

export type TrunkHealth = 'up' | 'down' | 'unknown' | 'registering' | 'paused';

export interface TrunkStatus {
  name: string;
  kind: 'sip' | 'gsm' | 'sandbox';
  health: TrunkHealth;
  registered: boolean | null; // null when the trunk uses IP authentication
  channelsInUse: number;
  channels: number;
  lastError: string | null;
  lastOptionsRttMs: number | null;
}

export interface CallDurations {
  /** From INVITE sent to the first provisional ringing/early media, or to the final answer. */
  setupMs: number;
  /** From first ringing to answer (or to the end when not answered). */
  ringMs: number;
  /** From answer to the end; 0 when never answered. */
  talkMs: number;
  totalMs: number;
}

export interface CallEnded {
  outcome: Outcome;
  sipCode: number | null;
  q850: number | null;
  durations: CallDurations;
  /** Who ended the call: 'local', 'remote', or 'error'. */
  endedBy: 'local' | 'remote' | 'error';
  reason?: string;
  /** What the network played in-band when that, not a person or a machine, decided the outcome. */
  inband?: InbandSignal;
}

/**
 * A network's in-band signal heard on a call: a Special Information Tone (ITU-T E.180, or one of the
 * North American variants that say why the call failed), or an in-band busy or congestion tone.
 */
export interface InbandSignal {
  kind: 'sit' | 'busy' | 'congestion';
  /** The SIT variant ('intercept', 'vacant-code', 'reorder-intra', 'no-circuit-inter', 'itu'...); absent otherwise. */
  variant?: string;
  /** The outcome it gives the attempt. */
  outcome: 'invalid-number' | 'trunk-failure' | 'busy';
  /** Heard in early media (183 with SDP, before any answer), or in the first seconds after an answer. */
  phase: 'early-media' | 'answered';
  /** Milliseconds of that phase's audio heard when it was recognised. */
  ms: number;
}

export type DtmfSource = 'rfc4733' | 'inband' | 'info';

export interface CallEvents {
  progress: [{ kind: 'ringing' | 'early-media'; sipCode: number }];
  answered: [];
  dtmf: [{ digit: string; source: DtmfSource }];
  amd: [{ verdict: 'human' | 'machine' | 'unknown'; confidence: number; ms: number }];
  beep: [{ ms: number }];
  /** The network, not the callee, is speaking: the engine ends the call with the signal's outcome. */
  inband: [InbandSignal];
  ended: [CallEnded];
}

export interface PlayResult {
  /** True when the prompt was played to its end. */
  completed: boolean;
  /** The digit that interrupted a barge-in play. */
  interruptedBy?: string;
  /** Milliseconds of audio sent. */
  playedMs: number;
}

/** Record what the callee says (a spoken answer) to a WAV file (8 kHz, 16-bit mono). */
export interface RecordOptions {
  /** Where the WAV file is written (its folder exists). */
  file: string;
  /** Longest recording. */
  maxMs: number;
  /** Ends after this much silence once the callee has spoken (or from the start, if they never do). */
  silenceMs: number;
  /** Keys that end the recording; the key is reported, not recorded. */
  endKeys?: string;
}

export interface RecordResult {
  /** Milliseconds of audio written (trailing silence included). */
  ms: number;
  endedBy: 'silence' | 'key' | 'max' | 'hangup';
  key?: string;
  /** Whether any speech was heard. */
  spoke: boolean;
}

export interface Call extends EventEmitter<CallEvents> {
  readonly id: string;
  readonly state: 'dialling' | 'ringing' | 'answered' | 'ended';
  /** `signal` stops the prompt from outside (e.g. detection says "machine" while the message plays). */
  play(prompt: PromptRef, opts?: { bargeIn?: boolean; signal?: AbortSignal }): Promise<PlayResult>;
  /** `signal` ends the wait early with what was typed so far. */
  collect(opts: { max: number; timeoutMs: number; terminators?: string; signal?: AbortSignal }): Promise<string>;
  /** Record the callee (flows' `record` verb); an engine without it cannot take spoken answers. */
  record?(opts: RecordOptions): Promise<RecordResult>;
  hangup(reason?: string): Promise<void>;
  /** Resolves with the final result once the call has ended. */
  readonly done: Promise<CallEnded>;
  /**
   * Connect this answered call to another answered call of the same engine (issue 16): audio both ways
   * (G.711 relayed, no transcoding where both legs use the same law) and keypad presses passed on, until
   * either leg ends or `unbridge()`. Prompts or recordings on either leg stop while it is bridged.
   */
  bridge?(other: Call): Bridge;
}

/** Two calls joined by `Call.bridge` (issue 16). */
export interface Bridge {
  /** Resolves once the bridge is over: which leg ended first, or `unbridged` when `unbridge()` was called. */
  readonly done: Promise<{ endedBy: 'this' | 'other' | 'unbridged' }>;
  /** Separate the two legs; both stay up. */
  unbridge(): void;
}

/** A call from a configured trunk to one of the box's numbers (issue 16); the domain answers or refuses it. */
export interface IncomingCall extends Call {
  /** The caller's number as the trunk gave it (E.164 where it can be read as one). */
  readonly from: string;
  /** The box's number that was called. */
  readonly to: string;
  /** The trunk it came from (only configured trunks reach the domain). */
  readonly trunk: string;
  /** Answer (200 OK); the call then plays, collects, records and bridges like an outgoing one. */
  answer(): Promise<void>;
  /** Refuse with a SIP final response (e.g. 486, 480, 603), with `reason` as its reason phrase where given. */
  reject(sipCode: number, reason?: string): Promise<void>;
}

/**
 * A registered staff endpoint (authenticated desk phone) calling a number through the box (issue 16).
 * The engine only hands it over; the domain decides: it refuses the staff leg with a reason, or places
 * the call and answers and bridges the staff leg. With no 'staff-call' listener the engine refuses (403).
 */
export interface StaffCallOut {
  /** The box user whose endpoint dialled (its digest credentials checked). */
  readonly user: string;
  readonly kind: 'desk-phone' | 'browser';
  /** What was dialled: the request URI's user part, as typed on the phone. */
  readonly dialled: string;
  /** The staff leg, ringing: answer it once the far end answers, or reject it. */
  readonly call: IncomingCall;
}

/** An endpoint of the office's staff registered to the box (issue 16): a browser softphone or a desk phone. */
export interface StaffEndpoint {
  /** The box user it belongs to. */
  user: string;
  kind: 'browser' | 'desk-phone';
  /** Where it registered from: `ip:port` for a desk phone, `wss` for a browser. */
  source: string;
  /** Epoch ms of its registration. */
  since: number;
  /** Whether it is on a call the box handed it now. */
  busy: boolean;
}

/** Ring one user's registered staff endpoints (all of them; the first to answer takes it). */
export interface StaffDialRequest {
  user: string;
  /** Shown on the staff member's phone or softphone as who is calling (a name, or a truncated number). */
  display: string;
  ringTimeoutMs?: number;
  /** Extra headers for the staff endpoint (e.g. the contact card for the browser's panel). */
  headers?: Record<string, string>;
  /** Correlates logs with the domain (attempt id). */
  tag?: string;
}

/**
 * Who may register as a staff endpoint: the domain answers, the engine keeps no users (issue 16). The
 * engine asks on every REGISTER and every softphone connection.
 */
export interface StaffDirectory {
  /** A desk phone's digest secret, HA1 = MD5(user:realm:password), for a user allowed to take calls; null otherwise. */
  deskPhoneHa1(user: string, realm: string): string | null;
  /** Address ranges (CIDR, IPv4 or IPv6) desk phones may register from. */
  deskPhoneRanges(): string[];
}

/** The part of a WebSocket the engine needs for SIP over WebSocket (RFC 7118); the `ws` package's fits. */
export interface SipWebSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | string) => void): this;
  on(event: 'close', listener: () => void): this;
}

export interface CallEngineEvents {
  trunk: [TrunkStatus];
  /** A call from a configured trunk (issue 16). With no listener the engine refuses it (480). */
  incoming: [IncomingCall];
  /** The staff endpoints registered now, after any change. */
  staff: [StaffEndpoint[]];
  /** A staff endpoint dialling a number through the box (issue 16). */
  'staff-call': [StaffCallOut];
}

/** Counters of an engine's own media path; absent where media runs elsewhere (FreeSWITCH). */
export interface EngineMediaStats {
  /** RTP sessions open now. */
  rtpSessions: number;
  /**
   * Datagrams dropped since the engine started because they did not come from where the far end
   * declared its media (its SDP's address, its trunk's media sources): spraying, or a far end
   * whose media comes from an address nobody configured.
   */
  rtpDroppedForeign: number;
}

export interface CallEngine extends EventEmitter<CallEngineEvents> {
  readonly name: 'embedded' | 'drachtio';
  start(): Promise<void>;
  dial(request: DialRequest): Call;
  trunks(): TrunkStatus[];
  activeCalls(): number;
  /** The production engine's links to drachtio-server and FreeSWITCH; absent on the embedded engine. */
  servers?(): { drachtio: boolean; freeswitch: boolean };
  mediaStats?(): EngineMediaStats;
  /** Ring a staff user's registered endpoints (issue 16); the call answers when one picks up. */
  dialStaff?(request: StaffDialRequest): Call;
  /** The staff endpoints registered now. */
  staffEndpoints?(): StaffEndpoint[];
  /**
   * A browser softphone's SIP-over-WebSocket connection (RFC 7118) on the box's HTTPS port. The HTTP side
   * has already checked the web session: `user` is its user, allowed to take calls. The engine takes
   * REGISTER, INVITE answers, BYE and INFO on it from that user only.
   */
  acceptStaffSocket?(socket: SipWebSocket, user: string): void;
  /**
   * Listen-in (issue 16): send `listener` (an answered call, an admin's softphone) a mixed copy of both
   * directions of `target`'s audio; nothing of `listener` reaches `target`. Over when either ends or on
   * `unbridge()` (`this` in `done` is the target).
   */
  listenIn?(target: Call, listener: Call): Bridge;
  close(): Promise<void>;
}

/** Map a SIP final response (and Q.850 cause, when the trunk gives one) to an outcome. */
export function outcomeForFailure(sipCode: number, hadRinging: boolean, q850: number | null): Outcome {
  if (q850 === 17) return 'busy';
  if (q850 === 1 || q850 === 28) return 'invalid-number';
  // A 486 after the phone rang is the callee pressing "reject", not a busy line.
  if (sipCode === 486 || sipCode === 600) return hadRinging ? 'declined' : 'busy';
  if (sipCode === 404 || sipCode === 484 || sipCode === 604 || sipCode === 410 || sipCode === 485) return 'invalid-number';
  if (sipCode === 603) return 'declined';
  if (sipCode === 487 || sipCode === 408 || sipCode === 480) return 'no-answer';
  if (sipCode >= 500 || sipCode === 401 || sipCode === 407 || sipCode === 403) return 'trunk-failure';
  return 'trunk-failure';
}

/** Q.850 cause implied by a SIP code when the trunk sends no Reason header (RFC 3398 mapping). */
export function q850ForSip(sipCode: number): number | null {
  const map: Record<number, number> = {
    200: 16, 400: 41, 401: 21, 402: 21, 403: 21, 404: 1, 405: 63, 406: 79, 407: 21, 408: 102,
    410: 22, 413: 127, 414: 127, 415: 79, 416: 127, 420: 127, 421: 127, 423: 127, 480: 18,
    484: 28, 485: 1, 486: 17, 487: 127, 488: 127, 500: 41, 501: 79, 502: 38, 503: 41, 504: 102,
    505: 127, 513: 127, 600: 17, 603: 21, 604: 1, 606: 58,
  };
  return map[sipCode] ?? null;
}
