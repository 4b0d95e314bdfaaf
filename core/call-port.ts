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
}

export interface CallEngineEvents {
  trunk: [TrunkStatus];
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
