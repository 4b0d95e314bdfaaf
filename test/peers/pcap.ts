// Test helper: write RTP streams as pcap files for sipp's play_pcap_audio (DTMF by RFC 4733 events
// or as in-band tones in G.711 audio). sipp takes the RTP payloads and their timing from the file.
import { dtmfTone } from '../../media/dsp/goertzel-dtmf.ts';
import { encodeG711, SILENCE_BYTE, type G711Law } from '../../media/dsp/g711.ts';

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  payload: Buffer;
  /** Send time from the start of the stream, microseconds. */
  atUs: number;
}

const EVENT_CODES = '0123456789*#ABCD';

function rtp(p: RtpPacket, ssrc: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  h.writeUInt16BE(p.sequence & 0xffff, 2);
  h.writeUInt32BE(p.timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, p.payload]);
}

/** A pcap (Ethernet, IPv4, UDP) of the packets, from 127.0.0.1:6000 to 127.0.0.1:6002. */
export function pcapFile(packets: RtpPacket[], ssrc = 0x1234abcd): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // Ethernet
  const records = packets.map((p) => {
    const payload = rtp(p, ssrc);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(6000, 0);
    udp.writeUInt16BE(6002, 2);
    udp.writeUInt16BE(8 + payload.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, payload]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(p.atUs / 1e6), 0);
    rec.writeUInt32LE(p.atUs % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([global, ...records]);
}

/** 20 ms audio frames of a G.711 stream, starting at sequence/timestamp 1000/8000. */
function framesOf(audio: Buffer, payloadType: number): RtpPacket[] {
  const out: RtpPacket[] = [];
  for (let i = 0; i * 160 < audio.length; i++) {
    const payload = Buffer.alloc(160, audio[audio.length - 1] ?? 0xff);
    audio.copy(payload, 0, i * 160, Math.min(audio.length, (i + 1) * 160));
    out.push({ payloadType, marker: i === 0, sequence: 1000 + i, timestamp: 8000 + i * 160, payload, atUs: i * 20_000 });
  }
  return out;
}

/** Digits as tones in the audio: each `toneMs` long with `gapMs` of silence after, after `leadMs` of silence. */
export function inbandDtmfPcap(digits: string, law: G711Law = 'pcmu', o: { toneMs?: number; gapMs?: number; leadMs?: number } = {}): Buffer {
  const toneMs = o.toneMs ?? 100;
  const gapMs = o.gapMs ?? 100;
  const parts: Buffer[] = [Buffer.alloc(8 * (o.leadMs ?? 200), SILENCE_BYTE[law])];
  for (const d of digits) {
    parts.push(encodeG711(law, dtmfTone(d, toneMs)));
    parts.push(Buffer.alloc(8 * gapMs, SILENCE_BYTE[law]));
  }
  return pcapFile(framesOf(Buffer.concat(parts), law === 'pcmu' ? 0 : 8));
}

/**
 * Digits as RFC 4733 events (payload type `eventPt`) inside a silent G.711 stream: each event lasts
 * `toneMs`, its end packet is sent three times, then `gapMs` of audio frames.
 */
export function rfc4733DtmfPcap(digits: string, eventPt = 101, o: { toneMs?: number; gapMs?: number; leadMs?: number } = {}): Buffer {
  const toneMs = o.toneMs ?? 100;
  const gapMs = o.gapMs ?? 100;
  const packets: RtpPacket[] = [];
  let seq = 1000;
  let ts = 8000;
  let at = 0;
  const silence = (ms: number): void => {
    for (let i = 0; i < ms / 20; i++) {
      packets.push({ payloadType: 0, marker: packets.length === 0, sequence: seq++, timestamp: ts, payload: Buffer.alloc(160, 0xff), atUs: at });
      ts += 160;
      at += 20_000;
    }
  };
  silence(o.leadMs ?? 200);
  for (const d of digits) {
    const code = EVENT_CODES.indexOf(d.toUpperCase());
    if (code < 0) throw new RangeError(`not a DTMF digit: ${d}`);
    const steps = toneMs / 20;
    for (let i = 1; i <= steps + 2; i++) {
      const end = i >= steps;
      const duration = Math.min(i, steps) * 160;
      const payload = Buffer.from([code, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
      packets.push({ payloadType: eventPt, marker: i === 1, sequence: seq++, timestamp: ts, payload, atUs: at });
      if (i <= steps) at += 20_000;
    }
    ts += steps * 160;
    silence(gapMs);
  }
  return pcapFile(packets);
}
