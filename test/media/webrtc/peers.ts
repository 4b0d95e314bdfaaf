// Real far ends for the WebRTC and bridge tests, on loopback: a WebRTC peer (werift, full ICE, DTLS-SRTP,
// what a browser does) and a plain RTP far end (what a trunk's media gateway does). Both send a tone or
// RFC 4733 key presses every 20 ms and keep what they receive, decoded, for a Goertzel check.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, type RtpPacket, type RTCRtpTransceiver } from 'werift';
import { decodeG711, encodeG711, type G711Law } from '../../../media/dsp/g711.ts';
import { eventForDigit, parseTelephoneEvent, writeTelephoneEvent } from '../../../media/rtp/rfc4733.ts';
import { parseRtp, writeRtpHeader } from '../../../media/rtp/rtp-packet.ts';

/** Energy of `hz` in `pcm` relative to the whole signal's (0..1): a pure tone at hz gives about 1. */
export function toneShare(pcm: Int16Array, hz: number): number {
  const c = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = 0; i < pcm.length; i++) {
    const s0 = pcm[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += pcm[i] * pcm[i];
  }
  if (total === 0) return 0;
  const power = ((s1 * s1 + s2 * s2 - c * s1 * s2) * 2) / pcm.length;
  return power / total;
}

/**
 * Calls `fn` every 20 ms against absolute deadlines, as a phone's or a browser's audio clock does (a bare
 * setInterval runs slow by a millisecond or so per period, which a bridge would see as a far end whose clock
 * drifts); after a stall of this (shared, loaded) test process up to 3 missed periods run back to back
 * and the rest are skipped, as the box's own clock does: a real far end does not send a burst of a
 * second's audio. Returns the stop function.
 */
export function every20ms(fn: () => void): () => void {
  let next = performance.now() + 20;
  let timer: NodeJS.Timeout;
  const run = () => {
    const behind = Math.floor((performance.now() - next) / 20);
    if (behind > 3) next += (behind - 3) * 20;
    while (performance.now() >= next - 0.5) {
      fn();
      next += 20;
    }
    timer = setTimeout(run, Math.max(1, Math.round(next - performance.now())));
  };
  timer = setTimeout(run, 20);
  return () => clearTimeout(timer);
}

/**
 * Share of the last `ms` of 20 ms frames that carry `hz` (its share of the frame's energy above 0.9). Each
 * frame is judged alone, so a frame of silence where this loaded test process stalled costs one frame,
 * not the whole window.
 */
export function framesWithTone(frames: Int16Array[], hz: number, ms: number): number {
  const take = frames.slice(-Math.ceil(ms / 20));
  if (take.length === 0) return 0;
  return take.filter((f) => toneShare(f, hz) > 0.9).length / take.length;
}

function sine(hz: number, n: number, from: number): Int16Array {
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * (from + i)) / 8000));
  return pcm;
}

/** What a far end sends on each 20 ms: a tone, silence, or a key press's events. */
class Source {
  private hz = 0;
  private n = 0;
  private readonly digits: { event: number; packet: number }[] = [];
  tone(hz: number): void {
    this.hz = hz;
  }
  press(digit: string): void {
    const event = eventForDigit(digit);
    if (event === null) throw new Error(`not a digit: ${digit}`);
    this.digits.push({ event, packet: 0 });
  }
  /** The next packet: an event payload (with its first flag and duration), or 160 audio samples. */
  next(): { kind: 'event'; payload: Buffer; first: boolean } | { kind: 'audio'; pcm: Int16Array } {
    const d = this.digits[0];
    if (d) {
      // 5 packets of 20 ms, the last two marked end (RFC 4733 repeats the end packet)
      const payload = Buffer.alloc(4);
      const duration = Math.min(d.packet + 1, 4) * 160;
      writeTelephoneEvent(payload, 0, { event: d.event, end: d.packet >= 3, volume: 10, duration });
      const first = d.packet === 0;
      if (++d.packet === 5) this.digits.shift();
      return { kind: 'event', payload, first };
    }
    const pcm = this.hz > 0 ? sine(this.hz, 160, this.n) : new Int16Array(160);
    this.n += 160;
    return { kind: 'audio', pcm };
  }
}

/** A plain RTP far end (a trunk's media): sends to the box's RTP port, keeps what comes back. */
export class RtpFarEnd {
  readonly source = new Source();
  readonly heard: Int16Array[] = [];
  readonly digits: string[] = [];
  private socket!: dgram.Socket;
  private stopSending: (() => void) | null = null;
  private seq = 1000;
  private ts = 5000;
  private eventTs = 0;
  private lastEventTs = -1;
  port = 0;

  constructor(private readonly law: G711Law = 'pcmu') {}

  async start(): Promise<this> {
    this.socket = dgram.createSocket('udp4');
    this.socket.bind(0, '127.0.0.1');
    await once(this.socket, 'listening');
    this.port = this.socket.address().port;
    this.socket.on('message', (msg) => {
      const h = parseRtp(msg);
      if (!h) return;
      const payload = msg.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength);
      if (h.payloadType === 101) {
        const ev = parseTelephoneEvent(payload, 0, payload.length);
        if (ev && h.timestamp !== this.lastEventTs) {
          this.lastEventTs = h.timestamp;
          this.digits.push('0123456789*#ABCD'[ev.event] ?? '?');
        }
        return;
      }
      if (h.payloadType === 0 || h.payloadType === 8) this.heard.push(decodeG711(h.payloadType === 0 ? 'pcmu' : 'pcma', payload));
    });
    return this;
  }

  /** Starts sending to the box's session every 20 ms. */
  sendTo(port: number): void {
    const pt = this.law === 'pcmu' ? 0 : 8;
    this.stopSending = every20ms(() => {
      const p = this.source.next();
      const seq = this.seq++ & 0xffff;
      if (p.kind === 'event') {
        if (p.first) this.eventTs = this.ts;
        const buf = Buffer.alloc(16);
        writeRtpHeader(buf, { marker: p.first, payloadType: 101, sequence: seq, timestamp: this.eventTs, ssrc: 0x1234 });
        p.payload.copy(buf, 12);
        this.socket.send(buf, port, '127.0.0.1');
      } else {
        const buf = Buffer.alloc(172);
        writeRtpHeader(buf, { marker: false, payloadType: pt, sequence: seq, timestamp: this.ts, ssrc: 0x1234 });
        encodeG711(this.law, p.pcm).copy(buf, 12);
        this.socket.send(buf, port, '127.0.0.1');
      }
      this.ts = (this.ts + 160) >>> 0;
    });
  }

  /** The last `ms` of audio heard, as one array. */
  lastHeard(ms: number): Int16Array {
    return joinLast(this.heard, ms);
  }

  close(): void {
    this.stopSending?.();
    this.socket.close();
  }
}

function joinLast(frames: Int16Array[], ms: number): Int16Array {
  const take = frames.slice(-Math.ceil(ms / 20));
  const out = new Int16Array(take.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of take) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

/** A browser's side of a WebRTC call, played by werift: full ICE on loopback, DTLS-SRTP, G.711. */
export class WebRtcPeer {
  readonly pc: RTCPeerConnection;
  readonly source = new Source();
  readonly heard: Int16Array[] = [];
  readonly digits: string[] = [];
  private transceiver: RTCRtpTransceiver | null = null;
  private stopSending: (() => void) | null = null;
  private readonly header = new RtpHeader({ payloadType: 0, sequenceNumber: 100, timestamp: 9000, ssrc: 0, extensions: [] });
  private eventTs = 0;
  private lastEventTs = -1;

  constructor(private readonly law: G711Law = 'pcmu') {
    const codecs = [
      new RTCRtpCodecParameters({ mimeType: law === 'pcmu' ? 'audio/PCMU' : 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: law === 'pcmu' ? 0 : 8 }),
      new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: 101 }),
    ];
    this.pc = new RTCPeerConnection({
      codecs: { audio: codecs, video: [] },
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceFilterCandidatePair: (pair) => pair.localCandidate.host === '127.0.0.1' && pair.remoteCandidate.host === '127.0.0.1',
    });
    this.pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => this.onRtp(p)));
  }

  private onRtp(p: RtpPacket): void {
    const pt = p.header.payloadType;
    if (pt === 101) {
      const ev = parseTelephoneEvent(p.payload, 0, p.payload.length);
      if (ev && p.header.timestamp !== this.lastEventTs) {
        this.lastEventTs = p.header.timestamp;
        this.digits.push('0123456789*#ABCD'[ev.event] ?? '?');
      }
      return;
    }
    if (pt === 0 || pt === 8) this.heard.push(decodeG711(pt === 0 ? 'pcmu' : 'pcma', p.payload));
  }

  async offer(): Promise<string> {
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this.gathered();
    return this.pc.localDescription!.sdp;
  }

  async accept(answer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }

  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    this.transceiver = this.pc.getTransceivers()[0]!;
    this.transceiver.setDirection('sendrecv');
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.gathered();
    return this.pc.localDescription!.sdp;
  }

  private async gathered(): Promise<void> {
    while (this.pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 20));
  }

  async connected(timeoutMs = 10_000): Promise<void> {
    const t0 = Date.now();
    while (this.pc.connectionState !== 'connected') {
      if (Date.now() - t0 > timeoutMs || this.pc.connectionState === 'failed') throw new Error(`peer not connected: ${this.pc.connectionState}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends every 20 ms from now on (tone, silence or key presses from `source`). */
  startSending(): void {
    const sender = this.transceiver!.sender;
    this.header.ssrc = sender.ssrc;
    const pt = this.law === 'pcmu' ? 0 : 8;
    let ts = 9000;
    this.stopSending = every20ms(() => {
      const p = this.source.next();
      const h = this.header;
      if (p.kind === 'event') {
        if (p.first) this.eventTs = ts;
        h.payloadType = 101;
        h.marker = p.first;
        h.timestamp = this.eventTs;
        void sender.dtlsTransport.sendRtp(p.payload, h);
      } else {
        h.payloadType = pt;
        h.marker = false;
        h.timestamp = ts;
        void sender.dtlsTransport.sendRtp(encodeG711(this.law, p.pcm), h);
      }
      h.sequenceNumber = (h.sequenceNumber + 1) & 0xffff;
      ts = (ts + 160) >>> 0;
    });
  }

  lastHeard(ms: number): Int16Array {
    return joinLast(this.heard, ms);
  }

  async close(): Promise<void> {
    this.stopSending?.();
    await this.pc.close();
  }
}

/** Replaces the DTLS fingerprint's value in an SDP (a certificate the far end does not hold). */
export function forgeFingerprint(sdp: string): string {
  return sdp.replace(/a=fingerprint:sha-256 ([0-9A-F:]+)/i, (_m, v: string) => {
    const bytes = v.split(':');
    bytes[0] = bytes[0] === '00' ? '01' : '00';
    return `a=fingerprint:sha-256 ${bytes.join(':')}`;
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check()` is true (polling), or throws after `ms` with `what`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}
