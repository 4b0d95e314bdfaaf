// The public shapes of an RTP session: what it is built from, what it reports, what it emits.
import type dgram from 'node:dgram';
import type { Logger } from '../../core/log.ts';
import type { MediaClock } from './clock.ts';

export interface RtpSessionOptions {
  socket: dgram.Socket;
  localAddress: string;
  localPort: number;
  clock: MediaClock;
  /** 0 = PCMU, 8 = PCMA. */
  payloadType?: 0 | 8;
  /** Negotiated telephone-event payload type; null when the peer offered none. Default 101. */
  telephoneEventPt?: number | null;
  remoteAddress?: string;
  remotePort?: number;
  /** Run the Goertzel detector on received audio. */
  inbandDtmf?: boolean;
  /** Emit 'rtp-timeout' after this long without a packet once media started; 0 turns it off. */
  rtpTimeoutMs?: number;
  /**
   * Latch to the source address of received packets (NAT), then accept packets from there only.
   * Default true; false for asymmetric peers (send to the SDP address, accept from anywhere).
   */
  symmetric?: boolean;
  /** Received frames held back to put reordered packets right. Default 3. */
  reorderPackets?: number;
  logger?: Logger;
  /** Called once when the session closes (returns the port to its pool). */
  onClose?: () => void;
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
