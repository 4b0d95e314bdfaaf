// The public shapes of an RTP session: what it is built from, what it reports, what it emits.
import type dgram from 'node:dgram';
import type { Logger } from '../../core/log.ts';
import type { MediaClock } from './clock.ts';
import type { FrameRelay, RelayLeg } from './relay-leg.ts';
import type { MediaSourceSet } from './source-filter.ts';

export interface RtpSessionOptions {
  socket: dgram.Socket;
  localAddress: string;
  localPort: number;
  clock: MediaClock;
  /** 0 = PCMU, 8 = PCMA. */
  payloadType?: 0 | 8;
  /** Negotiated telephone-event payload type; null when the peer offered none. Default 101. */
  telephoneEventPt?: number | null;
  /** The far end's media address and port, when known at creation (else setRemote() from its SDP). */
  remoteAddress?: string;
  remotePort?: number;
  /**
   * Where the far end's media may also come from (the engine gives its signalling addresses and its
   * trunk's `mediaSources`); default none: media only from the address its SDP declared. Datagrams
   * from anywhere else are dropped and counted.
   */
  mediaSources?: MediaSourceSet;
  /** Run the Goertzel detector on received audio. */
  inbandDtmf?: boolean;
  /** Emit 'rtp-timeout' after this long without a packet once media started; 0 turns it off. */
  rtpTimeoutMs?: number;
  /**
   * Latch to the source port of received packets (NAT in front of the far end: only its port may
   * differ from the declared one), then accept packets from there only. Default true; false for
   * asymmetric peers (send to the SDP address and port, accept any port of the declared address).
   */
  symmetric?: boolean;
  /** Received frames held back to put reordered packets right. Default 3. */
  reorderPackets?: number;
  /** Carry on the RTP stream of a session that ran elsewhere (a media worker): same SSRC, next sequence and timestamp. */
  continueFrom?: RtpContinuation;
  logger?: Logger;
  /** Called once when the session closes (returns the port to its pool). */
  onClose?: () => void;
}

/** Where a session's outgoing RTP stream stands, for another session to carry it on without a break. */
export interface RtpContinuation {
  ssrc: number;
  /** Sequence number of the next packet. */
  seq: number;
  /** RTP timestamp of the next packet, had the session ticked once more. */
  timestamp: number;
  /** Wall-clock time (ms since the epoch, performance.timeOrigin + now()) at which `timestamp` is due. */
  atMs: number;
}

export interface RtpSessionStats {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  lost: number;
  reordered: number;
  duplicates: number;
  /** Too late to be played out (behind the reorder buffer) or too old to place. */
  late: number;
  /** Datagrams that were not RTP, or carried a payload type we did not negotiate. */
  ignored: number;
  /**
   * Datagrams dropped for their source: not the declared address nor a trunk media source, or not
   * the latched source once latched. (Once the socket is connected, the kernel drops them unseen.)
   */
  droppedForeign: number;
  /** address:port of the first such datagram (diagnostics: a far end behind an unexpected address). */
  firstForeignSource: string | null;
  dtmfReceived: number;
  ssrc: number;
  remoteAddress: string | null;
  remotePort: number | null;
  latched: boolean;
}

export interface RtpSessionEvents {
  dtmf: [{ digit: string; source: 'rfc4733' | 'inband' }];
  audio: [Int16Array];
  'rtp-timeout': [{ silentMs: number }];
  latched: [{ address: string; port: number }];
  close: [];
}

/**
 * What the SIP side uses of a call's media, whether the session runs on this thread (RtpSession) or
 * in a media worker thread (WorkerSession, which mirrors it by messages).
 */
export interface MediaSession extends RelayLeg {
  readonly localAddress: string;
  readonly localPort: number;
  readonly codec: 'pcmu' | 'pcma';
  readonly payloadType: number;
  readonly isClosed: boolean;
  play(encoded: Buffer, opts?: { signal?: AbortSignal }): Promise<{ completed: boolean; playedMs: number }>;
  stopPlayback(): void;
  sendDtmf(digits: string, opts?: { mode?: 'rfc4733' | 'inband'; durationMs?: number; gapMs?: number; amplitude?: number }): Promise<void>;
  setRemote(address: string, port: number): void;
  setPayloadType(pt: 0 | 8): void;
  setTelephoneEventPt(pt: number | null): void;
  hold(on: boolean): void;
  /** In a worker session, the figures of the last report from the worker (events carry a fresh one). */
  stats(): RtpSessionStats;
  /**
   * Bridging (media/rtp/bridge.ts): received payloads and digits go to `relay`, which gives the frames to
   * send between prompts, frame by frame on the session's clock. A worker session moves to the main
   * thread first (see hostOnMainThread); until it is there, nothing is relayed.
   */
  setRelay(relay: FrameRelay | null): void;
  /**
   * Resolves once the session runs on the main thread, beside the box's other legs (a browser's WebRTC
   * leg, a bridged call): an RtpSession is there already; a worker session moves, keeping its port,
   * SSRC, sequence and timestamps (a few milliseconds without media while its socket changes hands).
   */
  hostOnMainThread(): Promise<void>;
  /**
   * Listen-in: `fn` gets each 20 ms payload sent to the far end (prompts, bridged audio, silence); returns
   * the unsubscribe. A session in a media worker moves to the main thread first (nothing is tapped until then).
   * The payload is valid during the call only (the packet's buffer is shared by the thread's sessions): copy to keep it.
   */
  tapSent(fn: (payload: Buffer) => void): () => void;
  close(): void;
  on<K extends keyof RtpSessionEvents>(event: K, listener: (...args: RtpSessionEvents[K]) => void): this;
  once<K extends keyof RtpSessionEvents>(event: K, listener: (...args: RtpSessionEvents[K]) => void): this;
  off<K extends keyof RtpSessionEvents>(event: K, listener: (...args: RtpSessionEvents[K]) => void): this;
}
