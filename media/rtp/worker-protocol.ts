// The messages between the main thread and a media worker thread (media/rtp/media-worker.ts). Plain
// data only (structured clone); prompt bytes travel as views on a SharedArrayBuffer, so a play
// message shares the prompt instead of copying it.
import type { MediaSourceRule } from '../../core/media-sources.ts';
import type { ClockStats } from './clock.ts';
import type { DtmfSendOptions } from './dtmf-sender.ts';
import type { RtpContinuation, RtpSessionStats } from './session-types.ts';
import type { ThreadPriority } from './thread-priority.ts';

export interface WorkerBoot {
  bindAddress: string;
  clockPhases?: number;
  /** pino level name of the main thread's media logger. */
  logLevel: string;
  /** Measure each sent packet's lateness against the clock (bench/media.ts); costs a little per packet. */
  probeSends?: boolean;
  /** Nice steps the worker raises its own thread above the main thread (thread-priority.ts); 0: none. */
  priorityBoost: number;
  /** The native module of batched I/O (batch-io.ts), or null: the sockets stay with dgram. */
  batchIo: string | null;
}

/** What a session is opened with: RtpSessionOptions minus what the worker supplies itself. */
export interface SessionInit {
  payloadType?: 0 | 8;
  telephoneEventPt?: number | null;
  remoteAddress?: string;
  remotePort?: number;
  mediaSources?: readonly MediaSourceRule[];
  inbandDtmf?: boolean;
  rtpTimeoutMs?: number;
  symmetric?: boolean;
  reorderPackets?: number;
}

export type ToWorker =
  | { t: 'open'; id: number; port: number; init: SessionInit }
  | { t: 'close'; id: number }
  /** The session moves to the main thread: stop it, free its port (its socket closed), hand its stream over. */
  | { t: 'detach'; id: number }
  | { t: 'play'; id: number; play: number; bytes: Uint8Array }
  /** Ends one play (abort) or, without `play`, the current one and everything queued. */
  | { t: 'stop-play'; id: number; play?: number }
  | { t: 'dtmf'; id: number; req: number; digits: string; opts: DtmfSendOptions }
  | { t: 'remote'; id: number; address: string; port: number }
  | { t: 'pt'; id: number; pt: 0 | 8 }
  | { t: 'event-pt'; id: number; pt: number | null }
  | { t: 'hold'; id: number; on: boolean }
  /** Someone on the main thread listens to the session's decoded audio (or stopped). */
  | { t: 'audio'; id: number; on: boolean }
  | { t: 'summary'; req: number }
  | { t: 'reset-stats' };

export interface WorkerSummary {
  sessions: number;
  /** Over every session this worker has run. */
  droppedForeign: number;
  clock: ClockStats;
  /** Send lateness of sampled packets (only with probeSends). */
  p99SendLatenessMs: number | null;
  lostReceived: number;
  /** RTP packets sent and received, over every session this worker has run. */
  packetsSent: number;
  packetsReceived: number;
}

export type FromWorker =
  /** Up, with its thread's priority (what it raised it to, or why it could not). */
  | { t: 'ready'; priority: ThreadPriority; batchIo: boolean; batchIoError: string | null }
  | { t: 'opened'; id: number; ok: true; stats: RtpSessionStats }
  | { t: 'opened'; id: number; ok: false; code: string | null; message: string }
  | { t: 'played'; id: number; play: number; completed: boolean; playedMs: number }
  | { t: 'dtmf-sent'; id: number; req: number; error: string | null }
  | { t: 'dtmf'; id: number; digit: string; source: 'rfc4733' | 'inband' }
  | { t: 'audio'; id: number; pcm: Int16Array }
  | { t: 'timeout'; id: number; silentMs: number; stats: RtpSessionStats }
  | { t: 'latched'; id: number; address: string; port: number; stats: RtpSessionStats }
  | { t: 'closed'; id: number; stats: RtpSessionStats }
  /** After 'detach': the socket is closed (its port free to bind); the stream carries on from `from`. */
  | { t: 'detached'; id: number; stats: RtpSessionStats; from: RtpContinuation }
  | { t: 'log'; line: string }
  | { t: 'summary'; req: number | null; summary: WorkerSummary };
